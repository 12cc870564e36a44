import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createLogger } from './logger.js';
import { preciseNow } from './precise-time.js';
import { createClusterClock, estimateOffset, preferredMeasurement, timeReplyMs } from './cluster-clock.js';
import { startRedis, type RunningRedis } from '../test/redis.mjs';

test("TIME's seconds and microseconds are epoch ms", () => {
  assert.equal(timeReplyMs(['1796159383', '451917']), 1796159383451.917);
});

test('the fastest round trip decides: its midpoint is the offset, half of it the uncertainty', () => {
  const estimate = estimateOffset([
    { t0: 0, time: 1010, t3: 30 },
    { t0: 100, time: 1101, t3: 102 },
    { t0: 200, time: 1250, t3: 210 },
  ])!;
  assert.ok(Math.abs(estimate.offset - 1000) < 0.01);
  assert.ok(estimate.uncertainty >= 1 && estimate.uncertainty < 1.01);
  assert.equal(estimateOffset([]), undefined);
});

test('a wider measurement that agrees with the last one is passed over; one that disagrees is taken', () => {
  const quiet = { offset: 0.3, uncertainty: 0.2, at: 0 };
  // 15 s later, while the event loop was busy: round trips of 32 ms, read 16 ms late.
  const busy = { offset: -15.6, uncertainty: 16, at: 15_000 };
  assert.equal(preferredMeasurement(undefined, busy), busy);
  assert.equal(preferredMeasurement(quiet, busy), quiet);
  // A narrower one is taken, and so is one whose range does not reach the last one's: the node's clock moved.
  const sharp = { offset: 0.1, uncertainty: 0.1, at: 15_000 };
  assert.equal(preferredMeasurement(quiet, sharp), sharp);
  const stepped = { offset: 99, uncertainty: 16, at: 15_000 };
  assert.equal(preferredMeasurement(quiet, stepped), stepped);
  // The last one widens by 100 ppm of drift a ms: after 200 s it is ± 20.2 ms, wider than the busy one.
  assert.equal(preferredMeasurement(quiet, { ...busy, at: 200_000 }).at, 200_000);
});

let redis: RunningRedis;
let client: Redis;
before(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  client.on('error', () => undefined);
});
after(async () => {
  await client.quit();
  await redis.close();
});

test('a node steps onto Redis once, then slews a change of its clock: never backwards, at most 5 %', async () => {
  let skew = 250;
  const clusterClock = createClusterClock({
    redis: client,
    clock: () => preciseNow() + skew,
    logger: createLogger('silent'),
    registry: new Registry(),
  });
  try {
    assert.equal(await clusterClock.start(), true);
    assert.ok(Math.abs(clusterClock.offset() + 250) < 5, `offset ${clusterClock.offset()}`);
    assert.ok(clusterClock.uncertainty() < 5);
    assert.ok(Math.abs(clusterClock.now() - preciseNow()) < 5);

    // The node's clock jumps back 100 ms: it must keep serving forward, catching up at ≤ 5 %.
    skew = 150;
    const before = clusterClock.now();
    assert.equal(await clusterClock.measure(), true);
    let last = before;
    const start = performance.now();
    while (performance.now() - start < 200) {
      const now = clusterClock.now();
      assert.ok(now >= last, 'never backwards');
      last = now;
      await new Promise((r) => setTimeout(r, 5));
    }
    const elapsed = performance.now() - start;
    const slewed = Math.abs(clusterClock.offset() + 250);
    assert.ok(slewed <= 0.05 * (elapsed + 50) + 1, `slewed ${slewed} ms in ${elapsed} ms`);
    assert.ok(clusterClock.uncertainty() > 50, 'the part still to slew counts as uncertainty');
  } finally {
    clusterClock.close();
  }
});

test('a node keeps its correction through a measurement taken while it was busy, not through a step of its clock', async () => {
  // The node's clock as a busy event loop reads it: every answer seen 40 ms late (a round trip reads
  // the clock twice, t0 then t3: the second of each pair is late).
  let busy = false;
  let reads = 0;
  let skew = 0;
  const clusterClock = createClusterClock({
    redis: client,
    clock: () => preciseNow() + skew + (busy && reads++ % 2 === 1 ? 40 : 0),
    logger: createLogger('silent'),
    registry: new Registry(),
  });
  try {
    assert.equal(await clusterClock.start(), true);
    const offset = clusterClock.offset();
    assert.ok(clusterClock.uncertainty() < 5, `uncertainty ${clusterClock.uncertainty()}`);

    busy = true;
    assert.equal(await clusterClock.measure(), true);
    assert.equal(clusterClock.offset(), offset, 'the busy measurement is passed over');
    assert.ok(clusterClock.uncertainty() < 5, `uncertainty ${clusterClock.uncertainty()}`);

    // The node's clock steps back 100 ms: the busy measurement (about +80 ± 20 ms) disagrees with the
    // last one (about 0), and is taken: the node heads for it.
    skew = -100;
    reads = 0;
    assert.equal(await clusterClock.measure(), true);
    assert.ok(clusterClock.uncertainty() > 50, `uncertainty ${clusterClock.uncertainty()}`);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(clusterClock.offset() > offset + 1, `offset ${clusterClock.offset()}`);
  } finally {
    clusterClock.close();
  }
});

test('Redis gone: the node keeps its correction and says so', async () => {
  const clusterClock = createClusterClock({
    redis: client,
    clock: () => preciseNow() - 40,
    logger: createLogger('silent'),
    registry: new Registry(),
  });
  try {
    await clusterClock.start();
    const offset = clusterClock.offset();
    await redis.stop();
    assert.equal(await clusterClock.measure(), false);
    assert.equal(clusterClock.measuring(), false);
    assert.equal(clusterClock.offset(), offset);
    await redis.restart();
  } finally {
    clusterClock.close();
  }
});
