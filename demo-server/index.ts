/**
 * server-clock's server, as a library (`server-clock/server`): {@link createClockServer}, its
 * logger and metrics, the clock it serves, and the wire protocol's names and types.
 * @packageDocumentation
 */
export { createClockServer, type ClockServer, type ClockServerOptions } from './server.js';
export { createLogger, type Logger, type LogLevel } from './logger.js';
export type { ServerMetrics } from './metrics.js';
export { preciseNow } from './precise-time.js';
export {
  TIME_EVENT,
  SYNC_EVENT,
  type SyncReply,
  type TimePayload,
  type ServerToClientEvents,
  type ClientToServerEvents,
} from '../sdk/protocol.js';
