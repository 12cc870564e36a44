// One-way network delays (ms) to emulate, drawn afresh for each chunk in each direction.

/** Uniform: `delay` ± `jitter`, a steady link. */
export function uniformDelay({ delay, jitter }, random = Math.random) {
  return () => delay - jitter + 2 * jitter * random();
}

/**
 * Rough: a base delay plus an exponential tail of mean `tail`, and a share `spikeRate` of
 * packets held `spike` ms more, as on busy Wi-Fi or mobile links.
 */
export function roughDelay({ base, tail, spikeRate, spike }, random = Math.random) {
  return () => base - tail * Math.log(1 - random()) + (random() < spikeRate ? spike : 0);
}

export const PROFILES = {
  uniform: {
    make: uniformDelay,
    defaults: { delay: 40, jitter: 5 },
    describe: (o) => `${o.delay} ms ± ${o.jitter} ms uniform, each way`,
  },
  rough: {
    make: roughDelay,
    defaults: { base: 30, tail: 20, spikeRate: 0.03, spike: 150 },
    describe: (o) =>
      `${o.base} ms + exponential tail (mean ${o.tail} ms), ${o.spikeRate * 100}% held +${o.spike} ms, each way`,
  },
};
