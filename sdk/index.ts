// The public API (README "Use it from npm"). Internals (estimators, parsing, the connection pool)
// are imported from their own modules by tests and benchmarks, so that bundlers can inline them.
export { connectClock, ServerClock, type ClockOptions, type ServerClockEventMap, type SyncDetail } from './clock.js';
export type { SyncMode } from './sync.js';
export type { ConnectionState, ConnectionOptions } from './connection.js';
export type { Estimate, SyncSample, PushSample } from './offset-estimator.js';
export type { ParsedTime } from './parse-time.js';
export { TIME_EVENT, SYNC_EVENT, type SyncReply, type TimePayload } from './protocol.js';
