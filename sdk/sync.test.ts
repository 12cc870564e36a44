import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_DRIFT, linkJitter, type Estimate, type SyncSample } from './offset-estimator.js';
import { SETTLED_DRIFT, resyncsBackOff } from './sync.js';
import { sample, seededRandom, serverClock } from '../test/samples.js';

/** `count` exchanges 15 s apart, each leg's delay drawn by `leg`. */
function overLink(leg: () => number, count = 16): SyncSample[] {
  return Array.from({ length: count }, (_, i) =>
    sample(serverClock(-1234.5), { t0: 1_000_000 + i * 15_000, out: leg(), back: leg() }),
  );
}

/** An estimate whose drift is known to `uncertainty` (the rest does not matter here). */
const withDrift = (uncertainty: number): Estimate => ({
  offset: -1234.5,
  uncertainty: 1,
  at: 1_000_000,
  samples: 16,
  drift: { rate: 0, uncertainty },
});

test('resyncs back off once the drift is known over a steady link, not over a jittery one', () => {
  const random = seededRandom(11);
  // A LAN: each leg 0.3–0.8 ms. The bench's uniform link: 40 ± 5 ms each way.
  const lan = overLink(() => 0.3 + 0.5 * random());
  const jittery = overLink(() => 35 + 10 * random());
  const known = withDrift(SETTLED_DRIFT / 2);
  assert.equal(resyncsBackOff(known, lan), true, 'a LAN, drift known');
  assert.equal(resyncsBackOff(known, jittery), false, 'a link of 40 ± 5 ms, drift known');
  assert.equal(resyncsBackOff({ ...known, drift: UNKNOWN_DRIFT }, lan), false, 'drift not known');
  assert.equal(resyncsBackOff(withDrift(SETTLED_DRIFT * 2), lan), false, 'drift known to 20 ppm only');
});

test('a clock that connected with a crowd: its queued first bursts do not keep its resyncs from backing off', () => {
  const random = seededRandom(12);
  // A LAN, but most legs of the first 24 exchanges (the burst on connect and four resyncs) wait up
  // to 300 ms behind the crowd's traffic; then 12 exchanges of three quiet resyncs.
  let legs = 0;
  const samples = overLink(() => 0.3 + 0.5 * random() + (legs++ < 48 && random() < 0.85 ? 300 * random() : 0), 36);
  assert.ok(linkJitter(samples.slice(0, 24)) > 2, 'the first bursts alone: jittery');
  assert.equal(resyncsBackOff(withDrift(SETTLED_DRIFT / 2), samples), true);
});
