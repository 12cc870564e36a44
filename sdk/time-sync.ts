import { TIME_EVENT, SYNC_EVENT, isSyncReply } from './protocol.js';
import { releaseConnection, type Connection } from './connection.js';
import {
  DRIFT_BOUND,
  estimateFromPushes,
  estimateFromSync,
  type Estimate,
  type PushSample,
  type SyncSample,
} from './offset-estimator.js';
import { parsePushedTime } from './parse-time.js';
import { correct, slewedOffset, type Slew } from './slew.js';
import { monotonicNow, wallClockSkew } from './monotonic.js';

export interface TimeSyncOptions {
  /** Name of the pushed time event (default `api:server-time`). */
  event?: string;
  /** Sync exchanges in a burst, on (re)connect and at each resync (default 8). */
  samples?: number;
  /** How long a sync request may wait for its answer, ms (default 3000). */
  timeout?: number;
  /** Resync period once converged, ms (default 60 000). */
  resyncInterval?: number;
}

/** `sync`: the server answers sync requests; `push`: it only pushes its time. */
export type SyncMode = 'sync' | 'push';

export interface SyncDetail {
  offset: number;
  rtt: number;
  uncertainty: number;
  mode: SyncMode;
  samples: number;
}

const SYNC_WINDOW = 32;
const PUSH_WINDOW = 16;
// A wall clock that moves this far against the monotonic one means a sleep or a clock change.
const SKEW_JUMP_MS = 1000;
// Resync soon after connecting while the estimate converges, then back off to the interval.
const FIRST_RESYNC_MS = 1000;

/**
 * Keeps the server's clock over one connection (which it releases on dispose): sync bursts on connect, adaptive resync, push
 * fallback, slewed corrections. Shared by every clock on the same URL and event.
 */
export class TimeSync extends EventTarget {
  readonly connection: Connection;
  readonly #options: Required<TimeSyncOptions>;
  #syncSamples: SyncSample[] = [];
  #pushes: PushSample[] = [];
  #mode: SyncMode | undefined;
  #estimate: Estimate | undefined;
  #slew: Slew | undefined;
  #resyncTimer: ReturnType<typeof setTimeout> | undefined;
  #resyncDelay = FIRST_RESYNC_MS;
  #bursting = false;
  // Bumped on each connect and on dispose: a burst of an earlier generation stops.
  #generation = 0;
  #skew = wallClockSkew();

  constructor(connection: Connection, options: TimeSyncOptions = {}) {
    super();
    this.connection = connection;
    this.#options = {
      event: options.event ?? TIME_EVENT,
      samples: Math.max(1, Math.floor(options.samples ?? 8)),
      timeout: options.timeout ?? 3000,
      resyncInterval: options.resyncInterval ?? 60_000,
    };
    connection.addEventListener('connect', this.#onConnect);
    connection.addEventListener('disconnect', this.#onDisconnect);
    connection.socket.on(this.#options.event, this.#onPush);
    globalThis.document?.addEventListener('visibilitychange', this.#onVisibility);
    if (connection.socket.connected) this.#onConnect();
  }

  get mode(): SyncMode | undefined {
    return this.#mode;
  }

  get estimate(): Estimate | undefined {
    return this.#estimate;
  }

  /** Server time in epoch ms, or NaN before the first estimate. */
  now(): number {
    const t = monotonicNow();
    return this.#slew ? t + slewedOffset(this.#slew, t) : NaN;
  }

  /** The offset in effect now (mid-slew, it is between the old and the new estimate). */
  get offset(): number {
    return this.#slew ? slewedOffset(this.#slew, monotonicNow()) : NaN;
  }

  /** Bound on |now() − true server time|, ms: the estimate's, grown by drift, plus any slew left. */
  get uncertainty(): number {
    const est = this.#estimate;
    if (!est || !this.#slew) return NaN;
    const t = monotonicNow();
    return est.uncertainty + DRIFT_BOUND * (t - est.at) + Math.abs(est.offset - slewedOffset(this.#slew, t));
  }

  dispose(): void {
    this.#generation++;
    clearTimeout(this.#resyncTimer);
    this.connection.removeEventListener('connect', this.#onConnect);
    this.connection.removeEventListener('disconnect', this.#onDisconnect);
    this.connection.socket.off(this.#options.event, this.#onPush);
    globalThis.document?.removeEventListener('visibilitychange', this.#onVisibility);
    releaseConnection(this.connection);
  }

  #onConnect = () => {
    this.#generation++;
    // The server behind the URL may have changed: find out again whether it answers sync.
    this.#mode = undefined;
    this.#resyncDelay = FIRST_RESYNC_MS;
    void this.#burst(this.#options.samples);
  };

  #onDisconnect = () => {
    this.#generation++;
    clearTimeout(this.#resyncTimer);
  };

  #onVisibility = () => {
    if (globalThis.document?.visibilityState === 'visible') this.#resyncNow();
  };

  #onPush = (value: unknown) => {
    const receivedAt = monotonicNow();
    this.#checkSkew();
    if (this.#mode === 'sync') return;
    const reference = this.#slew ? this.now() : Date.now();
    const parsed = parsePushedTime(value, reference);
    if (!parsed) return;
    this.#pushes = [...this.#pushes.slice(-(PUSH_WINDOW - 1)), { serverTime: parsed.time, resolution: parsed.resolution, receivedAt }];
    // Until sync answers, pushes give a first estimate; once it is known not to, they are all there is.
    if (this.#mode === 'push' || !this.#estimate) this.#apply(estimateFromPushes(this.#pushes), 'push');
  };

  #checkSkew() {
    const skew = wallClockSkew();
    if (Math.abs(skew - this.#skew) <= SKEW_JUMP_MS) return;
    this.#skew = skew;
    this.#resyncNow();
  }

  #resyncNow() {
    if (this.#mode !== 'sync' || !this.connection.socket.connected) return;
    this.#resyncDelay = FIRST_RESYNC_MS;
    void this.#burst(this.#options.samples);
  }

  async #burst(count: number): Promise<void> {
    if (this.#bursting) return;
    this.#bursting = true;
    clearTimeout(this.#resyncTimer);
    const generation = this.#generation;
    const socket = this.connection.socket;
    try {
      for (let i = 0; i < count && generation === this.#generation && socket.connected; i++) {
        const t0 = monotonicNow();
        let reply: unknown;
        try {
          // With a timeout, a request buffered across a disconnect fails instead of arriving late.
          reply = await socket.timeout(this.#options.timeout).emitWithAck(SYNC_EVENT);
        } catch {
          reply = undefined;
        }
        const t3 = monotonicNow();
        if (generation !== this.#generation) return;
        if (!isSyncReply(reply)) {
          // A server that never answered is push-only; one that did just lost a sample.
          if (this.#mode !== 'sync') {
            this.#mode = 'push';
            this.#apply(estimateFromPushes(this.#pushes), 'push');
            return;
          }
          continue;
        }
        if (this.#mode !== 'sync') {
          this.#pushes = [];
          // Pushes run late by the network delay they cannot measure: the first answer replaces
          // their estimate (which has no round trip) at once, instead of slewing from it.
          if (Number.isNaN(this.#estimate?.rtt)) this.#slew = undefined;
        }
        this.#mode = 'sync';
        this.#syncSamples = [...this.#syncSamples.slice(-(SYNC_WINDOW - 1)), { t0, t1: reply.t1, t2: reply.t2, t3 }];
        this.#apply(estimateFromSync(this.#syncSamples), 'sync');
      }
    } finally {
      this.#bursting = false;
      if (generation === this.#generation && this.#mode === 'sync') this.#scheduleResync();
    }
  }

  #scheduleResync() {
    clearTimeout(this.#resyncTimer);
    const delay = this.#resyncDelay;
    this.#resyncDelay = Math.min(this.#options.resyncInterval, delay * 2);
    this.#resyncTimer = setTimeout(() => {
      this.#checkSkew();
      // Full bursts: the drift bound soon widens older samples past use, so each burst stands
      // nearly alone, and the fastest of eight legs is much nearer the floor than of four.
      void this.#burst(this.#options.samples);
    }, delay);
  }

  #apply(estimate: Estimate | undefined, mode: SyncMode) {
    if (!estimate) return;
    this.#estimate = estimate;
    this.#slew = correct(this.#slew, estimate.offset, monotonicNow());
    const detail: SyncDetail = {
      offset: estimate.offset,
      rtt: estimate.rtt,
      uncertainty: this.uncertainty,
      mode,
      samples: estimate.samples,
    };
    this.dispatchEvent(new CustomEvent('sync', { detail }));
  }
}
