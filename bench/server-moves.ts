// npm run bench:moves [-- --runs N]
// A simulation, not a measurement: the SDK's estimator and resync schedule against a server whose
// clock moves a little, over loopback. It counts the readings that fall outside the uncertainty the
// SDK states (bench/ACCURACY.md, "A server clock that moves a little"), and their median error,
// beside a server whose clock runs straight. Pure and seeded: each run replays exactly.
import { parseArgs } from 'node:util';
import { estimateFromSync, type SyncEstimate, type SyncSample } from '../sdk/offset-estimator.js';
import { keptSamples, nextResync, resyncDelay, samplesAfter, startsOver } from '../sdk/sync.js';
import { median, sample, seededRandom } from '../test/samples.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' } } });
const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error(`usage: bench/server-moves.ts [--runs N ≥ 1] (not ${values.runs})`);
  process.exit(2);
}

const START = 1_000_000;
// The client's clock runs this much fast (ppm): within the bound, as a quartz clock is.
const LOCAL_PPM = 30;
// How often a cluster node measures Redis and corrects its clock (demo-server/cluster-clock.ts), ms.
const CORRECTION_MS = 15_000;
// Corrections are slewed at 5 % (50 ms a second), as a cluster node slews them.
const SLEW_RATE = 0.05;

/** How far the server's clock is from a straight one, ms, at true time `t` (ms since START). */
type Move = (t: number, random: () => number) => number;

/**
 * A server clock that moves, and what its clients' readings are held to. A single server's move is
 * against its own clock, once an estimate has seen it end (until then no client can know). A
 * cluster node's readings are against Redis' time, the straight one, and may be off it by as much
 * as the node can be (PROTOCOL.md adds the node's stated uncertainty to a client's): `allowance`.
 */
interface Scenario {
  move: Move;
  /** Readings count from estimates whose newest sample came this long after START, ms (true time). */
  seenFrom: number;
  /** Against Redis' time with this allowance, ms; undefined: against the server's own clock. */
  allowance?: number;
}

/** Moves one slew of `ms` from a moment 6–12 s after the client connects. */
function slewOnce(ms: number): Scenario {
  let at: number | undefined;
  const move: Move = (t, random) => {
    at ??= 6000 + 6000 * random();
    return Math.sign(ms) * Math.min(Math.abs(ms), Math.max(0, SLEW_RATE * (t - at)));
  };
  return { move, seenFrom: 12_000 + Math.abs(ms) / SLEW_RATE };
}

/** A cluster node's corrections: every CORRECTION_MS a new one, off by up to ±`ms` at random, slewed to. */
function corrections(ms: number): Scenario {
  const values: number[] = [];
  const value = (k: number, random: () => number) => (values[k] ??= ms * (2 * random() - 1));
  const move: Move = (t, random) => {
    const k = Math.floor(t / CORRECTION_MS);
    const from = value(Math.max(0, k - 1), random);
    const to = value(k, random);
    const since = t - k * CORRECTION_MS;
    return from + Math.sign(to - from) * Math.min(Math.abs(to - from), SLEW_RATE * since);
  };
  return { move, seenFrom: 0, allowance: ms };
}

/** A cluster node whose own clock runs `ppm` off Redis', taken back at each correction: a sawtooth. */
function sawtooth(ppm: number): Scenario {
  return { move: (t) => ppm * 1e-6 * (t % CORRECTION_MS), seenFrom: 0, allowance: ppm * 1e-6 * CORRECTION_MS };
}

interface Tally {
  readings: number;
  /** Each reading's |error|, ms. */
  errors: number[];
  outside: number;
  worst: number;
}

/** One client for `minutes` against a server whose clock is straight but for `move`. */
function run(seed: number, { move, seenFrom, allowance }: Scenario, minutes: number, tally: Tally) {
  const random = seededRandom(seed);
  // The local clock runs LOCAL_PPM fast: true time from local time.
  const trueAt = (local: number) => START + (local - START) / (1 + LOCAL_PPM * 1e-6);
  const straight = (local: number) => trueAt(local) + 1234.5;
  const server = (local: number) => straight(local) + move(trueAt(local) - START, random);
  const reference = allowance === undefined ? server : straight;
  // Loopback: a tenth of a millisecond, and the event loop's half.
  const leg = () => 0.1 + 0.5 * random();
  let samples: readonly SyncSample[] = [];
  let latest: SyncEstimate | undefined;
  let bursts = 0;
  let size = 8;
  for (let local = START; local < START + minutes * 60_000;) {
    for (let i = 0; i < size; i++) {
      const taken = sample(server, { t0: local, out: leg(), back: leg() });
      samples = keptSamples(samples, taken);
      local = taken.t3 + 0.2;
    }
    const estimate = estimateFromSync(samples);
    if (!estimate) throw new Error('no estimate from possible samples');
    // As the sync loop: resyncs from a second again when older samples no longer agree, and
    // those dropped if the drift was known.
    if (startsOver(estimate, latest)) bursts = 0;
    samples = samplesAfter(samples, estimate, latest);
    latest = estimate;
    const resync = nextResync(estimate.drift, samples, { samples: 8, resyncInterval: 240_000 });
    size = resync.exchanges;
    const next = local + resyncDelay(bursts++, resync.longest, random());
    // Readings every 0.25–0.75 s until the next resync.
    for (local += 250 + 500 * random(); local < next; local += 250 + 500 * random()) {
      if (trueAt(local) - START < 20_000 || trueAt(estimate.at) - START < seenFrom) continue;
      const shown = local + estimate.offset + estimate.drift.rate * (local - estimate.at);
      const bound = estimate.uncertainty + estimate.drift.uncertainty * (local - estimate.at) + (allowance ?? 0);
      const error = Math.abs(shown - reference(local));
      const excess = error - bound;
      tally.readings++;
      tally.errors.push(error);
      if (excess > 0) tally.outside++;
      tally.worst = Math.max(tally.worst, excess);
    }
    local = next;
  }
}

const SCENARIOS: { name: string; minutes: number; make: () => Scenario }[] = [
  { name: 'straight (the baseline)', minutes: 5, make: () => ({ move: () => 0, seenFrom: 0 }) },
  ...[1, 2, 5, 20, 60].map((ms) => ({ name: `slews ${ms} ms once`, minutes: 2, make: () => slewOnce(-ms) })),
  ...[0.05, 0.1, 0.3, 1].map((ms) => ({
    name: `node: corrections ±${ms} ms`,
    minutes: 5,
    make: () => corrections(ms),
  })),
  ...[2, 7, 20].map((ppm) => ({ name: `node: clock ${ppm} ppm off Redis'`, minutes: 5, make: () => sawtooth(ppm) })),
];

console.log(
  `A client on loopback, its clock ${LOCAL_PPM} ppm fast, ${RUNS} seeded runs a row; readings every 0.25–0.75 s ` +
    `from 20 s on: a single server's against its clock, from the first estimate after its move; a cluster ` +
    `node's against Redis' time, the node's own bound (±) added to the client's uncertainty.\n`,
);
const rows = SCENARIOS.map(({ name, minutes, make }) => {
  const tally: Tally = { readings: 0, errors: [], outside: 0, worst: 0 };
  for (let seed = 1; seed <= RUNS; seed++) run(seed, make(), minutes, tally);
  return {
    "server's clock": name,
    minutes,
    readings: tally.readings,
    'median |error|': `${median(tally.errors).toFixed(2)} ms`,
    'outside the uncertainty': tally.outside,
    share: `${((100 * tally.outside) / tally.readings).toFixed(2)} %`,
    'most outside by': tally.outside ? `${tally.worst.toFixed(2)} ms` : '',
  };
});
console.table(rows);
