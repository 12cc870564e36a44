// The public API (README "Use it from npm"): what connectClock() takes and gives, and the wire
// protocol. Internals (estimators, parsing, the connection pool, the sync loop) are imported from
// their own modules by tests and benchmarks, so that bundlers can inline them.
export { connectClock, ServerClock, type ClockOptions, type ServerClockEventMap, type SyncDetail } from './clock.js';
export type { SyncMode } from './sync.js';
export {
  ServerTimer,
  ServerTimerError,
  type ServerTimerErrorCode,
  type ServerTimerEventMap,
  type TimerEndDetail,
  type TimerErrorDetail,
} from './timer.js';
export type { ConnectionState, ConnectionOptions } from './connection.js';
export {
  TIME_EVENT,
  SYNC_EVENT,
  TIMER_WATCH_EVENT,
  TIMER_UNWATCH_EVENT,
  TIMER_EVENT,
  TIMER_NAME,
  MAX_WATCHED_TIMERS,
  type SyncReply,
  type TimerState,
  type TimerStatus,
  type TimerError,
  type TimerErrorCode,
  type TimerWatchAck,
  type TimePayload,
  type ServerToClientEvents,
  type ClientToServerEvents,
} from './protocol.js';
