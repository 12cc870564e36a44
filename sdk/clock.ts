import { acquireConnection, type ConnectionEventMap, type ConnectionOptions, type ConnectionState } from './connection.js';
import { SharedPool } from './shared-pool.js';
import { TimeSync, type SyncDetail, type SyncMode, type TimeSyncOptions } from './time-sync.js';
import { TIME_EVENT } from './protocol.js';

export interface ClockOptions extends ConnectionOptions, TimeSyncOptions {}

export interface ServerClockEventMap extends ConnectionEventMap {
  sync: CustomEvent<SyncDetail>;
}

/** The connection events a clock passes on to its listeners. */
const FORWARDED = ['statechange', 'connect', 'connect_error', 'reconnect_attempt', 'reconnect', 'reconnect_failed', 'disconnect', 'error'] as const;

export interface ServerClock {
  addEventListener<K extends keyof ServerClockEventMap>(type: K, listener: (this: ServerClock, ev: ServerClockEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof ServerClockEventMap>(type: K, listener: (this: ServerClock, ev: ServerClockEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

const sources = new SharedPool<TimeSync>();

/**
 * The server's clock, as seen from here. Clocks on the same URL share one connection and one
 * estimate; each clock is a handle that `close()` lets go of.
 */
export class ServerClock extends EventTarget {
  /** The server URL, resolved against the page. */
  readonly url: string;
  #source: TimeSync | undefined;
  #key = '';
  #error: Error | undefined;
  #closed = false;

  constructor(url: string, options: ClockOptions = {}) {
    super();
    let resolved: string;
    try {
      resolved = resolveServerUrl(url);
    } catch (error) {
      this.url = String(url);
      this.#error = error as Error;
      // Dispatched later, so that listeners added right after construction hear it.
      queueMicrotask(() => this.dispatchEvent(new CustomEvent('error', { detail: { error: this.#error } })));
      return;
    }
    this.url = resolved;
    this.#key = `${resolved}\n${options.event ?? TIME_EVENT}`;
    this.#source = sources.acquire(this.#key, () => new TimeSync(acquireConnection(resolved, options), options));
    for (const type of FORWARDED) this.#source.connection.addEventListener(type, this.#forward);
    this.#source.addEventListener('sync', this.#forward);
  }

  /** Estimated server time in epoch milliseconds; NaN until the first estimate. */
  now(): number {
    return this.#source && !this.#closed ? this.#source.now() : NaN;
  }

  get state(): ConnectionState {
    if (this.#error) return 'error';
    if (this.#closed || !this.#source) return 'disconnected';
    return this.#source.connection.state;
  }

  /** Server clock − local monotonic clock, ms (NaN before the first estimate). */
  get offset(): number {
    return this.#source?.offset ?? NaN;
  }

  /** Best round trip behind the estimate, ms (NaN for push-only servers). */
  get rtt(): number {
    return this.#source?.estimate?.rtt ?? NaN;
  }

  /** Bound on the error of `now()`, ms; it grows between syncs. NaN before the first estimate. */
  get uncertainty(): number {
    return this.#source?.uncertainty ?? NaN;
  }

  /** Whether there is an estimate of the server's time. */
  get synced(): boolean {
    return !this.#closed && this.#source?.estimate !== undefined;
  }

  /** `sync` when the server answers sync requests, `push` when it only pushes its time. */
  get mode(): SyncMode | undefined {
    return this.#source?.mode;
  }

  /** Why the clock is in state `error`, if it is. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Lets go of the connection; the last clock on a URL closes it. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const source = this.#source;
    if (!source) return;
    for (const type of FORWARDED) source.connection.removeEventListener(type, this.#forward);
    source.removeEventListener('sync', this.#forward);
    sources.release(this.#key);
    this.dispatchEvent(new CustomEvent('statechange', { detail: { state: 'disconnected' } }));
  }

  #forward = (event: Event) => {
    if (event.type === 'error') this.#error = (event as CustomEvent<{ error: Error }>).detail.error;
    else if (event.type === 'connect') this.#error = undefined;
    this.dispatchEvent(new CustomEvent(event.type, { detail: (event as CustomEvent).detail }));
  };
}

/** Connects to a server-clock (or plain socket.io time) server. */
export function connectClock(url: string, options?: ClockOptions): ServerClock {
  return new ServerClock(url, options);
}

/** Resolves a server URL against the page; only http(s) and ws(s) URLs are accepted. */
export function resolveServerUrl(url: string): string {
  if (typeof url !== 'string' || url.trim() === '') throw new TypeError('server-clock: a server URL is required');
  let parsed: URL;
  try {
    parsed = new URL(url, globalThis.location?.href);
  } catch {
    throw new TypeError(`server-clock: "${url}" is not a valid URL`);
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    throw new TypeError(`server-clock: "${url}" must be an http(s) or ws(s) URL`);
  }
  return parsed.href;
}
