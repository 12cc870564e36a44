/**
 * Applying a new offset to the shown time. Small corrections are slewed: spread over time at a
 * rate below 1, so the shown time keeps moving forward while it converges. Large ones step.
 */
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

/** The offset in effect at local time `t`. */
export function slewedOffset(slew: Slew, t: number): number {
  const gap = slew.to - slew.from;
  const done = Math.min(Math.abs(gap), SLEW_RATE * Math.max(0, t - slew.start));
  return slew.from + Math.sign(gap) * done;
}

/** Starts a correction towards `to` at local time `t`, from wherever the current one has got to. */
export function correct(current: Slew | undefined, to: number, t: number): Slew {
  if (!current) return { from: to, to, start: t };
  const from = slewedOffset(current, t);
  return Math.abs(to - from) > STEP_THRESHOLD ? { from: to, to, start: t } : { from, to, start: t };
}
