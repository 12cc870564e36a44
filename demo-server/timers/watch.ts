import { MAX_WATCHED_TIMERS, TIMER_NAME, type TimerErrorCode, type TimerWatchAck } from '../../sdk/protocol.js';
import type { ClockIo, ClockSocket } from '../io-types.js';
import type { ServerMetrics } from '../metrics.js';
import type { ClockTimers } from './timers.js';

/** The prefix of timers' rooms ({@link timerRoom}). */
export const TIMER_ROOM_PREFIX = 'timer:';

/** The socket.io room of a timer's watchers, on every node: `timer:<name>`. */
export function timerRoom(name: string): string {
  return TIMER_ROOM_PREFIX + name;
}

/** How many timers a socket watches: its rooms that are timers' (it has left its own id's room). */
function watchedBy(socket: ClockSocket): number {
  let count = 0;
  for (const room of socket.rooms) if (room.startsWith(TIMER_ROOM_PREFIX)) count++;
  return count;
}

/** What this node's sockets watch, for the metrics: distinct timers, and (socket, timer) pairs. */
export function watchCounts(io: ClockIo): { timers: number; watches: number } {
  let timers = 0;
  let watches = 0;
  for (const [room, sockets] of io.of('/').adapter.rooms) {
    if (!room.startsWith(TIMER_ROOM_PREFIX)) continue;
    timers++;
    watches += sockets.size;
  }
  return { timers, watches };
}

/** The handlers of {@link TIMER_WATCH_EVENT} and {@link TIMER_UNWATCH_EVENT}, shared by every socket (`this`). */
export interface WatchHandlers {
  /** `api:timer-watch (name, ack)`: joins the timer's room and acknowledges its state, or why not. */
  onWatch: (this: ClockSocket, ...args: unknown[]) => void;
  /** `api:timer-unwatch (name)`: leaves the timer's room. */
  onUnwatch: (this: ClockSocket, ...args: unknown[]) => void;
}

/**
 * Watching timers: `api:timer-watch (name, ack)` joins the timer's room and acknowledges the
 * current state; `api:timer-unwatch (name)` leaves it. A socket's watches are its rooms, which
 * socket.io drops when it disconnects: nothing else is kept, so nothing can leak.
 *
 * Refusals are acknowledged as `{ error: { code, message } }` and counted
 * (`timer_watch_errors_total{code}`): `bad-name`, `too-many` (over {@link MAX_WATCHED_TIMERS}),
 * `unavailable` (the store failed: the watch stands, and the state follows when the store is
 * back). A watch without an acknowledgement, or an unwatch of no name, is dropped and counted
 * like other malformed packets.
 */
export function watchHandlers(timers: Pick<ClockTimers, 'get'>, metrics: ServerMetrics): WatchHandlers {
  const refuse = (ack: (answer: TimerWatchAck) => void, code: TimerErrorCode, message: string) => {
    metrics.timerWatchErrors.inc({ code });
    ack({ error: { code, message } });
  };
  return {
    onWatch(this: ClockSocket, ...args: unknown[]) {
      const [name, ack] = args;
      if (args.length !== 2 || typeof ack !== 'function') {
        metrics.droppedEvents.inc({ reason: 'invalid_timer_watch' });
        return;
      }
      const answer = ack as (answer: TimerWatchAck) => void;
      if (typeof name !== 'string' || !TIMER_NAME.test(name)) {
        return refuse(answer, 'bad-name', `a timer name matches ${String(TIMER_NAME)}`);
      }
      const room = timerRoom(name);
      if (!this.rooms.has(room) && watchedBy(this) >= MAX_WATCHED_TIMERS) {
        return refuse(answer, 'too-many', `a connection watches at most ${MAX_WATCHED_TIMERS} timers`);
      }
      // Join first, then read: a change from here on is pushed, so none falls between the two.
      void this.join(room);
      timers.get(name).then(answer, () => refuse(answer, 'unavailable', 'timers are unavailable just now'));
    },
    onUnwatch(this: ClockSocket, ...args: unknown[]) {
      const [name] = args;
      if (args.length !== 1 || typeof name !== 'string' || !TIMER_NAME.test(name)) {
        metrics.droppedEvents.inc({ reason: 'invalid_timer_unwatch' });
        return;
      }
      void this.leave(timerRoom(name));
    },
  };
}
