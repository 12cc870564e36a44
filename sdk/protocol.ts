/**
 * The server-clock wire protocol, version 1 (see PROTOCOL.md).
 * The one place that names the events and payloads; the SDK and the demo server both import it.
 */

/** Server → client push: the server's clock in epoch milliseconds, emitted on whole seconds. */
export const TIME_EVENT = 'api:server-time';

/** Client → server sync request, answered through the acknowledgement with a {@link SyncReply}. */
export const SYNC_EVENT = 'api:time-sync';

/** Payload of {@link TIME_EVENT}: epoch milliseconds (may carry a fraction). */
export type TimePayload = number;

/**
 * Client → server, `(on)`: whether the server should push {@link TIME_EVENT} to this socket
 * from now on. A socket that never sends it gets the pushes; a client that syncs opts out with
 * `false`, and back in with `true`. No acknowledgement; only a single boolean is taken.
 */
export const TICKS_EVENT = 'api:ticks';

/**
 * Acknowledgement of {@link SYNC_EVENT}: the server's clock when the request arrived (`t1`) and
 * when the answer left (`t2`), epoch milliseconds with sub-millisecond precision.
 */
export interface SyncReply {
  /** The server's clock when the request arrived, epoch ms. */
  t1: number;
  /** The server's clock when the answer left, epoch ms. */
  t2: number;
}

/**
 * The most sync requests ({@link SYNC_EVENT}) one clock sends: `burst` at once, then `perSecond`
 * on average (a token bucket of the client's own, so that no sequence of reconnects, shown pages
 * or wall clock jumps exceeds it). A server may limit a socket to twice this: two clocks.
 */
export const SYNC_LOAD = { burst: 10, perSecond: 2.5 };

// The token bucket is part of the protocol: it is how SYNC_LOAD is counted, by the client that
// keeps to it and by the server that enforces a multiple of it, so both import it from here.

/** The state of one token bucket: two numbers, kept in an object of the caller's (e.g. a socket's data). */
export interface TokenBucketState {
  /** Tokens left at `updated`. */
  tokens: number;
  /** When `tokens` was last brought up to date, in ms. */
  updated: number;
}

/**
 * Token buckets: up to `capacity` requests at once, refilled at `refillPerSecond`. One instance holds
 * the rules for any number of buckets, whose state (two numbers) lives with their owner, so that a
 * bucket a socket costs no object of its own; time comes from the caller.
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #refillPerMs: number;

  constructor(capacity: number, refillPerSecond: number) {
    if (!(capacity >= 1) || !(refillPerSecond > 0)) {
      throw new RangeError(`a token bucket needs capacity ≥ 1 and refill > 0, got ${capacity} and ${refillPerSecond}`);
    }
    this.#capacity = capacity;
    this.#refillPerMs = refillPerSecond / 1000;
  }

  /** Makes `state` a full bucket as of `now`, and returns it. */
  fill<T extends object>(state: T, now: number): T & TokenBucketState {
    return Object.assign(state, { tokens: this.#capacity, updated: now });
  }

  /** Takes one token from `state`'s bucket if there is one; `now` in ms on any clock that does not go back. */
  take(state: TokenBucketState, now: number): boolean {
    // max(): a clock step backwards refills nothing rather than draining the bucket.
    const elapsed = Math.max(0, now - state.updated);
    state.tokens = Math.min(this.#capacity, state.tokens + elapsed * this.#refillPerMs);
    state.updated = now;
    if (state.tokens < 1) return false;
    state.tokens -= 1;
    return true;
  }
}

/** Client → server: watch a named timer, `(name, ack)`; the acknowledgement is a {@link TimerWatchAck}. */
export const TIMER_WATCH_EVENT = 'api:timer-watch';

/** Client → server: stop watching a named timer, `(name)`. No acknowledgement. */
export const TIMER_UNWATCH_EVENT = 'api:timer-unwatch';

/** Server → watchers: a timer's {@link TimerState} after each change. */
export const TIMER_EVENT = 'api:timer';

/** A timer's name: letters, digits and `.`, `_`, `:`, `-`, 1 to 64 of them. */
export const TIMER_NAME = /^[A-Za-z0-9._:-]{1,64}$/;

/** How many timers one socket may watch at once. */
export const MAX_WATCHED_TIMERS = 32;

/**
 * Where a timer is: `idle` (never set, or expired), `running` (until `endsAt`), `paused` (with
 * `remaining` left), `ended` (it ran out) or `cancelled`.
 */
export type TimerStatus = 'idle' | 'running' | 'paused' | 'ended' | 'cancelled';

/** A named timer as the server holds it, sent after each change (see PROTOCOL.md). */
export interface TimerState {
  /** The timer's name (see {@link TIMER_NAME}). */
  name: string;
  /** Where it is (see {@link TimerStatus}). */
  status: TimerStatus;
  /** Epoch ms on the server's clock while `running`, otherwise null. */
  endsAt: number | null;
  /** Ms left while `paused`, otherwise null. */
  remaining: number | null;
  /**
   * Grows with every change of this name and never goes back, even across expiry and server
   * restarts: a state that is not newer than one already held is stale.
   */
  version: number;
  /** Epoch ms on the server's clock of the last change (0 for a name never set). */
  updatedAt: number;
}

/** Why a watch was refused. */
export type TimerErrorCode = 'bad-name' | 'too-many' | 'unavailable';

/** The acknowledgement of a refused watch. */
export interface TimerError {
  /** Why, as a code for programs and a message for people. */
  error: { code: TimerErrorCode; message: string };
}

/** The acknowledgement of {@link TIMER_WATCH_EVENT}: the current state, or why not. */
export type TimerWatchAck = TimerState | TimerError;

/**
 * What a server sends, as socket.io's typed event map: `Server<ClientToServerEvents,
 * ServerToClientEvents>` on the server, `Socket<ServerToClientEvents, ClientToServerEvents>` in
 * the SDK.
 */
export interface ServerToClientEvents {
  /** The server's time, pushed (see {@link TimePayload}). */
  [TIME_EVENT]: (time: TimePayload) => void;
  /** A watched timer's state after a change (see {@link TimerState}). */
  [TIMER_EVENT]: (state: TimerState) => void;
}

/** What a client sends, as socket.io's typed event map (see {@link ServerToClientEvents}). */
export interface ClientToServerEvents {
  /** The only argument is the acknowledgement; the server answers with a {@link SyncReply}. */
  [SYNC_EVENT]: (ack: (reply: SyncReply) => void) => void;
  /** Watches a timer: the acknowledgement is its current state, or why not ({@link TimerWatchAck}). */
  [TIMER_WATCH_EVENT]: (name: string, ack: (answer: TimerWatchAck) => void) => void;
  /** Stops watching a timer. */
  [TIMER_UNWATCH_EVENT]: (name: string) => void;
  /** Opts this socket out of the pushed time (`false`) or back in (`true`). */
  [TICKS_EVENT]: (on: boolean) => void;
}

/** Whether an acknowledgement is a well-formed {@link SyncReply}. */
export function isSyncReply(value: unknown): value is SyncReply {
  if (typeof value !== 'object' || value === null) return false;
  const { t1, t2 } = value as Partial<Record<keyof SyncReply, unknown>>;
  return typeof t1 === 'number' && typeof t2 === 'number' && Number.isFinite(t1) && Number.isFinite(t2) && t2 >= t1;
}

const TIMER_STATUSES: readonly string[] = ['idle', 'running', 'paused', 'ended', 'cancelled'];

/** Whether a value read off the wire is a well-formed {@link TimerState} (fields consistent with the status). */
export function isTimerState(value: unknown): value is TimerState {
  if (typeof value !== 'object' || value === null) return false;
  const { name, status, endsAt, remaining, version, updatedAt } = value as Partial<Record<keyof TimerState, unknown>>;
  if (typeof name !== 'string' || !TIMER_NAME.test(name)) return false;
  if (typeof status !== 'string' || !TIMER_STATUSES.includes(status)) return false;
  if (!Number.isFinite(version) || !Number.isFinite(updatedAt)) return false;
  const running = status === 'running';
  const paused = status === 'paused';
  return (
    (running ? Number.isFinite(endsAt) : endsAt === null) && (paused ? Number.isFinite(remaining) : remaining === null)
  );
}

/** Whether a watch acknowledgement is a refusal. */
export function isTimerError(value: unknown): value is TimerError {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const { error } = value;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as Partial<Record<'code' | 'message', unknown>>;
  return typeof code === 'string' && typeof message === 'string';
}
