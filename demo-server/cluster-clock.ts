import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import { slewedOffset, step, type Slew } from '../sdk/slew.js';
import type { Logger } from './logger.js';
import { onceReady } from './redis-link.js';

/*
 * One clock for the cluster: Redis' `TIME` is the reference, and each node serves its own clock
 * corrected onto it. The correction is measured NTP-style (t0 on the node, TIME on Redis, t3 on the
 * node: the offset is TIME minus the midpoint, within half the round trip either way) over a few
 * round trips, keeping the fastest, and re-measured every 15 s; a measurement wider than the last
 * one (widened for the drift since) and agreeing with it is passed over. The first correction is
 * stepped before the node serves anything; every later change is slewed at 5 % (sdk/slew.ts, a
 * pure module shared with the SDK), so the time a node serves never jumps or runs backwards.
 */

/** One round trip to Redis: the node's clock before and after, and Redis' TIME in between (ms). */
export interface TimeSample {
  t0: number;
  time: number;
  t3: number;
}

/** What a set of {@link TimeSample}s says: Redis' clock minus the node's, within ± `uncertainty` (ms). */
export interface ClockEstimate {
  offset: number;
  uncertainty: number;
}

/** Redis' TIME answer (seconds and microseconds; ioredis gives strings, typed as numbers) in epoch ms. */
export function timeReplyMs([seconds, micros]: readonly (string | number)[]): number {
  return Number(seconds) * 1000 + Number(micros) / 1000;
}

// TIME has whole microseconds: the reading may be up to 1 µs late.
const TIME_RESOLUTION_MS = 0.001;

/**
 * The estimate of the fastest round trip: queueing only ever lengthens one, so the shortest says
 * most. Its midpoint is the offset and half of it (plus TIME's resolution) the uncertainty: the
 * reading happened somewhere between t0 and t3, and nothing can tell where.
 * @returns undefined for no samples
 */
export function estimateOffset(samples: readonly TimeSample[]): ClockEstimate | undefined {
  let best: TimeSample | undefined;
  for (const s of samples) if (!best || s.t3 - s.t0 < best.t3 - best.t0) best = s;
  if (!best) return undefined;
  const rtt = Math.max(0, best.t3 - best.t0);
  return {
    offset: best.time + TIME_RESOLUTION_MS / 2 - (best.t0 + best.t3) / 2,
    uncertainty: rtt / 2 + TIME_RESOLUTION_MS,
  };
}

/** A {@link ClockEstimate} and when it was measured (the node's monotonic clock, ms). */
export interface Measurement extends ClockEstimate {
  at: number;
}

/** How fast the node's clock may run against Redis': 100 ppm, as the SDK assumes of a local clock. */
const DRIFT = 100e-6;

/**
 * The measurement a node should go by once `latest` is in: `latest`, unless `previous`, widened
 * by the drift since, is still the narrower and agrees with it (their ranges overlap). A
 * measurement taken while the node's event loop was busy reads every answer late: its round trips
 * are long, its offset is off by up to half of them, and an older one of a quiet moment says more.
 * Ranges apart mean the node's clock moved (stepped, or drifted beyond the bound): `latest` then.
 */
export function preferredMeasurement(previous: Measurement | undefined, latest: Measurement): Measurement {
  if (!previous) return latest;
  const widened = previous.uncertainty + DRIFT * (latest.at - previous.at);
  const agree = Math.abs(latest.offset - previous.offset) <= latest.uncertainty + widened;
  return agree && widened < latest.uncertainty ? previous : latest;
}

/** The slew as the SDK's, but never a step: a running node's served time must not jump. */
function slewTowards(current: Slew, to: number, t: number): Slew {
  return { from: slewedOffset(current, t), to, start: t };
}

/** Options of {@link createClusterClock}. */
export interface ClusterClockOptions {
  /** The command connection; TIME is sent on it. */
  redis: Redis;
  /** The node's own clock, epoch ms: the one corrected. */
  clock: () => number;
  /** Round trips a measurement makes, one after another. @defaultValue `8` */
  rounds?: number;
  /** Period of re-measurement, ms (also on each reconnect). @defaultValue `15000` */
  interval?: number;
  logger: Logger;
  /** Where the `server_clock_cluster_*` gauges go. */
  registry: Registry;
}

/** A node's clock corrected onto Redis' `TIME`, from {@link createClusterClock}. */
export interface ClusterClock {
  /** The corrected time, epoch ms: a change of correction never makes it jump or run backwards. */
  now(): number;
  /** Redis' clock minus the node's, ms, as applied now (mid-slew, part of the way). */
  offset(): number;
  /**
   * How far {@link ClusterClock.now} may be from Redis' TIME, ms: half the best round trip of the
   * measurement it goes by, the part of a correction still being slewed, and 100 ppm of drift since.
   */
  uncertainty(): number;
  /** Whether the last attempt to measure succeeded. */
  measuring(): boolean;
  /**
   * Starts measuring (now, every `interval` and on each reconnect); resolves with whether this first
   * measurement succeeded. Call it before serving: the first correction is a step, later ones slew.
   */
  start(): Promise<boolean>;
  /** Measures once more and slews to it; false (and the old correction kept) if Redis did not answer. */
  measure(): Promise<boolean>;
  /** Stops re-measuring. */
  close(): void;
}

const ROUND_TIMEOUT_MS = 1000;
const START_TIMEOUT_MS = 5000;

/**
 * A clock for the cluster: `clock` corrected onto Redis' TIME, re-measured every `interval` ms and
 * whenever the connection is ready again.
 */
export function createClusterClock(options: ClusterClockOptions): ClusterClock {
  const { redis, clock, logger: log } = options;
  const rounds = options.rounds ?? 8;
  const interval = options.interval ?? 15_000;
  // Corrections are timed on the monotonic clock: the node's own clock may be stepped under them.
  const mono = () => performance.now();
  let slew: Slew = step(0, mono());
  let measured: Measurement | undefined;
  let ok = false;
  let inFlight: Promise<boolean> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const offset = () => slewedOffset(slew, mono());
  const uncertainty = () => {
    const t = mono();
    if (!measured) return Infinity;
    return measured.uncertainty + Math.abs(slew.to - slewedOffset(slew, t)) + DRIFT * (t - measured.at);
  };

  const sampleOnce = async (): Promise<TimeSample> => {
    let timeout: NodeJS.Timeout | undefined;
    const t0 = clock();
    const reply = await Promise.race([
      redis.time(),
      new Promise<never>((_, reject) => {
        timeout = setTimeout(() => reject(new Error(`no TIME answer in ${ROUND_TIMEOUT_MS} ms`)), ROUND_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timeout));
    const t3 = clock();
    return { t0, time: timeReplyMs(reply), t3 };
  };

  const sample = async (): Promise<Measurement> => {
    // ioredis would queue the commands until it reconnects: a queued round trip means nothing.
    if (redis.status !== 'ready') throw new Error(`redis connection ${redis.status}`);
    const samples: TimeSample[] = [];
    for (let i = 0; i < rounds; i++) samples.push(await sampleOnce());
    return { ...estimateOffset(samples)!, at: mono() };
  };

  const record = (measurement: Measurement) => {
    measured = measurement;
    if (!ok) log.info('cluster clock measured', { offset: measurement.offset, uncertainty: measurement.uncertainty });
    ok = true;
  };

  const measure = () =>
    (inFlight ??= sample()
      .then((latest) => {
        const preferred = preferredMeasurement(measured, latest);
        if (preferred === latest) {
          // Until the first measurement there is nothing to slew from: the node served its own clock.
          const t = mono();
          slew = measured ? slewTowards(slew, latest.offset, t) : step(latest.offset, t);
        } else {
          log.debug('cluster clock keeps its last measurement', { latest, kept: preferred });
        }
        record(preferred);
        return true;
      })
      .catch((error: unknown) => {
        lost(String(error));
        return false;
      })
      .finally(() => (inFlight = undefined)));

  const lost = (error: string) => {
    if (ok) log.warn('cluster clock cannot measure; keeping its last correction', { error });
    ok = false;
  };
  const onReady = () => void measure();
  // Redis gone: say so at once, not at the next measurement.
  const onClose = () => lost('redis connection closed');
  const registers = [options.registry];
  new Gauge({
    name: 'server_clock_cluster_offset_seconds',
    help: "Redis' clock (the cluster's reference) minus this node's, as applied now.",
    registers,
    collect() {
      this.set(offset() / 1000);
    },
  });
  new Gauge({
    name: 'server_clock_cluster_uncertainty_seconds',
    help: "How far this node's served time may be from the cluster's reference (+Inf: never measured).",
    registers,
    collect() {
      this.set(uncertainty() / 1000);
    },
  });
  new Gauge({
    name: 'server_clock_cluster_clock_measuring',
    help: '1 if the last measurement against Redis succeeded, 0 if the node keeps its last correction.',
    registers,
    collect() {
      this.set(ok ? 1 : 0);
    },
  });

  return {
    now: () => clock() + offset(),
    offset,
    uncertainty,
    measuring: () => ok,
    async start() {
      redis.on('ready', onReady);
      redis.on('close', onClose);
      timer = setInterval(onReady, interval);
      timer.unref();
      // A connection just opened is not ready yet: give it a moment before measuring.
      if (redis.status !== 'ready') {
        await onceReady(redis, START_TIMEOUT_MS);
        if (inFlight) return inFlight;
      }
      return measure();
    },
    measure,
    close() {
      clearInterval(timer);
      redis.off('ready', onReady);
      redis.off('close', onClose);
    },
  };
}
