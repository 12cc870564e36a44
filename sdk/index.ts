export { connectClock, resolveServerUrl, ServerClock, type ClockOptions, type ServerClockEventMap, type SyncMode, type SyncDetail } from './clock.js';
export { type ConnectionState, type ConnectionOptions, reconnectDelay, openConnections } from './connection.js';
export {
  estimateFromSync,
  estimateFromPushes,
  roundTrip,
  sampleOffset,
  DRIFT_BOUND,
  type Estimate,
  type SyncSample,
  type PushSample,
} from './offset-estimator.js';
export { parsePushedTime, type ParsedTime } from './parse-time.js';
export { TIME_EVENT, SYNC_EVENT, isSyncReply, type SyncReply, type TimePayload } from './protocol.js';
