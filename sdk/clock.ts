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
import { monotonicNow } from './monotonic.js';
import { DRIFT_BOUND, type Estimate } from './offset-estimator.js';
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
   * Sync exchanges per burst: on connect, then adaptively up to once per `resyncInterval`.
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
   * Time between resyncs once converged, ms (bursts start a second apart after connecting and
   * back off to it).
   * @defaultValue `60_000`
   */
  resyncInterval?: number;
}

/** The `detail` of a `sync` event: the new estimate. */
export interface SyncDetail {
  /** Server clock − local monotonic clock, ms, that the clock now heads for. */
  offset: number;
  /** Best round trip behind the estimate, ms; NaN in `push` mode, where there is none. */
  rtt: number;
  /** Bound on the error of `now()`, ms, as of the event. */
  uncertainty: number;
  /** Whether the estimate is from sync answers or from pushed times. */
  mode: SyncMode;
  /** How many samples (exchanges or pushes) it rests on. */
  samples: number;
}

/** The events of a {@link ServerClock}, by name: the connection's lifecycle, and `sync`. */
export interface ServerClockEventMap extends ConnectionEventMap {
  /** A new estimate of the server's time. */
  sync: CustomEvent<SyncDetail>;
}

/** The options as the clock runs by them: every default filled in. */
type ClockSettings = SyncSettings & ConnectionSettings;

// The numeric options and their defaults (README "Use it from npm").
const NUMBER_DEFAULTS = {
  samples: 8,
  timeout: 3000,
  resyncInterval: 60_000,
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
  // The open timers of this clock: told of each new estimate, and closed with it.
  readonly #timers = new Set<ClockTimer>();
  // The estimate in use, and the correction towards it: from the first estimate until close().
  #estimate: Estimate | undefined;
  #slew: Slew | undefined;

  /**
   * Connects to the server at `url` (http(s) or ws(s), resolved against the page), or joins the
   * connection already open to it, and starts syncing.
   * @throws RangeError for a numeric option that is not a positive number.
   */
  constructor(url: string, options: ClockOptions = {}) {
    super();
    const settings = withDefaults(options);
    this.#timeout = settings.timeout;
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
    const t = monotonicNow();
    const offset = slewedOffset(this.#slew, t);
    return offset === undefined ? NaN : t + offset;
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

  /** A new estimate from the sync loop: slewed to (or stepped to, if it replaces the last), and announced. */
  #apply(estimate: Estimate, mode: SyncMode, replace: boolean): void {
    const t = monotonicNow();
    this.#slew = replace ? step(estimate.offset, t) : correct(this.#slew, estimate.offset, t);
    this.#estimate = estimate;
    for (const timer of this.#timers) timer.estimated();
    fire(this, 'sync', {
      offset: estimate.offset,
      rtt: estimate.rtt ?? NaN,
      uncertainty: this.uncertainty,
      mode,
      samples: estimate.samples,
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
