import { test } from 'node:test';
import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import { createClockServer, type ClockServer } from './server.js';
import { createLogger } from './logger.js';
import { SYNC_EVENT, TIME_EVENT, isSyncReply } from '../sdk/protocol.js';

async function start(options = {}): Promise<{ server: ClockServer; url: string }> {
  const server = createClockServer({ logger: createLogger('silent'), ...options });
  const port = await server.listen(0, '127.0.0.1');
  return { server, url: `http://127.0.0.1:${port}` };
}

function connect(url: string, opts = {}): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...opts });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

test('GET /health answers ok', async (t) => {
  const { server, url } = await start();
  t.after(() => server.close());
  const res = await fetch(`${url}/health`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'ok');
});

test('broadcasts epoch ms on whole seconds, one tick a second', async (t) => {
  const { server, url } = await start();
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
      if (ticks.length === 3) resolve();
    });
  });
  assert.equal(Math.round((ticks[2] - ticks[0]) / 1000), 2, 'one tick per second');
});

test('answers sync requests with t1 ≤ t2 in sub-millisecond precision', async (t) => {
  const { server, url } = await start();
  t.after(() => server.close());
  const socket = await connect(url);
  t.after(() => socket.close());
  const before = Date.now();
  const reply = await socket.timeout(2000).emitWithAck(SYNC_EVENT);
  const after = Date.now();
  assert.ok(isSyncReply(reply), `reply ${JSON.stringify(reply)}`);
  assert.ok(reply.t1 >= before - 2 && reply.t2 <= after + 2, 'within the exchange');
  const replies = await Promise.all(Array.from({ length: 5 }, () => socket.timeout(2000).emitWithAck(SYNC_EVENT)));
  assert.ok(replies.some((r) => !Number.isInteger(r.t1)), 'fractional milliseconds');
});

test('close() leaves no timer or handle behind, with clients connected', async () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const { server, url } = await start();
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
  const { server, url } = await start({ allowedOrigins: ['https://allowed.example'] });
  t.after(() => server.close());
  const polling = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'https://evil.example' } });
  assert.equal(polling.status, 403);
  const allowed = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'https://allowed.example' } });
  assert.equal(allowed.status, 200);
  await assert.rejects(connect(url, { extraHeaders: { origin: 'https://evil.example' } }));
  const ok = await connect(url, { extraHeaders: { origin: 'https://allowed.example' } });
  ok.close();
});
