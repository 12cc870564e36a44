import { TIME_EVENT } from '../sdk/protocol.js';
import type { ClockIo, ClockSocket } from './io-types.js';

/*
 * The time push: one timer for every socket, armed for each whole tick of the server clock.
 *
 * Each tick goes out in slices: sockets are dealt round the shards (rooms) below, and one shard is
 * sent per turn of the event loop, stamped with the time it leaves. On a small machine a write to a
 * socket costs tens of µs, so one broadcast to 10,000 sockets would hold the loop for a quarter of
 * a second and stamp the last socket's tick that much too early. In slices, every stamp is within
 * a slice of the truth, and sync requests are answered in between.
 *
 * A socket that opts out of the ticks (TICKS_EVENT: a client that syncs ignores them) leaves its
 * shard's room, and is dealt into one again when it opts back in: its rooms are its only state.
 */
const SHARDS = 32;
const ROOM = 'server-clock:tick:';

/** The running time push of {@link startTicker}. */
export interface Ticker {
  /** Puts a socket in the rotation (socket.io drops it from its room when it disconnects). */
  add(socket: ClockSocket): void;
  /** Ticks a socket (`true`: back in the rotation, if it was out) or no longer (`false`). */
  setTicks(socket: ClockSocket, on: boolean): void;
  /** Stops the timer, and the sweep of a tick under way. */
  stop(): void;
}

/** The shard room a socket is in, if it is ticked. */
function shardOf(socket: ClockSocket): string | undefined {
  for (const room of socket.rooms) if (room.startsWith(ROOM)) return room;
}

/** How many of this node's sockets the ticker sends its ticks to (for the metrics). */
export function tickedSockets(io: ClockIo): number {
  let count = 0;
  for (let shard = 0; shard < SHARDS; shard++) count += io.of('/').adapter.rooms.get(ROOM + shard)?.size ?? 0;
  return count;
}

/**
 * Starts pushing `now()` as {@link TIME_EVENT} to the sockets added, on every whole multiple of
 * `interval` ms of `now`'s clock.
 */
export function startTicker(io: ClockIo, interval: number, now: () => number): Ticker {
  let dealt = 0;
  let timer: NodeJS.Timeout | undefined;
  let sweep: NodeJS.Immediate | undefined;
  let due = false;

  const emitShard = (shard: number) => {
    io.local.volatile.to(ROOM + shard).emit(TIME_EVENT, now());
    if (shard + 1 < SHARDS) {
      sweep = setImmediate(emitShard, shard + 1);
      return;
    }
    // A tick that came while this sweep ran (an overloaded server) starts the next one at once:
    // every shard gets its turn, fewer times a second, rather than the last ones never.
    sweep = due ? setImmediate(emitShard, 0) : undefined;
    due = false;
  };

  // Node's timers can fire early (they count from the event loop's cached, whole-millisecond
  // time), so a tick that wakes before its boundary sleeps again: never a tick early, or two.
  const nextBoundary = (t: number) => (Math.floor(t / interval) + 1) * interval;
  let boundary = nextBoundary(now());
  const schedule = () => {
    timer = setTimeout(tick, boundary - now());
  };
  const tick = () => {
    const t = now();
    if (t < boundary) return schedule();
    if (sweep) due = true;
    else emitShard(0);
    // From now, not from the last boundary: after a stall, skip the ticks missed instead of bursting them.
    boundary = nextBoundary(t);
    schedule();
  };
  schedule();

  const add = (socket: ClockSocket) => void socket.join(ROOM + (dealt++ % SHARDS));
  return {
    add,
    setTicks(socket, on) {
      const room = shardOf(socket);
      if (on && !room) add(socket);
      if (!on && room) void socket.leave(room);
    },
    stop() {
      clearTimeout(timer);
      clearImmediate(sweep);
    },
  };
}
