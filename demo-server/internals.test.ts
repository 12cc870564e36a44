// The memory trims of internals.ts, each of which relies on an internal of socket.io, engine.io, ws
// or Node's EventEmitter. For each trim, two kinds of test: that the internal still has the shape
// the trim expects (on a bare socket.io server, nothing trimmed), and that the clock server's trim
// took effect. A trim whose internal has changed does nothing rather than fail: these tests are
// what notice, and their messages name the trim that has become a no-op.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Server, type Socket as ServerSocket } from 'socket.io';
import type { Socket as ClientSocket } from 'socket.io-client';
import { SYNC_EVENT, TIME_EVENT, isSyncReply } from '../sdk/protocol.js';
import { connect, startClockServer } from '../test/node-clients.js';
import { waitFor } from '../test/waiting.js';
import { releaseUpgradeRequest, transportSocket } from './internals.js';
import type { ClockSocket } from './io-types.js';

setFlagsFromString('--allow-natives-syntax');
setFlagsFromString('--expose-gc');
/** V8's own verdict: an object with fixed fields (true) or a hash table (false). */
const hasFastProperties = runInNewContext('(o) => %HasFastProperties(o)') as (o: object) => boolean;
const gc = runInNewContext('gc') as () => void;

/** The private fields the trims read and write. */
interface Internals {
  fns?: unknown;
  _events?: object;
  request?: unknown;
}
const internals = (value: unknown) => value as Internals;

/** A listener as `rawListeners()` lists it: a `once` listener is a wrapper holding the original. */
type RawListener = ((...args: unknown[]) => void) & { listener?: (...args: unknown[]) => void };

/** A plain socket.io server on loopback: no clock, no trims, the libraries as they come. */
async function startBareServer(t: TestContext): Promise<{ io: Server; url: string }> {
  const httpServer = createServer();
  const io = new Server(httpServer, { serveClient: false });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  t.after(() => io.close());
  return { io, url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` };
}

/** The server's side of a client's connection (socket.io gives both the same id). */
function serverSide<S extends ServerSocket | ClockSocket>(sockets: Map<string, S>, client: ClientSocket): S {
  const socket = client.id === undefined ? undefined : sockets.get(client.id);
  assert.ok(socket, `the server has socket ${client.id}`);
  return socket;
}

/** A connected client, closed when the test ends. */
async function client(t: TestContext, url: string, transport: 'websocket' | 'polling', auth?: object) {
  const socket = await connect(url, { transports: [transport], ...(auth && { auth }) });
  t.after(() => socket.close());
  return socket;
}

/** The four emitters of a connection (three over polling, which has no ws WebSocket). */
function emitters(socket: ServerSocket | ClockSocket): [string, unknown][] {
  const all: [string, unknown][] = [
    ['socket.io Socket', socket],
    ['engine.io Socket', socket.conn],
    ['engine.io transport', socket.conn.transport],
    ['ws WebSocket', transportSocket(socket as ClockSocket)],
  ];
  return all.filter(([, emitter]) => emitter !== undefined);
}

// Shapes: what each trim expects of the libraries, on a bare server.

test('releaseUpgradeRequest relies on: engine.io hands upgrade middleware a stand-in response whose last TCP `close` listener is a `once` re-emitting it', async (t) => {
  const { io, url } = await startBareServer(t);
  const seen: { standIn: boolean; reemits?: boolean; transport: string | null }[] = [];
  io.engine.use((req: IncomingMessage, res: object, next: () => void) => {
    const transport = new URL(req.url ?? '', 'http://x').searchParams.get('transport');
    if (res instanceof ServerResponse) {
      seen.push({ standIn: false, transport });
      return next();
    }
    const socket = (res as { socket?: unknown }).socket;
    const last = socket instanceof EventEmitter ? (socket.rawListeners('close').at(-1) as RawListener) : undefined;
    let reemits = false;
    if (res instanceof EventEmitter && typeof last?.listener === 'function') {
      res.once('close', () => (reemits = true));
      // The original of the once wrapper: calling it leaves the TCP socket's own listeners be.
      last.listener();
    }
    seen.push({ standIn: true, reemits, transport });
    next();
  });
  await client(t, url, 'websocket');
  await client(t, url, 'polling');
  const upgrade = seen.find((s) => s.standIn);
  assert.ok(upgrade, 'releaseUpgradeRequest is a no-op: engine.io no longer hands middleware a stand-in response');
  assert.equal(upgrade.transport, 'websocket');
  assert.equal(
    upgrade.reemits,
    true,
    "releaseUpgradeRequest is a no-op: the stand-in's last TCP socket `close` listener is no `once` re-emitting `close` on it",
  );
  assert.ok(
    seen.some((s) => s.transport === 'polling' && !s.standIn),
    'polling requests come with a real ServerResponse, which the trim leaves alone',
  );
});

for (const transport of ['websocket', 'polling'] as const) {
  test(`forgetRequest relies on, over ${transport}: engine.io's Socket#request is the handshake's request, whose headers socket.io's handshake shares`, async (t) => {
    const { io, url } = await startBareServer(t);
    const socket = serverSide(io.of('/').sockets, await client(t, url, transport));
    const request = internals(socket.conn).request;
    assert.ok(request instanceof IncomingMessage, "forgetRequest is a no-op: engine.io's Socket has no `request`");
    assert.ok(Object.keys(request.headers).length > 0, 'the request has its headers');
    assert.equal(
      socket.handshake.headers,
      request.headers,
      "forgetRequest frees less: socket.io's handshake.headers is no longer the request's headers object",
    );
    assert.deepEqual(socket.handshake.auth, {}, 'no auth sent, an empty object of its own');
  });
}

test("compactMiddleware relies on: socket.io's Socket#fns, the array socket.use() pushes onto, read afresh for each packet", async (t) => {
  const { io, url } = await startBareServer(t);
  const ran: string[] = [];
  io.on('connection', (socket) => {
    const fns = internals(socket).fns;
    assert.ok(Array.isArray(fns), "compactMiddleware is a no-op: socket.io's Socket has no `fns` array");
    assert.equal(fns.length, 0, 'a fresh socket has no middleware');
    socket.use((_event, next) => {
      ran.push('used');
      next();
    });
    assert.equal(internals(socket).fns, fns, 'socket.use() pushes onto `fns` itself');
    assert.equal(fns.length, 1, 'socket.use() adds one function to `fns`');
    // What the trim does: another array in its place. socket.io must run that one's middleware.
    internals(socket).fns = [(_event: unknown, next: () => void) => (ran.push('replacement'), next())];
  });
  const socket = await client(t, url, 'websocket');
  socket.emit('anything');
  await waitFor(() => ran.length > 0, 'the middleware to run', 5000);
  assert.deepEqual(
    ran,
    ['replacement'],
    'compactMiddleware breaks the middleware: socket.io no longer reads `fns` for each packet',
  );
});

test('dropUpgradeErrorListener relies on: engine.io leaves an `error` listener named onUpgradeError on a ws WebSocket opened directly, not on an upgrade', async (t) => {
  const { io, url } = await startBareServer(t);
  const sockets = io.of('/').sockets;
  const direct = transportSocket(serverSide(sockets, await client(t, url, 'websocket')) as ClockSocket);
  assert.ok(
    direct instanceof EventEmitter,
    "dropUpgradeErrorListener is a no-op: engine.io's transport has no ws `socket`",
  );
  assert.deepEqual(
    direct.listeners('error').map((l) => l.name),
    ['onUpgradeError', 'bound onError'],
    'dropUpgradeErrorListener is a no-op: the ws WebSocket no longer has an onUpgradeError listener, then the transport’s',
  );

  const upgrading = await connect(url, { transports: ['polling', 'websocket'] });
  t.after(() => upgrading.close());
  const upgraded = serverSide(sockets, upgrading);
  const ws = await waitFor(() => transportSocket(upgraded as ClockSocket), 'the upgrade to WebSocket', 5000);
  assert.ok(ws instanceof EventEmitter);
  assert.deepEqual(
    ws.listeners('error').map((l) => l.name),
    ['bound onError'],
    'on an upgrade, engine.io removes onUpgradeError itself',
  );
});

test("compactListeners relies on: a connection's emitters keep their listeners in a null-prototype hash table, which a copy makes compact", async (t) => {
  const { io, url } = await startBareServer(t);
  const socket = serverSide(io.of('/').sockets, await client(t, url, 'websocket'));
  const found = emitters(socket);
  assert.equal(found.length, 4, 'four emitters');
  for (const [name, emitter] of found) {
    assert.ok(emitter instanceof EventEmitter, `${name} is an EventEmitter`);
    const events = internals(emitter)._events;
    assert.ok(events, `compactListeners is a no-op: ${name} has no \`_events\``);
    assert.equal(Object.getPrototypeOf(events), null, `compactListeners is a no-op: ${name}'s _events has a prototype`);
    assert.equal(
      hasFastProperties(events),
      false,
      `compactListeners saves nothing: ${name}'s _events is compact already`,
    );
    assert.equal(
      hasFastProperties(Object.setPrototypeOf({ ...events }, null) as object),
      true,
      'compactListeners saves nothing: V8 makes a null-prototype copy a hash table',
    );
  }
});

test('leaveOwnRoom relies on: socket.io puts each socket in a room of its own id', async (t) => {
  const { io, url } = await startBareServer(t);
  const socket = serverSide(io.of('/').sockets, await client(t, url, 'websocket'));
  assert.deepEqual([...socket.rooms], [socket.id], 'leaveOwnRoom is a no-op: a socket is not in a room of its own id');
  assert.ok(io.of('/').adapter.rooms.has(socket.id), 'the adapter holds that room');
});

// Effects: the clock server's connections, trimmed.

test('releaseUpgradeRequest removes the stand-in response’s `close` listener from the TCP socket, and only that', async (t) => {
  const { io, url } = await startBareServer(t);
  let before: RawListener[] | undefined;
  let after: RawListener[] | undefined;
  const closeListeners = (res: ServerResponse) =>
    (res as { socket?: Duplex }).socket?.rawListeners('close') as RawListener[];
  io.engine.use((_req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (!(res instanceof ServerResponse)) before = closeListeners(res);
    next();
  });
  io.engine.use(releaseUpgradeRequest);
  io.engine.use((_req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (!(res instanceof ServerResponse)) after = closeListeners(res);
    next();
  });
  const polling = await client(t, url, 'polling');
  assert.ok(polling.connected, 'polling requests pass through');
  await client(t, url, 'websocket');
  assert.ok(before && after, 'the upgrade went through the middleware');
  assert.deepEqual(after, before.slice(0, -1), 'releaseUpgradeRequest removed the last `close` listener, no other');
});

for (const transport of ['websocket', 'polling'] as const) {
  test(`over ${transport}, a clock server's connection is trimmed and still served`, async (t) => {
    const { server, url } = await startClockServer();
    t.after(() => server.close());
    const { io } = server;
    const middleware = new Map<string, unknown>();
    io.use((socket, next) => {
      middleware.set(socket.id, internals(socket).fns);
      next();
    });
    let handshakeRequest: IncomingMessage | undefined;
    io.engine.use((req: IncomingMessage, _res: ServerResponse, next: () => void) => {
      if (!new URL(req.url ?? '', 'http://x').searchParams.has('sid')) handshakeRequest ??= req;
      next();
    });
    const clientSocket = await client(t, url, transport);
    const other = await client(t, url, transport, { token: 'kept' });
    const socket = serverSide(io.of('/').sockets, clientSocket);
    const otherSocket = serverSide(io.of('/').sockets, other);
    // Served as ever, and checked after the connection's first exchanges, which might undo a trim.
    await new Promise<void>((resolve) => clientSocket.once(TIME_EVENT, () => resolve()));
    assert.ok(isSyncReply(await clientSocket.timeout(2000).emitWithAck(SYNC_EVENT)), 'sync requests are answered');
    await assert.rejects(clientSocket.timeout(500).emitWithAck('api:other'), 'other events are still dropped');

    // One subtest a trim: each reports on its own.
    await t.test('forgetRequest', () => {
      assert.equal(internals(socket.conn).request, undefined, "engine.io's Socket#request is gone");
      assert.equal(socket.request, undefined, 'socket.request is gone');
      assert.ok(handshakeRequest, 'the handshake went through engine.io middleware');
      assert.deepEqual(handshakeRequest.headers, {}, "the handshake request's headers are emptied");
      assert.deepEqual(handshakeRequest.rawHeaders, [], "the handshake request's raw headers are emptied");
      assert.deepEqual(socket.handshake.headers, {}, 'the handshake headers are emptied');
      assert.ok(Object.isFrozen(socket.handshake.headers), 'into the one shared empty object');
      assert.equal(socket.handshake.headers, otherSocket.handshake.headers, 'one empty object for all');
      assert.equal(socket.handshake.auth, socket.handshake.headers, 'empty auth is that object too');
      assert.deepEqual(otherSocket.handshake.auth, { token: 'kept' }, 'auth that was sent is kept');
    });

    await t.test('leaveOwnRoom', () => {
      assert.equal(socket.rooms.has(socket.id), false, 'no room of its own id');
      assert.equal(socket.rooms.size, 1, 'only its tick room');
      assert.equal(io.of('/').adapter.rooms.has(socket.id), false, 'the adapter has no such room');
    });

    await t.test('compactMiddleware', () => {
      const made = middleware.get(socket.id);
      const fns = internals(socket).fns;
      assert.ok(Array.isArray(made) && Array.isArray(fns), 'the socket has its middleware list');
      assert.notEqual(fns, made, 'a copy replaces the list socket.io made');
      assert.equal(fns.length, 1, 'holding the one function');
      assert.deepEqual(fns, made, 'the same function');
    });

    await t.test('dropUpgradeErrorListener', () => {
      const ws = transportSocket(socket);
      if (transport === 'polling') return assert.equal(ws, undefined, 'polling has no ws WebSocket');
      assert.ok(ws instanceof EventEmitter, 'the transport has its ws WebSocket');
      assert.deepEqual(
        ws.listeners('error').map((l) => l.name),
        ['bound onError'],
        "the transport's own error listener, and no other",
      );
    });

    await t.test('compactListeners', () => {
      const found = emitters(socket);
      assert.equal(found.length, transport === 'websocket' ? 4 : 3, 'every emitter of the connection');
      for (const [name, emitter] of found) {
        const events = internals(emitter)._events;
        assert.ok(events, `${name} has its _events`);
        assert.equal(Object.getPrototypeOf(events), null, `${name}'s _events has no prototype`);
        assert.equal(hasFastProperties(events), true, `${name}'s _events is compact`);
      }
    });
  });
}

test('a WebSocket connection keeps neither its upgrade request nor its stand-in response (releaseUpgradeRequest, forgetRequest)', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const { io } = server;
  let request: WeakRef<object> | undefined;
  let response: WeakRef<object> | undefined;
  io.engine.use((req: object, res: object, next: () => void) => {
    request = new WeakRef(req);
    response = new WeakRef(res);
    next();
  });
  const socket = await connect(url, { transports: ['websocket'] });
  t.after(() => socket.close());
  await socket.timeout(2000).emitWithAck(SYNC_EVENT);
  assert.ok(request, 'the upgrade went through engine.io middleware');
  // A WeakRef holds its target until the current job ends: collect in later turns.
  await waitFor(
    () => {
      gc();
      return request?.deref() === undefined && response?.deref() === undefined;
    },
    'the upgrade request and its stand-in response to be collected',
    5000,
  );
  await socket.timeout(2000).emitWithAck(SYNC_EVENT);
});
