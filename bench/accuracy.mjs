// npm run bench:accuracy — how close the SDK's now() is to the server's clock, in real Chromium,
// through a loopback proxy that delays each direction, with the page's wall clock skewed: readings
// after 2 minutes of sync, in several trials per profile (each a page of its own, run side by
// side), with the sync exchanges each clock made per minute. Side by side: the naive ways (the
// last pushed value as is, and plus the time since it arrived). Run with --help for the flags.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright';
import { createClockServer, createLogger, preciseNow } from '../dist/demo-server/index.js';
import { parsePushedTime } from '../dist/sdk/parse-time.js';
import { startServer, stopServer } from '../test/servers.mjs';
import { startDelayProxy } from '../test/delay-proxy.mjs';
import { PROFILES } from './delay-profiles.mjs';
import { BROWSERS, CHROMIUM_ARGS } from '../scripts/browsers.mjs';
import { saveResults } from './results.mjs';
import { quantile } from './stats.mjs';

const TARGETS = { uniform: { median: 0.5, p95: 1.5 }, rough: { median: 1, p95: 3 } };
// +1 h 2 min 3.456 s: the page's wall clock, and so its performance.timeOrigin, is this far off.
const DEFAULT_SKEW_MS = 3_723_456;

const { values: flags } = parseArgs({
  options: {
    profile: { type: 'string', default: Object.keys(PROFILES).join(',') },
    trials: { type: 'string', default: '3' },
    readings: { type: 'string', default: '60' },
    interval: { type: 'string', default: '500' },
    settle: { type: 'string', default: '120000' },
    skew: { type: 'string', default: String(DEFAULT_SKEW_MS) },
    'local-drift': { type: 'string', default: '0' },
    'page-clock': { type: 'boolean', default: false },
    'uniform-delay': { type: 'string' },
    'uniform-jitter': { type: 'string' },
    'rough-base': { type: 'string' },
    'rough-tail': { type: 'string' },
    'rough-spike-rate': { type: 'string' },
    'rough-spike': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (flags.help) {
  console.log(`Usage: npm run bench:accuracy -- [options]
  --profile <list>          ${Object.keys(PROFILES).join(',')} (default all)
  --trials <n>              pages per profile, run side by side (default 3)
  --readings <n>            readings per trial (default 60)
  --interval <ms>           mean time between readings (default 500)
  --settle <ms>             sync time after the first burst before reading (default 120000)
  --skew <ms>               the page's wall clock error (default ${DEFAULT_SKEW_MS})
  --local-drift <ppm>       the page's local clock (the SDK's clock option) runs this fast;
                            negative: slow (default 0)
  --page-clock              the SDK reads the page's clock as Playwright fakes it, in whole ms
                            (as Firefox and Safari read theirs), not Chromium's own (0.1 ms)
  --uniform-delay <ms>      one-way delay of the uniform profile (default 40)
  --uniform-jitter <ms>     ± around it (default 5)
  --rough-base <ms>         base one-way delay of the rough profile (default 30)
  --rough-tail <ms>         mean of its exponential tail (default 20)
  --rough-spike-rate <p>    share of packets held longer (default 0.03)
  --rough-spike <ms>        how much longer (default 150)`);
  process.exit(0);
}

const num = (name, value) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: not a number ≥ 0: ${value}`);
  return n;
};
const camel = (s) => s.replace(/-(\w)/g, (_, c) => c.toUpperCase());

/** The options of a profile: its defaults, overridden by --<profile>-<option> flags. */
function profileOptions(name) {
  const options = { ...PROFILES[name].defaults };
  for (const [flag, value] of Object.entries(flags)) {
    if (flag.startsWith(`${name}-`) && value !== undefined)
      options[camel(flag.slice(name.length + 1))] = num(flag, value);
  }
  return options;
}

const machineNow = () => performance.timeOrigin + performance.now();
// The SDK's local clock in the page runs this many ppm fast (the clock option); 0: its default.
const localDrift = Number(flags['local-drift']);
if (!Number.isFinite(localDrift) || Math.abs(localDrift) >= 1e5)
  throw new Error(`--local-drift: not a rate in ppm: ${flags['local-drift']}`);

/** Median, p95 and max of |error|, and the median of the error itself (a bias shows there). */
function summary(values) {
  const sorted = values.map(Math.abs).sort((a, b) => a - b);
  const signed = [...values].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    max: sorted[sorted.length - 1],
    bias: quantile(signed, 0.5),
  };
}

const ms = (v) => (v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`);

/** A tiny static server for the page, the CDN bundle, and socket.io's client for the naive way. */
async function startPageServer() {
  const files = {
    '/': ['bench/accuracy-page.html', 'text/html; charset=utf-8'],
    '/server-clock.js': ['dist/cdn/server-clock.js', 'text/javascript'],
    '/socket.io.esm.min.js': ['node_modules/socket.io-client/dist/socket.io.esm.min.js', 'text/javascript'],
  };
  const root = new URL('..', import.meta.url);
  const server = createServer(async (req, res) => {
    const file = files[new URL(req.url, 'http://x').pathname];
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[1] }).end(await readFile(new URL(file[0], root)));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/**
 * Where a process's precise clock (performance.timeOrigin + now()) sits against the system clock
 * it is derived from. Date.now() is that system clock cut to whole milliseconds, so reads spread
 * evenly in time give precise − Date.now() = offset + a fraction uniform in [0, 1): its quartiles
 * sit at offset + ¼, ½, ¾. Quantiles, not extremes, so that a read preempted between the two
 * clocks does not count; the spread of the three estimates is the bound. Runs in the page too.
 */
function systemClockOffset(clock) {
  const { performance: p, dateNow } = clock ?? window.__machineClock;
  const d = [];
  for (const end = p.now() + 30; p.now() < end;) d.push(p.timeOrigin + p.now() - dateNow());
  d.sort((a, b) => a - b);
  // The offset as quantile q of the reads says it: that quantile, less the fraction's own (q).
  const offsetBy = (q) => d[Math.floor(q * (d.length - 1))] - q;
  const lower = offsetBy(0.25);
  const median = offsetBy(0.5);
  const upper = offsetBy(0.75);
  return { offset: median, bound: Math.max(lower, median, upper) - Math.min(lower, median, upper) };
}

/** The page's and the bench's machine clocks against the system clock, measured together. */
async function clockMapping(page) {
  const bench = systemClockOffset({ performance, dateNow: Date.now });
  const pageOffset = await page.evaluate(systemClockOffset);
  return {
    page: pageOffset.offset,
    difference: pageOffset.offset - bench.offset,
    bound: pageOffset.bound + bench.bound,
  };
}

/** One trial: a page of its own, behind proxies of its own; its readings' errors against the truth. */
async function runTrial(browser, name, ports, pageUrl) {
  const options = profileOptions(name);
  const delays = () => ({ up: PROFILES[name].make(options), down: PROFILES[name].make(options) });
  const proxy = await startDelayProxy(ports.server, delays());
  const classicProxy = await startDelayProxy(ports.classic, delays());
  const context = await browser.newContext();
  try {
    // Keep the machine's clock for measuring, before Playwright fakes the page's.
    await context.addInitScript(() => {
      window.__machineClock = { performance, dateNow: Date.now.bind(Date) };
    });
    await context.clock.install({ time: Date.now() + num('skew', flags.skew) });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    const query = new URLSearchParams({
      server: `http://127.0.0.1:${proxy.port}`,
      classic: `http://127.0.0.1:${classicProxy.port}`,
      drift: String(localDrift),
      clock: flags['page-clock'] ? 'page' : 'chromium',
    });
    await page.goto(`${pageUrl}/?${query}`);
    const skew = await page.evaluate(() => window.bench.skew());
    await page.evaluate(() => window.bench.synced());
    await new Promise((r) => setTimeout(r, num('settle', flags.settle)));
    const mappingBefore = await clockMapping(page);
    // The server's clock is preciseNow(): our machine clock plus an anchor, which it moves when
    // the wall clock strays. Followed through the run, to know which was in effect when.
    const anchors = [];
    const followAnchor = () => anchors.push({ at: machineNow(), anchor: preciseNow() - machineNow() });
    followAnchor();
    const following = setInterval(followAnchor, 20);
    const readings = await page.evaluate(
      ([n, interval]) => window.bench.readings(n, interval),
      [num('readings', flags.readings), num('interval', flags.interval)],
    );
    clearInterval(following);
    const mappingAfter = await clockMapping(page);
    const sync = await page.evaluate(() => window.bench.sync());

    // The page read its machine clock at `at`; the server's clock then was this, give or take the mapping's bound.
    const mapping = (mappingBefore.difference + mappingAfter.difference) / 2;
    const anchorAt = (t) => anchors.findLast((a) => a.at <= t)?.anchor ?? anchors[0].anchor;
    const truth = (r) => r.at - mapping + anchorAt(r.at - mapping);
    // The classic server's clock is the system clock itself (Date).
    const pageOffset = (mappingBefore.page + mappingAfter.page) / 2;
    const classicTruth = (r) => r.at - pageOffset;
    const classicShown = (r) => parsePushedTime(r.classic, classicTruth(r)).time;
    const errors = {
      sdk: readings.map((r) => r.sdk - truth(r)),
      asIs: readings.map((r) => r.pushed - truth(r)),
      plusElapsed: readings.map((r) => r.pushed + r.sincePush - truth(r)),
      classicAsIs: readings.map((r) => classicShown(r) - classicTruth(r)),
      classicPlusElapsed: readings.map((r) => classicShown(r) + r.sinceClassic - classicTruth(r)),
      pushOnly: readings.map((r) => r.pushOnly - classicTruth(r)),
    };
    // Sync exchanges per minute: from the first to the readings, and during them.
    const first = readings[0].at;
    const last = readings[readings.length - 1].at;
    const perMinute = (from, to) => (sync.exchanges.filter((t) => t >= from && t < to).length * 60_000) / (to - from);
    return {
      skew,
      readings,
      errors,
      span: (last - first) / 1000,
      exchanges: { settling: perMinute(sync.exchanges[0], first), reading: perMinute(first, last) },
      drift: sync.drift,
      mapping: [mappingBefore, mappingAfter],
    };
  } finally {
    await context.close();
    await Promise.all([proxy.close(), classicProxy.close()]);
  }
}

/** A profile's trials, side by side; their readings together, and each trial's median. */
async function runProfile(browser, name, ports, pageUrl) {
  const trials = await Promise.all(
    Array.from({ length: num('trials', flags.trials) }, () => runTrial(browser, name, ports, pageUrl)),
  );
  const all = (way) => trials.flatMap((trial) => trial.errors[way]);
  const readings = trials.flatMap((trial) => trial.readings);
  const sdk = all('sdk');
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    name,
    describe: PROFILES[name].describe(profileOptions(name)),
    skew: trials[0].skew,
    trials,
    readings: readings.length,
    span: Math.max(...trials.map((trial) => trial.span)),
    sdk: summary(sdk),
    trialMedians: trials.map((trial) => summary(trial.errors.sdk).median),
    exchanges: {
      settling: mean(trials.map((trial) => trial.exchanges.settling)),
      reading: mean(trials.map((trial) => trial.exchanges.reading)),
    },
    asIs: summary(all('asIs')),
    plusElapsed: summary(all('plusElapsed')),
    classicAsIs: summary(all('classicAsIs')),
    classicPlusElapsed: summary(all('classicPlusElapsed')),
    pushOnly: summary(all('pushOnly')),
    pushOnlyUncertainty: summary(readings.map((r) => r.pushOnlyUncertainty)),
    uncertainty: summary(readings.map((r) => r.uncertainty)),
    outside: readings.filter((r, i) => Math.abs(sdk[i]) > r.uncertainty).length,
    mapping: trials.flatMap((trial) => trial.mapping),
  };
}

function report(result) {
  const target = TARGETS[result.name];
  const met = target && result.sdk.median <= target.median && result.sdk.p95 <= target.p95;
  const row = (label, s, note = '') =>
    `  ${label.padEnd(34)}${ms(s.median).padStart(10)}${ms(s.p95).padStart(10)}${ms(s.max).padStart(10)}  ${note}`;
  const clock = flags['page-clock'] ? "; the SDK on the page's faked clock (whole ms)" : '';
  console.log(
    `\n${result.name}: ${result.describe}${localDrift ? `; the page's local clock ${localDrift} ppm` : ''}${clock}`,
  );
  console.log(
    `  page wall clock off by ${(result.skew / 1000).toFixed(3)} s; ${result.trials.length} trials side by side, ${result.readings} readings over ${result.span.toFixed(0)} s each, after ${(num('settle', flags.settle) / 1000).toFixed(0)} s of sync`,
  );
  console.log(
    `  ${'|error| vs the server clock'.padEnd(34)}${'median'.padStart(10)}${'p95'.padStart(10)}${'max'.padStart(10)}`,
  );
  console.log(
    row(
      'SDK now()',
      result.sdk,
      `${target ? `target ≤ ${target.median} / ≤ ${target.p95} ms: ${met ? 'met' : 'MISSED'}; ` : ''}signed median ${ms(result.sdk.bias)}`,
    ),
  );
  console.log(
    `  ${"  each trial's median".padEnd(34)}${result.trialMedians.map((m) => ms(m)).join(', ')}; worst ${ms(Math.max(...result.trialMedians))}`,
  );
  const drifts = result.trials.map((trial) => `${trial.drift.rate.toFixed(1)} ± ${trial.drift.uncertainty.toFixed(1)}`);
  console.log(
    `  ${'  sync exchanges per client'.padEnd(34)}${result.exchanges.settling.toFixed(1)}/min before the readings, ${result.exchanges.reading.toFixed(1)}/min during them; drift found ${drifts.join(', ')} ppm`,
  );
  console.log(
    row(
      'SDK uncertainty (reported)',
      result.uncertainty,
      `${result.outside} of ${result.readings} readings outside it`,
    ),
  );
  console.log(row('naive: last push as is', result.asIs, 'demo server, a push each second'));
  console.log(row('naive: last push + time since', result.plusElapsed));
  console.log(row('classic example: last string as is', result.classicAsIs, 'toTimeString() every 5 s'));
  console.log(row('classic example: + time since', result.classicPlusElapsed));
  console.log(
    row(
      'SDK on the classic example',
      result.pushOnly,
      `push-only; uncertainty ${ms(result.pushOnlyUncertainty.median)}`,
    ),
  );
  const differences = result.mapping.map((m) => m.difference);
  const bound = Math.max(...result.mapping.map((m) => m.bound));
  console.log(
    `  page clock − bench clock: ${ms(Math.min(...differences))} to ${ms(Math.max(...differences))}, each ± ${ms(bound)} at most (one system clock; corrected for)`,
  );
  return met !== false && result.outside === 0;
}

const names = flags.profile.split(',').map((p) => p.trim());
for (const name of names)
  if (!PROFILES[name])
    throw new Error(`--profile: unknown profile "${name}" (known: ${Object.keys(PROFILES).join(', ')})`);

const clockServer = createClockServer({ logger: createLogger('warn'), allowedOrigins: '*' });
const ports = { server: await clockServer.listen(0, '127.0.0.1') };
const classic = await startServer('classic');
ports.classic = classic.port;
const pages = await startPageServer();
const browser = await chromium.launch({
  executablePath: BROWSERS.chromium.path,
  args: CHROMIUM_ARGS,
});
let allMet = true;
const results = [];
try {
  for (const name of names) {
    const result = await runProfile(browser, name, ports, pages.url);
    results.push(result);
    allMet = report(result) && allMet;
  }
  saveResults('accuracy', { flags, localDrift, results });
} finally {
  await browser.close();
  await pages.close();
  await clockServer.close();
  await stopServer(classic);
}
process.exitCode = allMet ? 0 : 1;
