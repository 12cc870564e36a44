/**
 * The local time base by default: epoch-like milliseconds on the monotonic clock. The wall clock
 * can be wrong or be changed while the page runs; this cannot, so every local timestamp uses it
 * (or the clock's `clock` option instead).
 */
export function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}
