import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { startClockServer } from '../../test/node-clients.js';
import { createClockServer } from '../server.js';
import { createLogger } from '../logger.js';
import { isTimerState, type TimerState } from '../../sdk/protocol.js';

const TOKEN = 's3cret-token';
const auth = { authorization: `Bearer ${TOKEN}` };

async function call(url: string, method: string, path: string, body?: string, headers: Record<string, string> = auth) {
  const res = await fetch(`${url}${path}`, { method, headers, body });
  const json = (await res.json()) as TimerState | { error: string };
  return { status: res.status, json };
}

test('every action through the HTTP API answers 200 with the state', async (t) => {
  const { server, url } = await startClockServer({ adminToken: TOKEN });
  t.after(() => server.close());
  const idle = await call(url, 'GET', '/timers/auction-42', undefined, {});
  assert.equal(idle.status, 200, 'GET is public');
  assert.deepEqual(idle.json, {
    name: 'auction-42',
    status: 'idle',
    endsAt: null,
    remaining: null,
    version: 0,
    updatedAt: 0,
  });

  const started = await call(url, 'PUT', '/timers/auction-42', '{"duration": 60000}');
  assert.equal(started.status, 200);
  assert.ok(isTimerState(started.json) && started.json.status === 'running');
  const endsAt = started.json.endsAt ?? 0;
  const extended = await call(url, 'POST', '/timers/auction-42/extend', '{"by": 5000}');
  assert.equal((extended.json as TimerState).endsAt, endsAt + 5_000);
  const paused = await call(url, 'POST', '/timers/auction-42/pause');
  assert.equal((paused.json as TimerState).status, 'paused');
  const grown = await call(url, 'POST', '/timers/auction-42/extend', '{"by": 1000}');
  assert.equal((grown.json as TimerState).remaining, ((paused.json as TimerState).remaining ?? 0) + 1_000);
  const resumed = await call(url, 'POST', '/timers/auction-42/resume');
  assert.equal((resumed.json as TimerState).status, 'running');
  const cancelled = await call(url, 'DELETE', '/timers/auction-42');
  assert.equal((cancelled.json as TimerState).status, 'cancelled');
  const iso = new Date(Date.now() + 60_000).toISOString();
  const restarted = await call(url, 'PUT', '/timers/auction-42', JSON.stringify({ endsAt: iso }));
  assert.equal((restarted.json as TimerState).endsAt, Date.parse(iso));
  assert.deepEqual((await call(url, 'GET', '/timers/auction-42')).json, restarted.json);
  assert.deepEqual(await server.timers.get('auction-42'), restarted.json, 'the library sees the same');
});

test('bad admin requests each get their status and an error, and change nothing', async (t) => {
  const { server, url } = await startClockServer({ adminToken: TOKEN });
  t.after(() => server.close());
  const before = await server.timers.start('lot', { duration: 60_000 });
  const cases: [string, string, string, string | undefined, Record<string, string>, number][] = [
    ['no token', 'PUT', '/timers/lot', '{"duration": 1000}', {}, 401],
    ['not bearer', 'PUT', '/timers/lot', '{"duration": 1000}', { authorization: `Basic ${TOKEN}` }, 401],
    ['wrong token', 'PUT', '/timers/lot', '{"duration": 1000}', { authorization: 'Bearer nope' }, 403],
    ['a longer token', 'DELETE', '/timers/lot', undefined, { authorization: `Bearer ${TOKEN}x` }, 403],
    ['bad JSON', 'PUT', '/timers/lot', '{"duration": ', auth, 400],
    ['not an object', 'PUT', '/timers/lot', '[1000]', auth, 400],
    ['no body', 'PUT', '/timers/lot', undefined, auth, 400],
    ['bad name', 'PUT', '/timers/no%20spaces', '{"duration": 1000}', auth, 400],
    ['long name', 'PUT', `/timers/${'x'.repeat(65)}`, '{"duration": 1000}', auth, 400],
    ['bad encoding', 'PUT', '/timers/%E0%A4%A', '{"duration": 1000}', auth, 400],
    ['duration a string', 'PUT', '/timers/lot', '{"duration": "1000"}', auth, 400],
    ['negative duration', 'PUT', '/timers/lot', '{"duration": -5}', auth, 400],
    ['both', 'PUT', '/timers/lot', `{"duration": 1000, "endsAt": ${Date.now() + 5_000}}`, auth, 400],
    ['endsAt in the past', 'PUT', '/timers/lot', `{"endsAt": ${Date.now() - 1_000}}`, auth, 400],
    ['endsAt not a date', 'PUT', '/timers/lot', '{"endsAt": "soon"}', auth, 400],
    ['by a string', 'POST', '/timers/lot/extend', '{"by": "5"}', auth, 400],
    ['by zero', 'POST', '/timers/lot/extend', '{"by": 0}', auth, 400],
    ['huge body', 'PUT', '/timers/lot', JSON.stringify({ duration: 1000, pad: 'x'.repeat(5_000) }), auth, 413],
    ['resume a running timer', 'POST', '/timers/lot/resume', undefined, auth, 409],
    ['action on idle', 'POST', '/timers/never-set/pause', undefined, auth, 404],
    ['unknown action', 'POST', '/timers/lot/stop', undefined, auth, 404],
    ['wrong method', 'POST', '/timers/lot', undefined, auth, 405],
  ];
  for (const [what, method, path, body, headers, status] of cases) {
    const res = await call(url, method, path, body, headers);
    assert.equal(res.status, status, what);
    assert.equal(typeof (res.json as { error: string }).error, 'string', what);
  }
  assert.deepEqual(await server.timers.get('lot'), before, 'nothing changed');
  assert.equal((await server.timers.get('never-set')).status, 'idle');
  assert.equal((await fetch(`${url}/health`)).status, 200);
});

test('a body streamed past 4 KB without a length is refused with 413', async (t) => {
  const { server, port } = await startClockServer({ adminToken: TOKEN });
  t.after(() => server.close());
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'PUT', path: '/timers/lot', headers: auth }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.write('{"duration": 1000, "pad": "');
    for (let i = 0; i < 5; i++) req.write('x'.repeat(1024));
    req.end('"}');
  });
  assert.equal(status, 413);
  assert.equal((await server.timers.get('lot')).status, 'idle');
});

test('without a token configured, writes are refused with 403 and reads stay public', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const res = await call(url, 'PUT', '/timers/lot', '{"duration": 1000}', { authorization: 'Bearer anything' });
  assert.equal(res.status, 403);
  assert.match((res.json as { error: string }).error, /no admin token/);
  assert.equal((await call(url, 'GET', '/timers/lot', undefined, {})).status, 200);
  assert.equal((await server.timers.get('lot')).status, 'idle');
});

test("on a caller's httpServer, the admin API answers only where the caller mounts it", async (t) => {
  const httpServer = createServer();
  const clock = createClockServer({ httpServer, adminToken: TOKEN, logger: createLogger('silent') });
  httpServer.on('request', (req, res) => {
    if (req.url?.startsWith('/socket.io/')) return;
    if (req.url?.startsWith('/admin/')) {
      req.url = req.url.slice('/admin'.length);
      if (clock.adminHandler(req, res)) return;
    }
    res.writeHead(404).end('{"mine": true}');
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  t.after(() => clock.close());
  const address = httpServer.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  assert.deepEqual((await call(url, 'PUT', '/timers/lot', '{"duration": 60000}')).json, { mine: true });
  const res = await call(url, 'PUT', '/admin/timers/lot', '{"duration": 60000}');
  assert.equal(res.status, 200);
  assert.equal((res.json as TimerState).status, 'running');
});
