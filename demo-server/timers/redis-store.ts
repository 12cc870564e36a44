import type { Redis } from 'ioredis';
import type { TimerState, TimerStatus } from '../../sdk/protocol.js';
import { idleState, isRefusal, type Refusal, type TimerChange } from './state.js';
import type { TimerChangeListener, TimerStoreFactory } from './store.js';

/*
 * Timers in Redis, shared by every node on it:
 * - `server-clock:timer:<name>`: a hash per timer (status, endsAt, remaining, version, updatedAt);
 *   `ended` and `cancelled` ones expire after the TTL (PEXPIRE);
 * - `server-clock:timers:running`: the running timers' names, scored by endsAt, for the end scheduler;
 * - `server-clock:timer-changes`: a channel carrying every committed state to the other nodes.
 *
 * An update reads the hash, runs the pure change, and commits with a script that writes only if the
 * version is still the one read (compare-and-set); otherwise it reads again and retries. Two nodes
 * extending one timer at once both count: one commits first, the other's retry extends the result.
 */
const KEY_PREFIX = 'server-clock:timer:';
const RUNNING = 'server-clock:timers:running';
const CHANNEL = 'server-clock:timer-changes';
const MAX_ATTEMPTS = 100;

// KEYS: the timer's hash, the running set. ARGV: the version read, name, status, endsAt, remaining,
// version, updatedAt, TTL (ms), channel, the message to publish.
const COMMIT = `
local current = redis.call('HGET', KEYS[1], 'version') or '0'
if current ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'endsAt', ARGV[4], 'remaining', ARGV[5], 'version', ARGV[6], 'updatedAt', ARGV[7])
if ARGV[3] == 'running' then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[2]) else redis.call('ZREM', KEYS[2], ARGV[2]) end
if ARGV[3] == 'ended' or ARGV[3] == 'cancelled' then redis.call('PEXPIRE', KEYS[1], ARGV[8]) end
redis.call('PUBLISH', ARGV[9], ARGV[10])
return 1
`;

const STATUSES: readonly string[] = ['idle', 'running', 'paused', 'ended', 'cancelled'] satisfies TimerStatus[];

const orNull = (value: string | undefined) => (value ? Number(value) : null);
const field = (value: number | null) => (value === null ? '' : String(value));

/** A timer's hash as a state, with the version exactly as stored (the compare-and-set compares it). */
function parse(name: string, hash: Record<string, string>): { state: TimerState; version: string } {
  if (!hash.version || !STATUSES.includes(hash.status ?? '')) return { state: idleState(name), version: '0' };
  return {
    state: {
      name,
      status: hash.status as TimerStatus,
      endsAt: orNull(hash.endsAt),
      remaining: orNull(hash.remaining),
      version: Number(hash.version),
      updatedAt: Number(hash.updatedAt),
    },
    version: hash.version,
  };
}

/** A committed state on {@link CHANNEL}, with the node that made it. */
interface ChangeMessage {
  node: string;
  state: TimerState;
}

function isChangeMessage(value: unknown): value is ChangeMessage {
  const message = value as ChangeMessage;
  return typeof message?.node === 'string' && typeof message.state?.name === 'string';
}

/**
 * The timers' store (`store.ts`) on Redis, for several nodes. Fails fast (rejects) while the connection is
 * not ready, rather than queueing commands until Redis is back.
 *
 * @param redis - the command connection (not closed by the store: the server owns it)
 * @param subscriber - a connection of its own for the change channel (subscribed here, not closed)
 * @param opened - what the first commands wait for (the cluster clock's first measurement)
 * @returns the factory the server calls with its cluster clock and TTL
 */
export function redisStore(redis: Redis, subscriber: Redis, opened: Promise<unknown>): TimerStoreFactory {
  return ({ clock, ttl }) => {
    const node = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    const listeners = new Set<TimerChangeListener>();
    const tell = (state: TimerState) => {
      for (const listener of listeners) listener(state);
    };

    // A node starting up waits for its first measurement; after that, failures are fast.
    const ready = async () => {
      await opened;
      if (redis.status !== 'ready') throw new Error(`redis is ${redis.status}`);
    };
    const read = async (name: string) => {
      await ready();
      return parse(name, await redis.hgetall(KEY_PREFIX + name));
    };

    const onMessage = (channel: string, message: string) => {
      if (channel !== CHANNEL) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        return;
      }
      if (isChangeMessage(parsed) && parsed.node !== node) tell(parsed.state);
    };
    // Changes made while this node was cut off were not heard: after each (re)connection, every
    // running timer is told again, so the end scheduler re-arms on what is true now.
    const retell = () =>
      void (async () => {
        for (const name of await redis.zrange(RUNNING, 0, -1)) tell((await read(name)).state);
      })().catch(() => undefined);
    subscriber.on('message', onMessage);
    subscriber.on('ready', retell);
    // ioredis subscribes again by itself after a reconnect.
    void subscriber.subscribe(CHANNEL).catch(() => undefined);

    return {
      get: async (name) => (await read(name)).state,
      async update(name: string, change: TimerChange): Promise<TimerState | Refusal> {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const { state: current, version } = await read(name);
          const next = change(current, clock());
          if (isRefusal(next)) return next;
          const message = JSON.stringify({ node, state: next } satisfies ChangeMessage);
          const committed = await redis.eval(
            COMMIT,
            2,
            KEY_PREFIX + name,
            RUNNING,
            version,
            name,
            next.status,
            field(next.endsAt),
            field(next.remaining),
            String(next.version),
            String(next.updatedAt),
            String(ttl),
            CHANNEL,
            message,
          );
          if (committed === 1) {
            tell(next);
            return next;
          }
        }
        throw new Error(`timer "${name}" changed under every one of ${MAX_ATTEMPTS} attempts`);
      },
      onChange(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      async nextDeadline() {
        await ready();
        const [, score] = await redis.zrange(RUNNING, 0, 0, 'WITHSCORES');
        return score === undefined ? null : Number(score);
      },
      async due(now) {
        await ready();
        return redis.zrangebyscore(RUNNING, '-inf', now);
      },
      async close() {
        subscriber.off('message', onMessage);
        subscriber.off('ready', retell);
        listeners.clear();
        await subscriber.unsubscribe(CHANNEL).catch(() => undefined);
      },
    };
  };
}
