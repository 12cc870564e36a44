import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correct, slewedOffset, SLEW_RATE, STEP_THRESHOLD, type Slew } from './slew.js';

test('the first offset applies at once; before it there is none', () => {
  assert.equal(slewedOffset(undefined, 100), undefined);
  const slew = correct(undefined, 1234.5, 100);
  assert.equal(slewedOffset(slew, 100), 1234.5);
  assert.equal(slewedOffset(slew, 1e9), 1234.5);
});

test('a small correction is spread over time at the slew rate, then holds', () => {
  for (const gap of [STEP_THRESHOLD * 0.8, -STEP_THRESHOLD * 0.8, 3, -0.4]) {
    const start = 10_000;
    const slew = correct(correct(undefined, 500, 0), 500 + gap, start);
    const duration = Math.abs(gap) / SLEW_RATE;
    assert.equal(slewedOffset(slew, start), 500, 'nothing has moved yet');
    assert.ok(Math.abs(slewedOffset(slew, start + duration / 2) - (500 + gap / 2)) < 1e-9, 'half way at half time');
    assert.ok(Math.abs(slewedOffset(slew, start + duration) - (500 + gap)) < 1e-9, 'there at the end');
    assert.equal(slewedOffset(slew, start + duration * 10), 500 + gap, 'and stays');
  }
});

test('the shown time never runs backwards while slewing, even when the correction is negative', () => {
  const slew = correct(correct(undefined, 0, 0), -STEP_THRESHOLD, 1000);
  let previous = -Infinity;
  for (let t = 900; t < 1000 + STEP_THRESHOLD / SLEW_RATE + 200; t += 0.5) {
    const shown = t + slewedOffset(slew, t);
    assert.ok(shown > previous, `shown time went back at ${t}`);
    previous = shown;
  }
});

test('a correction larger than the step threshold steps', () => {
  const slew = correct(correct(undefined, 0, 0), STEP_THRESHOLD + 1, 5000);
  assert.equal(slewedOffset(slew, 5000), STEP_THRESHOLD + 1);
  const back = correct(slew, -3_600_000, 6000);
  assert.equal(slewedOffset(back, 6000), -3_600_000);
});

test('a new correction mid-slew starts from where the old one has got to', () => {
  const first: Slew = correct(correct(undefined, 0, 0), 100, 0);
  const at = 1000; // 50 ms into the 100 ms correction
  const reached = slewedOffset(first, at);
  assert.ok(Math.abs(reached - SLEW_RATE * at) < 1e-9);
  const second = correct(first, 20, at);
  assert.equal(slewedOffset(second, at), reached, 'no jump');
  assert.ok(Math.abs(slewedOffset(second, at + 200) - (reached - SLEW_RATE * 200)) < 1e-9, 'heads for the new target');
});

test('before a correction began, the offset it began from', () => {
  for (const gap of [40, -40]) {
    const slew = correct(correct(undefined, 500, 0), 500 + gap, 1000);
    assert.equal(slewedOffset(slew, 999), 500);
    assert.equal(slewedOffset(slew, 0), 500);
  }
});
