import {
  fire,
  join,
  leave,
  type Connection,
  type ConnectionEventMap,
  type ConnectionOptions,
  type ConnectionSettings,
  type ConnectionState,
} from './connection.js';
import { TypedEventTarget } from './typed-event-target.js';
import { clockResolution, monotonicNow } from './monotonic.js';
import type { Estimate } from './offset-estimator.js';
import { TIME_EVENT } from './protocol.js';
import { correct, slewedOffset, step, type Slew } from './slew.js';
import { SyncLoop, type SyncMode, type SyncSettings } from './sync.js';
import { ServerTimer, type ClockTimer } from './timer.js';

/** Options of {@link connectClock}, all optional. Numbers out of range throw a `RangeError`. */
export interface ClockOptions extends ConnectionOptions {
  /**
   * Name of the pushed time event: the protocol's, or a plain socket.io server's own (an empty
   * name means the default).
   * @defaultValue `'api:server-time'` ({@link TIME_EVENT})
   */
  event?: string;
  /**
   * Sync exchanges in the burst on connect (and when the page is shown again, or the wall clock
   * jumps). The resyncs after it take a quarter as many over a steady link (the fastest quarter
   * of its newest 8 round trips within 2 ms of the fastest), half over a jittery one.
   * @defaultValue `8`
   */
  samples?: number;
  /**
   * How long a sync request may wait for its answer, ms. A server that answers none within it
   * is taken for push-only.
   * @defaultValue `3000`
   */
  timeout?: number;
  /**
   * Longest time between resyncs, ms, once the drift between the two clocks is known (to 10 ppm)
   * over a steady link (see `samples`): resyncs start a second after connecting and back off,
   * doubling, to a minute until then (and over a jittery link; there to 15 s until the samples
   * span 3 minutes), and to this after. Each delay is drawn ±25 % at random, so that clocks that
   * connected together do not sync together.
   * @defaultValue `240_000` (4 minutes)
   */
  resyncInterval?: number;
  /**
   * The local monotonic clock every local time is read on, epoch-like ms: it must not jump or
   * run backwards. `now()` is this plus the offset, whatever rate it runs at (the drift is
   * measured). Tests give one that runs fast or slow; the server's option of the same name is
   * the clock it serves.
   * @defaultValue `() => performance.timeOrigin + performance.now()`
   */
  clock?: () => number;
}

/** The `detail` of a `sync` event: the new estimate. */
export interface SyncDetail {
  /** Server clock − local monotonic clock, ms, that the clock now heads for. */
  offset: number;
  /**
   * Best round trip behind the estimate, ms, as read on the local clock and widened by twice its
   * resolution (see `uncertainty`); NaN in `push` mode, where there is none.
   */
  rtt: number;
  /** Bound on the error of `now()`, ms, as of the event. */
  uncertainty: number;
  /** Whether the estimate is from sync answers or from pushed times. */
  mode: SyncMode;
  /** How many samples (exchanges or pushes) it rests on. */
  samples: number;
  /** How fast the server's clock runs against the local one, ppm (µs per second); 0 until measured. */
  drift: number;
  /** Bound on the error of `drift`, ppm; 100 (the bound assumed for any two clocks) until measured. */
  driftUncertainty: number;
}

/** The events of a {@link ServerClock}, by name: the connection's lifecycle, and `sync`. */
export interface ServerClockEventMap extends ConnectionEventMap {
  /**
   * A new estimate of the server's time: at the first sync answer, then once at the end of each
   * burst of exchanges (from a push-only server, at each push).
   */
  sync: CustomEvent<SyncDetail>;
}

/** The options as the clock runs by them: every default filled in. */
type ClockSettings = SyncSettings & ConnectionSettings;

// The numeric options and their defaults (README "Use it from npm").
const NUMBER_DEFAULTS = {
  samples: 8,
  timeout: 3000,
  resyncInterval: 240_000,
  reconnectDelay: 500,
  reconnectDelayMax: 30_000,
  reconnectAttempts: Infinity,
};

// WebSocket first: sync samples over it are fast from the first one, and a socket closed while
// connecting closes at once on the server too (a polling handshake would linger there until its
// ping timeout). Polling remains for networks that block WebSocket.
const DEFAULT_TRANSPORTS: ClockSettings['transports'] = ['websocket', 'polling'];

/** The options with their defaults. Numbers are checked: a clear error beats a clock that silently never syncs. */
function withDefaults(options: ClockOptions): ClockSettings {
  const number = (name: keyof typeof NUMBER_DEFAULTS) => checkedNumber(name, options[name], NUMBER_DEFAULTS[name]);
  return {
    // An empty name is none, as an empty attribute is on the element: the protocol's own.
    event: options.event === undefined || options.event === '' ? TIME_EVENT : options.event,
    transports: options.transports ?? DEFAULT_TRANSPORTS,
    localAddress: options.localAddress,
    samples: number('samples'),
    timeout: number('timeout'),
    resyncInterval: number('resyncInterval'),
    clock: checkedClock(options.clock),
    reconnectDelay: number('reconnectDelay'),
    reconnectDelayMax: number('reconnectDelayMax'),
    reconnectAttempts: number('reconnectAttempts'),
  };
}

/** A numeric option: positive, finite unless the default is Infinity (a number of attempts, never a time). */
function checkedNumber(name: string, value: number | undefined, fallback: number): number {
  const number = value ?? fallback;
  // (JavaScript callers may pass anything: a string of digits is no number either.)
  if (typeof number === 'number' && number > 0 && (Number.isFinite(number) || number === fallback)) return number;
  throw new RangeError(`server-clock: ${name} must be a positive number, not ${number}`);
}

/** The `clock` option: a function, or the monotonic clock by default. */
function checkedClock(clock = monotonicNow): () => number {
  if (typeof clock === 'function') return clock;
  throw new TypeError(`server-clock: clock must be a function, not ${String(clock)}`);
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
 *
 * An invalid URL does not throw: the clock is in state `error` and fires an `error` event.
 *
 * @example
 * ```ts
 * const clock = new ServerClock('https://time.example', { samples: 8 });
 * clock.addEventListener('sync', (event) => {
 *   console.log(new Date(clock.now()).toISOString(), `± ${event.detail.uncertainty.toFixed(1)} ms`);
 * });
 * clock.addEventListener('statechange', (event) => console.log('state:', event.detail.state));
 * // later: clock.close();
 * ```
 */
export class ServerClock extends TypedEventTarget<ServerClockEventMap> {
  /** The server URL, resolved against the page. */
  readonly url: string;
  // Why the URL was refused, if it was: then there is no connection and no sync loop.
  readonly #urlError: Error | undefined;
  // Until close().
  #connection: Connection | undefined;
  // Stopped by close(), and kept: `mode` still says what the server did.
  readonly #sync: SyncLoop | undefined;
  // How long a request may wait for its answer (the `timeout` option): sync, and timer watches.
  readonly #timeout: number;
  // The local monotonic clock (the `clock` option), and how coarsely it reads (clockResolution).
  readonly #clock: () => number;
  readonly #resolution: number;
  // The open timers of this clock: told of each new estimate, and closed with it.
  readonly #timers = new Set<ClockTimer>();
  // The estimate in use, and the correction towards it: from the first estimate until close().
  #estimate: Estimate | undefined;
  #slew: Slew | undefined;

  /**
   * Connects to the server at `url` (http(s) or ws(s), resolved against the page), or joins the
   * connection already open to it, and starts syncing.
   * @throws RangeError for a numeric option that is not a positive number, TypeError for a
   * `clock` that is not a function.
   */
  constructor(url: string, options: ClockOptions = {}) {
    super();
    const settings = withDefaults(options);
    this.#timeout = settings.timeout;
    this.#clock = settings.clock;
    this.#resolution = clockResolution(settings.clock);
    const valid = clockUrl(url);
    if (valid === undefined) {
      this.url = String(url);
      const error = (this.#urlError = new TypeError(`server-clock: not an http(s) or ws(s) URL: "${url ?? ''}"`));
      // Dispatched later, so that listeners added right after construction hear it.
      queueMicrotask(() => fire(this, 'error', { error }));
      return;
    }
    this.url = valid;
    this.#connection = join(this.url, this, settings);
    this.#sync = new SyncLoop(
      this.#connection.socket,
      settings,
      (estimate, mode, replace) => this.#apply(estimate, mode, replace),
      () => this.#connection?.updateTicks(),
    );
  }

  /** Estimated server time in epoch milliseconds; NaN until the first estimate, and after close(). */
  now(): number {
    return this.at(this.#clock());
  }

  /**
   * The server's time, epoch ms, at `local`: a reading of this clock's local source (the `clock`
   * option; by default `performance.timeOrigin + performance.now()`). One reading then serves
   * many displays at one instant, and an event stamped earlier is placed on the server's clock.
   * A reading from before the last estimate gets the correction in effect as that estimate came
   * in. NaN until the first estimate, and after close(); {@link ServerClock.now} is `at` of a
   * reading taken now.
   *
   * @example When a click happened, on the server's clock (not when its handler ran)
   * ```ts
   * button.addEventListener('click', (event) => {
   *   const clickedAt = clock.at(performance.timeOrigin + event.timeStamp);
   * });
   * ```
   */
  at(local: number): number {
    const offset = this.#offsetAt(local);
    return offset === undefined ? NaN : local + offset;
  }

  /** Where the connection is in its lifecycle (see {@link ConnectionState}); `disconnected` after close(). */
  get state(): ConnectionState {
    if (this.#urlError) return 'error';
    return this.#connection?.state ?? 'disconnected';
  }

  /** Why the clock is in state `error`, if it is. */
  get error(): Error | undefined {
    return this.#urlError ?? this.#connection?.error;
  }

  /** Server clock − local monotonic clock, ms, as applied now (mid-slew, between old and new). NaN without an estimate. */
  get offset(): number {
    return this.#offsetAt(this.#clock()) ?? NaN;
  }

  /** Best round trip behind the estimate, ms, widened by twice the local clock's resolution (NaN for push-only servers). */
  get rtt(): number {
    return this.#estimate?.rtt ?? NaN;
  }

  /**
   * Bound on |now() − true server time|, ms: the estimate's, grown by the drift's uncertainty
   * since, plus any slew left, and the local clock's resolution (a reading may be off by it).
   */
  get uncertainty(): number {
    const estimate = this.#estimate;
    const t = this.#clock();
    const slewed = slewedOffset(this.#slew, t);
    if (!estimate || slewed === undefined) return NaN;
    const drifted = estimate.drift.uncertainty * (t - estimate.at);
    return estimate.uncertainty + drifted + Math.abs(estimate.offset - slewed) + this.#resolution;
  }

  /** Whether there is an estimate of the server's time. */
  get synced(): boolean {
    return this.#estimate !== undefined;
  }

  /**
   * `sync` when the server answers sync requests, `push` when it only pushes its time; undefined
   * until it is known.
   */
  get mode(): SyncMode | undefined {
    return this.#sync?.mode;
  }

  /**
   * Watches the server's timer `name` (letters, digits and `.`, `_`, `:`, `-`, up to 64): a new
   * {@link ServerTimer}. Timers of one name on one connection share one watch on the server. An
   * invalid name, or a clock without a connection, gives a timer that fires `error` instead.
   * Closing the clock closes its timers.
   *
   * @example
   * ```ts
   * const round = clock.timer('round-7');
   * round.addEventListener('end', () => console.log('time is up'));
   * ```
   */
  timer(name: string): ServerTimer {
    return new ServerTimer(this, name, { connection: this.#connection, timeout: this.#timeout, timers: this.#timers });
  }

  /** Lets go of the connection and of the estimate, and closes its timers; the last clock on a URL closes the connection. Idempotent. */
  close(): void {
    const connection = this.#connection;
    if (!connection) return;
    // First the timers, so that they unwatch over a connection that other clocks may keep.
    for (const timer of [...this.#timers]) timer.closed();
    this.#connection = this.#estimate = this.#slew = undefined;
    this.#sync?.stop();
    if (connection.socket.connected) fire(this, 'disconnect', { reason: 'io client disconnect' });
    leave(connection, this);
    fire(this, 'statechange', { state: 'disconnected' });
  }

  /**
   * The offset as applied at local time `t`: the correction (slewed from the last estimate's
   * offset at `at` to the new one's) carried forward by the estimate's drift. Undefined without one.
   */
  #offsetAt(t: number): number | undefined {
    const slewed = slewedOffset(this.#slew, t);
    return this.#estimate && slewed !== undefined
      ? slewed + this.#estimate.drift.rate * (t - this.#estimate.at)
      : undefined;
  }

  /** A new estimate from the sync loop: slewed to (or stepped to, if it replaces the last), and announced. */
  #apply(estimate: Estimate, mode: SyncMode, replace: boolean): void {
    const t = this.#clock();
    // Slewed from the offset applied now, seen as the new estimate's drift carries it.
    const applied = replace ? undefined : this.#offsetAt(t);
    const from = applied === undefined ? undefined : step(applied - estimate.drift.rate * (t - estimate.at), t);
    this.#slew = correct(from, estimate.offset, t);
    this.#estimate = estimate;
    for (const timer of this.#timers) timer.estimated();
    fire(this, 'sync', {
      offset: estimate.offset,
      rtt: estimate.rtt ?? NaN,
      uncertainty: this.uncertainty,
      mode,
      samples: estimate.samples,
      drift: estimate.drift.rate * 1e6,
      driftUncertainty: estimate.drift.uncertainty * 1e6,
    } satisfies SyncDetail);
  }
}

/**
 * Connects to a server-clock (or plain socket.io time) server: a new {@link ServerClock}.
 *
 * @example
 * ```ts
 * import { connectClock } from 'server-clock/sdk';
 *
 * const clock = connectClock('https://time.example');
 * clock.addEventListener('sync', () => {
 *   console.log(new Date(clock.now()).toISOString(), `± ${clock.uncertainty.toFixed(1)} ms`);
 * });
 * // A plain socket.io server that pushes Date#toTimeString() as 'time':
 * const classic = connectClock('https://classic.example', { event: 'time' });
 * ```
 */
export function connectClock(url: string, options?: ClockOptions): ServerClock {
  return new ServerClock(url, options);
}
