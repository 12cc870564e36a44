// Figures the benches share.

/** The `q` quantile (0–1) of ascending `sorted`, interpolated between the two nearest values. */
export function quantile(sorted, q) {
  const i = (sorted.length - 1) * q;
  const [lo, hi] = [Math.floor(i), Math.ceil(i)];
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

/**
 * The `q` quantile (0–1) of ascending `sorted` by nearest rank: the smallest value with at least
 * `q` of `count` values at or below it. `count` may exceed `sorted.length` by values that rank
 * above every one of them (requests that never ended): undefined when the rank falls among those.
 */
export function nearestRank(sorted, q, count = sorted.length) {
  return sorted[Math.ceil(q * count) - 1];
}
