// ServerTimer in Node against real servers on loopback: the demo server in-process (its admin
// API over HTTP, or its `timers` directly), a spawned one to kill and restart, and the classic
// push-only example, which has no timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
// The public API, as users import it.
import { connectClock, ServerTimerError, type ServerClock, type ServerTimer, type TimerState } from './index.js';
import { openSubscriptions } from './timer.js';
import { TIMER_WATCH_EVENT, isTimerState } from './protocol.js';
import { timerRoom } from '../demo-server/timers/watch.js';
import type { ClockServer } from '../demo-server/server.js';
import { startServer, stopServer } from '../test/servers.mjs';
import { nextEvent, waitFor } from '../test/waiting.js';
import { startClockServer } from '../test/node-clients.js';

const TOKEN = 'test-token';
const QUICK = { reconnectDelay: 100, reconnectDelayMax: 400 };

/** The clock's first estimate: until then a timer cannot time its end. */
async function synced(clock: ServerClock): Promise<void> {
  await waitFor(() => clock.synced, 'the first estimate');
}

/** Resolves with the next state the timer takes that `accept` accepts. */
async function nextState(timer: ServerTimer, accept: (state: TimerState) => boolean = () => true): Promise<TimerState> {
  return (await nextEvent<CustomEvent<TimerState>>(timer, 'change', 15_000, (e) => accept(e.detail))).detail;
}

/** The timer's state once `accept` accepts it: the one it holds, or the next (a push may beat an admin call's answer). */
function stateWhere(timer: ServerTimer, accept: (state: TimerState) => boolean): Promise<TimerState> {
  const held = timer.state;
  return held && accept(held) ? Promise.resolve(held) : nextState(timer, accept);
}

/** An admin request over HTTP, which must succeed: the timer's new state. */
async function admin(url: string, method: string, path: string, body?: object): Promise<TimerState> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer: unknown = await response.json();
  assert.equal(response.status, 200, `${method} ${path}: ${JSON.stringify(answer)}`);
  assert.ok(isTimerState(answer), `${method} ${path} answers a state`);
  return answer;
}

/** How many sockets watch `name` on the server: its room's size. */
const watchers = (server: ClockServer, name: string) => server.io.of('/').adapter.rooms.get(timerRoom(name))?.size ?? 0;

test('the first state, then each change made through the admin API; remaining() by status', async (t) => {
  const { server, url } = await startClockServer({ adminToken: TOKEN });
  t.after(() => server.close());
  const clock = connectClock(url);
  t.after(() => clock.close());
  const timer = clock.timer('auction-1');
  assert.equal(timer.status, undefined, 'no state yet');
  assert.equal(timer.remaining(), undefined);

  const first = await nextState(timer);
  assert.equal(first.status, 'idle', 'a name never set');
  assert.equal(timer.remaining(), undefined, 'idle: nothing to count');
  await synced(clock);

  const started = await admin(url, 'PUT', '/timers/auction-1', { duration: 60_000 });
  const running = await stateWhere(timer, (s) => s.version === started.version);
  assert.equal(running.status, 'running');
  assert.equal(timer.endsAt, started.endsAt);
  assert.ok(running.version > first.version, 'versions grow');
  const left = timer.remaining();
  // On the clock's estimate, within its uncertainty of the server's own.
  const bound = 60_000 + clock.uncertainty + 2;
  assert.ok(left !== undefined && left > 55_000 && left <= bound, `running: ${left} ms left`);

  const paused = await admin(url, 'POST', '/timers/auction-1/pause');
  await stateWhere(timer, (s) => s.status === 'paused');
  assert.equal(timer.remaining(), paused.remaining, 'paused: the frozen remaining time');
  assert.equal(timer.endsAt, undefined);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(timer.remaining(), paused.remaining, 'still frozen');

  const extended = await admin(url, 'POST', '/timers/auction-1/extend', { by: 10_000 });
  await stateWhere(timer, (s) => s.version === extended.version);
  assert.equal(timer.remaining(), paused.remaining! + 10_000, "a paused timer's remaining grows");

  await admin(url, 'POST', '/timers/auction-1/resume');
  await stateWhere(timer, (s) => s.status === 'running');
  await admin(url, 'DELETE', '/timers/auction-1');
  await stateWhere(timer, (s) => s.status === 'cancelled');
  assert.equal(timer.remaining(), undefined, 'cancelled: nothing to count');
  assert.equal(timer.version, (await server.timers.get('auction-1')).version);
});

test('end: once per run, on the estimate of server time, never before endsAt; a restart is a new run', async (t) => {
  const { server, url } = await startClockServer({ adminToken: TOKEN });
  t.after(() => server.close());
  const clock = connectClock(url);
  t.after(() => clock.close());
  const timer = clock.timer('round');
  const ends: { endsAt: number; at: number }[] = [];
  timer.addEventListener('end', (e) => ends.push({ endsAt: e.detail.endsAt, at: clock.now() }));
  await nextState(timer);
  await synced(clock);

  const first = await server.timers.start('round', { duration: 800 });
  await stateWhere(timer, (s) => s.status === 'running');
  // An extend before the end moves it: still one end, at the new instant.
  const extended = await server.timers.extend('round', 400);
  await stateWhere(timer, (s) => s.version === extended.version);
  const [end] = await waitFor(() => (ends.length === 1 ? ends : undefined), 'the end', 5000);
  assert.ok(extended.endsAt !== null && first.endsAt !== null && extended.endsAt > first.endsAt);
  assert.equal(end.endsAt, extended.endsAt);
  const late = end.at - extended.endsAt;
  assert.ok(late >= 0 && late < 200, `fired ${late} ms after the end: not before it, and soon after`);
  assert.equal(timer.remaining(), 0);
  await stateWhere(timer, (s) => s.status === 'ended');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(ends.length, 1, 'once per run, the server saying ended too');

  const again = await server.timers.start('round', { duration: 500 });
  await waitFor(() => ends.length === 2, 'the second run to end', 5000);
  assert.equal(ends[1]?.endsAt, again.endsAt);
  const paused = await server.timers.start('round', { duration: 400 });
  await stateWhere(timer, (s) => s.version === paused.version);
  await server.timers.pause('round');
  await stateWhere(timer, (s) => s.status === 'paused');
  await new Promise((r) => setTimeout(r, 700));
  assert.equal(ends.length, 2, 'a paused run does not end');
});

test('watches again after the server restarts', async (t) => {
  const first = await startServer('demo', 0, ['--admin-token', TOKEN]);
  let current = first;
  t.after(() => stopServer(current));
  const clock = connectClock(first.url, QUICK);
  t.after(() => clock.close());
  const timer = clock.timer('after-restart');
  await nextState(timer);

  await stopServer(first);
  await waitFor(() => clock.state === 'reconnecting', 'reconnecting');
  current = await startServer('demo', first.port, ['--admin-token', TOKEN]);
  // A fresh server (its timers were in memory): the watch's acknowledgement replaces the state.
  await waitFor(() => clock.state === 'connected', 'connected again');
  const changed = nextState(timer, (s) => s.status === 'running');
  // Pushed only to the watchers of the name: this timer is one again.
  const started = await admin(current.url, 'PUT', '/timers/after-restart', { duration: 30_000 });
  assert.equal((await changed).version, started.version);
});

test('timers of one name on one connection share one watch; the last close() unwatches', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  let watches = 0;
  server.io.on('connection', (socket) =>
    socket.onAny((event: string) => {
      if (event === TIMER_WATCH_EVENT) watches++;
    }),
  );
  const before = openSubscriptions();
  const a = connectClock(url);
  const b = connectClock(url);
  t.after(() => a.close());
  t.after(() => b.close());
  const one = a.timer('shared');
  const two = b.timer('shared');
  const three = a.timer('shared');
  await Promise.all([nextState(one), nextState(two), nextState(three)]);
  assert.equal(watches, 1, 'one watch for three timers on one connection');
  assert.equal(openSubscriptions(), before + 1);
  assert.equal(watchers(server, 'shared'), 1);

  // A change reaches every one of them.
  const started = await server.timers.start('shared', { duration: 10_000 });
  const pushed = (timer: ServerTimer) => stateWhere(timer, (s) => s.version === started.version);
  await Promise.all([pushed(one), pushed(two), pushed(three)]);

  one.close();
  two.close();
  assert.equal(openSubscriptions(), before + 1, 'three still holds it');
  assert.equal(one.state?.version, started.version, 'a closed timer keeps its last state');
  // A closed timer hears no more.
  let heard = 0;
  one.addEventListener('change', () => heard++);
  await server.timers.extend('shared', 1000);
  await stateWhere(three, (s) => s.version > started.version);
  assert.equal(heard, 0);
  a.close();
  assert.equal(openSubscriptions(), before, "closing a clock closes its timers: three's too");
  await waitFor(() => watchers(server, 'shared') === 0, 'the server to see the unwatch');
  assert.equal(b.state, 'connected', 'the connection stays, for b');
});

test('error: a server without timers never acknowledges the watch', async (t) => {
  const classic = await startServer('classic');
  t.after(() => stopServer(classic));
  const clock = connectClock(classic.url, { event: 'time', timeout: 1000 });
  t.after(() => clock.close());
  const timer = clock.timer('round');
  const { detail } = await nextEvent<CustomEvent<{ error: ServerTimerError }>>(timer, 'error', 10_000);
  assert.ok(detail.error instanceof ServerTimerError);
  assert.equal(detail.error.code, 'unsupported');
  assert.equal(timer.error, detail.error);
  assert.equal(timer.status, undefined);
});

test('error: a bad name is refused here, too many by the server; neither is watched', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  const clock = connectClock(url);
  t.after(() => clock.close());
  const bad = clock.timer('no spaces, please');
  const refused = await nextEvent<CustomEvent<{ error: ServerTimerError }>>(bad, 'error');
  assert.equal(refused.detail.error.code, 'bad-name');
  assert.equal(bad.error?.code, 'bad-name');

  const before = openSubscriptions();
  const timers = Array.from({ length: 32 }, (_, i) => clock.timer(`many-${i}`));
  await Promise.all(timers.map((timer) => nextState(timer)));
  const over = clock.timer('one-too-many');
  const { detail } = await nextEvent<CustomEvent<{ error: ServerTimerError }>>(over, 'error');
  assert.equal(detail.error.code, 'too-many');
  assert.equal(over.status, undefined);
  assert.equal(openSubscriptions(), before + 33, 'held until closed');
  over.close();
  for (const timer of timers) timer.close();
  assert.equal(openSubscriptions(), before);
  assert.equal(server.io.engine.clientsCount, 1, 'the server kept the connection');
});

test('a timer of a clock without a connection fires error', async () => {
  const clock = connectClock('ftp://nowhere');
  const timer = clock.timer('round');
  const { detail } = await nextEvent<CustomEvent<{ error: ServerTimerError }>>(timer, 'error');
  assert.equal(detail.error.code, 'no-connection');
  assert.match(detail.error.message, /not an http/);
  clock.close();
});
