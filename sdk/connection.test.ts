import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconnectDelay } from './connection.js';
import { seededRandom } from '../test/samples.js';

test('reconnectDelay: the bound doubles from the base with each failed attempt, up to the cap', () => {
  const top = () => 1;
  const base = 500;
  const max = 30_000;
  for (let failures = 0; failures <= 12; failures++) {
    assert.equal(
      reconnectDelay(failures, base, max, top),
      Math.min(max, base * 2 ** failures),
      `after ${failures} failures`,
    );
    assert.equal(
      reconnectDelay(failures, base, max, () => 0),
      0,
      'full jitter reaches down to zero',
    );
  }
  assert.equal(reconnectDelay(0, base, max, top), base, 'the first retry waits up to the base');
});

test('reconnectDelay: full jitter spreads clients across the whole window, also past the cap', () => {
  const random = seededRandom(42);
  const max = 30_000;
  // A thousand clients on their 20th attempt: far past the cap, where a clamped backoff bunches them up.
  const delays = Array.from({ length: 1000 }, () => reconnectDelay(19, 500, max, random));
  assert.ok(delays.every((d) => d >= 0 && d < max));
  const buckets = new Array(10).fill(0);
  for (const d of delays) buckets[Math.floor((d / max) * 10)]++;
  // Uniform: each tenth of the window gets about 100; none is crowded or empty.
  assert.ok(
    buckets.every((n) => n > 60 && n < 140),
    `per tenth of the window: ${buckets.join(' ')}`,
  );
});
