/**
 * Applying a new offset to the shown time. Small corrections are slewed: spread over time at a
 * rate below 1, so the shown time keeps moving forward while it converges. Large ones step.
 */

/** A correction under way: from one offset to another, begun at a local time. */
export interface Slew {
  /** The offset when the correction began, ms. */
  from: number;
  /** The offset it heads for, ms. */
  to: number;
  /** Local time the correction began. */
  start: number;
}

/** Fraction of elapsed time a correction may take: 5% is 50 ms per second. */
export const SLEW_RATE = 0.05;
/** Corrections larger than this step at once (ms). */
export const STEP_THRESHOLD = 250;

/**
 * The offset in effect at local time `t`; undefined without one. Before the correction began
 * (a local time read earlier), the offset it began from.
 */
export function slewedOffset(slew: Slew, t: number): number;
export function slewedOffset(slew: Slew | undefined, t: number): number | undefined;
export function slewedOffset(slew: Slew | undefined, t: number): number | undefined {
  if (!slew) return undefined;
  const { from, to, start } = slew;
  const done = SLEW_RATE * Math.max(0, t - start);
  return from + Math.max(-done, Math.min(done, to - from));
}

/** A correction done at once: the offset `to` from local time `t` on. */
export function step(to: number, t: number): Slew {
  return { from: to, to, start: t };
}

/** Starts a correction towards `to` at local time `t`, from wherever the current one has got to. */
export function correct(current: Slew | undefined, to: number, t: number): Slew {
  const from = slewedOffset(current, t);
  // Nothing to slew from, or too far to slew: step.
  if (from === undefined || Math.abs(to - from) > STEP_THRESHOLD) return step(to, t);
  return { from, to, start: t };
}
