/**
 * `server-clock/ssr`: `<server-clock>` rendered on the server with `@lit-labs/ssr` (an optional
 * peer dependency: install it beside this package to use this entry). The element comes out with
 * its shadow root as declarative shadow DOM, showing the server's time as it is when rendered
 * (for a countdown, the time left): so the page shows the time without JavaScript, and with it the
 * element takes over without a flash: it keeps the rendered text until its own clock has an
 * estimate, then ticks on. No hydration script is needed.
 *
 * The rendered shadow root holds one inline `<style>`: a page with a Content Security Policy
 * allows it by hash, {@link styleHash}.
 * @packageDocumentation
 */
// First: it puts the DOM shim in place before lit and the element load.
import { render } from '@lit-labs/ssr';
import { collectResultSync } from '@lit-labs/ssr/lib/render-result.js';
import { createHash } from 'node:crypto';
import { html, nothing, type TemplateResult } from 'lit';
import { ServerClockElement, type ServerRender, type TimerState } from '../component/server-clock.js';

export type { TimerState };

ServerClockElement.define();

/**
 * The attributes a server-rendered `<server-clock>` may have: the element's own (see README, "The
 * element") and a few of every element's. Each value is text, escaped as it goes into the page.
 */
export interface ServerClockAttributes {
  /** The socket.io server (required). */
  url: string;
  format?: string;
  'time-zone'?: string;
  locale?: string;
  'hour-cycle'?: string;
  precision?: string;
  until?: string;
  timer?: string;
  event?: string;
  'countdown-style'?: string;
  id?: string;
  class?: string;
  lang?: string;
  title?: string;
  role?: string;
  'aria-label'?: string;
  'aria-labelledby'?: string;
}

/** The names {@link ServerClockAttributes} allows, checked at run time too. */
const ATTRIBUTES: readonly string[] = [
  'url',
  'format',
  'time-zone',
  'locale',
  'hour-cycle',
  'precision',
  'until',
  'timer',
  'event',
  'countdown-style',
  'id',
  'class',
  'lang',
  'title',
  'role',
  'aria-label',
  'aria-labelledby',
];

/** Where {@link renderServerClock} finds a timer's state by name: `clockServer.timers` is one. */
export interface TimerLookup {
  get(name: string): Promise<TimerState> | TimerState;
}

/** Options of {@link serverClock}. */
export interface ServerClockOptions {
  /**
   * The server's time to show, epoch ms: the clock your clock server serves.
   * @defaultValue `Date.now()`
   */
  now?: number;
  /**
   * The state of the element's `timer`, for an element with one.
   * @defaultValue undefined: the timer renders its placeholder, as while idle
   */
  timer?: TimerState;
  /**
   * The text between the tags (the slot): shown by the element while it has nothing to count (an
   * idle timer), and by a browser without declarative shadow DOM.
   * @defaultValue none: the element's own, `--:--`
   */
  placeholder?: string;
}

/** Options of {@link renderServerClock}: those of {@link serverClock}, and where to find the timer. */
export interface RenderServerClockOptions extends ServerClockOptions {
  /**
   * Where to look up the element's `timer` by name, unless `timer` gives its state:
   * `clockServer.timers`, or any store with a `get(name)`. Looked up before `now` is read.
   * @defaultValue none: without `timer` either, the timer renders its placeholder
   */
  timers?: TimerLookup;
}

const isText = (value: unknown): value is string => typeof value === 'string';

/** The attributes, checked: an object of known names with text values, and a `url`. */
function checkedAttributes(attributes: ServerClockAttributes): ServerClockAttributes {
  if (typeof attributes !== 'object' || attributes === null)
    throw new TypeError('server-clock attributes must be an object');
  for (const [name, value] of Object.entries(attributes)) {
    if (!ATTRIBUTES.includes(name))
      throw new TypeError(`unknown server-clock attribute "${name}" (known: ${ATTRIBUTES.join(', ')})`);
    if (value !== undefined && !isText(value))
      throw new TypeError(`server-clock attribute "${name}" must be a string, got ${typeof value}`);
  }
  if (!isText(attributes.url) || attributes.url === '') throw new TypeError('server-clock needs a url attribute');
  return attributes;
}

/** What the element renders with: `now` checked, and the timer's state if it is the element's. */
function serverRender(
  attributes: ServerClockAttributes,
  { now = Date.now(), timer }: ServerClockOptions,
): ServerRender {
  if (!Number.isFinite(now)) throw new RangeError(`now must be epoch milliseconds, got ${String(now)}`);
  if (timer !== undefined && timer.name !== attributes.timer)
    throw new RangeError(`the timer state given is "${timer.name}"'s, the element's timer is "${attributes.timer}"`);
  return { now, timer };
}

/**
 * A `<server-clock>` as a lit template, for a page rendered with `@lit-labs/ssr`'s `render`: the
 * element with its shadow root, showing the time at `now` (or the time left).
 *
 * @param attributes - the element's attributes; `url` is required
 * @param options - see {@link ServerClockOptions} for each default
 * @throws TypeError for an unknown attribute, a value that is not a string, or no `url`;
 *   RangeError for a `now` that is not a number, or a timer state of another name
 *
 * @example In a page of your own
 * ```js
 * import { render } from '@lit-labs/ssr';
 * import { collectResult } from '@lit-labs/ssr/lib/render-result.js';
 * import { html } from 'lit';
 * import { serverClock } from 'server-clock/ssr';
 *
 * const page = html`<p>Server time: ${serverClock({ url: '/', 'time-zone': 'UTC' })}</p>`;
 * const text = await collectResult(render(page));
 * ```
 */
export function serverClock(attributes: ServerClockAttributes, options: ServerClockOptions = {}): TemplateResult {
  const a = checkedAttributes(attributes);
  // role=timer is what the element sets when it connects: the page has it before that, too.
  return html`<server-clock
    url=${a.url}
    format=${a.format ?? nothing}
    time-zone=${a['time-zone'] ?? nothing}
    locale=${a.locale ?? nothing}
    hour-cycle=${a['hour-cycle'] ?? nothing}
    precision=${a.precision ?? nothing}
    until=${a.until ?? nothing}
    timer=${a.timer ?? nothing}
    event=${a.event ?? nothing}
    countdown-style=${a['countdown-style'] ?? nothing}
    id=${a.id ?? nothing}
    class=${a.class ?? nothing}
    lang=${a.lang ?? nothing}
    title=${a.title ?? nothing}
    role=${a.role ?? 'timer'}
    aria-label=${a['aria-label'] ?? nothing}
    aria-labelledby=${a['aria-labelledby'] ?? nothing}
    .serverRender=${serverRender(a, options)}
    >${options.placeholder ?? nothing}</server-clock
  >`;
}

/**
 * A `<server-clock>` as HTML: the element with its shadow root (declarative shadow DOM), showing
 * the server's time at `now` formatted as the element formats it (its `time-zone`, `locale`,
 * `format`, `hour-cycle`, `precision`), or for `until` and `timer` the time left; its `<time
 * datetime>` carries the instant shown (`PT…S` for a countdown). Attribute values and the
 * placeholder are escaped.
 *
 * The time is the one given (`now`): this server's, so `url` should be this server (or one on
 * its clock); a clock of another server is best written as a plain tag. Without `locale` the
 * server's default locale formats it, and without `time-zone` the server's zone: that is what a
 * browser without JavaScript shows, while the element, once defined, shows the same instant (its
 * `datetime`) in the visitor's zone and language.
 *
 * @param attributes - the element's attributes; `url` is required
 * @param options - see {@link RenderServerClockOptions} for each default
 * @returns the HTML, with lit's hydration comments
 * @throws (rejects with) TypeError for an unknown attribute, a value that is not a string, or no
 *   `url`; RangeError for a `now` that is not a number; the lookup's error, if it fails
 *
 * @example A clock and the demo server's round, with the server's own timers
 * ```js
 * import { createClockServer } from 'server-clock/server';
 * import { renderServerClock } from 'server-clock/ssr';
 *
 * const clock = createClockServer({ demo: true });
 * const time = await renderServerClock({ url: '/', 'time-zone': 'UTC', locale: 'en-GB' });
 * const round = await renderServerClock({ url: '/', timer: 'demo-round' }, { timers: clock.timers });
 * ```
 */
export async function renderServerClock(
  attributes: ServerClockAttributes,
  options: RenderServerClockOptions = {},
): Promise<string> {
  const { timers, ...rest } = options;
  const name = attributes?.timer;
  const timer = rest.timer ?? (timers && isText(name) && name !== '' ? await timers.get(name) : undefined);
  return collectResultSync(render(serverClock(attributes, { ...rest, timer })));
}

/**
 * The Content Security Policy source that allows the `<style>` in each rendered shadow root, such
 * as `'sha256-…'`: add it to `style-src` (the element's styles in the browser are constructed
 * stylesheets, which need nothing).
 */
export function styleHash(): string {
  // The style's text exactly as @lit-labs/ssr writes it: the element's styles, one after another.
  const text = ServerClockElement.elementStyles.map((style) => ('cssText' in style ? style.cssText : '')).join('');
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}
