import { LitElement, adoptStyles, html, isServer, nothing, type PropertyValues } from 'lit';
import { connectClock, type ServerClock, type SyncDetail } from '../sdk/clock.js';
import { SharedPool } from '../sdk/shared-pool.js';
import type { ConnectionState } from '../sdk/connection.js';
import { TIME_EVENT, type TimerState, type TimerStatus } from '../sdk/protocol.js';
import { remainingAt, type ServerTimer } from '../sdk/timer.js';
import {
  clearFormatters,
  formatCountdown,
  formatTime,
  isClockFormat,
  isCountdownStyle,
  isHourCycle,
  isLocale,
  isPrecision,
  isTimeZone,
  isoDuration,
  isoInstant,
  type ClockFormat,
  type CountdownSettings,
  type CountdownStyle,
  type FormatSettings,
  type HourCycle,
  type Precision,
} from './format.js';
import { styles } from './server-clock.styles.js';
import { runSoon, subscribe, unsubscribe, type TickSubscriber } from './ticker.js';

export type { SyncDetail, TimerState };

/** `detail` of `server-clock-statechange`. */
export interface StateChangeDetail {
  /** The state the element is in now. */
  state: ConnectionState;
}

/** `detail` of `server-clock-error`. */
export interface ErrorDetail {
  /** What failed; its message is also shown, in the `message` part. */
  error: Error;
}

/** `detail` of `server-clock-end` for a countdown to `until`. */
export interface UntilEndDetail {
  /** The end of the countdown (`until`), epoch ms on the server's clock. */
  until: number;
  timer?: undefined;
  endsAt?: undefined;
}

/** `detail` of `server-clock-end` for a server's timer (`timer`). */
export interface ServerTimerEndDetail {
  /** The timer's name. */
  timer: string;
  /** The end that was reached, epoch ms on the server's clock. */
  endsAt: number;
  until?: undefined;
}

/** `detail` of `server-clock-end`: `detail.until` for a countdown to `until`, `detail.timer` for a server's timer. */
export type EndDetail = UntilEndDetail | ServerTimerEndDetail;

/**
 * The element's events by name. Each is a `CustomEvent` that bubbles and is composed (it leaves
 * shadow roots). They are declared on the global event maps too, so a listener on the element,
 * an ancestor, the document or the window gets its `detail` typed.
 */
export interface ServerClockElementEventMap {
  'server-clock-statechange': CustomEvent<StateChangeDetail>;
  'server-clock-sync': CustomEvent<SyncDetail>;
  'server-clock-error': CustomEvent<ErrorDetail>;
  'server-clock-end': CustomEvent<EndDetail>;
  'server-clock-timer': CustomEvent<TimerState>;
}

/**
 * What a render on the server shows (`server-clock/ssr` sets it, as
 * {@link ServerClockElement.serverRender}): there the element has no clock of its own.
 */
export interface ServerRender {
  /** The server's time to show (or count down from), epoch ms. */
  now: number;
  /**
   * The state of the element's `timer` at `now`, for an element with one.
   * @defaultValue undefined: a timer shows its placeholder (the slot), as while idle
   */
  timer?: TimerState;
}

/** The `<time>` element's text and its machine-readable `datetime`. */
interface Shown {
  text: string;
  datetime: string;
}

/** The `<time>` in the browser, and the two things it may hold: the time's text, or the slot. */
interface TimeNodes {
  time: HTMLTimeElement;
  text: Text;
  slot: HTMLSlotElement;
}

/** What shows where there is no time yet and the page gave no text of its own. */
const PLACEHOLDER = '--:--';

/** A clock from the shared pool, as one element holds it. */
interface HeldClock {
  clock: ServerClock;
  /** Its key in the pool, to release it by. */
  key: string;
  /** Aborting it removes the element's listeners from the clock. */
  listeners: AbortController;
}

/** The server's timer an element counts down, and its listeners (aborted when it lets go). */
interface HeldTimer {
  timer: ServerTimer;
  listeners: AbortController;
}

// Elements showing the same server share one clock: one connection, one sync loop.
const clocks = new SharedPool<ServerClock>();

const STATUS_TEXT: Record<ConnectionState, string> = {
  connecting: 'Connecting',
  connected: 'Live',
  reconnecting: 'Reconnecting, time may be stale',
  disconnected: 'Disconnected',
  error: 'Error',
};

/** The properties that the {@link FormatSettings} are made of. */
const SETTINGS = ['format', 'timeZone', 'locale', 'hourCycle', 'precision'] as const;

/** Whether an attribute's value says something: present and not empty (else it means the default). */
function isGiven(value: string | null | undefined): value is string {
  return value !== undefined && value !== null && value !== '';
}

/** A server time from the SDK, undefined while it is not known (the SDK's NaN, or no clock). */
function known(time: number | undefined): number | undefined {
  return time === undefined || Number.isNaN(time) ? undefined : time;
}

/** Whether `value` is a timestamp `Date.parse` reads (such as an ISO 8601 date and time). */
function isTimestamp(value: string): boolean {
  return !Number.isNaN(Date.parse(value));
}

/**
 * Shows a server's authoritative time, kept in sync over socket.io; or, with `until`, counts
 * down to an instant on the server's clock; or, with `timer`, counts down a timer the server runs.
 *
 * @element server-clock
 * @attr {string} url - The socket.io server (required).
 * @attr {'connecting'|'connected'|'reconnecting'|'disconnected'|'error'} state - Connection state (read-only, reflected); `error` also when the timer's watch failed.
 * @attr {'digital'|'long'|'short'|'relative'} countdown-style - How a countdown (`until`, `timer`) reads: `digital` "02:03:04" (the default), `long` "2 hours, 3 minutes, 4 seconds", `short` "2 hr, 3 min, 4 sec" (in the element's locale), `relative` "in 2 hours" (the largest whole unit; "now" at zero and after the end).
 * @attr {'idle'|'running'|'paused'|'ended'|'cancelled'} timer-status - The server timer's status (read-only, reflected), with `timer`.
 * @slot - Text shown until the time is known, and without JavaScript (without any: `--:--`).
 * @fires {CustomEvent<StateChangeDetail>} server-clock-statechange - The connection state changed; `detail.state`.
 * @fires {CustomEvent<SyncDetail>} server-clock-sync - A new estimate of the server's clock; `detail` has offset, rtt, uncertainty, mode, samples.
 * @fires {CustomEvent<ErrorDetail>} server-clock-error - Something failed; `detail.error`.
 * @fires {CustomEvent<EndDetail>} server-clock-end - A countdown reached zero, on the server's time: `until`'s once, with `detail.until` (epoch ms); a timer's once per run, with `detail.timer` (its name) and `detail.endsAt`.
 * @fires {CustomEvent<TimerState>} server-clock-timer - The server's timer (`timer`) has a new state; `detail` is the state.
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
  /** The element's shadow styles. */
  static override styles = styles;
  /** Lit's reactive properties: all strings, with Lit's default converter. */
  static override properties = {
    url: {},
    format: {},
    timeZone: { attribute: 'time-zone' },
    locale: {},
    hourCycle: { attribute: 'hour-cycle' },
    precision: {},
    countdownStyle: { attribute: 'countdown-style' },
    until: {},
    timer: {},
    event: {},
    state: { reflect: true },
    timerStatus: { attribute: 'timer-status', reflect: true },
    serverRender: { attribute: false },
  };

  /**
   * Registers the element as `tag` in `registry`: under a tag name of the page's choosing, or in
   * a scoped registry. `server-clock` gets this class itself; any other tag a subclass of its
   * own, since a registry holds a class under one name only (so several tags work side by side).
   * A tag that this class (or such a subclass) already holds: nothing to do. A tag that another
   * class holds (another copy of the package, say) keeps it, with a warning.
   *
   * @param tag - The tag name.
   * @param registry - The registry to define it in: the page's own unless given.
   *
   * @example A tag name of the page's own
   * ```js
   * import { ServerClockElement } from 'server-clock/element';
   * ServerClockElement.define('my-clock');
   * // <my-clock url="https://time.example.com"></my-clock>
   * ```
   *
   * @example A scoped registry, for a shadow root of one's own (where the browser has them)
   * ```js
   * const registry = new CustomElementRegistry();
   * ServerClockElement.define('server-clock', registry);
   * const root = host.attachShadow({ mode: 'open', customElementRegistry: registry });
   * root.innerHTML = '<server-clock url="https://time.example.com"></server-clock>';
   * ```
   */
  static define(tag = 'server-clock', registry: CustomElementRegistry = customElements): void {
    const holder = registry.get(tag);
    if (holder === undefined) {
      registry.define(tag, tag === 'server-clock' ? this : class extends this {});
    } else if (holder !== this && !(holder.prototype instanceof this)) {
      console.warn(`<${tag}> is already defined by another class: this server-clock element is not registered`);
    }
  }

  /**
   * The socket.io server to follow (required: without one the element goes to state `error`).
   * @defaultValue `''`
   */
  declare url: string;
  /**
   * What to show: `time`, `date` or `datetime`.
   * @defaultValue `'time'`
   */
  declare format: ClockFormat;
  /**
   * IANA time zone, such as `Europe/Paris`.
   * @defaultValue undefined: the visitor's
   */
  declare timeZone: string | undefined;
  /**
   * BCP 47 locale, such as `en-GB`.
   * @defaultValue undefined: the nearest `lang` attribute, then the document's, then the browser's
   */
  declare locale: string | undefined;
  /**
   * `h12` or `h23`.
   * @defaultValue undefined: the locale's
   */
  declare hourCycle: HourCycle | undefined;
  /**
   * The shown unit: `second` or `minute`.
   * @defaultValue `'second'`
   */
  declare precision: Precision;
  // The `@type` spells the union out for custom-elements.json (and the types made from it), which
  // would otherwise name the alias.
  /**
   * How a countdown (`until`, `timer`) reads: `digital` "1d 02:03:04"; `long` "2 hours, 3 minutes,
   * 4 seconds" and `short` "2 hr, 3 min, 4 sec" (`Intl.DurationFormat`, or a fallback of the same
   * shape, in the element's locale; zero units left out, "0 seconds" at zero); `relative` "in 2
   * hours" (`Intl.RelativeTimeFormat`: the largest unit that is not zero, whole; at zero, and after
   * the end, the locale's "now"). `precision` `minute` leaves the seconds out of each.
   * @type {'digital' | 'long' | 'short' | 'relative'}
   * @defaultValue `'digital'`
   */
  declare countdownStyle: CountdownStyle;
  /**
   * An instant (ISO 8601) to count down to on the server's clock, instead of showing the time.
   * @defaultValue undefined: no countdown
   */
  declare until: string | undefined;
  /**
   * The name of a timer the server runs (such as `auction-42`), to count down instead of showing
   * the time: paused, it shows the frozen time left; ended, zero; idle or cancelled, the slot's
   * text. It wins over `until`, with a console warning.
   * @defaultValue undefined: no timer
   */
  declare timer: string | undefined;
  /**
   * Name of the event the server pushes its time with.
   * @defaultValue `'api:server-time'`
   */
  declare event: string;
  /**
   * Connection state: set by the element, reflected to the `state` attribute.
   * @defaultValue `'connecting'`
   */
  declare state: ConnectionState;
  /**
   * The server timer's status (see `timer`): set by the element, reflected to the `timer-status`
   * attribute.
   * @defaultValue undefined: no timer, or no state of it yet
   */
  declare timerStatus: TimerStatus | undefined;
  /**
   * The server's time (and timer's state) to render with on the server, where the element has no
   * clock: `server-clock/ssr` sets it. In the browser the element's own clock is shown once it has
   * an estimate; until then, the text a server rendered into its shadow root (declarative shadow
   * DOM) stays, so a server-rendered clock never shows its placeholder.
   * @defaultValue undefined: no server render
   */
  declare serverRender: ServerRender | undefined;

  #held: HeldClock | undefined;
  #timer: HeldTimer | undefined;
  // Kept in objects that change only with the attributes: every tick formats with them.
  #settings: FormatSettings = { format: 'time', precision: 'second' };
  #countdownSettings: CountdownSettings = { style: 'digital', precision: 'second' };
  // The countdown's end, epoch ms; undefined without a (valid) `until`.
  #untilMs: number | undefined;
  #ended = false;
  // What the shown text was made for (see #key); undefined while no time is shown.
  #shownKey: number | undefined;
  // What the `<time>` is to show: its text and `datetime` (undefined: none, the slot shows).
  #showing: Shown | undefined;
  // What it shows: what was last written into it (see #write).
  #written: Shown | undefined;
  // In the browser, from the first render on. The `<time>`'s content and `datetime` are this
  // element's to write, not the template's: they change every second, the template only with the
  // state or a setting, and a change through Lit's parts cost a page of a thousand clocks more
  // script than the change itself (bench/PAGE.md).
  #nodes: TimeNodes | undefined;
  #warned = new Set<string>();
  #ownLabel = false;
  // The text of a shadow root the server rendered, shown until the element has its own (see #hasOwnText).
  #rendered: Shown | undefined;
  // What the clock said that this element has yet to take up (see #takeUp): a new state, new estimates.
  #stateDue = false;
  #syncsDue: SyncDetail[] = [];

  constructor() {
    super();
    this.url = '';
    this.format = 'time';
    this.precision = 'second';
    this.countdownStyle = 'digital';
    this.event = TIME_EVENT;
    this.state = 'connecting';
  }

  /**
   * The server's time, epoch ms: NaN until it is known (a number all the same, so that arithmetic
   * on it needs no check; `Number.isNaN` tells).
   */
  now(): number {
    return this.#serverTime ?? NaN;
  }

  /** Bound on the error of {@link ServerClockElement.now}, ms: NaN until the time is known. */
  get uncertainty(): number {
    return this.#held?.clock.uncertainty ?? NaN;
  }

  /**
   * Lit's render root: the shadow root. One the server rendered (declarative shadow DOM) is
   * emptied for Lit to render into afresh, its time kept to show until the element has its own
   * ({@link #reformat}):
   * all in the task of the upgrade, before the browser paints. Lit's own way with such a root
   * (and that of lit's hydration support, if the page loads it) would be to adopt its DOM, which
   * this element needs not: so it is taken here, with the styles adopted as Lit adopts them.
   */
  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    const root = this.shadowRoot;
    if (!root) return super.createRenderRoot();
    const time = root.querySelector('time[datetime]');
    if (time) this.#rendered = { text: time.textContent ?? '', datetime: time.getAttribute('datetime') ?? '' };
    root.replaceChildren();
    adoptStyles(root, (this.constructor as typeof ServerClockElement).elementStyles);
    return root;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('role')) this.setAttribute('role', 'timer');
    // The connection opens in the next update, once the attributes set with the insertion are in.
    if (!this.#held) this.requestUpdate();
    subscribe(this);
    window.addEventListener('languagechange', this.#onLanguageChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    unsubscribe(this);
    window.removeEventListener('languagechange', this.#onLanguageChange);
    // A move in the DOM disconnects and reconnects in one task: keep the connection through it.
    queueMicrotask(() => {
      if (!this.isConnected) this.#close();
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Ticks update with nothing changed, and a new connection state changes no setting: only a
    // setting's change (rare) revalidates them, which asks Intl.
    const settingsChanged = SETTINGS.some((name) => changed.has(name));
    if (settingsChanged) this.#settings = this.#validSettings();
    if (settingsChanged || changed.has('countdownStyle')) {
      const { precision, locale } = this.#settings;
      const style = this.#valid('countdown-style', this.countdownStyle, isCountdownStyle) ?? 'digital';
      this.#countdownSettings = { style, precision, locale };
    }
    if (changed.has('until') || changed.has('timer')) {
      const until = this.#valid('until', this.until, isTimestamp);
      const timer = isGiven(this.timer);
      if (timer && until !== undefined) this.#warnOnce('timer+until', 'both timer and until are set: the timer wins');
      this.#untilMs = until === undefined || timer ? undefined : Date.parse(until);
      this.#ended = false;
    }
    if (this.isConnected && (!this.#held || changed.has('url') || changed.has('event'))) this.#open();
    else if (this.#held && changed.has('timer')) this.#openTimer(this.#held.clock);
    this.#setAttributeIfChanged('aria-busy', this.state === 'connecting' ? 'true' : undefined);
    // An accessible name unless the page gave one.
    if (!this.hasAttribute('aria-labelledby') && (!this.hasAttribute('aria-label') || this.#ownLabel)) {
      this.#ownLabel = true;
      this.#setAttributeIfChanged(
        'aria-label',
        this.#untilMs === undefined && !isGiven(this.timer) ? 'Server time' : 'Countdown',
      );
    }
  }

  /**
   * Sets an attribute of the element's own (removes it, for undefined) only if that changes it:
   * every update, each second's too, asks, and a write of the same value is not free.
   */
  #setAttributeIfChanged(name: string, value: string | undefined) {
    if (this.getAttribute(name) === (value ?? null)) return;
    if (value === undefined) this.removeAttribute(name);
    else this.setAttribute(name, value);
  }

  protected override updated(changed: PropertyValues<this>): void {
    this.write();
    // The text's next change may now come sooner than the shared timer is set for.
    if (changed.has('until') || changed.has('timer') || changed.has('precision')) runSoon();
  }

  protected override render() {
    this.#refresh(this.#serverTime);
    const error = this.state === 'error' ? (this.#held?.clock.error ?? this.#timer?.timer.error) : undefined;
    const status = error ? `Error: ${error.message}` : STATUS_TEXT[this.state];
    const message = error ? html`<span part="message">${error.message}</span>` : nothing;
    return html`<span part="status" role="img" aria-label=${status} title=${status}></span
      >${this.#timeTemplate()}${message}`;
  }

  /**
   * The `<time>`. In the browser an empty one, which {@link #write} fills and keeps up to date;
   * on the server, where nothing ticks, one with what it shows. Until the time is known, the
   * page's own text between the tags shows (or a placeholder).
   */
  #timeTemplate() {
    if (!isServer) return html`<time part="time"></time>`;
    const shown = this.#showing;
    const content = shown ? shown.text : html`<slot>${PLACEHOLDER}</slot>`;
    return html`<time part="time" datetime=${shown?.datetime ?? nothing}>${content}</time>`;
  }

  protected override firstUpdated(): void {
    const slot = document.createElement('slot');
    slot.textContent = PLACEHOLDER;
    const time = this.renderRoot.querySelector('time')!;
    const nodes = { time, text: document.createTextNode(''), slot };
    this.#nodes = nodes;
    // (Into the empty `<time>`: the slot too, when there is nothing to show.)
    this.#write(nodes, undefined, this.#showing);
    this.#written = this.#showing;
  }

  /**
   * Brings what the `<time>` is to show up to date for server time `now` (undefined while it is
   * not known): {@link ServerClockElement.write} writes it.
   */
  #refresh(now: number | undefined): void {
    if (this.#rendered && (this.#hasOwnText(now) || this.state === 'error')) this.#rendered = undefined;
    const at = now ?? this.serverRender?.now;
    this.#showing = this.#rendered ? this.#reformat(this.#rendered) : at === undefined ? undefined : this.#shown(at);
    const origin = this.#origin;
    this.#shownKey = now === undefined || origin === undefined ? undefined : this.#key(now, origin);
  }

  /**
   * Writes into the `<time>` what it is to show, if that is new: after a render, and for the
   * shared ticker after the ticks of its slice (the DOM's writes apart from the ticks' script).
   * @internal
   */
  write(): void {
    const nodes = this.#nodes;
    const written = this.#written;
    const shown = this.#showing;
    // (Before the first render there is no `<time>` yet: firstUpdated writes it.)
    if (!nodes || shown === written) return;
    this.#written = shown;
    this.#write(nodes, written, shown);
  }

  /**
   * Changes the `<time>` (`nodes`) from showing `before` to showing `shown` (from an empty one,
   * for undefined before): the text and `datetime` that changed, or the slot for no `shown`.
   */
  #write({ time, text, slot }: TimeNodes, before: Shown | undefined, shown: Shown | undefined) {
    if (shown === undefined) {
      time.removeAttribute('datetime');
      time.replaceChildren(slot);
      return;
    }
    if (shown.text !== before?.text) text.data = shown.text;
    if (shown.datetime !== before?.datetime) time.setAttribute('datetime', shown.datetime);
    if (before === undefined) time.replaceChildren(text);
  }

  /**
   * For the shared ticker: makes the text ready if it is due at the instant `at` ({@link
   * ServerClockElement.write} writes it), and fires `server-clock-end` when a countdown to `until`
   * reaches zero (a timer's end comes from the SDK's timer).
   * @param at - A reading of the local clock (`monotonicNow()`), which the ticker took for a few
   * ticks: the element's clocks read that clock too (the pool makes them with the SDK's default).
   * @returns ms until the text must change again; undefined while the time is unknown, or while
   * a timer's text stands still.
   * @internal
   */
  tick(at: number): number | undefined {
    this.#catchUp();
    const due = this.#tickText(at);
    // Rendered now rather than in a microtask after the ticker's slice, so that the slice's time counts it.
    if (this.isUpdatePending && this.hasUpdated) this.performUpdate();
    return due;
  }

  /** {@link ServerClockElement.tick}'s work on the text and the end of `until`. */
  #tickText(at: number): number | undefined {
    const now = known(this.#held?.clock.at(at));
    if (now === undefined) return undefined;
    const until = this.#untilMs;
    if (until !== undefined && !this.#ended && now >= until) {
      this.#ended = true;
      this.#fire('server-clock-end', { until });
    }
    const origin = this.#origin;
    if (origin === undefined) {
      // A timer's text that stands still (paused, say) needs no clock, but shows once the time is
      // known: the first estimate may come after the timer's state.
      if (this.#showing === undefined) this.#refresh(now);
      return undefined;
    }
    const key = this.#key(now, origin);
    if (key !== this.#shownKey) this.#refresh(now);
    return origin + (key + 1) * this.#unit - now;
  }

  /**
   * Whether the element can say what to show on its own, at server time `now`: its clock has an
   * estimate and, with a timer, the timer has a state (or an error). Until then a server's
   * rendered text stays; in state `error` it goes, since it will not be brought up to date.
   */
  #hasOwnText(now: number | undefined): boolean {
    const timer = this.#timer?.timer;
    return now !== undefined && (!timer || timer.state !== undefined || timer.error !== undefined);
  }

  /** The server's time, epoch ms; undefined until the clock has an estimate. */
  get #serverTime(): number | undefined {
    return known(this.#held?.clock.now());
  }

  /** The shown unit of time, ms. */
  get #unit(): number {
    return this.#settings.precision === 'minute' ? 60_000 : 1000;
  }

  /**
   * Where the shown units are counted from, epoch ms: the countdown's end, or the epoch.
   * Undefined while a timer is not running: its text stands still, and its changes re-render it.
   */
  get #origin(): number | undefined {
    if (this.#timer) return this.#timer.timer.endsAt;
    return this.#untilMs ?? 0;
  }

  /** Changes exactly when the shown text must: whole units since the {@link #origin}. */
  #key(now: number, origin: number): number {
    return Math.floor((now - origin) / this.#unit);
  }

  /**
   * The `<time>` element's text and machine-readable `datetime` at server time `now`; undefined
   * for a timer with nothing to count (idle, cancelled, failed, or no state yet): the slot shows.
   */
  #shown(now: number): Shown | undefined {
    const unit = this.#unit;
    if (isGiven(this.timer)) {
      // The server's timer as the element follows it (in a server render, its state given then),
      // at `now`: the instant the text's unit was found for, not a reading of the clock of its own.
      const state = this.#timer ? this.#timer.timer.state : this.serverRender?.timer;
      const remaining = remainingAt(state, now);
      return remaining === undefined ? undefined : this.#countdown(remaining);
    }
    const until = this.#untilMs;
    if (until !== undefined) return this.#countdown(until - now);
    // The unit's start: every instant in it reads the same, and clocks alike share its text.
    const start = Math.floor(now / unit) * unit;
    return { text: formatTime(this.#settings, start), datetime: isoInstant(start) };
  }

  /**
   * A server-rendered time, as this element formats it here. The server formatted it in its own
   * zone and language wherever the element names none, and the browser's are the visitor's: so the
   * instant (or the time left) that its `datetime` carries is formatted again. A `datetime` that
   * says neither, for this element, is shown as the server wrote it.
   */
  #reformat(rendered: Shown): Shown {
    const seconds = /^PT(?<seconds>\d+)S$/.exec(rendered.datetime)?.groups?.seconds;
    const countdown = isGiven(this.timer) || this.#untilMs !== undefined;
    if (countdown) return seconds === undefined ? rendered : this.#countdown(Number(seconds) * 1000);
    const at = Date.parse(rendered.datetime);
    return Number.isNaN(at) ? rendered : (this.#shown(at) ?? rendered);
  }

  /** A countdown's text with `remaining` ms left: whole seconds, rounded up to the shown unit; none once it is over. */
  #countdown(remaining: number): Shown {
    const unit = this.#unit;
    const left = (Math.max(0, Math.ceil(remaining / unit)) * unit) / 1000;
    return { text: formatCountdown(left, this.#countdownSettings), datetime: isoDuration(left) };
  }

  #open() {
    this.#close();
    const url = this.url;
    const event = isGiven(this.event) ? this.event : TIME_EVENT;
    const key = `${url}\n${event}`;
    const clock = clocks.acquire(key, () => connectClock(url, { event }));
    const listeners = new AbortController();
    const { signal } = listeners;
    // A clock in state error (a bad url, a refused or abandoned connection) has said so with a
    // statechange (or its state, read below) before its error event.
    clock.addEventListener(
      'statechange',
      () => {
        // The estimates that came before the new state are told first.
        this.#catchUp();
        this.#stateDue = true;
        this.#takeUp();
      },
      { signal },
    );
    clock.addEventListener(
      'sync',
      ({ detail }) => {
        this.#syncsDue.push(detail);
        this.#takeUp();
      },
      { signal },
    );
    clock.addEventListener(
      'error',
      ({ detail }) => {
        // In order: the state error (the clock's statechange came first), then the error.
        this.#catchUp();
        this.#fire('server-clock-error', detail);
      },
      { signal },
    );
    this.#held = { clock, key, listeners };
    this.#openTimer(clock);
    this.#updateState();
  }

  /**
   * Takes up what the clock said (a new state, a new estimate) in the element's next tick: the
   * clock says it to every element on it at once, and a tick of each in the same task would be a
   * long task on a page of many. The shared ticker spreads its run over slices of a few ms, and
   * the first slice is still in this task. A hidden page has no ticks: at once, then.
   */
  #takeUp() {
    if (globalThis.document?.visibilityState === 'hidden') this.#catchUp();
    else runSoon();
  }

  /** Shows the clock's new state and fires the events of its new estimates, in the order they came. */
  #catchUp() {
    if (this.#stateDue) {
      this.#stateDue = false;
      this.#updateState();
    }
    // (Most ticks have none: no new array for them.)
    if (this.#syncsDue.length === 0) return;
    for (const detail of this.#syncsDue.splice(0)) this.#fire('server-clock-sync', detail);
  }

  /** Follows the server's timer named by `timer` on `clock` (none without a name). */
  #openTimer(clock: ServerClock) {
    this.#closeTimer();
    const name = this.timer;
    if (!isGiven(name)) return;
    // Elements with the same url and timer share the clock, and so the SDK's one watch of the name.
    const timer = clock.timer(name);
    const listeners = new AbortController();
    const { signal } = listeners;
    timer.addEventListener(
      'change',
      ({ detail }) => {
        this.timerStatus = detail.status;
        this.#fire('server-clock-timer', detail);
        this.#updateState();
        // The text may change while the status does not (an extend, a restart), and the next boundary with it.
        this.requestUpdate();
        runSoon();
      },
      { signal },
    );
    timer.addEventListener(
      'end',
      ({ detail }) => {
        // The SDK's own timer may come a moment before the shared ticker: zero shows with the event.
        this.requestUpdate();
        this.#fire('server-clock-end', { timer: name, endsAt: detail.endsAt });
      },
      { signal },
    );
    timer.addEventListener(
      'error',
      ({ detail }) => {
        this.#updateState();
        this.#fire('server-clock-error', detail);
      },
      { signal },
    );
    this.#timer = { timer, listeners };
  }

  #close() {
    const held = this.#held;
    if (!held) return;
    this.#closeTimer();
    this.#held = undefined;
    this.#stateDue = false;
    this.#syncsDue = [];
    held.listeners.abort();
    clocks.release(held.key);
  }

  #closeTimer() {
    const held = this.#timer;
    if (!held) return;
    this.#timer = undefined;
    held.listeners.abort();
    held.timer.close();
    this.timerStatus = undefined;
    this.requestUpdate();
  }

  // The browser's languages changed: formatters made for its default locale are out of date.
  #onLanguageChange = () => {
    clearFormatters();
    this.requestUpdate();
  };

  /** The clock's connection state; `error` also while the timer has an error. */
  #updateState() {
    const clockState = this.#held?.clock.state ?? 'disconnected';
    const state = this.#timer?.timer.error ? 'error' : clockState;
    if (state === this.state) return;
    this.state = state;
    this.#fire('server-clock-statechange', { state });
  }

  #validSettings(): FormatSettings {
    // The nearest language given: our own, a `lang` around us (in our tree), the document's. A
    // render on the server has no tree: its own only.
    const around = isServer ? [] : [this.closest('[lang]')?.getAttribute('lang'), document.documentElement.lang];
    const lang = [this.locale, ...around].find(isGiven);
    return {
      format: this.#valid('format', this.format, isClockFormat) ?? 'time',
      precision: this.#valid('precision', this.precision, isPrecision) ?? 'second',
      hourCycle: this.#valid('hour-cycle', this.hourCycle, isHourCycle),
      timeZone: this.#valid('time-zone', this.timeZone, isTimeZone),
      locale: this.#valid('locale', lang, isLocale),
    };
  }

  /**
   * The value if `ok` accepts it; otherwise undefined (the default), with a warning for a bad
   * one. No value (absent or empty) is the default, with no warning.
   */
  #valid<T extends string>(name: string, value: T | null | undefined, ok: (value: T) => boolean): T | undefined {
    if (!isGiven(value)) return undefined;
    if (ok(value)) return value;
    this.#warnOnce(`${name}=${value}`, `invalid ${name} "${value}"; using the default`);
    return undefined;
  }

  /** A console warning, once per element and `key`. */
  #warnOnce(key: string, message: string) {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    console.warn(`<${this.localName}>: ${message}`);
  }

  #fire<K extends keyof ServerClockElementEventMap>(type: K, detail: ServerClockElementEventMap[K]['detail']) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'server-clock': ServerClockElement;
  }
  // On GlobalEventHandlersEventMap, which HTMLElementEventMap, DocumentEventMap and
  // WindowEventMap extend: one declaration types a listener on any of them. (Listed again rather
  // than `extends ServerClockElementEventMap {}`, an empty interface the lint rules refuse.)
  interface GlobalEventHandlersEventMap {
    'server-clock-statechange': ServerClockElementEventMap['server-clock-statechange'];
    'server-clock-sync': ServerClockElementEventMap['server-clock-sync'];
    'server-clock-error': ServerClockElementEventMap['server-clock-error'];
    'server-clock-end': ServerClockElementEventMap['server-clock-end'];
    'server-clock-timer': ServerClockElementEventMap['server-clock-timer'];
  }
}
