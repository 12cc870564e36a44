import { acquireConnection, positive, releaseConnection, type Connection, type ConnectionEventMap, type ConnectionOptions, type ConnectionState } from './connection.js';
import { DRIFT_BOUND, estimateFromPushes, estimateFromSync, type Estimate, type PushSample, type SyncSample } from './offset-estimator.js';
import { parsePushedTime } from './parse-time.js';
import { SYNC_EVENT, TIME_EVENT, isSyncReply } from './protocol.js';
import { correct, slewedOffset, type Slew } from './slew.js';
import { monotonicNow, wallClockSkew } from './monotonic.js';

export interface ClockOptions extends ConnectionOptions {
  /** Name of the pushed time event (default `api:server-time`). */
  event?: string;
  /** Sync exchanges in a burst on (re)connect (default 8). */
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

export interface ServerClockEventMap extends ConnectionEventMap {
  sync: CustomEvent<SyncDetail>;
}

export interface ServerClock {
  addEventListener<K extends keyof ServerClockEventMap>(type: K, listener: (this: ServerClock, ev: ServerClockEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof ServerClockEventMap>(type: K, listener: (this: ServerClock, ev: ServerClockEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

const SYNC_WINDOW = 32;
const PUSH_WINDOW = 16;
// A wall clock that moves this far against the monotonic one means a sleep or a clock change.
const SKEW_JUMP_MS = 1000;
// Resync soon after connecting while the estimate converges, then back off to the interval.
const FIRST_RESYNC_MS = 1000;

/**
 * The server's clock, as seen from here: sync bursts on connect, adaptive resync, push-only
 * fallback, slewed corrections. Clocks on the same URL share one connection.
 */
export class ServerClock extends EventTarget {
  /** The server URL, resolved against the page. */
  readonly url: string;
  readonly #connection: Connection | undefined;
  readonly #options: Required<Pick<ClockOptions, 'event' | 'samples' | 'timeout' | 'resyncInterval'>>;
  #error: Error | undefined;
  #closed = false;
  #syncSamples: SyncSample[] = [];
  #pushes: PushSample[] = [];
  #mode: SyncMode | undefined;
  #estimate: Estimate | undefined;
  #slew: Slew | undefined;
  #resyncTimer: ReturnType<typeof setTimeout> | undefined;
  #resyncDelay = FIRST_RESYNC_MS;
  #bursting = false;
  // Bumped on each connect, disconnect and close: a burst of an earlier generation stops.
  #generation = 0;
  #skew = wallClockSkew();

  constructor(url: string, options: ClockOptions = {}) {
    super();
    this.#options = {
      event: options.event || TIME_EVENT,
      samples: positive('samples', options.samples ?? 8),
      timeout: positive('timeout', options.timeout ?? 3000),
      resyncInterval: positive('resyncInterval', options.resyncInterval ?? 60_000),
    };
    try {
      this.url = resolveServerUrl(url);
    } catch (error) {
      this.url = String(url);
      this.#error = error as Error;
      // Dispatched later, so that listeners added right after construction hear it.
      queueMicrotask(() => this.dispatchEvent(new CustomEvent('error', { detail: { error } })));
      return;
    }
    const connection = (this.#connection = acquireConnection(this.url, options));
    connection.listeners.add(this);
    this.addEventListener('connect', this.#onConnect);
    this.addEventListener('disconnect', this.#stop);
    connection.socket.on(this.#options.event, this.#onPush);
    globalThis.document?.addEventListener('visibilitychange', this.#onVisibility);
    if (connection.socket.connected) this.#onConnect();
  }

  /** Estimated server time in epoch milliseconds; NaN until the first estimate. */
  now(): number {
    const t = monotonicNow();
    return this.#slew && !this.#closed ? t + slewedOffset(this.#slew, t) : NaN;
  }

  get state(): ConnectionState {
    if (this.#error) return 'error';
    return this.#closed || !this.#connection ? 'disconnected' : this.#connection.state;
  }

  /** Why the clock is in state `error`, if it is. */
  get error(): Error | undefined {
    return this.#error ?? this.#connection?.error;
  }

  /** Server clock − local monotonic clock, ms, as applied now (mid-slew, between old and new). NaN before the first estimate. */
  get offset(): number {
    return this.#slew ? slewedOffset(this.#slew, monotonicNow()) : NaN;
  }

  /** Best round trip behind the estimate, ms (NaN for push-only servers). */
  get rtt(): number {
    return this.#estimate?.rtt ?? NaN;
  }

  /** Bound on |now() − true server time|, ms: the estimate's, grown by drift, plus any slew left. */
  get uncertainty(): number {
    const est = this.#estimate;
    if (!est || !this.#slew) return NaN;
    const t = monotonicNow();
    return est.uncertainty + DRIFT_BOUND * (t - est.at) + Math.abs(est.offset - slewedOffset(this.#slew, t));
  }

  /** Whether there is an estimate of the server's time. */
  get synced(): boolean {
    return !this.#closed && this.#estimate !== undefined;
  }

  /** `sync` when the server answers sync requests, `push` when it only pushes its time. */
  get mode(): SyncMode | undefined {
    return this.#mode;
  }

  /** Lets go of the connection; the last clock on a URL closes it. Idempotent. */
  close(): void {
    const connection = this.#connection;
    if (this.#closed || !connection) return;
    const wasConnected = connection.socket.connected;
    this.#stop();
    this.#closed = true;
    connection.listeners.delete(this);
    connection.socket.off(this.#options.event, this.#onPush);
    globalThis.document?.removeEventListener('visibilitychange', this.#onVisibility);
    releaseConnection(connection);
    if (wasConnected) this.#emit('disconnect', { reason: 'io client disconnect' });
    this.#emit('statechange', { state: 'disconnected' });
  }

  #onConnect = () => {
    this.#generation++;
    // The server behind the URL may have changed: find out again whether it answers sync.
    this.#mode = undefined;
    this.#resyncDelay = FIRST_RESYNC_MS;
    void this.#burst(this.#options.samples);
  };

  #stop = () => {
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
    const parsed = parsePushedTime(value, this.#slew ? this.now() : Date.now());
    if (!parsed) return;
    this.#pushes = [...this.#pushes.slice(1 - PUSH_WINDOW), { serverTime: parsed.time, resolution: parsed.resolution, receivedAt }];
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
    if (this.#mode !== 'sync' || !this.#connection?.socket.connected) return;
    this.#resyncDelay = FIRST_RESYNC_MS;
    void this.#burst(this.#options.samples);
  }

  async #burst(count: number): Promise<void> {
    if (this.#bursting || !this.#connection) return;
    this.#bursting = true;
    clearTimeout(this.#resyncTimer);
    const generation = this.#generation;
    const socket = this.#connection.socket;
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
        this.#syncSamples = [...this.#syncSamples.slice(1 - SYNC_WINDOW), { t0, t1: reply.t1, t2: reply.t2, t3 }];
        this.#apply(estimateFromSync(this.#syncSamples), 'sync');
      }
    } finally {
      this.#bursting = false;
      if (generation === this.#generation && this.#mode === 'sync') this.#scheduleResync();
    }
  }

  #scheduleResync() {
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
    this.#emit('sync', { offset: estimate.offset, rtt: estimate.rtt, uncertainty: this.uncertainty, mode, samples: estimate.samples });
  }

  #emit<K extends keyof ServerClockEventMap>(type: K, detail: ServerClockEventMap[K]['detail']) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/** Connects to a server-clock (or plain socket.io time) server. */
export function connectClock(url: string, options?: ClockOptions): ServerClock {
  return new ServerClock(url, options);
}

/** Resolves a server URL against the page; only http(s) and ws(s) URLs are accepted. */
export function resolveServerUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url, globalThis.location?.href);
  } catch {
    // reported below
  }
  if (!url?.trim() || !/^(http|ws)s?:$/.test(parsed?.protocol ?? '')) {
    throw new TypeError(`server-clock: the server URL must be an http(s) or ws(s) URL, not "${url ?? ''}"`);
  }
  return parsed!.href;
}
