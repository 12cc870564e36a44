import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket, type TokenBucketState } from './protocol.js';

/** One bucket: the shared rules bound to a state of its own, full as of `now`. */
function bucketOf(capacity: number, refillPerSecond: number, now: number) {
  const rules = new TokenBucket(capacity, refillPerSecond);
  const state: TokenBucketState = rules.fill({}, now);
  return { take: (at: number) => rules.take(state, at), state };
}

function takeAll(bucket: { take(now: number): boolean }, now: number, tries = 100): number {
  let taken = 0;
  for (let i = 0; i < tries; i++) if (bucket.take(now)) taken++;
  return taken;
}

test('allows a burst up to its capacity, then refuses', () => {
  const bucket = bucketOf(5, 1, 0);
  assert.equal(takeAll(bucket, 0), 5);
  assert.equal(bucket.take(0), false);
});

test('refills at its rate, never beyond its capacity', () => {
  const bucket = bucketOf(5, 2, 0);
  takeAll(bucket, 0);
  assert.equal(bucket.take(400), false, '0.8 of a token after 400 ms');
  assert.equal(bucket.take(500), true, 'one token after 500 ms');
  assert.equal(takeAll(bucket, 1500), 2, 'two more a second later');
  assert.equal(takeAll(bucket, 3_600_000), 5, 'an hour idle refills to capacity only');
});

test('a clock going backwards neither refills nor drains', () => {
  const bucket = bucketOf(2, 1, 10_000);
  assert.equal(bucket.take(10_000), true);
  assert.equal(bucket.take(5_000), true);
  assert.equal(bucket.take(5_000), false);
  assert.equal(bucket.take(6_000), true, 'refills from the later reading on');
});

test('buckets sharing the rules keep their own tokens', () => {
  const rules = new TokenBucket(2, 1);
  const a = rules.fill({}, 0);
  const b = rules.fill({}, 0);
  assert.equal(rules.take(a, 0), true);
  assert.equal(rules.take(a, 0), true);
  assert.equal(rules.take(a, 0), false);
  assert.equal(rules.take(b, 0), true, 'b is still full');
  assert.deepEqual(b, { tokens: 1, updated: 0 });
});

test('rejects a bucket that could never grant', () => {
  assert.throws(() => new TokenBucket(0, 1), RangeError);
  assert.throws(() => new TokenBucket(1, 0), RangeError);
  assert.throws(() => new TokenBucket(Number.NaN, 1), RangeError);
});
