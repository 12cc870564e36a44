/**
 * The local time base: epoch-like milliseconds on the monotonic clock. The wall clock can be
 * wrong or be changed while the page runs; this cannot, so every local timestamp uses it.
 */
export function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}
