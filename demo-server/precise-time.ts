/**
 * The server's clock in epoch milliseconds with sub-millisecond precision.
 *
 * `Date.now()` has whole-millisecond resolution, `performance.now()` is precise but monotonic,
 * so we run on the monotonic clock anchored to the wall clock, and re-anchor whenever the wall
 * clock moves away from it (an NTP step, or the two drifting apart) by more than its resolution.
 */
const TOLERANCE_MS = 1.5;

// +0.5 centres the anchor inside Date.now()'s truncated millisecond.
let anchor = Date.now() + 0.5 - performance.now();

export function preciseNow(): number {
  const mono = performance.now();
  const wall = Date.now();
  if (Math.abs(anchor + mono - (wall + 0.5)) > TOLERANCE_MS) anchor = wall + 0.5 - mono;
  return anchor + mono;
}
