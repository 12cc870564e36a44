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
 */
const SHARDS = 32;
const ROOM = 'server-clock:tick:';

/** The running time push of {@link startTicker}. */
export interface Ticker {
  /** Puts a socket in the rotation (socket.io drops it from its room when it disconnects). */
  add(socket: ClockSocket): void;
  /** Stops the timer, and the sweep of a tick under way. */
  stop(): void;
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

  return {
    add(socket) {
      void socket.join(ROOM + (dealt++ % SHARDS));
    },
    stop() {
      clearTimeout(timer);
      clearImmediate(sweep);
    },
  };
}
