import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { connect, startClockServer } from '../../test/node-clients.js';
import { waitFor, waitForAsync } from '../../test/waiting.js';
import {
  MAX_WATCHED_TIMERS,
  SYNC_EVENT,
  TIMER_EVENT,
  TIMER_UNWATCH_EVENT,
  TIMER_WATCH_EVENT,
  isSyncReply,
  isTimerError,
  isTimerState,
  type TimerState,
  type TimerWatchAck,
} from '../../sdk/protocol.js';
import type { ClockServer } from '../server.js';

function watch(socket: Socket, name: unknown): Promise<TimerWatchAck> {
  return socket.timeout(5_000).emitWithAck(TIMER_WATCH_EVENT, name);
}

function pushes(socket: Socket): TimerState[] {
  const states: TimerState[] = [];
  socket.on(TIMER_EVENT, (state: TimerState) => states.push(state));
  return states;
}

async function metric(url: string, line: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

async function healthy(server: ClockServer, url: string, socket: Socket) {
  assert.equal((await fetch(`${url}/health`)).status, 200);
  assert.ok(isSyncReply(await socket.timeout(5_000).emitWithAck(SYNC_EVENT)), 'a sync is still answered');
  assert.ok(server.httpServer.listening);
}

test('watchers get the current state in the ack, then each change; a late joiner gets the current state', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const early = await connect(url);
  t.after(() => early.close());
  const idle = await watch(early, 'auction-42');
  assert.ok(isTimerState(idle) && idle.status === 'idle');
  const seen = pushes(early);

  const started = await server.timers.start('auction-42', { duration: 60_000 });
  const extended = await server.timers.extend('auction-42', 1_000);
  const paused = await server.timers.pause('auction-42');
  await waitFor(() => seen.length === 3, 'three pushes');
  assert.deepEqual(seen, [started, extended, paused]);

  const late = await connect(url);
  t.after(() => late.close());
  assert.deepEqual(await watch(late, 'auction-42'), paused, 'the late joiner gets the current state');
  const lateSeen = pushes(late);
  const cancelled = await server.timers.cancel('auction-42');
  await waitFor(() => lateSeen.length === 1 && seen.length === 4, 'the cancel, on both');
  assert.deepEqual(lateSeen, [cancelled]);
});

test('the end is pushed to the watchers', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const socket = await connect(url);
  t.after(() => socket.close());
  await watch(socket, 'r');
  const seen = pushes(socket);
  await server.timers.start('r', { duration: 100 });
  await waitFor(() => seen.at(-1)?.status === 'ended', 'the end');
});

test('an unwatched timer is no longer pushed; watching twice joins once', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const socket = await connect(url);
  t.after(() => socket.close());
  await watch(socket, 'a');
  await watch(socket, 'a');
  assert.equal(await metric(url, 'server_clock_timer_watches'), 1);
  assert.equal(await metric(url, 'server_clock_watched_timers'), 1);
  const seen = pushes(socket);
  socket.emit(TIMER_UNWATCH_EVENT, 'a');
  await waitForAsync(async () => (await metric(url, 'server_clock_timer_watches')) === 0, 'the unwatch');
  await server.timers.start('a', { duration: 60_000 });
  await watch(socket, 'b');
  await server.timers.start('b', { duration: 60_000 });
  await waitFor(() => seen.length === 1, 'the push of b');
  assert.equal(seen[0].name, 'b', 'nothing of a');
});

test('garbage names get bad-name acks, counted, while the server stays healthy', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const socket = await connect(url);
  t.after(() => socket.close());
  const garbage: unknown[] = [42, { name: 'a' }, ['a'], null, '', 'x'.repeat(65), 'x'.repeat(100_000 / 40), 'a b', 'é'];
  for (const name of garbage) {
    const ack = await watch(socket, name);
    assert.ok(isTimerError(ack), JSON.stringify(name).slice(0, 40));
    assert.equal(ack.error.code, 'bad-name');
  }
  assert.equal(await metric(url, 'server_clock_timer_watch_errors_total{code="bad-name"}'), garbage.length);
  // Without an acknowledgement, with extra arguments, unwatching garbage: dropped and counted.
  socket.emit(TIMER_WATCH_EVENT, 'a');
  (socket.emit as (...args: unknown[]) => void)(TIMER_WATCH_EVENT, 'a', 'b', () => undefined);
  (socket.emit as (...args: unknown[]) => void)(TIMER_WATCH_EVENT);
  for (const name of [42, {}, null, 'a b']) (socket.emit as (...args: unknown[]) => void)(TIMER_UNWATCH_EVENT, name);
  await waitForAsync(
    async () =>
      (await metric(url, 'server_clock_dropped_events_total{reason="invalid_timer_watch"}')) === 3 &&
      (await metric(url, 'server_clock_dropped_events_total{reason="invalid_timer_unwatch"}')) === 4,
    'the drops counted',
  );
  assert.equal(await metric(url, 'server_clock_timer_watches'), 0, 'no subscription leaked');
  await healthy(server, url, socket);
});

test(`a socket watching more than ${MAX_WATCHED_TIMERS} timers gets too-many, and its rooms go when it leaves`, async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const socket = await connect(url);
  t.after(() => socket.close());
  for (let i = 0; i < MAX_WATCHED_TIMERS; i++) assert.ok(isTimerState(await watch(socket, `t${i}`)));
  const refused = await watch(socket, 'one-more');
  assert.ok(isTimerError(refused) && refused.error.code === 'too-many');
  assert.ok(isTimerState(await watch(socket, 't0')), 'a timer it watches already is fine');
  socket.emit(TIMER_UNWATCH_EVENT, 't0');
  assert.ok(isTimerState(await watch(socket, 'one-more')), 'after an unwatch, room for one');
  assert.equal(await metric(url, 'server_clock_timer_watch_errors_total{code="too-many"}'), 1);
  assert.equal(await metric(url, 'server_clock_timer_watches'), MAX_WATCHED_TIMERS);
  await healthy(server, url, socket);

  socket.close();
  await waitForAsync(async () => (await metric(url, 'server_clock_watched_timers')) === 0, 'the rooms gone');
});

test('a store that fails answers the watch with unavailable, counted', async (t) => {
  const { server, url } = await startClockServer({
    timerStore: () => ({
      get: () => Promise.reject(new Error('down')),
      update: () => Promise.reject(new Error('down')),
      onChange: () => () => undefined,
      nextDeadline: () => Promise.reject(new Error('down')),
      due: () => Promise.reject(new Error('down')),
      close: () => Promise.resolve(),
    }),
  });
  t.after(() => server.close());
  const socket = await connect(url);
  t.after(() => socket.close());
  const ack = await watch(socket, 'a');
  assert.ok(isTimerError(ack) && ack.error.code === 'unavailable');
  assert.equal(await metric(url, 'server_clock_timer_watch_errors_total{code="unavailable"}'), 1);
  const res = await fetch(`${url}/timers/a`);
  assert.equal(res.status, 503);
  await assert.rejects(server.timers.get('a'), { code: 'unavailable', status: 503 });
  await healthy(server, url, socket);
});
