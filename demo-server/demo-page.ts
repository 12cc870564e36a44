import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ServerClockAttributes, TimerLookup } from './render.js';
import { DEMO_ROUND, DEMO_ROUND_MS } from './timers/demo-round.js';

/** The CDN bundle the demo page loads: beside this module in `dist/`, or in `dist/` from source. */
export function findCdnBundle(): string | undefined {
  return ['../cdn/server-clock.js', '../dist/cdn/server-clock.js']
    .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
    .find((file) => existsSync(file));
}

/**
 * A loopback port where nothing listens: the clock pointed at it shows a server that is down. The
 * address is the visitor's own machine, so no server can know what listens there: 49151 is the
 * port IANA keeps reserved (never assigned to a service) just below the dynamic range that
 * systems hand out for listening on "any port", and browsers allow it (unlike 9, discard, which
 * Chromium refuses as unsafe before trying: `net::ERR_UNSAFE_PORT`).
 */
export const DOWN_SERVER_URL = 'http://127.0.0.1:49151/';

const TEN_MINUTES = 10 * 60_000;

interface DemoClock {
  title: string;
  /** Attributes of the `<server-clock>`, in order; the page shows them as markup too. */
  attrs: DemoAttributes;
  /** Light-DOM text, shown until the element is defined (and without JavaScript). */
  fallback: string;
  note: string;
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A clock's attributes, each one given. */
type DemoAttributes = ServerClockAttributes & Record<string, string>;

/** The markup a page writes for a clock, as the page shows it. */
function clockTag(attrs: DemoAttributes, fallback: string): string {
  const list = Object.entries(attrs)
    .map(([name, value]) => ` ${name}="${escape(value)}"`)
    .join('');
  return `<server-clock${list}>${escape(fallback)}</server-clock>`;
}

/** What the page needs to render its clocks on the server. */
export interface DemoPageOptions {
  /**
   * The server's time, epoch ms: the clock the server serves.
   * @defaultValue `Date.now`
   */
  clock?: () => number;
  /** The server's timers, for the round's state. */
  timers: TimerLookup;
}

/**
 * The demo page: clocks on this server in several zones and formats, a countdown (in English
 * and in Japanese), the server-driven round and a clock whose server is down, each rendered on
 * the server (`server-clock/ssr`, loaded here, when the page is first asked for) at one instant. The
 * countdown's target is fixed here too, on the server's clock: the next whole ten minutes at least
 * a minute away. Its one script of its own, `/demo.js`, says how far off the visitor's clock is.
 */
export async function demoPage({ clock: serverNow = Date.now, timers }: DemoPageOptions): Promise<string> {
  const { renderServerClock } = await import('./render.js');
  // Without the timers' store (Redis unreachable), the round renders its placeholder; the element
  // takes it from there once the store is back.
  const round = await Promise.resolve(timers.get(DEMO_ROUND)).catch(() => undefined);
  const now = serverNow();
  const clock = (attrs: DemoAttributes, fallback: string) =>
    renderServerClock(attrs, { now, timer: attrs.timer === DEMO_ROUND ? round : undefined, placeholder: fallback });
  // A clock of another server (the one that is down) is written as is: this server cannot tell its time.
  const card = async ({ title, attrs, fallback, note }: DemoClock) => `<li>
<h3>${escape(title)}</h3>
${attrs.url === '/' ? await clock(attrs, fallback) : clockTag(attrs, fallback)}
<p>${note}</p>
<pre><code>${escape(clockTag(attrs, fallback))}</code></pre>
</li>`;
  const cards = async (list: DemoClock[]) => (await Promise.all(list.map(card))).join('\n');

  const until = new Date(Math.ceil((now + 60_000) / TEN_MINUTES) * TEN_MINUTES).toISOString();
  const untilText = `${until.slice(11, 19)} UTC`;
  const zones: DemoClock[] = [
    {
      title: 'UTC',
      attrs: { url: '/', 'time-zone': 'UTC', format: 'datetime', locale: 'en-GB', 'hour-cycle': 'h23' },
      fallback: '-- --- ----, --:--:--',
      note: 'Date and time, British English, 24-hour clock.',
    },
    {
      title: 'New York',
      attrs: { url: '/', 'time-zone': 'America/New_York', locale: 'en-US', 'hour-cycle': 'h12' },
      fallback: '--:--:-- --',
      note: 'US English, 12-hour clock.',
    },
    {
      title: 'Tokyo',
      attrs: { url: '/', 'time-zone': 'Asia/Tokyo', format: 'datetime', locale: 'ja-JP' },
      fallback: '----年--月--日 --:--:--',
      note: 'Japanese, the locale’s own date order.',
    },
    {
      title: 'Kolkata',
      attrs: { url: '/', 'time-zone': 'Asia/Kolkata', locale: 'en-IN', precision: 'minute' },
      fallback: '--:--',
      note: 'Whole minutes only (UTC+5:30).',
    },
  ];
  const countdown: DemoClock = {
    title: 'Countdown',
    attrs: { url: '/', until },
    fallback: `until ${untilText}`,
    note: `Counts down to ${untilText}, on the server’s clock: the next whole ten minutes, at least a minute after the server sent this page. Reload for a new one.`,
  };
  const japanese: DemoClock = {
    title: 'カウントダウン',
    attrs: { url: '/', until, locale: 'ja-JP', 'countdown-style': 'long', lang: 'ja' },
    fallback: `${untilText}まで`,
    note: 'The same countdown in Japanese (<code>locale="ja-JP"</code>), spelled out in words (<code>countdown-style="long"</code>).',
  };
  const roundClock: DemoClock = {
    title: 'A round the server drives',
    attrs: { url: '/', timer: DEMO_ROUND },
    fallback: 'No round yet',
    note: `The server’s timer <code>${DEMO_ROUND}</code>: a round of ${DEMO_ROUND_MS / 1000} s that the server starts again when it ends (one node drives it when there are several). An admin can extend, pause or end it, and every page sees the change at once.`,
  };
  const down: DemoClock = {
    title: 'A server that is down',
    attrs: { url: DOWN_SERVER_URL },
    fallback: '--:--:--',
    note: 'Nothing listens on this port: the clock keeps trying, with growing random pauses, and says so in its <code>state</code> attribute (shown beside it by this page’s stylesheet).',
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>server-clock demo</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/demo.css">
<script type="module" src="/cdn/server-clock.js"></script>
<script type="module" src="/demo.js"></script>
</head>
<body>
<header>
<h1>server-clock</h1>
<p>This server’s time, corrected for network delay, whatever this computer’s clock says. The page
loads the CDN bundle from this server; the server renders every clock into the page, so it shows the
time before any script runs (and without JavaScript), and one small script of the page’s own
(<code>/demo.js</code>) compares the server’s time with this computer’s.</p>
${await clock({ id: 'main', url: '/' }, '--:--:--')}
<p class="note">Your time zone, formatted for the page’s language (<code>lang="en"</code>). The dot is
the connection state. Every clock here that follows this server shares one connection to it.</p>
<p id="offset">With JavaScript, this line says how far off your computer’s clock is.</p>
<p id="sync" class="note"></p>
</header>
<main>
<section>
<h2>Time zones and formats</h2>
<p>One instant of the server’s clock, formatted with <code>Intl</code> in each clock’s
<code>time-zone</code>, <code>locale</code>, <code>format</code>, <code>hour-cycle</code> and <code>precision</code>.</p>
<ul class="clocks">
${await cards(zones)}
</ul>
</section>
<section>
<h2>Countdowns and failure</h2>
<ul class="clocks">
${await cards([countdown, japanese, roundClock, down])}
</ul>
</section>
</main>
</body>
</html>
`;
}

/** The demo page's stylesheet (the CSP allows no inline style). */
const DEMO_CSS = `
:root { color-scheme: light dark; font: 16px/1.5 system-ui, sans-serif; }
body { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { margin: 0 0 0.25rem; }
h2 { margin: 2rem 0 0.5rem; font-size: 1.25rem; }
h3 { margin: 0 0 0.5rem; font-size: 1rem; }
.note, li p { color: GrayText; font-size: 0.9rem; }
#main { --server-clock-font: 600 3.5rem/1.2 system-ui, sans-serif; margin: 0.5rem 0; }
.clocks { list-style: none; padding: 0; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); }
.clocks li { border: 1px solid color-mix(in srgb, currentColor 20%, transparent); border-radius: 0.5rem; padding: 1rem; }
.clocks server-clock { --server-clock-font: 500 1.5rem/1.3 system-ui, sans-serif; }
server-clock[state]::after { content: attr(state); font: 0.75rem system-ui, sans-serif; color: GrayText; }
/* Without JavaScript the clocks show the time they were rendered with, and never connect: no state to show. */
@media (scripting: none) { server-clock[state]::after { content: none; } }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.75rem; }
#offset { font-size: 1.25rem; margin: 0.5rem 0 0; }
`;

/**
 * The demo page's one script: how far off the visitor's clock is, from the main clock's
 * estimates (`server-clock-sync`). It writes text only (`textContent`), never markup.
 */
const DEMO_JS = `// How far off this computer's clock is, from the estimates of the page's main clock.
const main = document.getElementById('main');
const offsetLine = document.getElementById('offset');
const syncLine = document.getElementById('sync');

/** A duration for people: seconds from one second up, else milliseconds. */
function duration(ms) {
  const size = Math.abs(ms);
  return size >= 1000 ? (size / 1000).toFixed(2) + ' s' : size.toFixed(size >= 10 ? 0 : 1) + ' ms';
}

main.addEventListener('server-clock-sync', ({ detail }) => {
  // detail.offset is the server's clock minus this page's monotonic clock: the server's time now,
  // against this computer's wall clock.
  const serverNow = performance.timeOrigin + performance.now() + detail.offset;
  const behind = serverNow - Date.now();
  const within = ' (± ' + duration(detail.uncertainty) + ')';
  offsetLine.textContent =
    Math.abs(behind) <= detail.uncertainty
      ? 'Your computer’s clock agrees with this server' + within + '.'
      : 'Your computer’s clock is ' + duration(behind) + (behind > 0 ? ' behind' : ' ahead of') + ' this server' + within + '.';
  syncLine.textContent =
    detail.mode === 'sync'
      ? 'Round trip ' + duration(detail.rtt) + '; the estimate rests on ' + detail.samples + ' exchanges and is good to ± ' + duration(detail.uncertainty) + '.'
      : 'From the times the server pushes (no round trip measured): good to ± ' + duration(detail.uncertainty) + '.';
});
`;

/** A clock face, so that browsers find an icon instead of asking for a missing /favicon.ico. */
const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<circle cx="16" cy="16" r="14" fill="#fff" stroke="#1a7f37" stroke-width="3"/>
<path d="M16 8v8l5 4" fill="none" stroke="#222" stroke-width="3" stroke-linecap="round"/>
</svg>
`;

/** The demo page's other files, by path, served beside it. */
export const DEMO_FILES: ReadonlyMap<string, { type: string; body: string }> = new Map([
  ['/demo.css', { type: 'text/css; charset=utf-8', body: DEMO_CSS }],
  ['/demo.js', { type: 'text/javascript; charset=utf-8', body: DEMO_JS }],
  ['/favicon.svg', { type: 'image/svg+xml', body: FAVICON }],
]);
