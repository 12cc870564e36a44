// server-clock/react in a real React 19 app: bundled here with esbuild (React is CommonJS), run in
// Chromium against the built demo server. It shows the server's time, calls onSync with the
// estimate, and unmounting it closes its connection, as the server's own metrics see it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright';
import { BROWSERS, CHROMIUM_ARGS } from '../scripts/browsers.mjs';
import { startServer, stopServer } from './servers.mjs';
import { metric } from './node-clients.js';
import type { AppReport } from './fixtures/react-app.js';

const APP = fileURLToPath(new URL('fixtures/react-app.tsx', import.meta.url));
const CONNECTED = 'server_clock_connected_clients';
const WAIT = 30_000;

/** The page's window, with the app's report. */
interface AppWindow {
  reactApp: AppReport;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = performance.now() + WAIT;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${WAIT} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test(
  'a React 19 app renders <ServerClock>, gets onSync, and closes the connection on unmount',
  { timeout: 120_000 },
  async (t) => {
    const server = await startServer('demo');
    t.after(() => stopServer(server, 'SIGTERM'));
    const bundle = await build({
      entryPoints: [APP],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      jsx: 'automatic',
      define: { 'process.env.NODE_ENV': '"development"' },
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]?.text ?? '';
    assert.ok(script.includes('createRoot'), 'the bundle holds React DOM');

    const browser = await chromium.launch({ executablePath: BROWSERS.chromium.path, args: CHROMIUM_ARGS });
    t.after(() => browser.close());
    const page = await browser.newPage({ timezoneId: 'Pacific/Honolulu', locale: 'en-US' });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    // The app's page and script, from a loopback server of its own (another origin than the demo
    // server's, which allows loopback pages by default).
    const pages = createServer((req, res) => {
      if (req.url === '/app.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><html lang="en"><title>React</title><script type="module" src="/app.js"></script></html>');
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise((resolve) => pages.close(resolve)));
    const { port } = pages.address() as AddressInfo;
    assert.equal(await metric(server.url, CONNECTED), 0, 'no client before the app');
    await page.goto(`http://127.0.0.1:${port}/?server=${encodeURIComponent(server.url)}`);

    // The server's time, in the time zone given as a prop (the visitor's is Honolulu's).
    const shown = await page.waitForFunction(
      () => {
        const time = document.querySelector('server-clock')?.shadowRoot?.querySelector('time[datetime]');
        return time?.textContent && /\d:\d\d:\d\d/.test(time.textContent)
          ? { text: time.textContent, datetime: time.getAttribute('datetime') }
          : undefined;
      },
      null,
      { timeout: WAIT },
    );
    const { text, datetime } = (await shown.jsonValue()) ?? { text: '', datetime: '' };
    assert.ok(Math.abs(Date.parse(datetime ?? '') - Date.now()) < 5000, `the server's time, not ${datetime}`);
    const tokyo = new Date(Date.parse(datetime ?? '')).toLocaleString('en-US', {
      timeZone: 'Asia/Tokyo',
      dateStyle: 'medium',
      timeStyle: 'medium',
    });
    assert.equal(text, tokyo, 'shown in Asia/Tokyo, as format="datetime"');

    // onSync: the estimate's detail, as the element fired it.
    // (A pushed tick may come before the first sync answer: its estimate is mode 'push'.)
    await page.waitForFunction(
      () => (window as unknown as AppWindow).reactApp.syncs.some(({ mode }) => mode === 'sync'),
      null,
      { timeout: WAIT },
    );
    const syncs = await page.evaluate(() => (window as unknown as AppWindow).reactApp.syncs);
    const sync = syncs.find(({ mode }) => mode === 'sync');
    assert.ok(sync, 'onSync was called with a sync estimate');
    assert.ok(
      Number.isFinite(sync.offset) && sync.uncertainty >= 0,
      `a detail with offset and uncertainty: ${JSON.stringify(sync)}`,
    );
    assert.equal(await metric(server.url, CONNECTED), 1, 'the server sees the one connection');

    // Unmounting the component removes the element, whose connection then closes: the server sees it go.
    await page.evaluate(() => (window as unknown as AppWindow).reactApp.unmount());
    await page.waitForSelector('text=no clock', { timeout: WAIT });
    assert.equal(await page.locator('server-clock').count(), 0);
    await eventually(async () => (await metric(server.url, CONNECTED)) === 0, 'the server to see the connection close');
    assert.deepEqual(errors, []);
  },
);
