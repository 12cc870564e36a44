// The demo page in real Chromium, from the built demo server, under the server's strict CSP:
// every clock works, nothing is refused, and a screenshot lands in dist/ for a person to look at.
// The clocks are rendered on the server: without JavaScript the page shows the server's time,
// and with it no clock ever shows its placeholder, nor the visitor's own clock's time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';
import { BROWSERS, CHROMIUM_ARGS } from '../scripts/browsers.mjs';
import { startServer, stopServer, type RunningServer } from '../test/servers.mjs';
import { DOWN_SERVER_URL } from './demo-page.js';
import { DEMO_ROUND_MS } from './timers/demo-round.js';

const SCREENSHOT = fileURLToPath(new URL('../dist/demo-screenshot.png', import.meta.url));
const VIEWPORT = { width: 1100, height: 900 };
const LIVE_CLOCKS = 'server-clock[url="/"]';
const DOWN_CLOCK = `server-clock[url="${DOWN_SERVER_URL}"]`;

/** What a `<server-clock>` shows: its attributes and its `<time>`. */
interface ShownClock {
  until: string | null;
  timer: string | null;
  timerStatus: string | null;
  precision: string | null;
  datetime: string;
  text: string;
}

/** What every clock on this server shows now (Playwright reads shadow roots with JavaScript off too). */
function shownClocks(page: Page): Promise<ShownClock[]> {
  return page.$$eval(LIVE_CLOCKS, (els) =>
    els.map((el) => {
      const time = el.shadowRoot?.querySelector('time');
      return {
        until: el.getAttribute('until'),
        timer: el.getAttribute('timer'),
        timerStatus: el.getAttribute('timer-status'),
        precision: el.getAttribute('precision'),
        datetime: time?.getAttribute('datetime') ?? '',
        text: time?.textContent ?? '',
      };
    }),
  );
}

/**
 * Checks that a clock shows the server's time (its clock runs on this machine) at some moment
 * from `since` to `until`, generously: the time then, floored to its unit; a countdown, the time
 * left to its end; the round, at most a round.
 */
function assertServerTime({ until, timer, precision, datetime, text }: ShownClock, since: number, upTo: number) {
  const slack = 5000;
  if (timer) {
    const left = Number(/^PT(\d+)S$/.exec(datetime)?.[1]);
    assert.ok(left >= 0 && left <= DEMO_ROUND_MS / 1000, `${timer} shows ${text}, ${datetime} left`);
  } else if (until) {
    const left = Number(/^PT(\d+)S$/.exec(datetime)?.[1]) * 1000;
    const end = Date.parse(until);
    assert.ok(left >= end - upTo - slack && left <= end - since + slack, `countdown ${text} (${datetime}) to ${until}`);
    assert.ok(left > 0 && left <= 11 * 60_000, `the countdown's target is at most eleven minutes ahead: ${datetime}`);
  } else {
    const shown = Date.parse(datetime);
    const unit = precision === 'minute' ? 60_000 : 1000;
    assert.ok(
      shown >= since - unit - slack && shown <= upTo + slack,
      `clock shows ${text} (${datetime}); the server's time was ${new Date(since).toISOString()} to ${new Date(upTo).toISOString()}`,
    );
  }
}

function directives(policy: string): Map<string, string> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name = '', ...values]) => [name, values.join(' ')]),
  );
}

let server: RunningServer;
let browser: Browser;

before(async () => {
  server = await startServer('demo');
  browser = await chromium.launch({ executablePath: BROWSERS.chromium.path, args: CHROMIUM_ARGS, headless: true });
});
after(async () => {
  await browser?.close();
  if (server) await stopServer(server, 'SIGTERM');
});

test('the demo page runs in Chromium under a strict CSP, and a screenshot is saved', { timeout: 120_000 }, async () => {
  const page = await browser.newPage({ viewport: VIEWPORT });

  const violations: string[] = [];
  const errors: string[] = [];
  // A binding, not page state: it reports even if the page's own scripts never run.
  await page.exposeFunction('reportCspViolation', (text: string) => violations.push(text));
  await page.addInitScript(() => {
    const report = (window as unknown as { reportCspViolation: (text: string) => void }).reportCspViolation;
    document.addEventListener(
      'securitypolicyviolation',
      (e) => report(`${e.effectiveDirective} refused ${e.blockedURI || '(inline)'} in ${e.sourceFile}:${e.lineNumber}`),
      true,
    );
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    // The clock whose server is down fails to connect on every attempt: those errors are expected.
    const expected = `${message.text()} ${message.location().url}`.includes(new URL(DOWN_SERVER_URL).host);
    if (message.type() === 'error' && !expected) errors.push(`${message.text()} (${message.location().url})`);
  });

  const response = await page.goto(`${server.url}/`);
  assert.ok(response, 'a response');
  assert.equal(response.status(), 200);
  const policy = directives(response.headers()['content-security-policy'] ?? '');
  for (const name of ['default-src', 'script-src'])
    assert.equal(policy.get(name), "'self'", `${name} in ${JSON.stringify([...policy])}`);
  // The one exception: the rendered shadow roots' <style>, by the hash of exactly its text.
  const html = await response.text();
  const hashes = new Set(
    [...html.matchAll(/<style>(.*?)<\/style>/gs)].map(
      ([, css = '']) => `'sha256-${createHash('sha256').update(css).digest('base64')}'`,
    ),
  );
  assert.equal(hashes.size, 1, 'one style, in every clock');
  assert.equal(policy.get('style-src'), ["'self'", ...hashes].join(' '));
  assert.doesNotMatch([...policy.values()].join(' '), /unsafe|nonce-/, 'no other exceptions to the policy');

  // Every clock on this server: connected, showing the time (a countdown: the time left), and a
  // timer's with its state (its server-rendered text shows before the state comes).
  const live = html.match(/<server-clock[^>]* url="\/"/g)?.length ?? 0;
  assert.ok(live >= 5, `the page has ${live} clocks on this server`);
  await page.waitForFunction(
    (selector) =>
      [...document.querySelectorAll(selector)].every(
        (el) =>
          el.getAttribute('state') === 'connected' &&
          (!el.hasAttribute('timer') || el.hasAttribute('timer-status')) &&
          /\d/.test(el.shadowRoot?.querySelector('time')?.textContent ?? ''),
      ),
    LIVE_CLOCKS,
    { timeout: 30_000 },
  );
  const shown = await shownClocks(page);
  assert.equal(shown.length, live);
  const now = Date.now(); // the server's clock: it runs on this machine
  for (const clock of shown) {
    // The server's round: running.
    if (clock.timer) assert.equal(clock.timerStatus, 'running', `${clock.timer} shows ${clock.text}`);
    assertServerTime(clock, now, now);
  }
  // Japanese, in glyphs: the Tokyo clock's date (年, 月, 日).
  assert.ok(
    shown.some(({ text }) => /\p{Script=Han}/u.test(text)),
    `a clock in Japanese: ${shown.map(({ text }) => text).join(' | ')}`,
  );

  // How far off this computer's clock is, from the page's script, with the round trip.
  await page.waitForFunction(() => (document.getElementById('offset')?.textContent ?? '').includes('±'), undefined, {
    timeout: 30_000,
  });
  const offsetLine = (await page.textContent('#offset')) ?? '';
  assert.match(
    offsetLine,
    /^Your computer’s clock (agrees with this server|is [\d.]+ m?s (behind|ahead of) this server) \(± [\d.]+ m?s\)\.$/,
  );
  assert.match((await page.textContent('#sync')) ?? '', /^Round trip [\d.]+ m?s; .* ± [\d.]+ m?s\.$/);

  await page.waitForFunction(
    (selector) => /^(reconnecting|error)$/.test(document.querySelector(selector)?.getAttribute('state') ?? ''),
    DOWN_CLOCK,
    { timeout: 30_000 },
  );

  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.deepEqual(violations, [], 'CSP violations');
  assert.deepEqual(errors, [], 'console errors');

  const png = await readFile(SCREENSHOT);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.readUInt32BE(16), VIEWPORT.width, 'PNG width');
  assert.ok(png.readUInt32BE(20) >= VIEWPORT.height / 2, 'PNG height');
  assert.ok(png.length > 20_000, `a screenshot of a whole page, not a blank one: ${png.length} bytes`);
});

test('without JavaScript the page shows the server’s time as rendered, and the time left', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    const since = Date.now();
    await page.goto(`${server.url}/`);
    const upTo = Date.now();
    const shown = await shownClocks(page);
    assert.ok(shown.length >= 6, `${shown.length} clocks on this server`);
    for (const clock of shown) assertServerTime(clock, since, upTo);
    assert.ok(shown.some(({ until }) => until) && shown.some(({ timer }) => timer), 'a countdown and the round');
    // Shown, not just in the DOM: the declarative shadow roots are the page's own, no script needed.
    assert.ok(await page.locator('#main time').isVisible(), 'the main clock shows its time');
    assert.match((await page.locator('#main time').textContent()) ?? '', /\d:\d\d:\d\d/);
  } finally {
    await context.close();
  }
});

/**
 * The page's recorder: every frame, and between every two tasks (any of which may paint), from
 * before the page is parsed, what each clock matching SELECTOR shows, as a list of its changes;
 * `seenClocks()` returns them. Plain script text: tsx's transform of a function would add helpers
 * the page lacks.
 */
const SAMPLER = `(() => {
  const seen = new Map();
  window.seenClocks = () => [...document.querySelectorAll(SELECTOR)].map((el) => seen.get(el) ?? []);
  const sample = () => {
    for (const el of document.querySelectorAll(SELECTOR)) {
      // Not yet an element the parser is still in: part of its rendered shadow root is still to come.
      if (!el.shadowRoot || (document.readyState === 'loading' && !el.nextSibling)) continue;
      const time = el.shadowRoot.querySelector('time');
      const record = {
        until: el.getAttribute('until'),
        timer: el.getAttribute('timer'),
        timerStatus: el.getAttribute('timer-status'),
        precision: el.getAttribute('precision'),
        datetime: time?.getAttribute('datetime') ?? '',
        text: time?.textContent ?? '',
        time: time !== null,
        slot: time?.querySelector('slot') != null,
      };
      const list = seen.get(el) ?? [];
      if (JSON.stringify(list.at(-1)) !== JSON.stringify(record)) list.push(record);
      seen.set(el, list);
    }
  };
  const frame = () => { sample(); requestAnimationFrame(frame); };
  const task = () => { sample(); setTimeout(task, 4); };
  frame();
  task();
})();`;

/** Per clock on this server, in page order: each text it showed, in order, from the first frame. */
type Seen = (ShownClock & { time: boolean; slot: boolean })[][];

test('with JavaScript no clock ever shows its placeholder or the visitor’s own time, and the console stays clean', async () => {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      const expected = `${message.text()} ${message.location().url}`.includes(new URL(DOWN_SERVER_URL).host);
      if ((message.type() === 'error' || message.type() === 'warning') && !expected) errors.push(message.text());
    });
    // The visitor's clock three hours and a bit behind: any text made from it would be far off.
    await page.clock.setSystemTime(Date.now() - 3 * 3_600_000 - 17_000);
    // Every frame, and between every two tasks, from before the page is parsed: what each clock shows.
    await page.addInitScript({ content: SAMPLER.replaceAll('SELECTOR', JSON.stringify(LIVE_CLOCKS)) });

    const since = Date.now();
    await page.goto(`${server.url}/`);
    await page.waitForFunction(
      (selector) => [...document.querySelectorAll(selector)].every((el) => el.getAttribute('state') === 'connected'),
      LIVE_CLOCKS,
      { timeout: 30_000 },
    );
    // A few seconds of ticks.
    await page.waitForTimeout(2500);
    const seen = await page.evaluate(() => (window as unknown as { seenClocks: () => Seen }).seenClocks());
    const upTo = Date.now();

    assert.ok(seen.length >= 6, `${seen.length} clocks`);
    for (const [i, list] of seen.entries()) {
      assert.ok(list.length > 0, `clock ${i} was seen`);
      for (const record of list) {
        assert.ok(record.time && !record.slot, `clock ${i} showed no time: ${JSON.stringify(list)}`);
        assertServerTime(record, since, upTo);
      }
    }
    // The main clock ticked on from the rendered time.
    assert.ok(new Set(seen[0]?.map(({ text }) => text)).size >= 2, `the main clock ticks: ${JSON.stringify(seen[0])}`);
    assert.deepEqual(errors, [], 'console errors and warnings');
  } finally {
    await context.close();
  }
});
