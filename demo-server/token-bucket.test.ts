import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from './token-bucket.js';

function takeAll(bucket: TokenBucket, now: number, tries = 100): number {
  let taken = 0;
  for (let i = 0; i < tries; i++) if (bucket.take(now)) taken++;
  return taken;
}

test('allows a burst up to its capacity, then refuses', () => {
  const bucket = new TokenBucket(5, 1, 0);
  assert.equal(takeAll(bucket, 0), 5);
  assert.equal(bucket.take(0), false);
});

test('refills at its rate, never beyond its capacity', () => {
  const bucket = new TokenBucket(5, 2, 0);
  takeAll(bucket, 0);
  assert.equal(bucket.take(400), false, '0.8 of a token after 400 ms');
  assert.equal(bucket.take(500), true, 'one token after 500 ms');
  assert.equal(takeAll(bucket, 1500), 2, 'two more a second later');
  assert.equal(takeAll(bucket, 3_600_000), 5, 'an hour idle refills to capacity only');
});

test('a clock going backwards neither refills nor drains', () => {
  const bucket = new TokenBucket(2, 1, 10_000);
  assert.equal(bucket.take(10_000), true);
  assert.equal(bucket.take(5_000), true);
  assert.equal(bucket.take(5_000), false);
  assert.equal(bucket.take(6_000), true, 'refills from the later reading on');
});

test('rejects a bucket that could never grant', () => {
  assert.throws(() => new TokenBucket(0, 1, 0), RangeError);
  assert.throws(() => new TokenBucket(1, 0, 0), RangeError);
  assert.throws(() => new TokenBucket(Number.NaN, 1, 0), RangeError);
});
