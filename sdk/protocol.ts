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
  /** The server's clock when the request arrived, epoch ms. */
  t1: number;
  /** The server's clock when the answer left, epoch ms. */
  t2: number;
}

/**
 * What a server sends, as socket.io's typed event map: `Server<ClientToServerEvents,
 * ServerToClientEvents>` on the server, `Socket<ServerToClientEvents, ClientToServerEvents>` in
 * the SDK.
 */
export interface ServerToClientEvents {
  /** The server's time, pushed (see {@link TimePayload}). */
  [TIME_EVENT]: (time: TimePayload) => void;
}

/** What a client sends, as socket.io's typed event map (see {@link ServerToClientEvents}). */
export interface ClientToServerEvents {
  /** The only argument is the acknowledgement; the server answers with a {@link SyncReply}. */
  [SYNC_EVENT]: (ack: (reply: SyncReply) => void) => void;
}

/** Whether an acknowledgement is a well-formed {@link SyncReply}. */
export function isSyncReply(value: unknown): value is SyncReply {
  if (typeof value !== 'object' || value === null) return false;
  const { t1, t2 } = value as Partial<Record<keyof SyncReply, unknown>>;
  return typeof t1 === 'number' && typeof t2 === 'number' && Number.isFinite(t1) && Number.isFinite(t2) && t2 >= t1;
}
