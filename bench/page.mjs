// npm run bench:page [-- --sizes 100,1000 --seconds 60 --bundle dist/cdn/server-clock.js --floor]
// What a page of many <server-clock> elements costs in real Chromium: N elements on one demo
// server (half of them countdowns), loaded from the CDN bundle, over the first minute after the
// page loads, which holds the SDK's first sync bursts (on connect, then 1 s, 2 s, 4 s… apart).
// Beside it, in the same run, the same number of plain elements whose text one setInterval sets;
// with --floor, also the element's own shadow DOM written by hand (the DOM's share of the cost).
// Loopback only; stops itself. Figures and method: bench/PAGE.md.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright';
import { startServer, stopServer } from '../test/servers.mjs';
import { BROWSERS, CHROMIUM_ARGS } from '../scripts/browsers.mjs';
import { styles } from '../dist/component/server-clock.styles.js';
import { saveResults } from './results.mjs';
import { quantile } from './stats.mjs';

const GOALS = { longestTask: 50, scriptPerSecond: 5 };

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,1000' },
    seconds: { type: 'string', default: '60' },
    from: { type: 'string', default: '0' },
    bundle: { type: 'string', default: 'dist/cdn/server-clock.js' },
    profile: { type: 'boolean', default: false },
    floor: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  console.log(`Usage: npm run bench:page -- [options]
  --sizes <list>     elements per page (default 100,1000)
  --seconds <s>      how long to measure (default 60)
  --from <s>         start measuring this long after the page's load event (default 0: the window
                     holds the first sync bursts; 60 or more, a steady state with resyncs once a minute)
  --bundle <path>    the CDN bundle to load (default dist/cdn/server-clock.js; another build's, to compare)
  --profile          also record Chromium's JavaScript profile over the window and print where the
                     clocks page's script goes (self time by function; an unminified bundle names them)
  --floor            also measure the floor: as many hand-written elements with <server-clock>'s shadow
                     DOM (its styles, its status and <time>), whose text and datetime one setInterval sets`);
  process.exit(0);
}
const sizes = flags.sizes.split(',').map(Number);
const seconds = Number(flags.seconds);
const from = Number(flags.from);
if (
  !sizes.every((n) => Number.isInteger(n) && n >= 2) ||
  !(Number.isInteger(seconds) && seconds >= 5) ||
  !(Number.isInteger(from) && from >= 0)
) {
  console.error('bench:page: --sizes takes whole numbers ≥ 2, --seconds a whole number ≥ 5, --from one ≥ 0');
  process.exit(2);
}
const root = new URL('..', import.meta.url);
const bundle = await readFile(new URL(flags.bundle, root));

// The two pages. Every other element counts down to an hour from when the page is made; the
// others show the time. Both kinds format in UTC, en-GB, 24 h.
const ATTRIBUTES = 'time-zone="UTC" locale="en-GB" hour-cycle="h23"';

function clocksPage(n, serverUrl) {
  const until = new Date(Date.now() + 3_600_000).toISOString();
  const element = (i) =>
    `<server-clock url="${serverUrl}" ${ATTRIBUTES}${i % 2 ? ` until="${until}"` : ''}></server-clock>`;
  return `<!doctype html><meta charset="utf-8"><title>${n} server-clocks</title>
${Array.from({ length: n }, (_, i) => element(i)).join('\n')}
<script type="module" src="/server-clock.js"></script>`;
}

// What the plain and floor pages' scripts share: each second's two texts, made once for all
// their elements (half a countdown to an hour from when the page runs, half the time), in the
// clocks' settings (UTC, en-GB, 24 h).
const SECOND_TEXTS = `
  const format = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });
  const until = Date.now() + 3_600_000;
  const two = (n) => String(n).padStart(2, '0');
  const textsAt = (now) => {
    const left = Math.ceil((until - now) / 1000);
    const countdown = two(Math.floor(left / 3600)) + ':' + two(Math.floor(left / 60) % 60) + ':' + two(left % 60);
    return { time: format.format(now), countdown, left };
  };`;

function plainPage(n) {
  return `<!doctype html><meta charset="utf-8"><title>${n} plain clocks</title>
${'<span></span>\n'.repeat(n)}
<script type="module">
  const spans = [...document.querySelectorAll('span')];
${SECOND_TEXTS}
  const show = () => {
    const { time, countdown } = textsAt(Date.now());
    spans.forEach((span, i) => (span.textContent = i % 2 ? countdown : time));
  };
  show();
  setInterval(show, 1000);
</script>`;
}

/**
 * The floor: what the DOM alone costs for <server-clock>'s changes. Each element has the
 * element's shadow DOM (its adopted styles, the status and a <time>, the state attribute on the
 * host); one setInterval sets every text and datetime each second from strings made once.
 */
function floorPage(n) {
  return `<!doctype html><meta charset="utf-8"><title>${n} hand-written clocks</title>
${'<floor-clock></floor-clock>\n'.repeat(n)}
<script type="module">
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(${JSON.stringify(styles.cssText)});
  const times = [];
  customElements.define('floor-clock', class extends HTMLElement {
    connectedCallback() {
      const root = this.attachShadow({ mode: 'open' });
      root.adoptedStyleSheets = [sheet];
      root.innerHTML = '<span part="status" role="img" aria-label="Connected" title="Connected"></span><time part="time" datetime="">--:--</time>';
      this.setAttribute('state', 'connected');
      times.push(root.querySelector('time'));
    }
  });
${SECOND_TEXTS}
  const show = () => {
    const now = Date.now();
    const { time, countdown, left } = textsAt(now);
    const instant = new Date(Math.floor(now / 1000) * 1000).toISOString();
    const duration = 'PT' + left + 'S';
    times.forEach((el, i) => {
      el.firstChild.data = i % 2 ? countdown : time;
      el.setAttribute('datetime', i % 2 ? duration : instant);
    });
  };
  show();
  setInterval(show, 1000);
</script>`;
}

/** Serves the pages and the bundle on loopback: /clocks?n=N, /plain?n=N, /floor?n=N, /server-clock.js. */
async function startPageServer(demoUrl) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const n = Number(url.searchParams.get('n'));
    const html = (body) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
    if (url.pathname === '/clocks') return html(clocksPage(n, demoUrl()));
    if (url.pathname === '/plain') return html(plainPage(n));
    if (url.pathname === '/floor') return html(floorPage(n));
    if (url.pathname === '/server-clock.js')
      return res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

// Runs in the page before its own scripts: counts setTimeout calls, records long tasks and the
// element's sync events (one per estimate and element: at the first sync answer, then at the end
// of each burst; the first element's are the clock's estimates), and the samples behind the last.
function instrument() {
  const bench = (window.__bench = { timeouts: 0, longTasks: [], syncs: [], samples: 0 });
  const setTimeout = window.setTimeout;
  window.setTimeout = function (...args) {
    bench.timeouts++;
    return setTimeout.apply(window, args);
  };
  new PerformanceObserver((list) => {
    for (const { startTime, duration } of list.getEntries()) bench.longTasks.push({ startTime, duration });
  }).observe({ type: 'longtask', buffered: true });
  document.addEventListener('DOMContentLoaded', () => {
    document.querySelector('server-clock')?.addEventListener('server-clock-sync', ({ detail }) => {
      bench.syncs.push(performance.now());
      bench.samples = detail.samples;
    });
  });
}

/** A CDP profile's self time by function (name, script, line), ms, the largest first. */
function selfTimes({ nodes, samples, timeDeltas }) {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const times = new Map();
  samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}`;
    times.set(name, (times.get(name) ?? 0) + (timeDeltas[i] ?? 0) / 1000);
  });
  return [...times]
    .filter(([name]) => !name.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20)
    .map(([name, ms]) => ({ name, ms: Math.round(ms * 10) / 10 }));
}

const ascending = (values) => [...values].sort((a, b) => a - b);
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Loads one page and measures it from its load event for `seconds`. */
async function measure(browser, url, n) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(instrument);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    // ScriptDuration leaves out promise jobs (Lit renders in one); TaskDuration is all the main thread's work.
    const metricSeconds = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const metric = (name) => metrics.find((m) => m.name === name).value;
      return { script: metric('ScriptDuration'), task: metric('TaskDuration') };
    };
    await page.goto(url, { waitUntil: 'load' });
    const atLoad = await metricSeconds();
    await sleep(from * 1000);
    // The window starts at the load event, or --from seconds after it.
    const start = await page.evaluate(() => ({
      at: performance.now(),
      load: performance.getEntriesByType('navigation')[0].loadEventEnd,
      timeouts: window.__bench.timeouts,
      visible: document.visibilityState === 'visible',
    }));
    if (!start.visible) console.warn('  the page is not visible: the element would idle');
    const windowStart = from > 0 ? start.at : start.load;
    const atStart = from > 0 ? await metricSeconds() : atLoad;
    if (flags.profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    // Script time second by second, to show the busiest one beside the average.
    const perSecond = [];
    let previous = atStart;
    const began = Date.now();
    for (let s = 1; s <= seconds; s++) {
      await sleep(began + s * 1000 - Date.now());
      const now = await metricSeconds();
      perSecond.push((now.script - previous.script) * 1000);
      previous = now;
    }
    const profile = flags.profile ? (await cdp.send('Profiler.stop')).profile : undefined;
    const end = await page.evaluate((n) => {
      const hosts = [...document.querySelectorAll('server-clock, floor-clock')];
      const shown = hosts.length
        ? hosts.filter((el) => /\d/.test(el.shadowRoot?.querySelector('time')?.textContent ?? '')).length
        : [...document.querySelectorAll('span')].filter((el) => /\d/.test(el.textContent)).length;
      return { at: performance.now(), ...window.__bench, shown, n };
    }, n);
    const elapsed = (end.at - start.at) / 1000;
    const afterLoad = end.longTasks.filter((t) => t.startTime >= windowStart);
    const duringLoad = end.longTasks.filter((t) => t.startTime < start.load);
    const longest = (tasks) => Math.max(0, ...tasks.map((t) => t.duration));
    return {
      elapsed,
      scriptPerSecond: perSecond.reduce((a, b) => a + b, 0) / perSecond.length,
      taskPerSecond: ((previous.task - atStart.task) * 1000) / seconds,
      busiestSecond: Math.max(...perSecond),
      medianSecond: quantile(ascending(perSecond), 0.5),
      perSecond,
      scriptAtLoad: atLoad.script * 1000,
      longTasks: afterLoad.length,
      longestTask: longest(afterLoad),
      longestAtLoad: longest(duringLoad),
      timeoutsPerSecond: (end.timeouts - start.timeouts) / elapsed,
      estimates: end.syncs.filter((t) => t >= windowStart).length,
      samples: end.samples,
      // Times from the load event, ms: each long task's start and length, each estimate.
      longTaskTimes: afterLoad.map((t) => [Math.round(t.startTime - start.load), Math.round(t.duration)]),
      estimateTimes: end.syncs.map((t) => Math.round(t - start.load)),
      shown: end.shown,
      errors,
      profile: profile && selfTimes(profile),
    };
  } finally {
    await context.close();
  }
}

const ms = (v) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;
const meets = (r) => r.longestTask <= GOALS.longestTask && r.scriptPerSecond <= GOALS.scriptPerSecond;

/** The pages measured with `n` elements, side by side, the clocks' first: `{ title, result }` each. */
function table(n, pages) {
  const row = (label, cell, goal = '') => [label, ...pages.map(({ result }, i) => cell(result, i)), goal];
  const rows = [
    ['', ...pages.map(({ title }) => title), 'goal'],
    row('script per second, average', (r) => ms(r.scriptPerSecond), `≤ ${GOALS.scriptPerSecond} ms`),
    row('main thread per second (all tasks), average', (r) => ms(r.taskPerSecond)),
    row('script in the busiest second', (r) => ms(r.busiestSecond)),
    row('script in the median second', (r) => ms(r.medianSecond)),
    row(
      'long tasks after load: count, longest',
      (r) => `${r.longTasks}, ${ms(r.longestTask)}`,
      `none over ${GOALS.longestTask} ms`,
    ),
    row('setTimeout calls per second', (r) => r.timeoutsPerSecond.toFixed(1)),
    row('load: script, longest task', (r) => `${ms(r.scriptAtLoad)}, ${ms(r.longestAtLoad)}`),
    row('sync estimates (server-clock-sync events) in the window; samples behind the last', (r, i) =>
      i === 0 ? `${r.estimates}; ${r.samples}` : '',
    ),
    row('elements showing a time at the end', (r) => `${r.shown} of ${n}`),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row) => `| ${row.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

// Every step is bounded; this bounds the whole run, should the browser hang.
const budget = setTimeout(
  () => {
    console.error('bench:page: still running, giving up');
    process.exit(1);
  },
  sizes.length * (flags.floor ? 3 : 2) * (from + seconds + 60) * 1000,
);
budget.unref();

let demo;
// Interrupted, or out of time: no server left behind (Playwright closes its browser itself).
process.on('exit', () => demo?.child.kill('SIGKILL'));
process.on('SIGINT', () => process.exit(130));
const pages = await startPageServer(() => demo.url);
demo = await startServer('demo', 0, ['--origins', pages.url]);
const browser = await chromium.launch({ executablePath: BROWSERS.chromium.path, args: CHROMIUM_ARGS });
const results = [];
try {
  console.log(
    `bench:page: ${flags.bundle}, ${seconds} s from ${from > 0 ? `${from} s after ` : ''}load, half of the elements countdowns; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const n of sizes) {
    const clocks = await measure(browser, `${pages.url}/clocks?n=${n}`, n);
    const plain = await measure(browser, `${pages.url}/plain?n=${n}`, n);
    const floor = flags.floor ? await measure(browser, `${pages.url}/floor?n=${n}`, n) : undefined;
    const measured = [
      { title: `${n} <server-clock>`, result: clocks },
      { title: `${n} plain, one setInterval`, result: plain },
      ...(floor ? [{ title: `${n} hand-written, the element's DOM`, result: floor }] : []),
    ];
    for (const { result } of measured) for (const error of result.errors) console.error(`  page error: ${error}`);
    console.log(`\n${table(n, measured)}\n  goal ${meets(clocks) ? 'met' : 'MISSED'}`);
    if (clocks.profile) {
      console.log(`  where the clocks page's script went (self time over the window):`);
      for (const { name, ms } of clocks.profile) console.log(`    ${ms.toFixed(1).padStart(8)} ms  ${name}`);
    }
    results.push({ n, clocks, plain, floor });
  }
  console.log(`\nload average after: ${loadavg()[0].toFixed(2)}`);
  saveResults('page', { bundle: flags.bundle, seconds, results });
  process.exitCode = results.every((r) => meets(r.clocks)) ? 0 : 1;
} finally {
  await browser.close();
  await pages.close();
  await stopServer(demo);
}
