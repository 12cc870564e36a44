/**
 * Offset estimation: pure functions, samples in, offset and uncertainty out.
 * "Offset" is server clock − local clock, in milliseconds; local times are on the monotonic base.
 */
import type { ParsedTime } from './parse-time.js';

/** One sync exchange: local send `t0`, server receive `t1`, server reply `t2`, local receive `t3`. */
export type SyncSample = [t0: number, t1: number, t2: number, t3: number];

/** One pushed server time: the value, how coarse it is (ms), and when it arrived locally. */
export interface PushSample extends ParsedTime {
  /** Local (monotonic) time the push arrived. */
  receivedAt: number;
}

/** An estimate of the offset, and how far it can be trusted. */
export interface Estimate {
  /** Server clock − local clock, ms. */
  offset: number;
  /** Best round trip among the samples used; pushes have none. */
  rtt?: number;
  /** Bound on |error| of `offset` at local time `at`, ms. */
  uncertainty: number;
  /** Local time of the newest sample used; uncertainty grows by the drift bound from here. */
  at: number;
  /** How many samples the estimate rests on. */
  samples: number;
}

/** An estimate from sync exchanges: it has a round trip. */
export interface SyncEstimate extends Estimate {
  /** Best round trip among the samples used, less the server's own time, ms. */
  rtt: number;
}

/** Bound on the rate two clocks drift apart (100 ppm: two ordinary quartz clocks, both at their limit). */
export const DRIFT_BOUND = 1e-4;

/**
 * Estimates the offset from sync samples, in the order they were taken (the clock's exchanges
 * are serial: each ends before the next begins).
 *
 * Causality bounds each sample's offset to [t2 − t3, t1 − t0]: the request cannot arrive before
 * it left, nor the answer before it was sent. The truth lies in every interval at once, so we
 * intersect them, newest first, each widened by the drift bound for its age. The intersection is
 * set by the lowest-delay samples in each direction (NTP's clock filter, Cristian's minimum),
 * outliers with long delays fall away by themselves, and the estimate is its midpoint. Older
 * samples that no longer agree with newer ones (a clock was stepped) are dropped. Impossible
 * samples (a negative round trip: the server took longer than the whole exchange) are skipped.
 *
 * `uncertainty` is at least half the best round trip: the intersection can be narrower, but only
 * by assuming that the fastest legs of different exchanges are equally fast.
 */
export function estimateFromSync(samples: readonly SyncSample[]): SyncEstimate | undefined {
  let lo = -Infinity;
  let hi = Infinity;
  let rtt = Infinity;
  let used = 0;
  // The newest usable sample's t3: the estimate's `at`, and where the drift widening starts.
  let at: number | undefined;
  for (const [t0, t1, t2, t3] of [...samples].reverse()) {
    // The round trip, less the server's own time; it is also the width of the interval.
    const sRtt = t3 - t0 - (t2 - t1);
    // Negative: something ran backwards; not a number: something is not a time.
    if (Number.isNaN(sRtt) || sRtt < 0) continue;
    at ??= t3;
    const widen = DRIFT_BOUND * (at - t3);
    const sLo = Math.max(lo, t2 - t3 - widen);
    const sHi = Math.min(hi, t1 - t0 + widen);
    if (sLo > sHi) break;
    lo = sLo;
    hi = sHi;
    rtt = Math.min(rtt, sRtt);
    used++;
  }
  if (at === undefined) return undefined;
  return { offset: (lo + hi) / 2, rtt, uncertainty: Math.max(hi - lo, rtt) / 2, at, samples: used };
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
  };
}
