/**
 * Applying a new offset to the shown time. Small corrections are slewed: spread over time at a
 * rate below 1, so the shown time keeps moving forward while it converges. Large ones step.
 */

/** A correction under way: from one offset to another, begun at a local time. */
export interface Slew {
  from: number;
  to: number;
  /** Local time the correction began. */
  start: number;
}

/** Fraction of elapsed time a correction may take: 5% is 50 ms per second. */
export const SLEW_RATE = 0.05;
/** Corrections larger than this step at once (ms). */
export const STEP_THRESHOLD = 250;

/** The offset in effect at local time `t` (not before the correction began); NaN without one. */
export function slewedOffset(slew: Slew | undefined, t: number): number {
  if (!slew) return NaN;
  const { from, to, start } = slew;
  const done = SLEW_RATE * (t - start);
  return from + Math.max(-done, Math.min(done, to - from));
}

/** Starts a correction towards `to` at local time `t`, from wherever the current one has got to. */
export function correct(current: Slew | undefined, to: number, t: number): Slew {
  const from = slewedOffset(current, t);
  // Too far to slew, or nothing to slew from (NaN): step.
  return { from: Math.abs(to - from) <= STEP_THRESHOLD ? from : to, to, start: t };
}
