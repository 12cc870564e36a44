/**
 * The local time base: epoch-like milliseconds on the monotonic clock. The wall clock can be
 * wrong or be changed while the page runs; this cannot, so every local timestamp uses it.
 */
export function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Wall clock − monotonic clock, ms. It stays put while both run; it changes when the wall clock
 * is set, or the machine slept.
 */
export function wallClockSkew(): number {
  return Date.now() - monotonicNow();
}
