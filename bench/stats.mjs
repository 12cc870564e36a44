// Figures the benches share.

/** The `q` quantile (0–1) of ascending `sorted`, interpolated between the two nearest values. */
export function quantile(sorted, q) {
  const i = (sorted.length - 1) * q;
  const [lo, hi] = [Math.floor(i), Math.ceil(i)];
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}
