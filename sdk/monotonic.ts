/**
 * The local time base by default: epoch-like milliseconds on the monotonic clock. The wall clock
 * can be wrong or be changed while the page runs; this cannot, so every local timestamp uses it
 * (or the clock's `clock` option instead).
 */
export function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}

// How many readings a clock's step is looked for in: a few ms of performance.now(). A clock that
// moves fewer than twice in them is taken to be as coarse as any browser makes its clock: Firefox
// rounds to 100 ms when it resists fingerprinting.
const PROBE_READS = 200_000;
const COARSEST_MS = 100;
// The steps looked for: a browser that jitters its rounding (Chromium, Firefox) moves by one or
// two of its steps at a time.
const PROBE_STEPS = 3;
const resolutions = new WeakMap<() => number, number>();

/**
 * How coarsely `clock` reads, ms: the smallest step seen between its readings, measured once per
 * clock (a busy loop until it has moved {@link PROBE_STEPS} times: about 0.3 ms in Chromium, whose
 * `performance.now()` moves by 0.1 ms; about 3 ms in Firefox and Safari, and under Playwright's
 * page clock, where it moves by 1 ms). A reading may be off by up to this either way: on a LAN
 * that is more than a round trip, so the sync loop widens each exchange by it, and the clock's
 * uncertainty counts it.
 */
export function clockResolution(clock: () => number): number {
  const known = resolutions.get(clock);
  if (known !== undefined) return known;
  let resolution = COARSEST_MS;
  let last = clock();
  let moved = false;
  let steps = 0;
  for (let read = 0; read < PROBE_READS && steps < PROBE_STEPS; read++) {
    const t = clock();
    // (A clock of the caller's that went back is not measured by it.)
    if (t <= last) continue;
    // The first move lands on a step's edge; from there on each is a whole step.
    if (moved) {
      resolution = Math.min(resolution, t - last);
      steps++;
    }
    moved = true;
    last = t;
  }
  resolutions.set(clock, resolution);
  return resolution;
}
