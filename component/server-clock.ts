import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { connectClock, type ServerClock } from '../sdk/clock.js';
import { SharedPool } from '../sdk/shared-pool.js';
import type { ConnectionState } from '../sdk/connection.js';
import { TIME_EVENT } from '../sdk/protocol.js';
import {
  formatDuration,
  formatter,
  type ClockFormat,
  type FormatSettings,
  type HourCycle,
  type Precision,
} from './format.js';
import { styles } from './server-clock.styles.js';
import { run, subscribe, unsubscribe, type TickSubscriber } from './ticker.js';

const FORMATS: readonly string[] = ['time', 'date', 'datetime'];
const HOUR_CYCLES: readonly string[] = ['h12', 'h23'];
const PRECISIONS: readonly string[] = ['second', 'minute'];
const CLOCK_EVENTS = ['statechange', 'sync', 'error'] as const;

// Elements showing the same server share one clock: one connection, one sync loop.
const clocks = new SharedPool<ServerClock>();

const STATUS_TEXT: Record<ConnectionState, string> = {
  connecting: 'Connecting',
  connected: 'Live',
  reconnecting: 'Reconnecting, time may be stale',
  disconnected: 'Disconnected',
  error: 'Error',
};

/**
 * Shows a server's authoritative time, kept in sync over socket.io.
 *
 * @element server-clock
 * @attr {string} url - The socket.io server (required).
 * @attr {'connecting'|'connected'|'reconnecting'|'disconnected'|'error'} state - Connection state (read-only, reflected).
 * @fires server-clock-statechange - The connection state changed; `detail.state`.
 * @fires server-clock-sync - A new estimate of the server's clock; `detail` has offset, rtt, uncertainty.
 * @fires server-clock-error - Something failed; `detail.error`.
 * @fires server-clock-end - A countdown (`until`) reached zero, on the server's time. Once.
 * @csspart time - The `<time>` element with the text.
 * @csspart status - The connection state indicator.
 * @csspart message - The error message, in state `error`.
 * @cssprop --server-clock-font - Font of the clock.
 * @cssprop --server-clock-color - Text colour.
 * @cssprop --server-clock-status-size - Size of the state indicator.
 * @cssprop --server-clock-connecting-color - Indicator while connecting.
 * @cssprop --server-clock-connected-color - Indicator while connected.
 * @cssprop --server-clock-reconnecting-color - Indicator while reconnecting.
 * @cssprop --server-clock-disconnected-color - Indicator when disconnected.
 * @cssprop --server-clock-error-color - Indicator and message on error.
 * @cssprop --server-clock-stale-opacity - Opacity of the time while it may be stale.
 */
export class ServerClockElement extends LitElement implements TickSubscriber {
  static override styles = styles;
  // All strings: Lit's default converter.
  static override properties = {
    url: {},
    format: {},
    timeZone: { attribute: 'time-zone' },
    locale: {},
    hourCycle: { attribute: 'hour-cycle' },
    precision: {},
    until: {},
    event: {},
    state: { reflect: true },
  };

  /** The socket.io server to follow. */
  declare url: string;
  /** `time` (default), `date` or `datetime`. */
  declare format: 'time' | 'date' | 'datetime';
  /** IANA time zone; default the visitor's. */
  declare timeZone: string | undefined;
  /** BCP 47 locale; default the nearest `lang`, then the document's. */
  declare locale: string | undefined;
  /** `h12` or `h23`; default the locale's. */
  declare hourCycle: 'h12' | 'h23' | undefined;
  /** `second` (default) or `minute`. */
  declare precision: 'second' | 'minute';
  /** ISO timestamp: count down to it on the server's clock instead of showing the time. */
  declare until: string | undefined;
  /** Name of the pushed time event (default `api:server-time`). */
  declare event: string;
  /** Connection state; set by the element, reflected to the `state` attribute. */
  declare state: 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'error';

  #clock: ServerClock | undefined;
  #clockKey = '';
  #settings: FormatSettings = { format: 'time', precision: 'second' };
  #untilMs = NaN;
  #ended = false;
  #shownKey = NaN;
  #warned = new Set<string>();
  #ownLabel = false;

  constructor() {
    super();
    this.url = '';
    this.format = 'time';
    this.precision = 'second';
    this.event = TIME_EVENT;
    this.state = 'connecting';
  }

  /** The server's time in epoch ms (NaN until known). */
  now(): number {
    return this.#clock?.now() ?? NaN;
  }

  /** Bound on the error of {@link now}, ms. */
  get uncertainty(): number {
    return this.#clock?.uncertainty ?? NaN;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('role')) this.setAttribute('role', 'timer');
    // The connection opens in the next update, once the attributes set with the insertion are in.
    if (!this.#clock) this.requestUpdate();
    subscribe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    unsubscribe(this);
    // A move in the DOM disconnects and reconnects in one task: keep the connection through it.
    queueMicrotask(() => {
      if (!this.isConnected) this.#close();
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Ticks update with nothing changed; any property change (rare) revalidates the settings.
    if (changed.size) this.#settings = this.#validSettings();
    if (changed.has('until')) {
      this.#untilMs = Date.parse(this.#valid('until', this.until, (v) => !Number.isNaN(Date.parse(v))) as string);
      this.#ended = false;
    }
    if (this.isConnected && (!this.#clock || changed.has('url') || changed.has('event'))) this.#open();
    if (this.state === 'connecting') this.setAttribute('aria-busy', 'true');
    else this.removeAttribute('aria-busy');
    // An accessible name unless the page gave one.
    if (!this.hasAttribute('aria-labelledby') && (!this.hasAttribute('aria-label') || this.#ownLabel)) {
      this.#ownLabel = true;
      this.setAttribute('aria-label', this.#counting ? 'Countdown' : 'Server time');
    }
  }

  protected override render() {
    const now = this.now();
    const unit = this.#unit;
    const known = Number.isFinite(now);
    this.#shownKey = this.#key(now);
    // Whole seconds left, rounded up to the shown unit.
    const left = (Math.max(0, Math.ceil((this.#untilMs - now) / unit)) * unit) / 1000;
    const error = this.state === 'error' ? (this.#clock?.error?.message ?? '') : '';
    const status = error ? `Error: ${error}` : STATUS_TEXT[this.state];
    const datetime = !known
      ? nothing
      : this.#counting
        ? `PT${left}S`
        : new Date(Math.floor(now / unit) * unit).toISOString();
    // Until the time is known, the page's own text between the tags shows (or a placeholder).
    const text = !known
      ? html`<slot>--:--</slot>`
      : this.#counting
        ? formatDuration(left, this.#settings.precision)
        : formatter(this.#settings).format(now);
    const message = error ? html`<span part="message">${error}</span>` : nothing;
    return html`<span part="status" role="img" aria-label=${status} title=${status}></span
      ><time part="time" datetime=${datetime}>${text}</time>${message}`;
  }

  /** @internal For the shared ticker: updates the text if it is due; ms until it is due again. */
  tick(): number {
    const now = this.now();
    if (this.#counting && !this.#ended && now >= this.#untilMs) {
      this.#ended = true;
      this.#fire('server-clock-end', { until: this.#untilMs });
    }
    const key = this.#key(now);
    if (!Object.is(key, this.#shownKey)) this.requestUpdate();
    return (key + 1) * this.#unit + (this.#untilMs || 0) - now;
  }

  get #counting(): boolean {
    return Number.isFinite(this.#untilMs);
  }

  /** The shown unit of time, ms. */
  get #unit(): number {
    return this.#settings.precision === 'minute' ? 60_000 : 1000;
  }

  /** Changes exactly when the shown text must (units since the epoch, or since `until`). */
  #key(now: number): number {
    return Math.floor((now - (this.#untilMs || 0)) / this.#unit);
  }

  #open() {
    this.#close();
    const event = this.event || TIME_EVENT;
    this.#clockKey = `${this.url}\n${event}`;
    const clock = (this.#clock = clocks.acquire(this.#clockKey, () => connectClock(this.url, { event })));
    for (const type of CLOCK_EVENTS) clock.addEventListener(type, this.#onClock);
    this.#setState(clock.state);
  }

  #close() {
    const clock = this.#clock;
    if (!clock) return;
    this.#clock = undefined;
    for (const type of CLOCK_EVENTS) clock.removeEventListener(type, this.#onClock);
    clocks.release(this.#clockKey);
  }

  // A clock in state error (a bad url, a refused or abandoned connection) has said so with a
  // statechange (or its state, read in #open) before its error event.
  #onClock = ({ type, detail }: CustomEvent) => {
    if (type === 'statechange') this.#setState(detail.state);
    else this.#fire(`server-clock-${type}`, detail);
    // A new estimate: the shown text and the next boundary may move.
    if (type === 'sync') run();
  };

  #setState(state: ConnectionState) {
    if (state === this.state) return;
    this.state = state;
    this.#fire('server-clock-statechange', { state });
  }

  #validSettings(): FormatSettings {
    const lang = this.locale || this.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang;
    return {
      format: this.#valid<ClockFormat>('format', this.format, (v) => FORMATS.includes(v)) ?? 'time',
      precision: this.#valid<Precision>('precision', this.precision, (v) => PRECISIONS.includes(v)) ?? 'second',
      hourCycle: this.#valid<HourCycle>('hour-cycle', this.hourCycle, (v) => HOUR_CYCLES.includes(v)),
      timeZone: this.#valid('time-zone', this.timeZone, (v) => new Intl.DateTimeFormat('en', { timeZone: v })),
      locale: this.#valid('locale', lang, Intl.getCanonicalLocales),
    };
  }

  /**
   * The value if `ok` accepts it (returns truthy, does not throw); otherwise undefined (the
   * default), with a warning for a bad non-empty one.
   */
  #valid<T extends string = string>(
    name: string,
    value: string | null | undefined,
    ok: (value: string) => unknown,
  ): T | undefined {
    if (!value) return undefined;
    try {
      if (ok(value)) return value as T;
    } catch {
      // Not accepted: warn below.
    }
    this.#warn(name, value);
    return undefined;
  }

  #warn(name: string, value: string) {
    const key = `${name}=${value}`;
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    console.warn(`<server-clock>: invalid ${name} "${value}"; using the default`);
  }

  #fire(type: string, detail: unknown) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'server-clock': ServerClockElement;
  }
}
