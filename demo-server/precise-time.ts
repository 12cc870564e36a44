// `Date.now()` has whole-millisecond resolution, `performance.now()` is precise but monotonic, so
// preciseNow runs on the monotonic clock anchored to the wall clock, and re-anchors whenever the
// wall clock moves away from it (an NTP step, or the two drifting apart) by more than its resolution.
const TOLERANCE_MS = 1.5;

// +0.5 centres the anchor inside Date.now()'s truncated millisecond.
let anchor = Date.now() + 0.5 - performance.now();

/**
 * The server's clock in epoch milliseconds with sub-millisecond precision: the time the server
 * pushes and answers sync requests with. Follows the wall clock to within 1.5 ms.
 */
export function preciseNow(): number {
  const mono = performance.now();
  const wall = Date.now();
  if (Math.abs(anchor + mono - (wall + 0.5)) > TOLERANCE_MS) anchor = wall + 0.5 - mono;
  return anchor + mono;
}
