import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, startClockServer } from '../../test/node-clients.js';
import { waitFor, waitForAsync } from '../../test/waiting.js';
import { createClockServer } from '../server.js';
import { createLogger } from '../logger.js';
import { SYNC_EVENT, type SyncReply, type TimerState } from '../../sdk/protocol.js';
import { createMemoryStore } from './memory-store.js';
import type { TimerStore } from './store.js';
import { TimerActionError, type TimerEndEvent } from './timers.js';

async function rejects(promise: Promise<unknown>, code: string, status: number) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TimerActionError, String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.status, status);
    return true;
  });
}

test('every action through the library API, each answered with the new state', async (t) => {
  const { server } = await startClockServer();
  t.after(() => server.close());
  const { timers } = server;
  assert.deepEqual(await timers.get('lot-1'), {
    name: 'lot-1',
    status: 'idle',
    endsAt: null,
    remaining: null,
    version: 0,
    updatedAt: 0,
  });
  const before = Date.now();
  const started = await timers.start('lot-1', { duration: 60_000 });
  assert.equal(started.status, 'running');
  assert.ok(Math.abs((started.endsAt ?? 0) - (before + 60_000)) < 1_000);
  const extended = await timers.extend('lot-1', 5_000);
  assert.equal(extended.endsAt, (started.endsAt ?? 0) + 5_000);
  assert.ok(extended.version > started.version);
  const paused = await timers.pause('lot-1');
  assert.equal(paused.status, 'paused');
  const grown = await timers.extend('lot-1', 1_000);
  assert.equal(grown.remaining, (paused.remaining ?? 0) + 1_000, 'extending a paused timer grows its remaining');
  const resumed = await timers.resume('lot-1');
  assert.equal(resumed.status, 'running');
  const cancelled = await timers.cancel('lot-1');
  assert.equal(cancelled.status, 'cancelled');
  assert.deepEqual(await timers.get('lot-1'), cancelled);

  const at = new Date(Date.now() + 30_000).toISOString();
  assert.equal((await timers.start('lot-2', { endsAt: at })).endsAt, Date.parse(at));
  const epoch = Date.now() + 30_000;
  assert.equal((await timers.start('lot-2', { endsAt: epoch })).endsAt, epoch, 'a restart, in epoch ms');
});

test('the library API refuses bad input and impossible transitions with a code and status', async (t) => {
  const { server } = await startClockServer();
  t.after(() => server.close());
  const { timers } = server;
  const bad = [
    timers.start('no spaces', { duration: 1_000 }),
    timers.start('x'.repeat(65), { duration: 1_000 }),
    timers.get(42 as unknown as string),
    timers.start('a', { duration: -1 }),
    timers.start('a', { duration: NaN }),
    timers.start('a', { duration: '5' as unknown as number }),
    timers.start('a', { endsAt: Date.now() - 1 }),
    timers.start('a', { endsAt: 'tomorrow' }),
    timers.start('a', { endsAt: '2030-01-01T00:00:00' }),
    timers.start('a', {} as { duration: number }),
    timers.start('a', { duration: 1_000, endsAt: Date.now() + 1_000 }),
    timers.start('a', null as unknown as { duration: number }),
    timers.extend('a', 0),
  ];
  for (const promise of bad) await rejects(promise, 'bad-request', 400);
  assert.equal((await timers.get('a')).status, 'idle', 'nothing changed');
  await rejects(timers.pause('a'), 'not-found', 404);
  await rejects(timers.extend('a', 1_000), 'not-found', 404);
  await timers.start('a', { duration: 60_000 });
  await rejects(timers.resume('a'), 'conflict', 409);
});

test('end fires once per run, with the lateness, and the timer reads ended', async (t) => {
  const { server } = await startClockServer();
  t.after(() => server.close());
  const ends: TimerEndEvent[] = [];
  server.timers.on('end', (event) => ends.push(event));
  const started = await server.timers.start('round', { duration: 300 });
  await waitFor(() => ends.length === 1, 'the end');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(ends.length, 1, 'once');
  const [end] = ends;
  assert.equal(end.name, 'round');
  assert.equal(end.endsAt, started.endsAt);
  assert.equal(end.state.status, 'ended');
  assert.ok(end.lateness >= 0 && end.lateness < 500, `lateness ${end.lateness}`);
  assert.deepEqual(await server.timers.get('round'), end.state);

  // An extend, then a new run: one more end.
  await server.timers.start('round', { duration: 200 });
  await server.timers.extend('round', 200);
  await waitFor(() => ends.length === 2, 'the second end');
  assert.ok(ends[1].endsAt - ends[1].state.updatedAt <= 0);
});

test('a paused timer does not end; a cancelled one neither', async (t) => {
  const { server } = await startClockServer();
  t.after(() => server.close());
  let ends = 0;
  server.timers.on('end', () => ends++);
  await server.timers.start('p', { duration: 200 });
  await server.timers.pause('p');
  await server.timers.start('c', { duration: 200 });
  await server.timers.cancel('c');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(ends, 0);
  assert.equal((await server.timers.get('p')).status, 'paused');
});

test('ended timers expire to idle after the TTL, and the next version is still larger', async (t) => {
  const { server } = await startClockServer({ timerTtl: 200 });
  t.after(() => server.close());
  let ended: TimerState | undefined;
  server.timers.on('end', (event) => (ended = event.state));
  const first = await server.timers.start('short', { duration: 50 });
  await waitFor(() => ended, 'the end');
  assert.deepEqual(await server.timers.get('short'), ended);
  await new Promise((r) => setTimeout(r, 300));
  const expired = await server.timers.get('short');
  assert.equal(expired.status, 'idle');
  const again = await server.timers.start('short', { duration: 60_000 });
  assert.ok(ended && again.version > ended.version && ended.version > first.version, 'versions grow across expiry');
});

/** A store that outlives the servers using it, as Redis would. */
function lastingStore(): TimerStore {
  const store = createMemoryStore({ clock: () => Date.now(), ttl: 86_400_000 });
  return { ...store, close: () => Promise.resolve() };
}

test('a deadline that passed while no server was up ends on the first one up, late; versions grow across restarts', async (t) => {
  const store = lastingStore();
  const first = await startClockServer({ timerStore: () => store });
  const started = await first.server.timers.start('overnight', { duration: 200 });
  await first.server.close();
  let firstEnded = false;
  first.server.timers.on('end', () => (firstEnded = true));
  await new Promise((r) => setTimeout(r, 400));

  const ends: TimerEndEvent[] = [];
  const second = createClockServer({ timerStore: () => store, logger: createLogger('silent') });
  t.after(() => second.close());
  second.timers.on('end', (event) => ends.push(event));
  await waitFor(() => ends.length === 1, 'the late end');
  assert.equal(firstEnded, false, 'the closed server ended nothing');
  assert.ok(ends[0].lateness >= 150, `lateness ${ends[0].lateness}`);
  const restarted = await second.timers.start('overnight', { duration: 60_000 });
  assert.ok(restarted.version > ends[0].state.version && ends[0].state.version > started.version);
});

test('the clock option: deadlines, sync answers and ticks are on the injected clock', async (t) => {
  const offset = 250_000;
  const { server, url } = await startClockServer({ clock: () => Date.now() + offset });
  t.after(() => server.close());
  const socket = await connect(url);
  t.after(() => socket.close());
  const reply = (await socket.timeout(5_000).emitWithAck(SYNC_EVENT)) as SyncReply;
  assert.ok(Math.abs(reply.t1 - (Date.now() + offset)) < 500, 'sync answers are on the clock');
  const state: TimerState = await server.timers.start('skewed', { duration: 1_000 });
  assert.ok(Math.abs((state.endsAt ?? 0) - (Date.now() + offset + 1_000)) < 500, 'a duration is on the clock');
  await assert.rejects(server.timers.start('skewed', { endsAt: Date.now() + 1_000 }), /in the past/);
});

test('a listener that throws does not stop the others, nor the server', async (t) => {
  const { server } = await startClockServer();
  t.after(() => server.close());
  let heard = false;
  server.timers.on('end', () => {
    throw new Error('application bug');
  });
  server.timers.on('end', () => (heard = true));
  await server.timers.start('x', { duration: 50 });
  await waitFor(() => heard, 'the second listener');
});

test('the demo server drives demo-round, and a second server sharing the store starts no second round', async (t) => {
  const store = lastingStore();
  const a = await startClockServer({ demo: true, timerStore: () => store });
  t.after(() => a.server.close());
  const first = await waitForAsync(async () => {
    const state = await a.server.timers.get('demo-round');
    return state.status === 'running' ? state : undefined;
  }, 'the first round');
  assert.ok(Math.abs((first.endsAt ?? 0) - Date.now() - 60_000) < 2_000);
  const b = await startClockServer({ demo: true, timerStore: () => store });
  t.after(() => b.server.close());
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await b.server.timers.get('demo-round'), first, 'the round is unchanged');
});

test("a store's own cluster clock is the clock served and the timers'", async (t) => {
  const offset = -120_000;
  const cluster = () => Date.now() + offset;
  const { server, url } = await startClockServer({
    timerStore: (options) => ({ ...createMemoryStore({ ...options, clock: cluster }), clock: cluster }),
  });
  t.after(() => server.close());
  const socket = await connect(url);
  t.after(() => socket.close());
  const reply = (await socket.timeout(5_000).emitWithAck(SYNC_EVENT)) as SyncReply;
  assert.ok(Math.abs(reply.t1 - cluster()) < 500, 'sync answers are on the cluster clock');
  const state = await server.timers.start('c', { duration: 1_000 });
  assert.ok(Math.abs((state.endsAt ?? 0) - (cluster() + 1_000)) < 500);
});

test('concurrent extends all count', async (t) => {
  const { server } = await startClockServer();
  t.after(() => server.close());
  const started = await server.timers.start('bids', { duration: 60_000 });
  await Promise.all(Array.from({ length: 20 }, () => server.timers.extend('bids', 1_000)));
  assert.equal((await server.timers.get('bids')).endsAt, (started.endsAt ?? 0) + 20_000);
});
