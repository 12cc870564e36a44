/**
 * Offset estimation: pure functions, samples in, offset and uncertainty out.
 * "Offset" is server clock − local clock, in milliseconds; local times are on the monotonic base.
 */
import type { ParsedTime } from './parse-time.js';

/** One sync exchange: local send `t0`, server receive `t1`, server reply `t2`, local receive `t3`. */
export interface SyncSample {
  /** Local time the request left. */
  t0: number;
  /** Server time the request arrived. */
  t1: number;
  /** Server time the answer left. */
  t2: number;
  /** Local time the answer arrived. */
  t3: number;
}

/** One pushed server time: the value, how coarse it is (ms), and when it arrived locally. */
export interface PushSample extends ParsedTime {
  /** Local (monotonic) time the push arrived. */
  receivedAt: number;
}

/** How fast the server's clock runs against the local one: the offset's change per local ms. */
export interface Drift {
  /** The rate: 1e-6 (1 ppm) is the server gaining a microsecond per local second. */
  rate: number;
  /** Bound on the error of `rate`: the offset's uncertainty grows by this per ms from the estimate. */
  uncertainty: number;
}

/** An estimate of the offset, and how far it can be trusted. */
export interface Estimate {
  /** Server clock − local clock at local time `at`, ms. */
  offset: number;
  /** Best round trip among the samples used; pushes have none. */
  rtt?: number;
  /** Bound on |error| of `offset` at local time `at`, ms. */
  uncertainty: number;
  /** Local time of the newest sample used; the offset moves by `drift.rate` from here. */
  at: number;
  /** How many samples the estimate rests on. */
  samples: number;
  /** The drift the offset is carried forward by, and its uncertainty grown by. */
  drift: Drift;
}

/** An estimate from sync exchanges: it has a round trip. */
export interface SyncEstimate extends Estimate {
  /** Best round trip among the samples used, less the server's own time, ms. */
  rtt: number;
  /** Local time the oldest sample used was sent. */
  since: number;
  /**
   * How many older samples were set aside because they no longer agree with the newer ones (a
   * clock was stepped, or changed its rate); 0 but just after such a change.
   */
  superseded: number;
}

/** Bound on the rate two clocks drift apart (100 ppm: two ordinary quartz clocks, both at their limit). */
export const DRIFT_BOUND = 1e-4;

/** The drift assumed until it is measured: none, within the bound. */
export const UNKNOWN_DRIFT: Drift = { rate: 0, uncertainty: DRIFT_BOUND };

// The drift's uncertainty: this many standard errors of the fitted rate, plus a ppm for the
// wander of a clock's rate (with temperature, or its own time service) that no fit foresees.
const DRIFT_SIGMAS = 3;
const DRIFT_WANDER = 1e-6;
// The spread of drifts expected before any is measured: 10 ppm. Most clocks are kept by a time
// service (NTP and its kin), which holds their rate within a few ppm; the bound covers the rest,
// unkept quartz at its limit. While the fit is unsure, it decides how far the most likely offset
// trusts old samples: at 33 ppm (a third of the bound) a sample a minute old was worth ±2 ms, and
// after 2 minutes over a link of 40 ± 5 ms the median error went from 0.2 to 1.8 ms between
// trials (bench/ACCURACY.md). The uncertainty still spans the whole bound until the fit narrows it.
const DRIFT_PRIOR = 1e-5;
// Refits of the two bounds about the line found so far, each closer to their edges.
const EDGE_FITS = 4;
// Exchanges further apart than this (ms) are of different bursts: a burst's follow each other at
// once, and resyncs are at least 0.75 s apart.
const BURST_GAP_MS = 100;
// The fewest bursts over which the fit's error is also judged by leaving each out (see estimateDrift).
const JACKKNIFE_BURSTS = 3;
// The fewest bursts whose newer half is also fitted alone (see estimateDrift): two in each half.
const BEND_BURSTS = 4;
// The fewest samples in the fastest quarter for its round trip to set the fit's weights.
const QUARTILE_SAMPLES = 4;
/**
 * How many of the newest samples {@link linkJitter} judges the link by: a burst on connect's worth
 * (by default). The first bursts of a clock that connected with a crowd wait behind its traffic
 * (hundreds of ms, varying); judged by every sample kept, its link read as jittery for its first
 * half minute or more after the queue was gone, and its resyncs took twice the exchanges, 15 s
 * apart (bench/LOAD.md). Their fastest of all stays the reference, so a jittery link does not read
 * as steady on a few lucky exchanges alike (over 40 ± 5 ms, simulated: bench/ACCURACY.md).
 */
const JITTER_SAMPLES = 8;

/** The round trip less the server's own time; NaN for samples that are not times. */
const roundTrip = (s: SyncSample) => s.t3 - s.t0 - (s.t2 - s.t1);

/** The samples' round trips, the fastest first. */
const sortedRoundTrips = (samples: readonly SyncSample[]) => samples.map(roundTrip).sort((a, b) => a - b);

/**
 * How far the round trip at `quantile` of `rtts` (sorted, not empty) is above `fastest`, ms: by
 * default their own fastest.
 */
const excessAt = (rtts: readonly number[], quantile: number, fastest = rtts[0]) =>
  rtts[Math.floor(rtts.length * quantile)] - fastest;

/** Which causality bound a point of the fit is: `t2 − t3`, below the offset, or `t1 − t0`, above it. */
type Side = 'lower' | 'upper';

/** A point of the fit: at local time `t` (ms from the newest sample), the bound `y`. */
interface FitPoint {
  t: number;
  y: number;
  weight: number;
  /** Each side has an intercept of its own; the slope is common to both. */
  side: Side;
}

/** The weighted least-squares slope through the points, and its standard error (Infinity: unknown). */
function fitSlope(points: readonly FitPoint[]): { rate: number; sigma: number } {
  const sum = (list: readonly FitPoint[], f: (p: FitPoint) => number) => list.reduce((total, p) => total + f(p), 0);
  // Each side's weighted centre, about which the slope is fitted.
  const centre = (side: Side) => {
    const own = points.filter((p) => p.side === side);
    const weight = sum(own, (p) => p.weight);
    return { t: sum(own, (p) => p.weight * p.t) / weight, y: sum(own, (p) => p.weight * p.y) / weight };
  };
  const centres = { lower: centre('lower'), upper: centre('upper') };
  const dt = (p: FitPoint) => p.t - centres[p.side].t;
  const dy = (p: FitPoint) => p.y - centres[p.side].y;
  const spread = sum(points, (p) => p.weight * dt(p) ** 2);
  const rate = sum(points, (p) => p.weight * dt(p) * dy(p)) / spread;
  const residual = sum(points, (p) => p.weight * (dy(p) - rate * dt(p)) ** 2);
  // Weighted, the points count as this many equal ones; the two intercepts and the slope take one each.
  const freedom = sum(points, (p) => p.weight) ** 2 / sum(points, (p) => p.weight ** 2) - 3;
  return { rate, sigma: freedom > 0 ? Math.sqrt(residual / spread / freedom) : Infinity };
}

/**
 * Estimates the drift from sync samples, as NTP and chrony do: a line fit over the
 * minimum-delay samples, so that old samples stay useful and the estimate sharpens as they span
 * more time.
 *
 * First the offsets of the samples (their midpoints) against local time, weighted by how little
 * their round trip exceeds the fastest: a midpoint is off by half the difference of its two legs,
 * which the excess bounds. Then, from that slope, the samples' two causality bounds, each side's
 * line weighted to its edge: `t2 − t3` lies below the offset by the answer's delay, and the
 * highest of them trace the offset less the fastest answer; `t1 − t0` above it, by the
 * request's. Queued samples barely count, and a delay that is always longer one way tilts
 * neither edge.
 *
 * The rate's uncertainty is three standard errors of the fit (of the edge fits, but at least
 * half the first fit's, at least the jackknife's over bursts, and at least half the difference
 * from the rate of the newer half of the bursts) plus a ppm of wander. An unsure rate is drawn
 * towards no drift (a prior of 10 ppm, or as much as the fit shows), the uncertainty still
 * spanning the fit's; one whose uncertainty reaches the drift bound is
 * {@link UNKNOWN_DRIFT}: too few samples, too short a span, or a server clock that does not run
 * straight.
 */
export function estimateDrift(samples: readonly SyncSample[]): Drift {
  const fit = driftFit(samples);
  const byResiduals = driftWithin(fit.rate, fit.sigma);
  // A wider error only widens the drift: one unknown by the residuals' error stays so, and the
  // jackknife and the newer half's fit, a fit a burst and one more (up to 30 times the cost of the
  // estimate without them, at 29 bursts in the 64 samples kept), are spared.
  if (byResiduals.uncertainty >= DRIFT_BOUND) return byResiduals;
  const starts = burstStarts(samples);
  const sigma = Math.max(fit.sigma, jackknifeSigma(samples, starts), bendSigma(samples, starts, fit.rate));
  return driftWithin(fit.rate, sigma);
}

/** The drift a fitted rate with standard error `sigma` gives: {@link UNKNOWN_DRIFT} if not within the bound. */
function driftWithin(fitted: number, sigma: number): Drift {
  // Drawn towards no drift as far as the fit is unsure, and still spanning all the fit allows.
  const prior = Math.max(DRIFT_PRIOR, Math.abs(fitted)) ** 2;
  const rate = (fitted * prior) / (prior + sigma ** 2);
  const uncertainty = Math.abs(fitted - rate) + DRIFT_SIGMAS * sigma + DRIFT_WANDER;
  // (Not a number, from a fit without spread or freedom, is unknown too.)
  return uncertainty < DRIFT_BOUND ? { rate, uncertainty } : UNKNOWN_DRIFT;
}

/** Where each burst begins: the index of its first sample. */
function burstStarts(samples: readonly SyncSample[]): number[] {
  return samples.flatMap((s, i) => (i === 0 || s.t0 - samples[i - 1].t3 > BURST_GAP_MS ? [i] : []));
}

/**
 * The standard error of the fitted rate by the jackknife over bursts: the fit again without each
 * burst in turn (0 for fewer than {@link JACKKNIFE_BURSTS} bursts). The residuals' standard error
 * takes the samples' errors to be independent. A server clock that moved by about a sample's width
 * between bursts (a cluster node's correction, a small step) breaks that: the line through the
 * bursts on either side of the move tilts to join them and its residuals stay small, so its drift
 * was stated far too sure, and readings carried forward by it fell outside their uncertainty (a
 * 1 ms move: 36 % of the next 2 minutes' readings). Leaving out a burst shows how far the line
 * leans on it, however its samples' errors are related: 3 % then, and still none where the
 * server's clock runs straight (`npm run bench:moves`, bench/ACCURACY.md).
 */
function jackknifeSigma(samples: readonly SyncSample[], starts: readonly number[]): number {
  const bursts = starts.length;
  if (bursts < JACKKNIFE_BURSTS) return 0;
  const rates = starts.map((start, i) => {
    const end = starts[i + 1] ?? samples.length;
    return driftFit([...samples.slice(0, start), ...samples.slice(end)]).rate;
  });
  const mean = rates.reduce((total, rate) => total + rate, 0) / bursts;
  const squares = rates.reduce((total, rate) => total + (rate - mean) ** 2, 0);
  return Math.sqrt(((bursts - 1) / bursts) * squares);
}

/**
 * How far the rate bends, as a standard error: half the difference between the fitted rate and the
 * rate of the newer half of the bursts alone (0 for fewer than {@link BEND_BURSTS} bursts). A line
 * fitted across a small move of the server's clock leans to join its two sides, while readings are
 * carried forward at the rate since, which the newer bursts show. Half, because the newer half's
 * rate has noise of its own: counted whole, a clock 30 ppm fast over the rough link read 1.11 ms
 * off after 2 minutes (the median, simulated), against 0.94 without it and 0.95 with half
 * (bench/ACCURACY.md).
 */
function bendSigma(samples: readonly SyncSample[], starts: readonly number[], rate: number): number {
  if (starts.length < BEND_BURSTS) return 0;
  const newer = driftFit(samples.slice(starts[Math.floor(starts.length / 2)]));
  return Math.abs(newer.rate - rate) / 2;
}

/** The fit of {@link estimateDrift}: its rate, and the standard error its residuals give. */
function driftFit(samples: readonly SyncSample[]): { rate: number; sigma: number } {
  const at = samples[samples.length - 1]?.t3;
  const rtts = sortedRoundTrips(samples);
  // How far a fast sample's bound is from its edge, roughly: below it, weights grow no more. A
  // tenth of the median's excess round trip, or a fifth of the lower quartile's where that is
  // less: a clock that connected with a crowd has most of its first samples queued, and a floor as
  // wide as their delays weighed every sample alike, so that its drift stayed unknown for five
  // minutes (bench/LOAD.md). Where most samples are fast, the median's is the smaller. The
  // quartile only once it holds QUARTILE_SAMPLES: below that it is the second or third fastest
  // alone, and a floor that small let a fit of six samples claim ±37 ppm for a drift 88 ppm away.
  const fromMedian = excessAt(rtts, 1 / 2) / 10;
  const floor =
    (rtts.length >= 4 * QUARTILE_SAMPLES ? Math.min(fromMedian, excessAt(rtts, 1 / 4) / 5) : fromMedian) + 0.01;
  const bounds = samples.flatMap((s) => {
    // A sample's bounds are off their edges by its two legs, at most by its excess round trip.
    const weight = ((roundTrip(s) - rtts[0]) / 2 + floor) ** -2;
    return [
      { t: s.t3 - at, y: s.t2 - s.t3, weight, side: 'lower' as const },
      { t: s.t0 - at, y: s.t1 - s.t0, weight, side: 'upper' as const },
    ];
  });
  const first = fitSlope(bounds);
  let line = first;
  for (let i = 0; i < EDGE_FITS; i++) {
    const { rate } = line;
    // How far inside its side's edge a bound lies, along the line found so far.
    const edge = { lower: -Infinity, upper: Infinity };
    for (const b of bounds) edge[b.side] = (b.side === 'lower' ? Math.max : Math.min)(edge[b.side], b.y - rate * b.t);
    const depth = (b: FitPoint) => Math.abs(edge[b.side] - (b.y - rate * b.t));
    line = fitSlope(bounds.map((b) => ({ ...b, weight: (depth(b) + floor) ** -2 })));
  }
  // An edge fit weighs the points by how near its edge they lie, along the line before it, so
  // the points it leans on lie near its line by that choice, and its residuals can understate how
  // far a few exchanges tilt it: with resyncs of 2 some bursts have no fast leg at all, and over
  // loopback about one reading in 20,000 fell outside its uncertainty (a fit claimed ±4.3 ppm for
  // a drift 6.6 ppm away). The first fit's weights are set by the round trips alone. A link's
  // edges are sharper than its spread, so the edge fits may well be sharper than the first, but
  // not more than twice (bench/ACCURACY.md): none outside in 240,000 readings then; with none
  // sharper than the first, a drift of 200 ppm over the rough link stayed unknown for 10 minutes.
  return { rate: line.rate, sigma: Math.max(line.sigma, first.sigma / 2) };
}

/**
 * Estimates the offset from sync samples, in the order they were taken (the clock's exchanges
 * are serial: each ends before the next begins).
 *
 * Causality bounds each sample's offset to [t2 − t3, t1 − t0]: the request cannot arrive before
 * it left, nor the answer before it was sent. The truth lies in every interval at once, so we
 * intersect them, newest first, each carried forward to the newest by the drift
 * ({@link estimateDrift}) and widened by the drift's uncertainty for its age: the truth is in
 * that intersection, and `uncertainty` reaches its far end. The estimate is the midpoint of the
 * intersection widened by a third of that (about one standard error of the drift): the most
 * likely offset. Either way the intersection is set
 * by the lowest-delay samples in each direction (NTP's clock filter, Cristian's minimum), and
 * outliers with long delays fall away by themselves. Older samples that no longer agree with
 * newer ones (a clock was stepped, or changed its rate) are dropped (`superseded`), and the drift
 * fitted again without them. Impossible samples (a negative round trip: the server took longer
 * than the whole exchange) are skipped.
 *
 * `uncertainty` is at least half the best round trip: the intersection can be narrower, but only
 * by assuming that the fastest legs of different exchanges are equally fast.
 */
export function estimateFromSync(samples: readonly SyncSample[]): SyncEstimate | undefined {
  // (Not a number fails too: something is not a time.)
  const possible = samples.filter((s) => roundTrip(s) >= 0);
  let usable = possible;
  while (usable.length) {
    const drift = estimateDrift(usable);
    const bounds = intersect(usable, drift.rate, drift.uncertainty);
    if (bounds.samples < usable.length) {
      usable = usable.slice(-bounds.samples);
      continue;
    }
    // The most likely offset: widened by the drift's standard error only, which keeps the old
    // samples that a fit still unsure of the drift might carry astray from outweighing the new;
    // and by no more than the spread of drifts expected, which keeps them useful meanwhile.
    const likely = intersect(usable, drift.rate, Math.min(drift.uncertainty / DRIFT_SIGMAS, DRIFT_PRIOR));
    const offset = (likely.lo + likely.hi) / 2;
    return {
      offset,
      rtt: bounds.rtt,
      uncertainty: Math.max(offset - bounds.lo, bounds.hi - offset, bounds.rtt / 2),
      at: usable[usable.length - 1].t3,
      samples: usable.length,
      drift,
      since: usable[0].t0,
      superseded: possible.length - usable.length,
    };
  }
  return undefined;
}

/**
 * The intersection of the samples' intervals carried forward to the newest at `rate`, each
 * widened by `widen` per ms of its age, newest first until one does not overlap it.
 */
function intersect(samples: readonly SyncSample[], rate: number, widen: number) {
  const at = samples[samples.length - 1].t3;
  const found = { lo: -Infinity, hi: Infinity, rtt: Infinity, samples: 0 };
  for (const s of [...samples].reverse()) {
    const age = at - s.t3;
    const lo = Math.max(found.lo, s.t2 - s.t3 + (rate - widen) * age);
    const hi = Math.min(found.hi, s.t1 - s.t0 + (rate + widen) * age);
    if (lo > hi) break;
    Object.assign(found, { lo, hi, rtt: Math.min(found.rtt, roundTrip(s)), samples: found.samples + 1 });
  }
  return found;
}

/**
 * How much the link's delays vary now, as the samples show it: how far the lower quartile of the
 * round trips (less the server's own time) of the newest {@link JITTER_SAMPLES} is above the
 * fastest of all, ms; 0 for no samples. The offset is set by the fastest legs of the newest
 * exchanges: the wider this, the more fresh exchanges it takes to find them.
 */
export function linkJitter(samples: readonly SyncSample[]): number {
  if (samples.length === 0) return 0;
  return excessAt(sortedRoundTrips(samples.slice(-JITTER_SAMPLES)), 1 / 4, Math.min(...samples.map(roundTrip)));
}

/**
 * Estimates the offset from pushed times alone (servers without sync), oldest first.
 *
 * A push cannot arrive before it was sent, and a value truncated to `resolution` was read up to
 * one resolution later than it says, so the offset is at least `time − receivedAt` and
 * most likely half a resolution above the best such bound. The network delay is not measurable
 * this way; `uncertainty` covers the truncation and the drift since.
 */
export function estimateFromPushes(pushes: readonly PushSample[]): Estimate | undefined {
  const newest = pushes.at(-1);
  if (!newest) return undefined;
  const at = newest.receivedAt;
  // The highest bound, each taken down by the drift bound for its age, and the push it is from.
  let best: { bound: number; push: PushSample } | undefined;
  for (const push of pushes) {
    const bound = push.time - push.receivedAt - DRIFT_BOUND * (at - push.receivedAt);
    // (Not a number: the push held no time.)
    if (Number.isNaN(bound)) continue;
    if (!best || bound > best.bound) best = { bound, push };
  }
  if (!best) return undefined;
  const half = best.push.resolution / 2;
  return {
    offset: best.bound + half,
    uncertainty: half + DRIFT_BOUND * (at - best.push.receivedAt),
    at,
    samples: pushes.length,
    drift: UNKNOWN_DRIFT,
  };
}
