import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DRIFT_BOUND,
  estimateFromPushes,
  estimateFromSync,
  type PushSample,
  type SyncSample,
} from './offset-estimator.js';
import { sample, seededRandom, serverClock, type Exchange } from '../test/samples.js';

const EPS = 1e-9;

/** NTP's offset of one exchange alone: the midpoint of its interval. */
const ntpOffset = ([t0, t1, t2, t3]: SyncSample) => (t1 - t0 + (t2 - t3)) / 2;

/** Exchanges one `period` apart from `start`, with delays drawn by `delays`. */
function exchanges(
  count: number,
  delays: (i: number) => { out: number; back: number },
  period = 1000,
  start = 1_000_000,
): Exchange[] {
  return Array.from({ length: count }, (_, i) => ({ t0: start + i * period, ...delays(i) }));
}

/**
 * Without drift, the intervals [t2 − t3, t1 − t0] are [offset − back, offset + out], each widened
 * by the drift bound for its age; the estimate is the midpoint of their intersection.
 */
function expectedWithoutDrift(offset: number, list: Exchange[]) {
  const samples = list.map((e) => sample(serverClock(offset), e));
  const at = Math.max(...samples.map(([, , , t3]) => t3));
  const widen = samples.map(([, , , t3]) => DRIFT_BOUND * (at - t3));
  const lo = Math.max(...list.map((e, i) => offset - e.back - widen[i]));
  const hi = Math.min(...list.map((e, i) => offset + e.out + widen[i]));
  const bestRtt = Math.min(...list.map((e) => e.out + e.back));
  return { offset: (lo + hi) / 2, uncertainty: Math.max((hi - lo) / 2, bestRtt / 2) };
}

test('one exchange alone: the NTP offset, and its round trip less the processing', () => {
  const s = sample(serverClock(-1234.5), { t0: 5000, out: 12, back: 8, processing: 0.5 });
  const est = estimateFromSync([s]);
  assert.ok(est);
  assert.ok(Math.abs(est.rtt - 20) < EPS, 'round trip less processing');
  assert.ok(Math.abs(est.offset - (-1234.5 + (12 - 8) / 2)) < EPS, 'off by half the asymmetry');
  assert.ok(Math.abs(est.offset - ntpOffset(s)) < EPS);
  assert.ok(Math.abs(est.uncertainty - 10) < EPS, 'half the round trip');
  assert.equal(est.at, s[3]);
  assert.equal(est.samples, 1);
});

test('symmetric delays: the offset exactly, uncertainty half the round trip', () => {
  const offset = 3_723_456.789;
  const list = exchanges(8, () => ({ out: 20, back: 20 }));
  const est = estimateFromSync(list.map((e) => sample(serverClock(offset), e)));
  assert.ok(est);
  assert.ok(Math.abs(est.offset - offset) < 1e-6, `offset ${est.offset}`);
  assert.ok(Math.abs(est.rtt - 40) < 1e-6);
  assert.ok(Math.abs(est.uncertainty - 20) < 1e-6);
  assert.equal(est.samples, 8);
});

test('outliers with long delays fall away: the fastest legs set the estimate', () => {
  const random = seededRandom(7);
  const offset = -52_000.25;
  // A rough link: 10 ms base, an exponential tail (mean 30 ms), and 10% of packets held 150 ms more.
  const leg = () => 10 - 30 * Math.log(1 - random()) + (random() < 0.1 ? 150 : 0);
  const list = exchanges(32, () => ({ out: leg(), back: leg() }));
  const est = estimateFromSync(list.map((e) => sample(serverClock(offset), e)));
  const expected = expectedWithoutDrift(offset, list);
  assert.ok(est);
  assert.ok(Math.abs(est.offset - expected.offset) < 1e-6, `offset ${est.offset}, expected ${expected.offset}`);
  assert.ok(Math.abs(est.uncertainty - expected.uncertainty) < 1e-6);
  assert.ok(Math.abs(est.offset - offset) <= est.uncertainty, 'the truth is within the uncertainty');
  const naive = list.reduce((sum, e) => sum + ntpOffset(sample(serverClock(offset), e)), 0) / list.length;
  assert.ok(Math.abs(est.offset - offset) < Math.abs(naive - offset), 'better than averaging every sample');
});

test('asymmetric delay: off by half the asymmetry, and the uncertainty says so', () => {
  const random = seededRandom(11);
  const offset = 1500;
  const list = exchanges(16, () => ({ out: 30 + random(), back: 10 + random() }));
  const est = estimateFromSync(list.map((e) => sample(serverClock(offset), e)));
  const expected = expectedWithoutDrift(offset, list);
  assert.ok(est);
  assert.ok(Math.abs(est.offset - expected.offset) < 1e-6, `offset ${est.offset}, expected ${expected.offset}`);
  // No method can see asymmetry: the error is real, but bounded by what we claim.
  assert.ok(Math.abs(est.offset - offset) > 5);
  assert.ok(Math.abs(est.offset - offset) <= est.uncertainty);
});

test('drift: over ten minutes the truth at the newest sample stays within the uncertainty', () => {
  for (const ppm of [-80, 0, 80]) {
    const random = seededRandom(ppm + 100);
    const server = serverClock(250, ppm, 1_000_000);
    const list = exchanges(60, () => ({ out: 5 + 10 * random(), back: 5 + 10 * random() }), 10_000);
    const samples = list.map((e) => sample(server, e));
    const est = estimateFromSync(samples);
    assert.ok(est);
    const truth = server(est.at) - est.at;
    assert.equal(est.at, Math.max(...samples.map(([, , , t3]) => t3)));
    assert.ok(
      Math.abs(est.offset - truth) <= est.uncertainty,
      `${ppm} ppm: error ${est.offset - truth}, uncertainty ${est.uncertainty}`,
    );
    assert.ok(est.samples > 1, `${ppm} ppm: older samples still count (${est.samples})`);
  }
});

test('a stepped server clock: older samples that disagree are dropped', () => {
  const before = exchanges(10, () => ({ out: 10, back: 10 }));
  const after = exchanges(6, () => ({ out: 12, back: 9 }), 1000, 1_000_000 + 10 * 1000);
  const samples = [...before.map((e) => sample(serverClock(0), e)), ...after.map((e) => sample(serverClock(500), e))];
  const est = estimateFromSync(samples);
  assert.ok(est);
  assert.equal(est.samples, after.length);
  assert.ok(Math.abs(est.offset - expectedWithoutDrift(500, after).offset) < 1e-6, `offset ${est.offset}`);
});

test('impossible samples are ignored; none at all gives no estimate', () => {
  const good = sample(serverClock(100), { t0: 1000, out: 5, back: 5 });
  const [t0, t1, t2] = good;
  const backwards: SyncSample = [t0, t1, t2, t0 - 1];
  // The server cannot take longer than the round trip.
  const slowServer: SyncSample = [t0, t1, t1 + 20, good[3]];
  assert.equal(estimateFromSync([good])?.samples, 1);
  assert.equal(estimateFromSync([]), undefined);
  for (const bad of [backwards, slowServer, [t0, NaN, t2, good[3]], [t0, t1, t2, NaN]] as SyncSample[]) {
    assert.equal(estimateFromSync([bad]), undefined, JSON.stringify(bad));
    assert.equal(estimateFromSync([bad, good])?.samples, 1);
    assert.deepEqual(
      estimateFromSync([good, bad]),
      estimateFromSync([good]),
      'a newer impossible sample changes nothing',
    );
  }
});

test('sound on random sample sets: the truth is always within ± uncertainty', () => {
  const random = seededRandom(2024);
  for (let run = 0; run < 300; run++) {
    const offset = (random() - 0.5) * 1e7;
    const ppm = (random() - 0.5) * 2 * DRIFT_BOUND * 1e6;
    const server = serverClock(offset, ppm, 1_000_000);
    const count = 1 + Math.floor(random() * 32);
    const base = random() * 100;
    const list = exchanges(
      count,
      () => ({ out: base + random() * 50, back: base * random() + random() * 50 }),
      100 + random() * 30_000,
    );
    const est = estimateFromSync(list.map((e) => sample(server, { ...e, processing: random() })));
    assert.ok(est);
    const truth = server(est.at) - est.at;
    assert.ok(
      Math.abs(est.offset - truth) <= est.uncertainty + 1e-6,
      `run ${run}: error ${est.offset - truth}, uncertainty ${est.uncertainty}`,
    );
    assert.ok(est.uncertainty >= est.rtt / 2 - 1e-9, 'never less than half the best round trip');
  }
});

/** Pushes from `server` every `period`, truncated to `resolution`, each delayed by `delay(i)`. */
const pushSentAt = (i: number, period: number) => 2_000_000 + (i + 0.37) * period;

function pushes(
  server: (local: number) => number,
  count: number,
  period: number,
  resolution: number,
  delay: (i: number) => number,
): PushSample[] {
  return Array.from({ length: count }, (_, i) => {
    const sent = pushSentAt(i, period);
    return { time: Math.floor(server(sent) / resolution) * resolution, resolution, receivedAt: sent + delay(i) };
  });
}

test('pushes: bounded below by the least-delayed one, half a resolution above it', () => {
  const random = seededRandom(3);
  for (const resolution of [1, 1000]) {
    const offset = 3_723_456.25;
    const list = pushes(serverClock(offset), 12, 5000, resolution, () => 5 + 40 * random());
    const est = estimateFromPushes(list);
    assert.ok(est);
    const at = list[list.length - 1].receivedAt;
    const bounds = list.map(({ time, receivedAt }) => time - receivedAt - DRIFT_BOUND * (at - receivedAt));
    const best = bounds.indexOf(Math.max(...bounds));
    assert.equal(est.at, at);
    assert.ok(Math.abs(est.offset - (bounds[best] + resolution / 2)) < 1e-6);
    assert.equal(est.rtt, undefined);
    assert.equal(est.samples, list.length);
    // A push cannot tell its network delay: the truth is later than the estimate by up to the
    // least delay seen, plus the drift bound taken off that push for its age.
    const delays = list.map(({ receivedAt }, i) => receivedAt - pushSentAt(i, 5000));
    const fastest = delays.indexOf(Math.min(...delays));
    const error = offset - est.offset;
    const slack = delays[fastest] + DRIFT_BOUND * (at - list[fastest].receivedAt);
    assert.ok(
      error >= -est.uncertainty - 1e-6 && error <= est.uncertainty + slack + 1e-6,
      `resolution ${resolution}: error ${error}`,
    );
    assert.ok(Math.abs(est.uncertainty - resolution / 2 - DRIFT_BOUND * (at - list[best].receivedAt)) < 1e-9);
  }
});

test('pushes: nonsense is ignored, and drift widens older bounds', () => {
  assert.equal(estimateFromPushes([]), undefined);
  assert.equal(estimateFromPushes([{ time: NaN, resolution: 1, receivedAt: 0 }]), undefined);
  // The older push is the better bound, but it has aged 100 s: the drift bound is taken off it.
  const old: PushSample = { time: 10_000, resolution: 1, receivedAt: 0 };
  const recent: PushSample = { time: 110_000 - 5, resolution: 1, receivedAt: 100_000 };
  const est = estimateFromPushes([old, recent]);
  assert.ok(est);
  const agedBound = old.time - old.receivedAt - DRIFT_BOUND * (recent.receivedAt - old.receivedAt);
  assert.ok(Math.abs(est.offset - (Math.max(agedBound, recent.time - recent.receivedAt) + 0.5)) < 1e-9);
});
