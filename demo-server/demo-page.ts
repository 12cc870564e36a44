import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEMO_ROUND, DEMO_ROUND_MS } from './timers/demo-round.js';

/** The CDN bundle the demo page loads: beside this module in `dist/`, or in `dist/` from source. */
export function findCdnBundle(): string | undefined {
  return ['../cdn/server-clock.js', '../dist/cdn/server-clock.js']
    .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
    .find((file) => existsSync(file));
}

/** A loopback port where nothing listens (discard): the clock pointed at it shows a server that is down. */
export const DOWN_SERVER_URL = 'http://127.0.0.1:9/';

const TEN_MINUTES = 10 * 60_000;

interface DemoClock {
  title: string;
  /** Attributes of the `<server-clock>`, in order; the page shows them as markup too. */
  attrs: Record<string, string>;
  /** Light-DOM text, shown until the element is defined (and without JavaScript). */
  fallback: string;
  note: string;
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function clockTag(attrs: Record<string, string>, fallback: string): string {
  const list = Object.entries(attrs)
    .map(([name, value]) => ` ${name}="${escape(value)}"`)
    .join('');
  return `<server-clock${list}>${escape(fallback)}</server-clock>`;
}

function card({ title, attrs, fallback, note }: DemoClock): string {
  const tag = clockTag(attrs, fallback);
  return `<li>
<h3>${escape(title)}</h3>
${tag}
<p>${note}</p>
<pre><code>${escape(tag)}</code></pre>
</li>`;
}

/**
 * The demo page: clocks on this server in several zones and formats, a countdown, the
 * server-driven round and a clock whose server is down. The page has no script of its own (the server sends a strict CSP), so the
 * countdown's target is fixed here, on the server's clock at `now`: the next whole ten minutes at
 * least a minute away.
 */
export function demoPage(now = Date.now()): string {
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
  const round: DemoClock = {
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
</head>
<body>
<header>
<h1>server-clock</h1>
<p>This server’s time, corrected for network delay, whatever this computer’s clock says. The page
loads the CDN bundle from this server and has no script of its own.</p>
${clockTag({ id: 'main', url: '/' }, '--:--:--')}
<p class="note">Your time zone, formatted for the page’s language (<code>lang="en"</code>). The dot is
the connection state. Every clock here that follows this server shares one connection to it.</p>
</header>
<main>
<section>
<h2>Time zones and formats</h2>
<p>One instant of the server’s clock, formatted with <code>Intl</code> in each clock’s
<code>time-zone</code>, <code>locale</code>, <code>format</code>, <code>hour-cycle</code> and <code>precision</code>.</p>
<ul class="clocks">
${zones.map(card).join('\n')}
</ul>
</section>
<section>
<h2>Countdowns and failure</h2>
<ul class="clocks">
${card(countdown)}
${card(round)}
${card(down)}
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
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.75rem; }
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
  ['/favicon.svg', { type: 'image/svg+xml', body: FAVICON }],
]);
