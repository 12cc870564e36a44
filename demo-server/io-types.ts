import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../sdk/protocol.js';
import type { TokenBucketState } from '../sdk/protocol.js';

/** Events between server instances (socket.io's `serverSideEmit`): the clock sends none. */
export type InterServerEvents = Record<never, never>;

/** A socket's own state (`socket.data`): its sync rate limit's bucket, two numbers; the rules are shared. */
export type SocketData = TokenBucketState;

/** The clock's socket.io server, typed by the protocol's event maps. */
export type ClockIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** One client's socket on {@link ClockIo}. */
export type ClockSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
