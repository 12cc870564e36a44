// The public API (README "Use it from npm"): what connectClock() takes and gives, and the wire
// protocol. Internals (estimators, parsing, the connection pool, the sync loop) are imported from
// their own modules by tests and benchmarks, so that bundlers can inline them.
export { connectClock, ServerClock, type ClockOptions, type ServerClockEventMap, type SyncDetail } from './clock.js';
export type { SyncMode } from './sync.js';
export type { ConnectionState, ConnectionOptions } from './connection.js';
export {
  TIME_EVENT,
  SYNC_EVENT,
  type SyncReply,
  type TimePayload,
  type ServerToClientEvents,
  type ClientToServerEvents,
} from './protocol.js';
