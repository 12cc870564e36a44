// The demo page in real Chromium, from the built demo server, under the server's strict CSP:
// every clock works, nothing is refused, and a screenshot lands in dist/ for a person to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { BROWSERS, CHROMIUM_ARGS } from '../scripts/browsers.mjs';
import { startServer, stopServer } from '../test/servers.mjs';
import { DOWN_SERVER_URL } from './demo-page.js';
import { DEMO_ROUND_MS } from './timers/demo-round.js';

const SCREENSHOT = fileURLToPath(new URL('../dist/demo-screenshot.png', import.meta.url));
const VIEWPORT = { width: 1100, height: 900 };
const LIVE_CLOCKS = 'server-clock[url="/"]';
const DOWN_CLOCK = `server-clock[url="${DOWN_SERVER_URL}"]`;

function directives(policy: string): Map<string, string> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name = '', ...values]) => [name, values.join(' ')]),
  );
}

test(
  'the demo page runs in Chromium under a strict CSP, and a screenshot is saved',
  { timeout: 120_000 },
  async (t) => {
    const server = await startServer('demo');
    t.after(() => stopServer(server, 'SIGTERM'));
    const browser = await chromium.launch({
      executablePath: BROWSERS.chromium.path,
      args: CHROMIUM_ARGS,
      headless: true,
    });
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: VIEWPORT });

    const violations: string[] = [];
    const errors: string[] = [];
    // A binding, not page state: it reports even if the page's own scripts never run.
    await page.exposeFunction('reportCspViolation', (text: string) => violations.push(text));
    await page.addInitScript(() => {
      const report = (window as unknown as { reportCspViolation: (text: string) => void }).reportCspViolation;
      document.addEventListener(
        'securitypolicyviolation',
        (e) =>
          report(`${e.effectiveDirective} refused ${e.blockedURI || '(inline)'} in ${e.sourceFile}:${e.lineNumber}`),
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
    for (const name of ['default-src', 'script-src', 'style-src'])
      assert.equal(policy.get(name), "'self'", `${name} in ${JSON.stringify([...policy])}`);
    assert.doesNotMatch([...policy.values()].join(' '), /unsafe|nonce-|sha\d+-/, 'no exceptions to the policy');

    // Every clock on this server: connected, showing the time (a countdown: the time left).
    const live = (await response.text()).match(/<server-clock[^>]* url="\/"/g)?.length ?? 0;
    assert.ok(live >= 5, `the page has ${live} clocks on this server`);
    await page.waitForFunction(
      (selector) =>
        [...document.querySelectorAll(selector)].every(
          (el) =>
            el.getAttribute('state') === 'connected' &&
            /\d/.test(el.shadowRoot?.querySelector('time')?.textContent ?? ''),
        ),
      LIVE_CLOCKS,
      { timeout: 30_000 },
    );
    const shown = await page.$$eval(LIVE_CLOCKS, (els) =>
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
    assert.equal(shown.length, live);
    const now = Date.now(); // the server's clock: it runs on this machine
    for (const { until, timer, timerStatus, precision, datetime, text } of shown) {
      if (timer) {
        // The server's round: running, with at most a round's time left.
        assert.equal(timerStatus, 'running', `${timer} shows ${text}`);
        const left = Number(/^PT(\d+)S$/.exec(datetime)?.[1]);
        assert.ok(left >= 0 && left <= DEMO_ROUND_MS / 1000, `${timer} has ${datetime} left`);
      } else if (until) {
        const left = Number(/^PT(\d+)S$/.exec(datetime)?.[1]);
        assert.ok(
          Math.abs(Date.parse(until) - now - left * 1000) < 5000,
          `countdown ${text} (${datetime}) to ${until}`,
        );
        assert.ok(left > 0 && left <= 11 * 60, `the countdown's target is at most eleven minutes ahead: ${datetime}`);
      } else {
        // The shown time is the current second (or minute), floored.
        const behind = now - Date.parse(datetime);
        assert.ok(
          behind > -5000 && behind < (precision === 'minute' ? 60_000 : 1000) + 5000,
          `clock shows ${text} (${datetime}), server time is ${new Date(now).toISOString()}`,
        );
      }
    }

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
  },
);
