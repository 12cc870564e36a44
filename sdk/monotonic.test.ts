import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clockResolution, monotonicNow } from './monotonic.js';

test('clockResolution: the smallest step a clock reads in, measured once per clock', () => {
  // Node's performance.now() moves by far less than a microsecond (the epoch-like sum's own float
  // spacing, about 0.24 µs at 1.8e12 ms, is the finest it can read); what is seen is the time
  // between two reads, about 1.5 µs on a busy machine: far finer than any browser's clock.
  assert.ok(clockResolution(monotonicNow) < 0.01, `${clockResolution(monotonicNow)}`);
  // A busy machine may take the probe off its core across each step's edge, and it then sees two
  // steps as one (a coarser clock: the uncertainty only grows). The least of three clocks alike,
  // each measured on its own, is the step itself.
  const leastOf = (clock: () => number) => Math.min(...[1, 2, 3].map(() => clockResolution(() => clock())));
  assert.equal(
    leastOf(() => Math.ceil(monotonicNow())),
    1,
  );
  const tenthMs = leastOf(() => Math.floor(performance.now() * 10) / 10);
  assert.ok(Math.abs(tenthMs - 0.1) < 1e-9, `${tenthMs}`);
  // Measured once: a clock that has since stopped keeps its resolution.
  let stopped = false;
  const stopping = () => (stopped ? 5 : Math.ceil(monotonicNow()));
  const measured = clockResolution(stopping);
  assert.ok(measured >= 1 && measured < 100, `${measured}`);
  stopped = true;
  assert.equal(clockResolution(stopping), measured);
});

test('clockResolution: a clock that does not move, or goes back, is taken to be 100 ms coarse', () => {
  assert.equal(
    clockResolution(() => 42),
    100,
  );
  let t = 1e6;
  assert.equal(
    clockResolution(() => (t -= 1)),
    100,
  );
});
