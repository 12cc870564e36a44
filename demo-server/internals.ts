/**
 * Memory trims that reach into the internals of socket.io, engine.io, ws and Node's EventEmitter:
 * the one module of the server that does. Relies on, as installed and tested: socket.io 4.8.4
 * (package.json: ^4.8.4), its engine.io 6.6.12 (~6.6.0), engine.io's ws 8.21.3 (~8.21.0), Node 20
 * (V8 11.3). What each trim relies on, and what it saves a WebSocket connection (bench/heap-probe.mjs,
 * 3,000 connections, heap after GC with that trim alone turned off; 8.2 KB a connection with all on):
 *
 * - {@link releaseUpgradeRequest}, 1.1 KB: engine.io hands middleware of a WebSocket upgrade a
 *   stand-in response (`WebSocketResponse`, no `http.ServerResponse`), which adds
 *   `socket.once('close', …)` to the TCP socket as it is made: the last `close` listener there.
 * - `forgetRequest`, 1.2 KB: engine.io's `Socket#request` (the handshake's request; `readonly` in its
 *   types), and socket.io's `socket.handshake.headers`, that request's own `headers` object.
 * - `leaveOwnRoom`, 0.1 KB: socket.io puts every socket in a room named by its id (documented).
 * - `compactMiddleware`, 0.1 KB: socket.io's `Socket#fns`, the array `socket.use()` pushes onto
 *   (making room for 17) and which the handling of every incoming packet reads afresh.
 * - `dropUpgradeErrorListener`, 0.1 KB: engine.io's `onWebSocket` adds an `error` listener named
 *   `onUpgradeError` to ws's `WebSocket`, and removes it only for an upgrade from polling.
 * - `compactListeners`, 0.7 KB for 4 emitters: Node's `EventEmitter#_events`, a null-prototype
 *   object that V8 keeps as a hash table, where a copy of it has fixed fields.
 *
 * Each trim checks the shape it expects and does nothing otherwise: a library's change never
 * breaks the server, it only costs memory. internals.test.ts checks each shape and each trim's
 * effect, so that `npm test` names any trim that such a change has made a no-op.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { EventEmitter } from 'node:events';
import type { ClockSocket } from './io-types.js';

/**
 * engine.io middleware (`io.engine.use`). For a WebSocket upgrade, engine.io hands middleware a
 * stand-in response that re-emits the TCP socket's `close` (for logging middleware; we have none),
 * through a `once` listener it adds to that socket as it is made, the last one so far. That listener
 * would keep the stand-in and the upgrade request, headers and all, alive as long as the connection.
 * Removing it frees both once the upgrade is done.
 */
export function releaseUpgradeRequest(_req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) {
  if (res instanceof ServerResponse) return next();
  const socket = (res as { socket?: Duplex }).socket;
  const onClose = socket?.rawListeners('close').at(-1) as { listener?: unknown } | undefined;
  if (socket && typeof onClose?.listener === 'function') socket.removeListener('close', onClose.listener as () => void);
  next();
}

/**
 * Trims a new socket's connection: call it last in the `connection` handler, once the socket has
 * its middleware (`socket.use`), listeners and rooms, and after anything that reads its request.
 */
export function trimConnection(socket: ClockSocket): void {
  forgetRequest(socket);
  leaveOwnRoom(socket);
  compactMiddleware(socket);
  dropUpgradeErrorListener(socket);
  compactListeners(socket, socket.conn, socket.conn.transport, transportSocket(socket));
}

/** The ws `WebSocket` under a socket's engine.io WebSocket transport (private there); else undefined. */
export function transportSocket(socket: ClockSocket): unknown {
  return (socket.conn.transport as unknown as { socket?: unknown }).socket;
}

/**
 * Frees what the handshake's request holds (headers, raw headers), read by no one after the
 * connection: io.use() middleware has seen it by then. Over WebSocket, releaseUpgradeRequest frees
 * the request itself; should anything else still hold it (a polling handshake, a future engine.io),
 * emptying it is what saves the memory.
 */
function forgetRequest(socket: ClockSocket) {
  const conn = socket.conn as unknown as { request?: IncomingMessage };
  const request = conn.request;
  conn.request = undefined;
  if (!request) return;
  request.headers = {};
  request.rawHeaders = [];
  // One shared empty object for every socket, rather than an empty object each (56 bytes apiece).
  const handshake = socket.handshake as { headers: unknown; auth: object };
  handshake.headers = NOTHING;
  if (Object.keys(handshake.auth).length === 0) handshake.auth = NOTHING;
}

const NOTHING = Object.freeze({});

/**
 * socket.io puts every socket in a room of its own id, for io.to(id): nothing here sends to one
 * socket that way (acks go by the socket itself), so leaving it saves a Set and a map entry.
 */
function leaveOwnRoom(socket: ClockSocket) {
  void socket.leave(socket.id);
}

/**
 * socket.use() pushes onto socket.io's empty middleware list, which makes room for 17 functions
 * (152 bytes); a copy holds just those it has (24 for one): V8's slice() allocates no spare room.
 */
function compactMiddleware(socket: ClockSocket) {
  const internals = socket as unknown as { fns?: unknown };
  if (Array.isArray(internals.fns)) internals.fns = internals.fns.slice();
}

/**
 * engine.io listens for errors on a new WebSocket until its transport takes over, then removes
 * that listener only for upgrades from polling: on a connection made over WebSocket directly it
 * stays, a closure doing nothing, for the connection's lifetime. The transport's own error
 * listener is in place by now, so this one can go.
 */
function dropUpgradeErrorListener(socket: ClockSocket) {
  const ws = transportSocket(socket);
  if (!(ws instanceof EventEmitter) || ws.listenerCount('error') < 2) return;
  const listener = ws.listeners('error').find((l) => l.name === 'onUpgradeError');
  if (listener) ws.removeListener('error', listener as (...args: unknown[]) => void);
}

/**
 * An EventEmitter keeps its listeners in a null-prototype object, which V8 makes a hash table
 * (160–300 bytes) rather than an object with fixed fields (~60). The four emitters a connection
 * has (the ws WebSocket, engine.io's transport and socket, socket.io's socket) are done adding
 * listeners by now: each gets the same listeners in a compact object, still with no prototype.
 * Node's own streams keep their listeners in such a compact object. Should listeners be removed
 * later, V8 turns it back into a hash table: nothing changes but the memory.
 */
function compactListeners(...emitters: unknown[]) {
  for (const emitter of emitters) {
    if (!(emitter instanceof EventEmitter)) continue;
    const holder = emitter as unknown as { _events?: object };
    const events = holder._events;
    if (!events || Object.getPrototypeOf(events) !== null) continue;
    holder._events = Object.setPrototypeOf({ ...events }, null) as object;
  }
}
