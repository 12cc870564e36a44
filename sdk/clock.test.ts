// The SDK in Node against real servers on loopback: the demo server in-process, the classic
// push-only example as a child process. Node has EventTarget, CustomEvent and performance.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
// The public API, as users import it.
import { connectClock, type ServerClock, type SyncDetail } from './index.js';
import { openConnections } from './connection.js';
import { SYNC_EVENT } from './protocol.js';
import { monotonicNow } from './monotonic.js';
import { createClockServer } from '../demo-server/server.js';
import { createLogger } from '../demo-server/logger.js';
import { preciseNow } from '../demo-server/precise-time.js';
import { startServer, stopServer } from '../test/servers.mjs';
import { startDelayProxy } from '../test/delay-proxy.mjs';
import { nextEvent, waitFor } from '../test/waiting.js';
import { startClockServer } from '../test/node-clients.js';

// The demo server's clock re-anchors to the wall clock when the two stray apart by more than
// 1.5 ms (demo-server/precise-time.ts): a step no client can foresee until its next sync. On
// this machine that happens within seconds now and then, so comparisons allow that much.
const SERVER_CLOCK_STEP = 1.5;

// Fast retries, so that lifecycle tests take seconds.
const QUICK = { reconnectDelay: 100, reconnectDelayMax: 400 };

/** A port nothing listens on (it was free a moment ago). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Resolves once the first burst is in: a sync event resting on `samples` exchanges. */
function burst(clock: ServerClock, samples = 8): Promise<CustomEvent<SyncDetail>> {
  return nextEvent<CustomEvent<SyncDetail>>(
    clock,
    'sync',
    15_000,
    (e) => e.detail.mode === 'sync' && e.detail.samples >= samples,
  );
}

/** Records every event of these types, in order. */
function record(clock: ServerClock, types: string[]): { type: string; detail: unknown }[] {
  const log: { type: string; detail: unknown }[] = [];
  for (const type of types) clock.addEventListener(type, (e) => log.push({ type, detail: (e as CustomEvent).detail }));
  return log;
}

test('syncs with the server: now() is its clock, within the uncertainty', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const clock = connectClock(url);
  t.after(() => clock.close());
  assert.ok(Number.isNaN(clock.now()), 'NaN before the first estimate');
  assert.equal(clock.synced, false);

  const { detail } = await burst(clock);
  assert.equal(clock.state, 'connected');
  assert.equal(clock.synced, true);
  assert.equal(clock.mode, 'sync');
  assert.equal(detail.samples, 8);
  // The burst's estimate is slewed to from the first answer's (at 5 %: a few ms take a few tens of ms).
  await waitFor(() => Math.abs(clock.offset - detail.offset) < 0.01, 'the slew to the burst estimate', 5000);
  // Same process, same clock: the offset is whatever preciseNow()'s anchor differs by.
  assert.ok(Math.abs(clock.offset) < 1 + SERVER_CLOCK_STEP, `offset ${clock.offset}`);
  assert.ok(clock.rtt >= 0 && clock.rtt < 200, `rtt ${clock.rtt}`);
  assert.ok(clock.uncertainty >= clock.rtt / 2 && clock.uncertainty < 200, `uncertainty ${clock.uncertainty}`);
  for (let i = 0; i < 20; i++) {
    const [shown, truth] = [clock.now(), preciseNow()];
    // Read one after the other: allow the few microseconds between.
    assert.ok(
      Math.abs(shown - truth) <= clock.uncertainty + SERVER_CLOCK_STEP + 0.1,
      `error ${shown - truth}, uncertainty ${clock.uncertainty}`,
    );
    await new Promise((r) => setTimeout(r, 10));
  }
});

test('at(local): the server time at a reading of the local clock, as now() would say at it', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  // The local clock, 5 s off the machine's, and held still while the test reads it.
  let held: number | undefined;
  const local = () => held ?? monotonicNow() + 5000;
  const clock = connectClock(url, { clock: local });
  t.after(() => clock.close());
  assert.ok(Number.isNaN(clock.at(local())), 'NaN before the first estimate');

  const { detail } = await burst(clock);
  await waitFor(() => Math.abs(clock.offset - detail.offset) < 0.01, 'the slew to the burst estimate', 5000);
  held = local();
  assert.equal(clock.at(held), clock.now());
  const reading = held;
  held = undefined;
  // A reading 1 s earlier is 1 s earlier on the server's clock too, give or take its drift.
  assert.ok(Math.abs(clock.at(reading) - clock.at(reading - 1000) - 1000) < 0.5);
  assert.ok(Math.abs(clock.at(reading) - preciseNow()) < 1000, 'the server time, not the local clock');
  clock.close();
  assert.ok(Number.isNaN(clock.at(reading)), 'NaN after close()');
});

test('the first sync answer replaces an estimate from pushes at once: pushes run late by the delay', async (t) => {
  // Pushes every 10 ms and 40 ms each way: pushes arrive before the first sync answer does.
  const server = createClockServer({ logger: createLogger('silent'), tickInterval: 10 });
  t.after(() => server.close());
  const proxy = await startDelayProxy(await server.listen(0, '127.0.0.1'), { up: () => 40, down: () => 40 });
  t.after(() => proxy.close());
  // WebSocket from the start: volatile pushes skip a polling client between its requests.
  const clock = connectClock(`http://127.0.0.1:${proxy.port}`, { transports: ['websocket'] });
  t.after(() => clock.close());

  const fromPushes = await nextEvent<CustomEvent<SyncDetail>>(clock, 'sync');
  assert.equal(fromPushes.detail.mode, 'push', 'a push came first');
  const first = await nextEvent<CustomEvent<SyncDetail>>(clock, 'sync', 15_000, (e) => e.detail.mode === 'sync');
  assert.ok(
    first.detail.offset - fromPushes.detail.offset > 30,
    `pushes were ${first.detail.offset - fromPushes.detail.offset} ms late`,
  );
  assert.ok(
    Math.abs(clock.offset - first.detail.offset) < 0.5,
    `applied at once, not slewed: ${clock.offset - first.detail.offset} ms to go`,
  );
  assert.ok(Math.abs(clock.now() - preciseNow()) <= clock.uncertainty + SERVER_CLOCK_STEP + 0.1);
});

test('clocks on one URL share one connection; the last close() closes it', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const other = await startClockServer();
  t.after(() => other.server.close());
  const before = openConnections();

  const a = connectClock(url);
  const b = connectClock(`${url}/`);
  const c = connectClock(other.url);
  await Promise.all([burst(a), burst(b), burst(c)]);
  assert.equal(openConnections(), before + 2, 'one per server URL');
  assert.equal(server.io.engine.clientsCount, 1, 'one socket on the server');
  assert.equal(b.state, 'connected');
  // Each clock keeps its own estimate over the shared socket: the same server clock, to within their uncertainty.
  assert.ok(Math.abs(a.now() - b.now()) < a.uncertainty + b.uncertainty, 'the same clock');

  a.close();
  a.close();
  assert.equal(openConnections(), before + 2, 'b still holds it');
  assert.equal(b.state, 'connected');
  assert.ok(Number.isNaN(a.now()) && a.state === 'disconnected' && !a.synced);
  b.close();
  c.close();
  assert.equal(openConnections(), before);
  await waitFor(() => server.io.engine.clientsCount === 0, 'the server to see the socket go');
});

test('localAddress: in Node the clock connects from that address (all of 127/8 is loopback)', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const from: (string | undefined)[] = [];
  server.httpServer.on('connection', (socket: { remoteAddress?: string }) => from.push(socket.remoteAddress));
  // Distinct URLs, distinct connections: each clock opens its own.
  const bound = connectClock(`${url}/?c=1`, { localAddress: '127.0.0.2' });
  t.after(() => bound.close());
  const plain = connectClock(`${url}/?c=2`);
  t.after(() => plain.close());
  await Promise.all([burst(bound), burst(plain)]);
  assert.deepEqual(from.sort(), ['127.0.0.1', '127.0.0.2']);
  assert.equal(server.io.engine.clientsCount, 2);
});

test('close() leaves no timer or socket behind, and the clock falls silent', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  // Counts by kind (Timeout, TCPSocketWrap, ...); earlier tests' servers may still be closing.
  const resources = () => {
    const counts = new Map<string, number>();
    for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    return counts;
  };
  const noMoreThan = (before: Map<string, number>) =>
    [...resources()].every(([kind, n]) => n <= (before.get(kind) ?? 0));
  const before = resources();

  const clock = connectClock(url);
  const statechanges: unknown[] = [];
  clock.addEventListener('statechange', (e) => statechanges.push(e.detail.state));
  await burst(clock);
  // Between bursts a resync is pending: the moment a forgotten timer would stay behind.
  clock.close();
  assert.deepEqual(statechanges.at(-1), 'disconnected');
  await waitFor(() => server.io.engine.clientsCount === 0, 'the server to see the socket go');
  await waitFor(() => noMoreThan(before), `resources back to ${process.getActiveResourcesInfo().join(', ')}`, 5000);
  const syncs: unknown[] = [];
  clock.addEventListener('sync', (e) => syncs.push(e));
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(syncs.length, 0, 'no sync after close()');
});

test('one sync event a burst: the first answer at once, then each burst whole at its end', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const clock = connectClock(url);
  t.after(() => clock.close());
  const events: { samples: number; at: number }[] = [];
  clock.addEventListener('sync', (e) => events.push({ samples: e.detail.samples, at: performance.now() }));
  await waitFor(() => events.length >= 3, 'the first resync', 15_000);
  const [first, burst, resync] = events;
  assert.equal(first.samples, 1, 'the first answer, at once');
  assert.ok(burst.samples > first.samples, `the rest of the burst in one estimate: ${burst.samples} samples`);
  // The next is the resync's, about a second later (±25 %), not another of the burst's samples.
  assert.ok(resync.at - burst.at > 700, `the third estimate ${resync.at - burst.at} ms after the second`);
  assert.ok(resync.samples > burst.samples);
});

test('a bad option throws a RangeError (a TypeError for the clock) that names it; nothing is opened', () => {
  const before = openConnections();
  for (const [name, value] of [
    ['samples', 0],
    ['timeout', -1],
    ['resyncInterval', NaN],
    ['reconnectDelay', Infinity],
    ['reconnectDelayMax', 'soon'],
    ['reconnectAttempts', 0],
  ] as const) {
    assert.throws(
      () => connectClock('http://127.0.0.1:1', { [name]: value }),
      (e: Error) => e instanceof RangeError && e.message.includes(name),
      name,
    );
  }
  assert.equal(openConnections(), before);
  // Undefined means the default; Infinity is a number of attempts, never a time.
  connectClock('http://127.0.0.1:1', { samples: undefined, reconnectAttempts: Infinity }).close();
  assert.equal(openConnections(), before);
  // The local clock must be one (from JavaScript, anything may come).
  assert.throws(
    () => connectClock('http://127.0.0.1:1', { clock: 12 as unknown as () => number }),
    (e: Error) => e instanceof TypeError && e.message.includes('clock'),
  );
  assert.equal(openConnections(), before);
});

test('an invalid URL: state error and an error event, never an exception', async () => {
  const before = openConnections();
  for (const url of ['', '  ', 'ftp://example.com', 'http://[::1', '/relative', undefined as unknown as string]) {
    const clock = connectClock(url);
    const { detail } = await nextEvent<CustomEvent<{ error: Error }>>(clock, 'error');
    assert.ok(detail.error instanceof TypeError && /url/i.test(detail.error.message), String(url));
    assert.equal(clock.error, detail.error);
    assert.equal(clock.state, 'error');
    assert.ok(Number.isNaN(clock.now()));
    clock.close();
    assert.equal(clock.state, 'error');
  }
  assert.equal(openConnections(), before, 'no connection for an invalid URL');
});

test('server down at start: connect_error, reconnecting, then connected when it comes up', async (t) => {
  const port = await freePort();
  const clock = connectClock(`http://127.0.0.1:${port}`, QUICK);
  t.after(() => clock.close());
  const log = record(clock, ['statechange', 'connect_error', 'reconnect_attempt', 'connect']);

  const { detail } = await nextEvent<CustomEvent<{ error: Error }>>(clock, 'connect_error');
  assert.ok(detail.error instanceof Error);
  await waitFor(() => clock.state === 'reconnecting', 'state reconnecting');
  await nextEvent(clock, 'reconnect_attempt');
  assert.ok(Number.isNaN(clock.now()), 'no estimate without a server');

  const { server } = await startClockServer({}, port);
  t.after(() => server.close());
  await burst(clock);
  assert.equal(clock.state, 'connected');
  const states = log.filter((e) => e.type === 'statechange').map((e) => (e.detail as { state: string }).state);
  assert.deepEqual([...new Set(states)], ['reconnecting', 'connected']);
  assert.deepEqual(log.find((e) => e.type === 'connect')?.detail, { reconnect: false });
});

test('server closed and restarted on the same port: disconnect with reason, reconnect, sync again', async (t) => {
  const first = await startClockServer();
  const clock = connectClock(first.url, QUICK);
  t.after(() => clock.close());
  await burst(clock);
  const log = record(clock, ['statechange', 'disconnect', 'reconnect_attempt', 'reconnect', 'connect']);

  const disconnected = nextEvent<CustomEvent<{ reason: string }>>(clock, 'disconnect');
  await first.server.close();
  // The server says goodbye, unless it closes the connection before the packet is out.
  assert.ok(['io server disconnect', 'transport close'].includes((await disconnected).detail.reason));
  await waitFor(() => clock.state === 'reconnecting', 'state reconnecting');
  await nextEvent(clock, 'reconnect_attempt');
  assert.ok(Number.isFinite(clock.now()), 'the estimate carries on while reconnecting');

  const second = await startClockServer({}, first.port);
  t.after(() => second.server.close());
  const { detail } = await nextEvent<CustomEvent<{ attempts: number }>>(clock, 'reconnect');
  assert.ok(detail.attempts >= 1, `attempts ${detail.attempts}`);
  await burst(clock);
  assert.equal(clock.state, 'connected');
  assert.ok(Math.abs(clock.now() - preciseNow()) <= clock.uncertainty + SERVER_CLOCK_STEP + 0.1);
  const types = log.map((e) => e.type);
  assert.ok(types.indexOf('disconnect') < types.indexOf('reconnect_attempt'));
  assert.ok(types.indexOf('reconnect_attempt') < types.indexOf('connect'));
  assert.deepEqual(log.find((e) => e.type === 'connect')?.detail, { reconnect: true });
});

/**
 * A clock through a restart of its server (closed, then another on its port) once its resyncs
 * have backed off to 4 s, and the sync requests the new server gets, by the time each came,
 * and the clock's sync events, with the samples each rested on, from the restart on.
 */
async function throughRestart(t: TestContext, clocks: { first: () => number; second: () => number }) {
  const first = await startClockServer({ clock: clocks.first });
  const clock = connectClock(first.url, QUICK);
  t.after(() => clock.close());
  const syncs: { at: number; samples: number }[] = [];
  clock.addEventListener('sync', (e) => syncs.push({ at: performance.now(), samples: e.detail.samples }));
  // The first answer, the burst, then resyncs 1 and 2 s (±25 %) apart.
  await waitFor(() => syncs.length >= 4, 'two resyncs', 15_000);
  const held = syncs[syncs.length - 1].samples;
  await first.server.close();
  await waitFor(() => clock.state === 'reconnecting', 'state reconnecting');
  const second = await startClockServer({ clock: clocks.second }, first.port);
  t.after(() => second.server.close());
  const requests: number[] = [];
  second.server.io.on('connection', (socket) =>
    socket.onAny((event) => event === SYNC_EVENT && requests.push(performance.now())),
  );
  const since = syncs.length;
  await waitFor(() => syncs.length > since, 'a sync after the restart');
  return { held, requests, after: () => syncs.slice(since) };
}

test('a reconnect with samples kept: the exchanges of a resync, and the back-off carried on', async (t) => {
  const serverNow = () => monotonicNow() + 2_000;
  const { held, requests, after } = await throughRestart(t, { first: serverNow, second: serverNow });
  const [resync] = after();
  // Over loopback, a steady link: a resync takes 2 exchanges. They agree with the samples kept.
  assert.equal(resync.samples, held + 2, `${resync.samples} samples, ${held} before`);
  // Its next resync is 8 s on (±25 %): nothing more for 3 s (a restarted one would resync 1 s on).
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(requests.length, 2, `${requests.length} requests to the new server`);
  assert.equal(after().length, 1);
});

test('a reconnect to a server whose clock is elsewhere: the samples kept set aside, the back-off starts over', async (t) => {
  const { held, requests, after } = await throughRestart(t, {
    first: () => monotonicNow() + 2_000,
    second: () => monotonicNow() + 2_050,
  });
  await waitFor(() => after().length >= 2, 'the next resync');
  const [resync, next] = after();
  assert.ok(resync.samples <= 2, `${resync.samples} samples (${held} before): the new server's alone`);
  assert.ok(next.at - resync.at < 2000, `the next resync ${(next.at - resync.at).toFixed(0)} ms on`);
  // Two resyncs of 2 exchanges, not a full burst. (The estimate may rest on fewer of them: the
  // first fit, over the kept samples too, may set aside one of the new ones as well.)
  assert.equal(requests.length, 4, `${requests.length} requests to the new server`);
});

test('gives up after the allowed attempts: reconnect_failed, then state error', async (t) => {
  const clock = connectClock(`http://127.0.0.1:${await freePort()}`, { ...QUICK, reconnectAttempts: 2 });
  t.after(() => clock.close());
  const attempts: number[] = [];
  clock.addEventListener('reconnect_attempt', (e) => attempts.push(e.detail.attempt));
  const failed = await nextEvent<CustomEvent<{ attempts: number }>>(clock, 'reconnect_failed');
  assert.equal(failed.detail.attempts, 2);
  assert.deepEqual(attempts, [1, 2]);
  assert.equal(clock.state, 'error');
  assert.ok(clock.error instanceof Error);
});

test('push-only server (the classic socket.io example): connected, within a second of the truth', async (t) => {
  const classic = await startServer('classic');
  t.after(() => stopServer(classic));
  const clock = connectClock(classic.url, { event: 'time', timeout: 1000 });
  t.after(() => clock.close());
  // The first string comes 5 s after connecting.
  const { detail } = await nextEvent<CustomEvent<SyncDetail>>(clock, 'sync', 15_000, (e) => e.detail.mode === 'push');
  assert.equal(clock.state, 'connected');
  assert.equal(clock.mode, 'push');
  assert.ok(Number.isNaN(clock.rtt));
  // Whole seconds: the truth is anywhere in a second, so ± half a second, and no better.
  assert.ok(detail.uncertainty >= 500 && detail.uncertainty < 600, `uncertainty ${detail.uncertainty}`);
  const error = clock.now() - monotonicNow();
  // The child's wall clock is ours; the network delay on loopback adds a few ms at most.
  assert.ok(Math.abs(error) <= clock.uncertainty + 50, `error ${error}, uncertainty ${clock.uncertainty}`);
  assert.ok(Math.abs(error) < 1000);
});
