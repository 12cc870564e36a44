// Clocks that sync opt their socket out of the server's pushed time (api:ticks); everyone else
// keeps it. Real demo servers in-process, real socket.io clients and SDK clocks on loopback; the
// ticks are counted as the server writes them to each socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { connectClock, type ServerClock, type SyncDetail } from './index.js';
import { TICKS_EVENT, TIME_EVENT } from './protocol.js';
import type { ClockServer } from '../demo-server/server.js';
import { connect, countTicks, metric, startClockServer } from '../test/node-clients.js';
import { nextEvent, waitFor, waitForAsync } from '../test/waiting.js';

// Ticks ten times a second, so that a second shows whether a socket gets them.
const FAST_TICKS = { tickInterval: 100 };
const QUICK = { reconnectDelay: 100, reconnectDelayMax: 400 };

/** Resolves once the clock has an estimate from `samples` sync answers: then it needs no pushes. */
function synced(clock: ServerClock, samples = 1): Promise<CustomEvent<SyncDetail>> {
  return nextEvent<CustomEvent<SyncDetail>>(
    clock,
    'sync',
    15_000,
    (e) => e.detail.mode === 'sync' && e.detail.samples >= samples,
  );
}

/** The ticks each counted socket gets over `ms` from now, by socket id. */
async function ticksOver(counts: Map<string, number>, ms: number): Promise<Map<string, number>> {
  const before = new Map(counts);
  await new Promise((r) => setTimeout(r, ms));
  return new Map([...counts].map(([id, n]) => [id, n - (before.get(id) ?? 0)]));
}

/** What the server's sockets send as api:ticks from now on, in order (connected later too). */
function ticksRequests(server: ClockServer): unknown[][] {
  const requests: unknown[][] = [];
  server.io.on('connection', (socket) =>
    socket.onAny((event: string, ...args: unknown[]) => {
      if (event === TICKS_EVENT) requests.push(args);
    }),
  );
  return requests;
}

/** The one socket id in `counts` that is not `other`. */
function otherThan(counts: Map<string, number>, other: string | undefined): string {
  const ids = [...counts.keys()].filter((id) => id !== other);
  assert.equal(ids.length, 1, `one other socket: ${ids.join(', ')}`);
  return ids[0];
}

test('a clock that syncs gets no ticks; a plain listener on the same server keeps getting them', async (t) => {
  const { server, url } = await startClockServer(FAST_TICKS);
  t.after(() => server.close());
  const counts = countTicks(server);
  const requests = ticksRequests(server);
  const plain = await connect(url);
  t.after(() => plain.close());
  let heard = 0;
  plain.on(TIME_EVENT, () => heard++);

  const clock = connectClock(url);
  t.after(() => clock.close());
  await synced(clock);
  await waitForAsync(async () => (await metric(url, 'server_clock_ticked_sockets')) === 1, 'only the listener ticked');
  const clockSocket = otherThan(counts, plain.id);
  // A tick already on its way when the opt-out arrived may still land.
  await new Promise((r) => setTimeout(r, 100));

  const heardBefore = heard;
  const sent = await ticksOver(counts, 1500);
  assert.equal(sent.get(clockSocket), 0, 'none to the clock');
  assert.ok((sent.get(plain.id ?? '') ?? 0) >= 7, `the listener's: ${sent.get(plain.id ?? '')} in 1.5 s`);
  assert.ok(heard - heardBefore >= 7, `and it hears them: ${heard - heardBefore}`);
  assert.equal(await metric(url, 'server_clock_connected_clients'), 2);
  assert.equal(clock.mode, 'sync');
  assert.ok(Number.isFinite(clock.now()));
  assert.deepEqual(requests, [[false]], 'one opt-out, nothing else');
});

test('a clock of a push-only server keeps its pushes, and never sends it api:ticks', async (t) => {
  // A plain socket.io server that pushes epoch ms on the protocol's event and knows nothing else.
  const httpServer = createServer();
  const io = new Server(httpServer);
  const received: string[] = [];
  io.on('connection', (socket) => socket.onAny((event: string) => received.push(event)));
  const pushes = setInterval(() => io.emit(TIME_EVENT, Date.now()), 100);
  t.after(() => {
    clearInterval(pushes);
    return io.close();
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as { port: number };

  const clock = connectClock(`http://127.0.0.1:${port}`, { timeout: 500 });
  t.after(() => clock.close());
  await waitFor(() => clock.mode === 'push', 'push mode');
  // The pushes keep coming: each estimate rests on more of them.
  const { detail } = await nextEvent<CustomEvent<SyncDetail>>(clock, 'sync', 15_000, (e) => e.detail.samples >= 5);
  assert.equal(detail.mode, 'push');
  assert.ok(Math.abs(clock.now() - Date.now()) < 100, `within the pushes' resolution: ${clock.now() - Date.now()}`);
  assert.ok(received.length > 0, 'the clock asked for sync');
  assert.ok(!received.includes(TICKS_EVENT), `sent only ${[...new Set(received)].join(', ')}`);
});

test('two clocks on one socket: ticks stay on while one of them needs the pushes', async (t) => {
  // A bucket of 8 sync requests that hardly refills: the first clock's burst drains it, and the
  // second clock's requests go unanswered, so it falls back to pushes on the same socket.
  const { server, url } = await startClockServer({ ...FAST_TICKS, syncRateLimit: { burst: 8, perSecond: 0.001 } });
  t.after(() => server.close());
  const counts = countTicks(server);
  const requests = ticksRequests(server);
  const syncing = connectClock(url);
  t.after(() => syncing.close());
  // Its whole first burst: the bucket is empty now.
  await synced(syncing, 8);
  await waitForAsync(async () => (await metric(url, 'server_clock_ticked_sockets')) === 0, 'the socket opted out');
  const [socket] = counts.keys();

  const pushed = connectClock(url, { timeout: 500 });
  t.after(() => pushed.close());
  assert.equal(server.io.engine.clientsCount, 1, 'one socket for both');
  await waitForAsync(async () => (await metric(url, 'server_clock_ticked_sockets')) === 1, 'opted back in');
  await waitFor(() => pushed.mode === 'push', 'the second clock on pushes');
  const { detail } = await nextEvent<CustomEvent<SyncDetail>>(pushed, 'sync', 15_000, (e) => e.detail.samples >= 3);
  assert.equal(detail.mode, 'push');
  assert.ok((await ticksOver(counts, 1000)).get(socket)! >= 5, 'the socket gets ticks');
  assert.equal(syncing.mode, 'sync', 'the first clock still syncs');

  // The clock that needed them gone, the other opts the socket out again.
  pushed.close();
  await waitForAsync(async () => (await metric(url, 'server_clock_ticked_sockets')) === 0, 'opted out again');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await ticksOver(counts, 1000)).get(socket), 0, 'no more ticks');
  assert.deepEqual(requests, [[false], [true], [false]]);
});

test('after the server restarts on the same port, the clock opts out again', async (t) => {
  const first = await startClockServer(FAST_TICKS);
  t.after(() => first.server.close());
  const clock = connectClock(first.url, QUICK);
  t.after(() => clock.close());
  await synced(clock);
  await waitForAsync(async () => (await metric(first.url, 'server_clock_ticked_sockets')) === 0, 'opted out');
  await first.server.close();

  // A new server: its new socket for the clock starts ticked, as every socket does.
  const second = await startClockServer(FAST_TICKS, first.port);
  t.after(() => second.server.close());
  const counts = countTicks(second.server);
  const requests = ticksRequests(second.server);
  await nextEvent(clock, 'reconnect');
  await synced(clock);
  await waitForAsync(async () => (await metric(second.url, 'server_clock_ticked_sockets')) === 0, 'opted out again');
  await waitForAsync(async () => (await metric(second.url, 'server_clock_connected_clients')) === 1, 'connected');
  await new Promise((r) => setTimeout(r, 100));
  const [socket] = counts.keys();
  assert.equal((await ticksOver(counts, 1000)).get(socket), 0, 'no ticks on the new socket');
  assert.equal(clock.state, 'connected');
  // Nothing at connect (ticks on is where a new socket starts), then the opt-out.
  assert.deepEqual(requests, [[false]]);
});
