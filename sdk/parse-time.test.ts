import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { parsePushedTime } from './parse-time.js';

// Half a millisecond past a whole one: epoch numbers can be finer than Date.now().
const t = Date.UTC(2026, 10, 25, 18, 13, 2, 345) + 0.5;
const wholeSecond = Math.floor(t / 1000) * 1000;

test('epoch milliseconds, as numbers or digits: whole ones are 1 ms coarse, finer ones exact', () => {
  assert.deepEqual(parsePushedTime(Math.floor(t), 0), { time: Math.floor(t), resolution: 1 });
  assert.deepEqual(parsePushedTime(t, 0), { time: t, resolution: 0 });
  assert.deepEqual(parsePushedTime(String(Math.floor(t)), 0), { time: Math.floor(t), resolution: 1 });
  assert.deepEqual(parsePushedTime(` ${t} `, 0), { time: t, resolution: 0 });
});

test('numbers that are not a plausible epoch-milliseconds clock are refused', () => {
  for (const value of [0, 1_700_000_000, -t, NaN, Infinity, '12', '']) {
    assert.equal(parsePushedTime(value, t), undefined, JSON.stringify(value));
  }
});

test('ISO 8601: the fraction given sets the resolution', () => {
  const iso = new Date(t).toISOString();
  assert.deepEqual(parsePushedTime(iso, 0), { time: Math.floor(t), resolution: 1 });
  assert.deepEqual(parsePushedTime(iso.replace(/\.\d+Z$/, 'Z'), 0), { time: wholeSecond, resolution: 1000 });
  assert.deepEqual(parsePushedTime(iso.replace(/(\.\d)\d+Z$/, '$1Z'), 0), { time: wholeSecond + 300, resolution: 100 });
  assert.deepEqual(parsePushedTime(iso.replace(/Z$/, '+00:00'), 0), { time: Math.floor(t), resolution: 1 });
});

test('Date#toString(): whole seconds, in any time zone', () => {
  assert.deepEqual(parsePushedTime(new Date(t).toString(), 0), { time: wholeSecond, resolution: 1000 });
  // 19:13:02 at UTC+1 is 18:13:02 UTC.
  assert.deepEqual(parsePushedTime('Wed Nov 25 2026 19:13:02 GMT+0100 (Central European Standard Time)', 0), {
    time: wholeSecond,
    resolution: 1000,
  });
});

test('Date#toTimeString(): the day is the one nearest the reference', () => {
  assert.deepEqual(parsePushedTime(new Date(t).toTimeString(), t + 3 * 3600_000), {
    time: wholeSecond,
    resolution: 1000,
  });
  assert.deepEqual(parsePushedTime('23:43:02 GMT+0530 (India Standard Time)', t - 5 * 3600_000), {
    time: wholeSecond,
    resolution: 1000,
  });
  assert.deepEqual(parsePushedTime('08:13:02 GMT-1000 (Hawaii-Aleutian Standard Time)', t), {
    time: wholeSecond,
    resolution: 1000,
  });
  // Just before midnight UTC, read just after it: yesterday; and the other way round.
  const lateEvening = Date.UTC(2026, 0, 1, 23, 59, 59);
  assert.equal(
    parsePushedTime('23:59:59 GMT+0000 (Coordinated Universal Time)', lateEvening + 2500)?.time,
    lateEvening,
  );
  assert.equal(
    parsePushedTime('00:00:01 GMT+0000 (Coordinated Universal Time)', lateEvening - 1000)?.time,
    lateEvening + 2000,
  );
});

test('Date#toTimeString() needs a reference, and a real time of day', () => {
  assert.equal(parsePushedTime('18:13:02 GMT+0000 (Coordinated Universal Time)', NaN), undefined);
  assert.equal(parsePushedTime('25:13:02 GMT+0000 (Coordinated Universal Time)', t), undefined);
  assert.equal(parsePushedTime('18:61:02 GMT+0000', t), undefined);
});

test('anything else is refused', () => {
  for (const value of [
    'soon',
    'Invalid Date',
    '1999-12-31T23:59:59Z',
    'x'.repeat(300),
    null,
    undefined,
    {},
    [t],
    true,
  ]) {
    assert.equal(parsePushedTime(value, t), undefined, inspect(value).slice(0, 40));
  }
});
