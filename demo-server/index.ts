export { createClockServer, type ClockServer, type ClockServerOptions } from './server.js';
export { createLogger, type Logger, type LogLevel } from './logger.js';
export type { ServerMetrics } from './metrics.js';
export { preciseNow } from './precise-time.js';
export { TIME_EVENT, SYNC_EVENT, type SyncReply, type TimePayload } from '../sdk/protocol.js';
