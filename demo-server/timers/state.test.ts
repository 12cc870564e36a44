import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TimerState } from '../../sdk/protocol.js';
import {
  cancel,
  endIfDue,
  extend,
  idleState,
  isRefusal,
  nextVersion,
  pause,
  resume,
  start,
  type Refusal,
} from './state.js';

const T0 = 1_800_000_000_000;

function ok(outcome: TimerState | Refusal): TimerState {
  assert.ok(!isRefusal(outcome), `refused: ${isRefusal(outcome) ? outcome.message : ''}`);
  return outcome;
}

function refused(outcome: TimerState | Refusal, code: Refusal['refusal']) {
  assert.ok(isRefusal(outcome), `not refused: ${JSON.stringify(outcome)}`);
  assert.equal(outcome.refusal, code, outcome.message);
}

const running = ok(start(idleState('a'), T0 + 10_000, T0));

test('start: from any status to running, a deadline in the past or not a time refused (bad-request)', () => {
  assert.deepEqual(running, {
    name: 'a',
    status: 'running',
    endsAt: T0 + 10_000,
    remaining: null,
    version: T0 * 1000,
    updatedAt: T0,
  });
  const ended = ok(endIfDue(running, T0 + 10_000));
  assert.equal(ok(start(ended, T0 + 20_000, T0 + 10_001)).endsAt, T0 + 20_000);
  assert.equal(ok(start(running, T0 + 5_000, T0 + 1)).endsAt, T0 + 5_000, 'a restart');
  refused(start(idleState('a'), T0, T0), 'bad-request');
  refused(start(idleState('a'), T0 - 1, T0), 'bad-request');
  refused(start(idleState('a'), NaN, T0), 'bad-request');
  refused(start(idleState('a'), 9e15, T0), 'bad-request');
});

test('pause keeps the time left; resume ends it that much after now', () => {
  const paused = ok(pause(running, T0 + 4_000));
  assert.equal(paused.status, 'paused');
  assert.equal(paused.remaining, 6_000);
  assert.equal(paused.endsAt, null);
  const resumed = ok(resume(paused, T0 + 60_000));
  assert.equal(resumed.status, 'running');
  assert.equal(resumed.endsAt, T0 + 66_000);
  assert.equal(resumed.remaining, null);
});

test('extend moves a running deadline, grows a paused remaining, refuses bad amounts', () => {
  assert.equal(ok(extend(running, 500, T0 + 1)).endsAt, T0 + 10_500);
  const paused = ok(pause(running, T0 + 4_000));
  assert.equal(ok(extend(paused, 1_000, T0 + 5_000)).remaining, 7_000);
  for (const by of [0, -1, NaN, Infinity]) refused(extend(running, by, T0 + 1), 'bad-request');
  refused(extend(running, 9e15, T0 + 1), 'bad-request');
});

test('an action on an idle timer is not-found; impossible transitions are conflicts', () => {
  const idle = idleState('a');
  for (const outcome of [extend(idle, 1, T0), pause(idle, T0), resume(idle, T0), cancel(idle, T0)]) {
    refused(outcome, 'not-found');
  }
  refused(resume(running, T0 + 1), 'conflict');
  const paused = ok(pause(running, T0 + 1));
  refused(pause(paused, T0 + 2), 'conflict');
  const ended = ok(endIfDue(running, T0 + 10_000));
  for (const outcome of [extend(ended, 1, T0 + 10_001), pause(ended, T0), resume(ended, T0), cancel(ended, T0)]) {
    refused(outcome, 'conflict');
  }
  const cancelled = ok(cancel(paused, T0 + 3));
  assert.equal(cancelled.status, 'cancelled');
  refused(extend(cancelled, 1, T0 + 4), 'conflict');
  refused(cancel(cancelled, T0 + 4), 'conflict');
});

test('a running timer past its deadline counts as ended before it is written so', () => {
  refused(extend(running, 1_000, T0 + 10_000), 'conflict');
  refused(pause(running, T0 + 10_001), 'conflict');
  refused(cancel(running, T0 + 10_001), 'conflict');
});

test('endIfDue ends a running timer at or after its deadline only: one winner per run', () => {
  refused(endIfDue(running, T0 + 9_999), 'conflict');
  const ended = ok(endIfDue(running, T0 + 10_000));
  assert.equal(ended.status, 'ended');
  assert.equal(ended.endsAt, null);
  refused(endIfDue(ended, T0 + 10_001), 'conflict');
  refused(endIfDue(ok(pause(running, T0)), T0 + 20_000), 'conflict');
  refused(endIfDue(idleState('a'), T0), 'conflict');
});

test('versions: the clock in µs, and always one more than before', () => {
  assert.equal(nextVersion(0, T0 + 0.0015), (T0 + 0.001) * 1000);
  assert.equal(nextVersion(T0 * 1000 + 5, T0), T0 * 1000 + 6, 'a clock behind the last change');
  const again = ok(extend(running, 1, T0));
  assert.equal(again.version, running.version + 1, 'two changes within one µs');
  // Forgotten (expired): a fresh idle state's version is 0, and the next start is the clock's again.
  assert.ok(ok(start(idleState('a'), T0 + 20_000, T0 + 1)).version > running.version);
});
