// The rules a ServerTimer follows, as pure functions: which state it takes, and when a run ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptState, nextRun } from './timer.js';
import type { TimerState } from './protocol.js';

const state = (fields: Partial<TimerState>): TimerState => ({
  name: 'round',
  status: 'idle',
  endsAt: null,
  remaining: null,
  version: 1,
  updatedAt: 0,
  ...fields,
});

test('a pushed state is taken only if newer by version; an acknowledgement always', () => {
  const held = state({ version: 5 });
  assert.equal(acceptState(undefined, state({ version: 1 }), false), true, 'the first state');
  assert.equal(acceptState(held, state({ version: 6 }), false), true, 'newer');
  assert.equal(acceptState(held, state({ version: 5 }), false), false, 'the same version');
  assert.equal(acceptState(held, state({ version: 4 }), false), false, 'older');
  assert.equal(acceptState(held, state({ version: 4 }), true), true, 'an acknowledgement, even older');
});

test('a run: running starts one, an extend after its end into the future starts another', () => {
  const running = (endsAt: number) => state({ status: 'running', endsAt });
  const first = nextRun(undefined, running(1000), 500);
  assert.deepEqual(first, { endsAt: 1000, ended: false });
  assert.deepEqual(nextRun(first, running(2000), 500), { endsAt: 2000, ended: false }, 'an extend before the end');
  const ended = { endsAt: 1000, ended: true };
  assert.deepEqual(nextRun(ended, running(3000), 1500), { endsAt: 3000, ended: false }, 'into the future: a new run');
  assert.deepEqual(nextRun(ended, running(1200), 1500), { endsAt: 1200, ended: true }, 'still past: the same run');
  assert.deepEqual(nextRun(ended, running(3000), undefined), { endsAt: 3000, ended: true }, 'no estimate: not known');
});

test("a run: the server's `ended` keeps it going to its end here; pause, cancel and idle stop it", () => {
  const pending = { endsAt: 1000, ended: false };
  assert.equal(nextRun(pending, state({ status: 'ended' }), 990), pending, 'ends on our estimate, never earlier');
  assert.equal(nextRun(undefined, state({ status: 'ended' }), 990), undefined, 'ended before we watched: no end');
  assert.equal(nextRun(pending, state({ status: 'paused', remaining: 10 }), 990), undefined);
  assert.equal(nextRun(pending, state({ status: 'cancelled' }), 990), undefined);
  assert.equal(nextRun(pending, state({ status: 'idle' }), 990), undefined);
});
