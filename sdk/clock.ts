import {
  fire,
  join,
  leave,
  type Connection,
  type ConnectionEventMap,
  type ConnectionOptions,
  type ConnectionState,
} from './connection.js';
import {
  DRIFT_BOUND,
  estimateFromPushes,
  estimateFromSync,
  type Estimate,
  type PushSample,
  type SyncSample,
} from './offset-estimator.js';
import type { Socket } from 'socket.io-client';
import { parsePushedTime } from './parse-time.js';
import { SYNC_EVENT, TIME_EVENT, isSyncReply } from './protocol.js';
import { correct, slewedOffset, step, type Slew } from './slew.js';
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
  addEventListener<K extends keyof ServerClockEventMap>(
    type: K,
    listener: (this: ServerClock, ev: ServerClockEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof ServerClockEventMap>(
    type: K,
    listener: (this: ServerClock, ev: ServerClockEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
}

const SYNC_WINDOW = 32;
const PUSH_WINDOW = 16;
// A wall clock that moves this far against the monotonic one means a sleep or a clock change.
const SKEW_JUMP_MS = 1000;
// Resync soon after connecting while the estimate converges, then back off to the interval.
const FIRST_RESYNC_MS = 1000;

// The numeric options and their defaults (README "Use it from npm").
const NUMBERS = {
  samples: 8,
  timeout: 3000,
  resyncInterval: 60_000,
  reconnectDelay: 500,
  reconnectDelayMax: 30_000,
  reconnectAttempts: Infinity,
};

/**
 * The options with the numbers' defaults (`event` and `transports` get theirs where they are
 * used). Numbers are checked: a clear error beats a clock that silently never syncs.
 */
function withDefaults(options: ClockOptions): ClockOptions & typeof NUMBERS {
  const settings = { ...options } as ClockOptions & typeof NUMBERS;
  let name: keyof typeof NUMBERS;
  for (name in NUMBERS) {
    const fallback = NUMBERS[name];
    const value = (settings[name] = options[name] ?? fallback);
    // Infinity only where it is the default: a number of attempts, never a time.
    if (!(value > 0 && (value < Infinity || value === fallback)))
      throw new RangeError(`server-clock: ${name} must be a positive number, not ${value}`);
  }
  return settings;
}

/**
 * The URL resolved against the page, if a socket.io server can be there: only http(s) and ws(s)
 * reach one, and an empty URL would mean the page itself. Undefined for any other.
 */
function clockUrl(url: string): string | undefined {
  // (Not a string at all, from JavaScript callers: no URL either.)
  if (typeof url !== 'string' || !url.trim()) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url, globalThis.location?.href);
  } catch {
    return undefined;
  }
  return /^(http|ws)s?:$/.test(parsed.protocol) ? parsed.href : undefined;
}

/**
 * The server's clock, as seen from here: sync bursts on connect, adaptive resync, push-only
 * fallback, slewed corrections. Clocks on the same URL share one connection.
 */
export class ServerClock extends EventTarget {
  /** The server URL, resolved against the page. */
  readonly url: string;
  // Until close(), unless the URL was refused.
  #connection: Connection | undefined;
  #error: Error | undefined;
  #mode: SyncMode | undefined;
  #estimate: Estimate | undefined;
  #slew: Slew | undefined;
  // Stops the sync loop and lets go of the connection; once.
  #close: (() => void) | undefined;

  constructor(url: string, options: ClockOptions = {}) {
    super();
    const settings = withDefaults(options);
    const valid = clockUrl(url);
    if (valid === undefined) {
      this.url = String(url);
      const error = (this.#error = new TypeError(`server-clock: not an http(s) or ws(s) URL: "${url ?? ''}"`));
      // Dispatched later, so that listeners added right after construction hear it.
      queueMicrotask(() => fire(this, 'error', { error }));
      return;
    }
    this.url = valid;
    const connection = (this.#connection = join(this.url, this, settings));
    const { socket } = connection;

    // The sync loop's own state.
    let syncSamples: SyncSample[] = [];
    let pushes: PushSample[] = [];
    let resyncTimer: ReturnType<typeof setTimeout> | undefined;
    // Bursts since connecting (or a visibility change, or a wall clock jump): the delay to the
    // next doubles with each, from a second up to the resync interval.
    let bursts = 0;
    let bursting = false;
    // Bumped on each disconnect and on close(): a burst of an earlier generation stops.
    let generation = 0;
    let skew = wallClockSkew();

    // `replace`: step to the estimate at once, instead of slewing from the one before.
    const apply = (estimate: Estimate | undefined, mode: SyncMode, replace = false) => {
      if (!estimate) return;
      const t = monotonicNow();
      this.#slew = replace ? step(estimate.offset, t) : correct(this.#slew, estimate.offset, t);
      this.#estimate = estimate;
      fire(this, 'sync', {
        offset: estimate.offset,
        rtt: estimate.rtt ?? NaN,
        uncertainty: this.uncertainty,
        mode,
        samples: estimate.samples,
      } satisfies SyncDetail);
    };

    // A burst of sync exchanges, one after another, unless one is under way, the socket is not
    // connected or the server is known to be push-only. `restart`: from the first resync delay.
    const burst = async (restart?: boolean) => {
      if (restart) bursts = 0;
      if (bursting || !socket.connected || this.#mode === 'push') return;
      bursting = true;
      clearTimeout(resyncTimer);
      const current = generation;
      // A disconnect (or close()) bumps the generation: the await below ends the burst then.
      for (let i = 0; i < settings.samples; i++) {
        const t0 = monotonicNow();
        // With a timeout, a request buffered across a disconnect fails instead of arriving late.
        const reply: unknown = await socket
          .timeout(settings.timeout)
          .emitWithAck(SYNC_EVENT)
          .catch(() => undefined);
        const t3 = monotonicNow();
        if (current !== generation) break;
        if (!isSyncReply(reply)) {
          // A server that never answered is push-only; one that did just lost a sample.
          if (this.#mode === 'sync') continue;
          this.#mode = 'push';
          apply(estimateFromPushes(pushes), 'push');
          break;
        }
        // Once sync answers, pushes are not used. They run late by the network delay they cannot
        // measure: the first answer replaces their estimate (which has no round trip) at once,
        // instead of slewing from it.
        pushes = [];
        const fromPushes = this.#estimate !== undefined && this.#estimate.rtt === undefined;
        this.#mode = 'sync';
        syncSamples = [...syncSamples.slice(1 - SYNC_WINDOW), [t0, reply.t1, reply.t2, t3]];
        apply(estimateFromSync(syncSamples), 'sync', fromPushes);
      }
      bursting = false;
      if (current !== generation || this.#mode !== 'sync') return;
      resyncTimer = setTimeout(
        () => {
          checkSkew();
          // Full bursts: the drift bound soon widens older samples past use, so each burst stands
          // nearly alone, and the fastest of eight legs is much nearer the floor than of four.
          burst();
        },
        Math.min(settings.resyncInterval, FIRST_RESYNC_MS * 2 ** bursts++),
      );
    };

    const checkSkew = () => {
      const now = wallClockSkew();
      if (Math.abs(now - skew) <= SKEW_JUMP_MS) return;
      skew = now;
      burst(true);
    };

    const onConnect = () => {
      // The server behind the URL may have changed: find out again whether it answers sync.
      this.#mode = undefined;
      burst(true);
    };

    const stop = () => {
      generation++;
      clearTimeout(resyncTimer);
    };

    const onVisibility = () => {
      if (!document.hidden) burst(true);
    };

    const onPush = (value: unknown) => {
      const receivedAt = monotonicNow();
      checkSkew();
      if (this.#mode === 'sync') return;
      // Before the first estimate, the wall clock is all there is.
      const parsed = parsePushedTime(value, this.#serverTimeAt(receivedAt) ?? Date.now());
      if (!parsed) return;
      pushes = [...pushes.slice(1 - PUSH_WINDOW), { ...parsed, receivedAt }];
      // Until sync answers, pushes give a first estimate; once it is known not to, they are all there is.
      if (this.#mode || !this.#estimate) apply(estimateFromPushes(pushes), 'push');
    };

    this.addEventListener('connect', onConnect);
    this.addEventListener('disconnect', stop);
    const event = settings.event || TIME_EVENT;
    // The event's name is an option, for servers of other kinds (the classic example pushes
    // 'time'), which socket.io's typed map cannot know: the pushes are listened to on a view of
    // the socket where any event may carry anything, which onPush checks.
    const pushSocket = socket as Socket<Record<string, (value: unknown) => void>>;
    pushSocket.on(event, onPush);
    globalThis.document?.addEventListener('visibilitychange', onVisibility);
    if (socket.connected) onConnect();

    this.#close = () => {
      this.#close = this.#connection = this.#estimate = this.#slew = undefined;
      stop();
      pushSocket.off(event, onPush);
      globalThis.document?.removeEventListener('visibilitychange', onVisibility);
      if (socket.connected) fire(this, 'disconnect', { reason: 'io client disconnect' });
      leave(connection, this);
      fire(this, 'statechange', { state: 'disconnected' });
    };
  }

  /** Estimated server time in epoch milliseconds; NaN until the first estimate, and after close(). */
  now(): number {
    return this.#serverTimeAt(monotonicNow()) ?? NaN;
  }

  /** The server's time at local time `t`, as shown (slewed); undefined without an estimate. */
  #serverTimeAt(t: number): number | undefined {
    const offset = slewedOffset(this.#slew, t);
    return offset === undefined ? undefined : t + offset;
  }

  get state(): ConnectionState {
    return this.#error ? 'error' : (this.#connection?.state ?? 'disconnected');
  }

  /** Why the clock is in state `error`, if it is. */
  get error(): Error | undefined {
    return this.#error ?? this.#connection?.error;
  }

  /** Server clock − local monotonic clock, ms, as applied now (mid-slew, between old and new). NaN without an estimate. */
  get offset(): number {
    return slewedOffset(this.#slew, monotonicNow()) ?? NaN;
  }

  /** Best round trip behind the estimate, ms (NaN for push-only servers). */
  get rtt(): number {
    return this.#estimate?.rtt ?? NaN;
  }

  /** Bound on |now() − true server time|, ms: the estimate's, grown by drift, plus any slew left. */
  get uncertainty(): number {
    const estimate = this.#estimate;
    const t = monotonicNow();
    const offset = slewedOffset(this.#slew, t);
    if (!estimate || offset === undefined) return NaN;
    return estimate.uncertainty + DRIFT_BOUND * (t - estimate.at) + Math.abs(estimate.offset - offset);
  }

  /** Whether there is an estimate of the server's time. */
  get synced(): boolean {
    return !!this.#estimate;
  }

  /** `sync` when the server answers sync requests, `push` when it only pushes its time. */
  get mode(): SyncMode | undefined {
    return this.#mode;
  }

  /** Lets go of the connection and of the estimate; the last clock on a URL closes the connection. Idempotent. */
  close(): void {
    this.#close?.();
  }
}

/** Connects to a server-clock (or plain socket.io time) server. */
export function connectClock(url: string, options?: ClockOptions): ServerClock {
  return new ServerClock(url, options);
}
