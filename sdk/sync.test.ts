import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_DRIFT, estimateFromSync, linkJitter, type Drift, type SyncSample } from './offset-estimator.js';
import { SETTLED_DRIFT, nextResync, samplesAfter } from './sync.js';
import { sample, seededRandom, serverClock } from '../test/samples.js';

/** `count` exchanges 15 s apart, each leg's delay drawn by `leg`. */
function overLink(leg: () => number, count = 16): SyncSample[] {
  return Array.from({ length: count }, (_, i) =>
    sample(serverClock(-1234.5), { t0: 1_000_000 + i * 15_000, out: leg(), back: leg() }),
  );
}

/** A drift known to `uncertainty`. */
const known = (uncertainty: number): Drift => ({ rate: 0, uncertainty });

// The clock's defaults.
const settings = { samples: 8, resyncInterval: 240_000 };

test('resyncs back off once the drift is known over a steady link, not over a jittery one', () => {
  const random = seededRandom(11);
  // A LAN: each leg 0.3–0.8 ms. The bench's uniform link: 40 ± 5 ms each way.
  const lan = overLink(() => 0.3 + 0.5 * random());
  const jittery = overLink(() => 35 + 10 * random());
  assert.deepEqual(nextResync(known(SETTLED_DRIFT / 2), lan, settings), { exchanges: 2, longest: 240_000 }, 'a LAN');
  const jittery4 = { exchanges: 4, longest: 60_000 };
  assert.deepEqual(nextResync(known(SETTLED_DRIFT / 2), jittery, settings), jittery4, '40 ± 5 ms, drift known');
  // Over a LAN a few fresh exchanges are enough for the offset: 2 a resync, a minute apart at most.
  const lan2 = { exchanges: 2, longest: 60_000 };
  assert.deepEqual(nextResync(UNKNOWN_DRIFT, lan, settings), lan2, 'drift not known');
  assert.deepEqual(nextResync(known(SETTLED_DRIFT * 2), lan, settings), lan2, 'drift known to 20 ppm only');
  const often = { samples: 8, resyncInterval: 30_000 };
  assert.deepEqual(nextResync(known(SETTLED_DRIFT / 2), lan, often), { exchanges: 2, longest: 30_000 });
  assert.deepEqual(nextResync(UNKNOWN_DRIFT, lan, often), { exchanges: 2, longest: 30_000 }, 'never past the interval');
});

test('over a jittery link, resyncs at most 15 s apart until the samples span 3 minutes or fill the window', () => {
  const random = seededRandom(13);
  const leg = () => 35 + 10 * random();
  // 12 exchanges 15 s apart span 2 ¾ minutes; 13, 3 minutes.
  assert.deepEqual(nextResync(UNKNOWN_DRIFT, overLink(leg, 12), settings), { exchanges: 4, longest: 15_000 });
  assert.deepEqual(nextResync(UNKNOWN_DRIFT, overLink(leg, 13), settings), { exchanges: 4, longest: 60_000 });
  // Bursts of 40 fill the window of 64 samples in about a minute: then a minute apart.
  const large = { samples: 80, resyncInterval: 240_000 };
  const full = Array.from({ length: 64 }, (_, i) =>
    sample(serverClock(-1234.5), { t0: 1_000_000 + i * 1000, out: leg(), back: leg() }),
  );
  assert.deepEqual(nextResync(UNKNOWN_DRIFT, full.slice(1), large), { exchanges: 40, longest: 15_000 });
  assert.deepEqual(nextResync(UNKNOWN_DRIFT, full, large), { exchanges: 40, longest: 60_000 });
  // A LAN's offset rests on any fresh exchange: up to a minute apart until its drift is known.
  const lan = overLink(() => 0.3 + 0.5 * random(), 4);
  assert.deepEqual(nextResync(UNKNOWN_DRIFT, lan, settings), { exchanges: 2, longest: 60_000 });
});

test('a clock that connected with a crowd: its queued first bursts do not keep its resyncs from backing off', () => {
  const random = seededRandom(12);
  // A LAN, but most legs of the first 24 exchanges (the burst on connect and four resyncs) wait up
  // to 300 ms behind the crowd's traffic; then 12 exchanges of three quiet resyncs.
  let legs = 0;
  const samples = overLink(() => 0.3 + 0.5 * random() + (legs++ < 48 && random() < 0.85 ? 300 * random() : 0), 36);
  assert.ok(linkJitter(samples.slice(0, 24)) > 2, 'the first bursts alone: jittery');
  assert.deepEqual(nextResync(known(SETTLED_DRIFT / 2), samples, settings), { exchanges: 2, longest: 240_000 });
});

test('samples set aside while the drift was known are dropped; while it was unknown, kept', () => {
  const random = seededRandom(3);
  const leg = () => 0.1 + 0.5 * random();
  // A minute of exchanges, then the server's clock 5 ms back: the newest set the older aside.
  const exchanges = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i * 5_000);
  const older = exchanges(1_000_000, 12).map((t0) => sample(serverClock(42), { t0, out: leg(), back: leg() }));
  const newer = exchanges(1_060_000, 3).map((t0) => sample(serverClock(37), { t0, out: leg(), back: leg() }));
  const before = estimateFromSync(older);
  const estimate = estimateFromSync([...older, ...newer]);
  assert.ok(before && estimate);
  assert.equal(estimate.superseded, older.length);
  assert.ok(before.drift.uncertainty < UNKNOWN_DRIFT.uncertainty, 'the drift was known before');
  assert.deepEqual(samplesAfter([...older, ...newer], estimate, before), newer);
  // A drift beyond the bound sets old samples aside too until it is measured: they are kept.
  const unknown = { ...before, drift: UNKNOWN_DRIFT };
  assert.deepEqual(samplesAfter([...older, ...newer], estimate, unknown), [...older, ...newer]);
  assert.deepEqual(samplesAfter([...older, ...newer], estimate, undefined), [...older, ...newer]);
  // Nothing set aside, nothing dropped.
  assert.deepEqual(samplesAfter(older, before, before), older);
});
