// Sync exchanges built from their parts (clocks and delays), so that tests know the truth and
// derive what the estimator should say from it, instead of recording its answers.
import type { SyncSample } from '../sdk/offset-estimator.js';

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32): a failing case replays exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The middle of `values` (not empty; of an even count, the upper of the two middle ones). */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** The server's clock as a function of the local one: a constant offset, optionally drifting. */
export function serverClock(offset: number, driftPpm = 0, since = 0): (local: number) => number {
  return (local) => local + offset + (local - since) * driftPpm * 1e-6;
}

export interface Exchange {
  /** Local send time. */
  t0: number;
  /** One-way delays, ms. */
  out: number;
  back: number;
  /** Server time between reading t1 and t2, ms. */
  processing?: number;
}

/** The four timestamps that an exchange with these delays produces against `server`. */
export function sample(server: (local: number) => number, { t0, out, back, processing = 0.05 }: Exchange): SyncSample {
  const arrived = t0 + out;
  return { t0, t1: server(arrived), t2: server(arrived + processing), t3: arrived + processing + back };
}
