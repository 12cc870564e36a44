/**
 * The sync loop: how a clock keeps its estimate of the server's time up to date. A burst of sync
 * exchanges on every (re)connect, smaller resyncs that back off, with jitter, to the resync
 * interval once the drift is known over a steady link, pushed times for servers that don't
 * answer sync, and a fresh burst when the wall clock jumps or the page is shown again; never more
 * than the protocol's {@link SYNC_LOAD}.
 */
import type { Socket } from 'socket.io-client';
import type { ClockSocket } from './connection.js';
import {
  DRIFT_BOUND,
  UNKNOWN_DRIFT,
  estimateFromPushes,
  estimateFromSync,
  linkJitter,
  type Drift,
  type Estimate,
  type PushSample,
  type SyncEstimate,
  type SyncSample,
} from './offset-estimator.js';
import { clockResolution } from './monotonic.js';
import { parsePushedTime } from './parse-time.js';
import { SYNC_EVENT, SYNC_LOAD, TokenBucket, isSyncReply } from './protocol.js';

/** How a clock's server tells its time: `sync`, it answers sync requests; `push`, it only pushes it. */
export type SyncMode = 'sync' | 'push';

/** The settings a sync loop runs by (the clock's options, defaults filled in). */
export interface SyncSettings {
  /** Name of the pushed time event. */
  event: string;
  /** Sync exchanges in a burst on (re)connect; later bursts take fewer. */
  samples: number;
  /** How long a sync request may wait for its answer, ms. */
  timeout: number;
  /** Longest time between bursts once the drift is known, ms (give or take the jitter). */
  resyncInterval: number;
  /** The local monotonic clock, epoch-like ms: every local time is read on it. */
  clock: () => number;
}

/**
 * Takes each new estimate: from sync answers or from pushes (`mode`). `replace`: step to it at
 * once instead of slewing from the one before, which it replaces as worthless.
 */
export type EstimateListener = (estimate: Estimate, mode: SyncMode, replace: boolean) => void;

/** Takes the loop's mode each time it changes: undefined again on each connect, until it is known. */
export type ModeListener = (mode: SyncMode | undefined) => void;

// How many of the newest samples (exchanges, pushes) an estimate may rest on. Exchanges over many
// minutes, for the drift fit, in bounded memory.
const SYNC_WINDOW = 64;
const SYNC_MAX_AGE_MS = 15 * 60_000;
const PUSH_WINDOW = 16;
// A wall clock that moves this far against the monotonic one means a sleep or a clock change.
const SKEW_JUMP_MS = 1000;
// Resync a second after connecting, then back off, doubling, up to a longest gap that depends on
// how far the clock has come (see nextResync).
const FIRST_RESYNC_MS = 1000;
/**
 * The drift uncertainty (10 ppm) within which a clock's resyncs back off to the resync interval,
 * if its link is steady ({@link STEADY_LINK_MS}); before it, up to a minute apart ({@link
 * nextResync}). (Exported for the load bench, which counts the clocks past it.)
 */
export const SETTLED_DRIFT = 1e-5;
/**
 * The most a steady link's round trips vary ({@link linkJitter}), ms. Over a link whose delays
 * vary more, the offset rests on the fastest legs of a few fresh exchanges: resyncs of 2 every 4
 * minutes left it at about half a millisecond 15 minutes on over 40 ± 5 ms (the bench's uniform
 * link), against 0.2 ms with 4 every minute (simulated: bench/ACCURACY.md). So such a clock keeps
 * resyncing as before its drift was known; a LAN's, whose fastest exchanges are all alike, backs
 * off, and its resyncs take 2 exchanges from the start: 18 exchanges in a clock's first 40 s
 * instead of 28 (simulated over a LAN), which is when a crowd that connected together costs its
 * server most (bench/LOAD.md).
 */
const STEADY_LINK_MS = 2;
// Over a jittery link, until its samples span FILLING_SPAN_MS (or fill the window), a clock's
// resyncs are at most FILLING_RESYNC_MS apart: its drift is not known yet, so its offset rests on
// the fresh exchanges, and few of them are fast. Simulated over 40 ± 5 ms (bench/ACCURACY.md):
// both of the accuracy bench's 2-minute targets met in 462 of 500 runs, against 327 with resyncs
// up to a minute apart from the start; 112 exchanges in a clock's first quarter of an hour against
// 87. It stops short of the window's 64 samples (about 3.75 minutes of such resyncs) so that the
// window then comes to span more time, over which the drift fit sharpens.
const FILLING_SPAN_MS = 3 * 60_000;
const FILLING_RESYNC_MS = 15_000;
const UNSETTLED_RESYNC_MS = 60_000;
// Each delay is drawn this far either side of its step, so that clocks that connected together
// (a crowd at the start of an event) spread out instead of syncing in step.
const RESYNC_JITTER = 0.25;

/** A clock's next resync: how many exchanges, and the longest its delay may double up to (ms). */
export interface Resync {
  exchanges: number;
  longest: number;
}

/**
 * A clock's next resync, its `drift` estimated from sync `samples` (pure; exported for tests).
 * Over a steady link ({@link STEADY_LINK_MS}) it takes a quarter of `samples`, a few fresh
 * exchanges being enough for the offset, and over a jittery one half. Its delay doubles:
 * - up to `resyncInterval` once the drift is known to {@link SETTLED_DRIFT} over a steady link:
 *   old samples then serve for minutes;
 * - up to 15 s over a jittery link while its samples span less than 3 minutes;
 * - otherwise up to a minute.
 * (Never further apart than `resyncInterval`.)
 */
export function nextResync(
  drift: Drift,
  samples: readonly SyncSample[],
  { samples: size, resyncInterval }: Pick<SyncSettings, 'samples' | 'resyncInterval'>,
): Resync {
  const steady = linkJitter(samples) <= STEADY_LINK_MS;
  const exchanges = Math.ceil(size / (steady ? 4 : 2));
  if (steady && drift.uncertainty <= SETTLED_DRIFT) return { exchanges, longest: resyncInterval };
  const span = samples.length ? samples[samples.length - 1].t3 - samples[0].t0 : 0;
  const filling = !steady && span < FILLING_SPAN_MS && samples.length < SYNC_WINDOW;
  return { exchanges, longest: Math.min(resyncInterval, filling ? FILLING_RESYNC_MS : UNSETTLED_RESYNC_MS) };
}

/**
 * The sync samples a clock keeps once `sample` is taken: the newest {@link SYNC_WINDOW} of them
 * and it, none older than {@link SYNC_MAX_AGE_MS} (pure; exported for the simulations, which keep
 * theirs as the sync loop does).
 */
export function keptSamples(samples: readonly SyncSample[], sample: SyncSample): SyncSample[] {
  return [...samples, sample].filter((s) => s.t3 > sample.t3 - SYNC_MAX_AGE_MS).slice(-SYNC_WINDOW);
}

/**
 * Whether an estimate starts the resyncs' back-off over: it set aside samples that the `before`
 * estimate rested on (a clock stepped, or changed its rate), and what the clock knew of the drift
 * went with them (pure; exported for the simulations).
 */
export function startsOver(estimate: SyncEstimate, before: SyncEstimate | undefined): boolean {
  return estimate.superseded > 0 && (!before || estimate.since > before.since);
}

/**
 * The sync samples a clock keeps after `estimate`: without those it set aside if the `before`
 * estimate knew the drift (pure; exported for the simulations). At a measured rate they no longer
 * agree with the newer ones: the server's clock moved, or the local one changed its rate. Kept,
 * a later fit leant across the move to join both sides, so that they agreed again at a rate that
 * was neither, stated as known: after a 2 ms slew, 0.6 % of the next 2 minutes' readings fell
 * outside their uncertainty, and the median error was 0.64 ms; dropped, 0.3 % and 0.11 ms
 * (`npm run bench:moves`; a node whose corrections scatter by ±1 ms, a move every 15 s, loses by it:
 * 0.86 % against 0.60 %). Set aside while the drift is unknown, they are kept: a drift beyond the
 * bound that every estimate assumes until it is measured sets old samples aside too, and only
 * they can measure it.
 */
export function samplesAfter(
  samples: readonly SyncSample[],
  estimate: SyncEstimate,
  before: SyncEstimate | undefined,
): readonly SyncSample[] {
  const known = before !== undefined && before.drift.uncertainty < DRIFT_BOUND;
  return estimate.superseded > 0 && known ? samples.filter((s) => s.t0 >= estimate.since) : samples;
}

/**
 * The delay before the next resync, ms, after `bursts` of them since the back-off started: a
 * second, doubling, at most `longest` ({@link nextResync}), drawn ±25 % by `random` in [0, 1)
 * (pure; exported for the simulations).
 */
export function resyncDelay(bursts: number, longest: number, random: number): number {
  const step = Math.min(longest, FIRST_RESYNC_MS * 2 ** bursts);
  return step * (1 + RESYNC_JITTER * (2 * random - 1));
}

// Pushes are listened to on this view of the socket. The event's name is an option, for servers
// of other kinds (the classic socket.io example pushes 'time'), and socket.io's typed map cannot
// know it: here any event may carry anything, which is how #onPush takes its value.
type PushSocket = Socket<Record<string, (value: unknown) => void>>;

/** An estimate given to the clock, and where it came from. */
type Given = { estimate: SyncEstimate; mode: 'sync' } | { estimate: Estimate; mode: 'push' };

/** Keeps a clock's estimate up to date over its socket, from construction until stop(). */
export class SyncLoop {
  readonly #socket: ClockSocket;
  readonly #settings: SyncSettings;
  readonly #onEstimate: EstimateListener;
  readonly #onMode: ModeListener;
  // How coarsely the local clock reads (clockResolution), ms.
  readonly #resolution: number;
  #mode: SyncMode | undefined;
  // The newest estimate given to #onEstimate, and where it came from.
  #latest: Given | undefined;
  #syncSamples: readonly SyncSample[] = [];
  #pushes: PushSample[] = [];
  #resyncTimer: ReturnType<typeof setTimeout> | undefined;
  // Bursts since first connecting (or a visibility change, or a wall clock jump): the first is a
  // full one, and the delay to the next doubles with each. Counted again from 0 when the samples
  // show a clock stepped (see #estimateFromSync).
  #bursts = 0;
  #bursting = false;
  // Bumped on each disconnect and by stop(): a burst of an earlier generation stops.
  #generation = 0;
  // Wall clock − monotonic clock when last looked at.
  #skew: number;
  // Every request takes a token: whatever the events, the clock stays within SYNC_LOAD. Timed on
  // performance.now(), the time that passes, whatever the `clock` option does.
  readonly #budget = new TokenBucket(SYNC_LOAD.burst, SYNC_LOAD.perSecond);
  readonly #tokens = this.#budget.fill({}, performance.now());

  /** Starts syncing: at once if the socket is connected, else when it connects. */
  constructor(socket: ClockSocket, settings: SyncSettings, onEstimate: EstimateListener, onMode: ModeListener) {
    this.#socket = socket;
    this.#settings = settings;
    this.#onEstimate = onEstimate;
    this.#onMode = onMode;
    this.#resolution = clockResolution(settings.clock);
    this.#skew = this.#wallClockSkew();
    socket.on('connect', this.#onConnect).on('disconnect', this.#onDisconnect);
    (socket as PushSocket).on(settings.event, this.#onPush);
    globalThis.document?.addEventListener('visibilitychange', this.#onVisibilityChange);
    if (socket.connected) this.#onConnect();
  }

  /** `sync` once the server has answered a sync request, `push` once it is known not to. */
  get mode(): SyncMode | undefined {
    return this.#mode;
  }

  /** Stops for good: no more requests, resyncs or estimates. */
  stop(): void {
    this.#interrupt();
    this.#socket.off('connect', this.#onConnect).off('disconnect', this.#onDisconnect);
    (this.#socket as PushSocket).off(this.#settings.event, this.#onPush);
    globalThis.document?.removeEventListener('visibilitychange', this.#onVisibilityChange);
  }

  // The listeners are fields, to be removable.

  readonly #onConnect = () => {
    // The server behind the URL may have changed: find out again whether it answers sync.
    this.#setMode(undefined);
    // With samples kept from before, a resync's exchanges and the back-off carried on: a server
    // restarted under a crowd gets that from each clock, not a full burst and resyncs from a
    // second. If the server's clock is not the one the samples knew, they are superseded, and
    // the back-off starts over (#estimateFromSync).
    void this.#burst(this.#syncSamples.length === 0);
  };

  readonly #onDisconnect = () => {
    this.#interrupt();
  };

  readonly #onVisibilityChange = () => {
    if (!document.hidden) void this.#burst(true);
  };

  readonly #onPush = (value: unknown) => {
    // As late as it may have been, for the bound it sets (see #burst).
    const receivedAt = this.#settings.clock() + this.#resolution;
    this.#checkSkew();
    // Once sync answers, pushes are not used (see #useSyncAnswer).
    if (this.#mode === 'sync') return;
    // The best guess of the server's time: before the first estimate, the wall clock.
    const reference = this.#latest ? receivedAt + this.#latest.estimate.offset : Date.now();
    const parsed = parsePushedTime(value, reference);
    if (!parsed) return;
    this.#pushes = [...this.#pushes.slice(1 - PUSH_WINDOW), { ...parsed, receivedAt }];
    // Until sync answers, pushes give a first estimate; once it is known not to, they are all there is.
    if (this.#mode === 'push' || !this.#latest) this.#usePushes();
  };

  /** Ends the burst under way, if any, and cancels the next. */
  #interrupt(): void {
    this.#generation++;
    clearTimeout(this.#resyncTimer);
  }

  /**
   * A burst of sync exchanges, one after another, unless one is under way, the socket is not
   * connected or the server is known to be push-only. `restart`: a full burst, and from the first
   * resync delay. The first burst has all of `samples`, later ones as {@link nextResync} has
   * them (a quarter over a steady link, half over a jittery one); fewer if the budget runs out.
   * Its samples give one estimate, at its end: one slew and one `sync` event a burst, not one a
   * sample (on a page of a thousand elements, each reaches every one). Only a first answer, with
   * no estimate from sync yet, gives one at once.
   */
  async #burst(restart = false): Promise<void> {
    if (restart) this.#bursts = 0;
    if (this.#bursting || !this.#socket.connected || this.#mode === 'push') return;
    this.#bursting = true;
    clearTimeout(this.#resyncTimer);
    const generation = this.#generation;
    const { samples, clock } = this.#settings;
    const size = this.#bursts ? this.#nextResync().exchanges : samples;
    // Whether this burst has samples that no estimate given yet rests on.
    let unused = false;
    for (let i = 0; i < size && this.#budget.take(this.#tokens, performance.now()); i++) {
      const t0 = clock();
      const reply = await this.#request();
      const t3 = clock();
      // A disconnect (or stop()) while waiting ends the burst.
      if (generation !== this.#generation) break;
      if (!isSyncReply(reply)) {
        // A server that never answered is push-only; one that did just lost a sample.
        if (this.#mode === 'sync') continue;
        this.#setMode('push');
        this.#usePushes();
        break;
      }
      // Each local reading may be off by the clock's resolution either way: widened by it, the
      // exchange's bounds hold the offset still, and its round trip is never below 0.
      this.#useSyncAnswer({ t0: t0 - this.#resolution, t1: reply.t1, t2: reply.t2, t3: t3 + this.#resolution });
      // The first answer shows the server's time at once; later ones refine it at the burst's end.
      if (this.#latest?.mode === 'sync') unused = true;
      else this.#estimateFromSync();
    }
    this.#bursting = false;
    // A burst cut short by a disconnect keeps its samples for the next one's estimate.
    if (generation !== this.#generation) return;
    if (unused) this.#estimateFromSync();
    if (this.#mode === 'sync') this.#scheduleResync();
  }

  /**
   * One sync request: the server's answer, whatever it is (a server of another kind may answer
   * anything), or undefined without one in time. With a timeout, a request buffered across a
   * disconnect fails instead of arriving late.
   */
  #request(): Promise<unknown> {
    return this.#socket
      .timeout(this.#settings.timeout)
      .emitWithAck(SYNC_EVENT)
      .catch(() => undefined);
  }

  /** The next resync ({@link nextResync}); before any estimate from sync, as while the drift is unknown. */
  #nextResync(): Resync {
    const drift = this.#latest?.mode === 'sync' ? this.#latest.estimate.drift : UNKNOWN_DRIFT;
    return nextResync(drift, this.#syncSamples, this.#settings);
  }

  #scheduleResync(): void {
    const delay = resyncDelay(this.#bursts++, this.#nextResync().longest, Math.random());
    this.#resyncTimer = setTimeout(() => {
      this.#checkSkew();
      void this.#burst();
    }, delay);
  }

  /**
   * Wall clock − monotonic clock, ms. It stays put while both run (but for their drift); it
   * changes when the wall clock is set, or the machine slept.
   */
  #wallClockSkew(): number {
    return Date.now() - this.#settings.clock();
  }

  /** A wall clock that jumped since last looked at (it was set, or the machine slept) calls for a fresh burst. */
  #checkSkew(): void {
    const skew = this.#wallClockSkew();
    const jumped = Math.abs(skew - this.#skew) > SKEW_JUMP_MS;
    this.#skew = skew;
    if (jumped) void this.#burst(true);
  }

  /** Keeps a sync answer's sample, for the next estimate ({@link SyncLoop.#estimateFromSync}). */
  #useSyncAnswer(sample: SyncSample): void {
    // Once sync answers, pushes are not used.
    this.#pushes = [];
    this.#setMode('sync');
    this.#syncSamples = keptSamples(this.#syncSamples, sample);
  }

  /**
   * Gives the estimate from the sync samples. Pushes run late by the network delay they cannot
   * measure: the first from sync replaces their estimate at once, instead of slewing from it.
   * If it set aside samples that the one before rested on (they no longer agree with the newer
   * ones: a clock was stepped, or changed its rate), what the clock knew of the drift went with
   * them: the resyncs back off from their first delay again, as after connecting, to find it.
   * The samples set aside are dropped if the drift was known ({@link samplesAfter}).
   */
  #estimateFromSync(): void {
    const estimate = estimateFromSync(this.#syncSamples);
    if (!estimate) return;
    const before = this.#latest?.mode === 'sync' ? this.#latest.estimate : undefined;
    if (startsOver(estimate, before)) this.#bursts = 0;
    this.#syncSamples = samplesAfter(this.#syncSamples, estimate, before);
    this.#give({ estimate, mode: 'sync' }, this.#latest?.mode === 'push');
  }

  #setMode(mode: SyncMode | undefined): void {
    if (mode === this.#mode) return;
    this.#mode = mode;
    this.#onMode(mode);
  }

  #usePushes(): void {
    const estimate = estimateFromPushes(this.#pushes);
    if (estimate) this.#give({ estimate, mode: 'push' }, false);
  }

  #give(latest: Given, replace: boolean): void {
    this.#latest = latest;
    this.#onEstimate(latest.estimate, latest.mode, replace);
  }
}
