/**
 * server-clock's server, as a library (`server-clock/server`): {@link createClockServer}, its
 * logger and metrics, the clock it serves, its timers and their stores, and the wire protocol's
 * names and types.
 * @packageDocumentation
 */
export { createClockServer, type ClockServer, type ClockServerOptions } from './server.js';
export { createLogger, type Logger, type LogLevel } from './logger.js';
export type { ServerMetrics } from './metrics.js';
export { preciseNow } from './precise-time.js';
export {
  TimerActionError,
  type ClockTimers,
  type TimerActionErrorCode,
  type TimerEndEvent,
  type TimerStartOptions,
} from './timers/timers.js';
export type { AdminHandler } from './timers/admin-api.js';
export type { TimerStore, TimerStoreFactory, TimerStoreOptions, TimerChangeListener } from './timers/store.js';
export { createMemoryStore } from './timers/memory-store.js';
export { idleState, isRefusal, type Refusal, type RefusalCode, type TimerChange } from './timers/state.js';
export {
  TIME_EVENT,
  SYNC_EVENT,
  TIMER_WATCH_EVENT,
  TIMER_UNWATCH_EVENT,
  TIMER_EVENT,
  TIMER_NAME,
  MAX_WATCHED_TIMERS,
  type SyncReply,
  type TimePayload,
  type TimerState,
  type TimerStatus,
  type TimerWatchAck,
  type TimerError,
  type TimerErrorCode,
  type ServerToClientEvents,
  type ClientToServerEvents,
} from '../sdk/protocol.js';
