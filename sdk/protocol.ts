/**
 * The server-clock wire protocol, version 1 (see PROTOCOL.md).
 * The one place that names the events and payloads; the SDK and the demo server both import it.
 */

/** Server → client push: the server's clock in epoch milliseconds, emitted on whole seconds. */
export const TIME_EVENT = 'api:server-time';

/** Client → server sync request, answered through the acknowledgement with a {@link SyncReply}. */
export const SYNC_EVENT = 'api:time-sync';

/** Payload of {@link TIME_EVENT}: epoch milliseconds (may carry a fraction). */
export type TimePayload = number;

/**
 * Acknowledgement of {@link SYNC_EVENT}: the server's clock when the request arrived (`t1`) and
 * when the answer left (`t2`), epoch milliseconds with sub-millisecond precision.
 */
export interface SyncReply {
  t1: number;
  t2: number;
}

/** Whether an acknowledgement is a well-formed {@link SyncReply}. */
export function isSyncReply(value: unknown): value is SyncReply {
  const { t1, t2 } = (value ?? {}) as Record<string, unknown>;
  return Number.isFinite(t1) && Number.isFinite(t2) && (t2 as number) >= (t1 as number);
}
