import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import type { Socket } from 'socket.io-client';
import { connect, metric, startClockServer } from '../test/node-clients.js';
import { waitFor, waitForAsync } from '../test/waiting.js';
import { SYNC_EVENT, TICKS_EVENT, TIME_EVENT, isSyncReply } from '../sdk/protocol.js';

test('GET /health answers ok', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const res = await fetch(`${url}/health`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'ok');
});

test('broadcasts epoch ms on whole seconds, one tick a second', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const socket = await connect(url);
  t.after(() => socket.close());
  const ticks: number[] = [];
  await new Promise<void>((resolve) => {
    socket.on(TIME_EVENT, (value: number) => {
      assert.equal(typeof value, 'number');
      // Emitted on the boundary: a few ms after a whole second, on a busy machine tens.
      assert.ok(value % 1000 < 200, `tick ${value} is ${value % 1000} ms past its second`);
      assert.ok(Math.abs(value - Date.now()) < 200, 'the tick is the server clock, now');
      ticks.push(value);
      if (ticks.length === 4) resolve();
    });
  });
  for (let i = 1; i < ticks.length; i++) {
    assert.equal(Math.round((ticks[i] - ticks[i - 1]) / 1000), 1, `one tick per second: ${ticks.join(', ')}`);
  }
});

test('every socket gets each tick once, with more sockets than the ticker has slices', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const sockets = await Promise.all(Array.from({ length: 100 }, () => connect(url)));
  t.after(() => sockets.forEach((s) => s.close()));
  const seconds = sockets.map(() => [] as number[]);
  sockets.forEach((s, i) => s.on(TIME_EVENT, (value: number) => seconds[i].push(Math.floor(value / 1000))));
  await new Promise((r) => setTimeout(r, 3200));
  for (const received of seconds) {
    assert.ok(received.length >= 2, `${received.length} ticks in 3.2 s`);
    assert.equal(new Set(received).size, received.length, `one tick per second: ${received.join(', ')}`);
  }
});

test('an overloaded ticker slows down for every socket alike, starving none', async (t) => {
  // A 10 ms interval with 300 sockets in this same process: each sweep outlasts the interval.
  const { server, url } = await startClockServer({ tickInterval: 10 });
  t.after(() => server.close());
  const sockets = await Promise.all(Array.from({ length: 300 }, () => connect(url)));
  t.after(() => sockets.forEach((s) => s.close()));
  const counts = sockets.map(() => 0);
  sockets.forEach((s, i) => s.on(TIME_EVENT, () => counts[i]++));
  await new Promise((r) => setTimeout(r, 1500));
  const fewest = Math.min(...counts);
  const most = Math.max(...counts);
  assert.ok(fewest >= 5, `every socket gets ticks: ${fewest} to ${most} in 1.5 s`);
  assert.ok(most <= 2 * fewest + 5, `and about as many as the others: ${fewest} to ${most}`);
});

/** The ticks each socket receives over `ms`: their values, in order. */
async function ticksOver(sockets: Socket[], ms: number): Promise<number[][]> {
  const received = sockets.map(() => [] as number[]);
  const listeners = sockets.map((_, i) => (value: number) => received[i].push(value));
  sockets.forEach((socket, i) => socket.on(TIME_EVENT, listeners[i]));
  await new Promise((r) => setTimeout(r, ms));
  sockets.forEach((socket, i) => socket.off(TIME_EVENT, listeners[i]));
  return received;
}

test('a socket that opts out of the ticks gets none until it opts back in; the others keep theirs', async (t) => {
  const { server, url } = await startClockServer({ tickInterval: 100 });
  t.after(() => server.close());
  const [quiet, plain] = await Promise.all([connect(url), connect(url)]);
  t.after(() => [quiet, plain].forEach((s) => s.close()));
  await waitForAsync(async () => (await metric(url, 'server_clock_ticked_sockets')) === 2, 'both ticked');

  quiet.emit(TICKS_EVENT, false);
  quiet.emit(TICKS_EVENT, false);
  await waitForAsync(async () => (await metric(url, 'server_clock_ticked_sockets')) === 1, 'one ticked');
  // A tick already on its way when the server took the opt-out may still land.
  await new Promise((r) => setTimeout(r, 100));
  const [none, all] = await ticksOver([quiet, plain], 1000);
  assert.deepEqual(none, [], 'no ticks after opting out');
  assert.ok(all.length >= 5, `the plain listener keeps its ticks: ${all.length} in 1 s`);
  assert.equal(await metric(url, 'server_clock_connected_clients'), 2);
  assert.ok(isSyncReply(await quiet.timeout(2000).emitWithAck(SYNC_EVENT)), 'and is served all the same');

  // Opting in twice still deals the socket into one shard: one tick per tick.
  quiet.emit(TICKS_EVENT, true);
  quiet.emit(TICKS_EVENT, true);
  await waitForAsync(async () => (await metric(url, 'server_clock_ticked_sockets')) === 2, 'both ticked again');
  const [back] = await ticksOver([quiet], 1000);
  assert.ok(back.length >= 5, `ticks again: ${back.length} in 1 s`);
  const slots = back.map((value) => Math.floor(value / 100));
  assert.equal(new Set(slots).size, slots.length, `one tick per tick: ${slots.join(', ')}`);
  assert.equal(await metric(url, 'server_clock_dropped_events_total{reason="invalid_ticks"}'), 0);
});

test('anything but one boolean for api:ticks is dropped and counted, and changes nothing', async (t) => {
  const { server, url } = await startClockServer({ tickInterval: 100 });
  t.after(() => server.close());
  const socket = await connect(url);
  t.after(() => socket.close());
  const garbage: unknown[][] = [[], ['false'], [0], [null], [{ push: false }], [[false]], [false, 1]];
  for (const args of garbage) socket.emit(TICKS_EVENT, ...(args as [boolean]));
  // With an acknowledgement, a boolean is not the whole packet either: no answer.
  assert.equal(await answered([socket.timeout(500).emitWithAck(TICKS_EVENT, false)]), 0);
  const dropped = garbage.length + 1;
  await waitForAsync(
    async () => (await metric(url, 'server_clock_dropped_events_total{reason="invalid_ticks"}')) === dropped,
    `${dropped} counted`,
  );
  assert.ok(socket.connected);
  assert.equal(await metric(url, 'server_clock_ticked_sockets'), 1);
  const [ticks] = await ticksOver([socket], 1000);
  assert.ok(ticks.length >= 5, `still ticked: ${ticks.length} in 1 s`);
});

test('answers sync requests with t1 ≤ t2 in sub-millisecond precision', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const socket = await connect(url);
  t.after(() => socket.close());
  const before = Date.now();
  // Typed unknown: the test checks the shape of what the server answers.
  const reply: unknown = await socket.timeout(2000).emitWithAck(SYNC_EVENT);
  const after = Date.now();
  assert.ok(isSyncReply(reply), `reply ${JSON.stringify(reply)}`);
  assert.ok(reply.t1 >= before - 2 && reply.t2 <= after + 2, 'within the exchange');
  const replies: unknown[] = await Promise.all(
    Array.from({ length: 5 }, () => socket.timeout(2000).emitWithAck(SYNC_EVENT)),
  );
  assert.ok(replies.every(isSyncReply), `replies ${JSON.stringify(replies)}`);
  assert.ok(
    replies.some((r) => !Number.isInteger(r.t1)),
    'fractional milliseconds',
  );
});

test('close() leaves no timer or handle behind, with clients connected', async () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const { server, url } = await startClockServer();
  const sockets = await Promise.all(Array.from({ length: 20 }, () => connect(url)));
  const closed = Promise.all(sockets.map((s) => new Promise((resolve) => s.once('disconnect', resolve))));
  await server.close();
  await closed;
  for (const s of sockets) s.close();
  await new Promise((r) => setImmediate(r));
  // Timers of earlier tests' clients may still be winding down; none may be added.
  assert.ok(timers() <= before, `${timers()} timers left, ${before} before`);
  assert.equal(server.httpServer.listening, false);
});

test('refuses a browser origin that is not allowed, for polling and WebSocket', async (t) => {
  const { server, url } = await startClockServer({ allowedOrigins: ['https://allowed.example'] });
  t.after(() => server.close());
  const polling = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, {
    headers: { origin: 'https://evil.example' },
  });
  assert.equal(polling.status, 403);
  const allowed = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, {
    headers: { origin: 'https://allowed.example' },
  });
  assert.equal(allowed.status, 200);
  await assert.rejects(connect(url, { extraHeaders: { origin: 'https://evil.example' } }));
  const ok = await connect(url, { extraHeaders: { origin: 'https://allowed.example' } });
  ok.close();
});

/** Resolves with the reason of the socket's next disconnect. */
function disconnected(socket: Socket): Promise<string> {
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
}

/** Settles every request; resolves with how many were answered. */
async function answered(requests: Promise<unknown>[]): Promise<number> {
  return (await Promise.allSettled(requests)).filter((r) => r.status === 'fulfilled').length;
}

test('GET /ready answers while serving; GET /metrics counts in Prometheus text', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const ready = await fetch(`${url}/ready`);
  assert.equal(ready.status, 200);
  assert.equal(await ready.text(), 'ready');

  const socket = await connect(url);
  t.after(() => socket.close());
  await socket.timeout(2000).emitWithAck(SYNC_EVENT);
  await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'https://evil.example' } });
  const res = await fetch(`${url}/metrics`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  for (const name of [
    'connected_clients',
    'sync_requests_total',
    'rejected_handshakes_total',
    'sync_rate_limited_total',
    'event_loop_lag_seconds',
  ]) {
    assert.match(text, new RegExp(`^# TYPE server_clock_${name} `, 'm'), name);
  }
  assert.equal(await metric(url, 'server_clock_connected_clients'), 1);
  assert.equal(await metric(url, 'server_clock_sync_requests_total'), 1);
  assert.equal(await metric(url, 'server_clock_rejected_handshakes_total{reason="Forbidden"}'), 1);
  const lag = await metric(url, 'server_clock_event_loop_lag_seconds{quantile="0.99"}');
  assert.ok(lag >= 0 && lag < 1, `event loop lag ${lag} s`);
});

for (const transport of ['websocket', 'polling'] as const) {
  test(`an oversized packet over ${transport} is refused and its socket dropped`, async (t) => {
    const { server, url } = await startClockServer();
    t.after(() => server.close());
    const socket = await connect(url, { transports: [transport] });
    t.after(() => socket.close());
    const gone = disconnected(socket);
    // maxHttpBufferSize is 4 KB: 10 KB is refused before socket.io decodes anything.
    socket.emit(SYNC_EVENT, 'x'.repeat(10 * 1024));
    assert.match(await gone, /transport (close|error)/);
    await waitFor(() => server.io.engine.clientsCount === 0, 'the server to drop the socket', 5000);
    const fine = await connect(url, { transports: [transport] });
    t.after(() => fine.close());
    assert.ok(isSyncReply(await fine.timeout(2000).emitWithAck(SYNC_EVENT)), 'others are still served');
  });
}

test('a flood of sync requests is limited per socket, and the socket keeps being served', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const flooder = await connect(url);
  const other = await connect(url);
  t.after(() => [flooder, other].forEach((s) => s.close()));
  const started = performance.now();
  const count = await answered(Array.from({ length: 300 }, () => flooder.timeout(1500).emitWithAck(SYNC_EVENT)));
  const seconds = (performance.now() - started) / 1000;
  // Default limit: a burst of 20, then 5 a second.
  assert.ok(count >= 20 && count <= 20 + 5 * seconds + 1, `${count} of 300 answered in ${seconds.toFixed(1)} s`);
  assert.ok((await metric(url, 'server_clock_sync_rate_limited_total')) >= 300 - count, 'counted');
  assert.equal(
    await answered(Array.from({ length: 8 }, () => other.timeout(2000).emitWithAck(SYNC_EVENT))),
    8,
    'another socket has its own bucket',
  );
  assert.ok(flooder.connected, 'limited, not disconnected');
  await new Promise((r) => setTimeout(r, 400));
  assert.ok(isSyncReply(await flooder.timeout(2000).emitWithAck(SYNC_EVENT)), 'the bucket refills');
});

test('malformed sync requests and other events are dropped unanswered; garbage does not crash', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const socket = await connect(url);
  t.after(() => socket.close());
  const unanswered = [
    socket.timeout(500).emitWithAck(SYNC_EVENT, { t0: 1 }),
    socket.timeout(500).emitWithAck(SYNC_EVENT, 'x', 2, null),
    socket.timeout(500).emitWithAck('api:other'),
    socket.timeout(500).emitWithAck('__proto__', { constructor: { prototype: {} } }),
  ];
  socket.emit(SYNC_EVENT);
  assert.equal(await answered(unanswered), 0);
  assert.ok(socket.connected);
  assert.equal(await metric(url, 'server_clock_dropped_events_total{reason="invalid_sync"}'), 3);
  assert.equal(await metric(url, 'server_clock_dropped_events_total{reason="unknown_event"}'), 2);

  // Below socket.io's API: packets that socket.io, then engine.io, cannot decode.
  interface Engine {
    send(data: string): void;
    transport: { ws: { send(data: string | Buffer): void } };
  }
  const garbage: [string, (engine: Engine) => void][] = [
    ['socket.io: truncated JSON', (engine) => engine.send('2["api:time-sync",{')],
    ['socket.io: unknown packet type', (engine) => engine.send('9')],
    ['socket.io: ack for an unknown id', (engine) => engine.send('399[{}]')],
    [
      'socket.io: binary event without its attachments',
      (engine) => engine.send('51-["api:time-sync",{"_placeholder":true,"num":0}]'),
    ],
    ['engine.io: unknown packet type', (engine) => engine.transport.ws.send('z garbage')],
    ['engine.io: raw bytes', (engine) => engine.transport.ws.send(Buffer.from([0xff, 0x00, 0xfe]))],
  ];
  for (const [what, send] of garbage) {
    // Each victim gets its own socket: garbage may get it dropped, never the process.
    const victim = await connect(url);
    const gone = disconnected(victim);
    send(victim.io.engine as unknown as Engine);
    await Promise.race([gone, new Promise((r) => setTimeout(r, 300))]);
    victim.close();
    assert.ok(isSyncReply(await socket.timeout(2000).emitWithAck(SYNC_EVENT)), `still serving after ${what}`);
  }
  assert.equal((await fetch(`${url}/health`)).status, 200);
});

test('after 1,000 connect/disconnect cycles, timers, listeners and sockets are back where they started', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const { io, httpServer } = server;
  const snapshot = () => {
    const resources: Record<string, number> = {};
    for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
    const listeners = (emitter: NodeJS.EventEmitter) =>
      Object.fromEntries(emitter.eventNames().map((e) => [String(e), emitter.listenerCount(e)]));
    return {
      timers: resources.Timeout ?? 0,
      tcp: resources.TCPSocketWrap ?? 0,
      clients: io.engine.clientsCount,
      sockets: io.of('/').sockets.size,
      rooms: io.of('/').adapter.rooms.size,
      httpListeners: listeners(httpServer),
      engineListeners: listeners(io.engine),
    };
  };
  // Warm up once, so that lazily created state (agents, caches) is there in both snapshots.
  (await connect(url)).close();
  await waitFor(() => io.engine.clientsCount === 0, 'the warm-up client to go', 5000);
  const before = snapshot();

  const CYCLES = 1000;
  const PARALLEL = 25;
  let done = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async (_, lane) => {
      for (let i = lane; i < CYCLES; i += PARALLEL) {
        // One in ten over long polling, which holds open HTTP requests of its own.
        const socket = await connect(url, { transports: i % 10 === 0 ? ['polling'] : ['websocket'] });
        await socket.timeout(2000).emitWithAck(SYNC_EVENT);
        const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
        socket.close();
        await gone;
        done++;
      }
    }),
  );
  assert.equal(done, CYCLES);
  // Closing is asynchronous on both ends: give it time to settle, then compare. Timers of earlier
  // tests' clients may still be winding down, so there may be fewer than before; never more.
  const { timers: timersBefore, ...restBefore } = before;
  const settled = () => {
    const { timers, ...rest } = snapshot();
    return timers <= timersBefore && isDeepStrictEqual(rest, restBefore);
  };
  const settling = performance.now();
  while (!settled() && performance.now() - settling < 10_000) await new Promise((r) => setTimeout(r, 20));
  const { timers, ...rest } = snapshot();
  assert.deepEqual(rest, restBefore);
  assert.ok(timers <= timersBefore, `${timers} timers, ${timersBefore} before`);
});
