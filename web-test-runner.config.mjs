import { playwrightLauncher } from '@web/test-runner-playwright';
import { puppeteerLauncher } from '@web/test-runner-puppeteer';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { BROWSERS, CHROMIUM_ARGS, selectedBrowsers } from './scripts/browsers.mjs';
import { demoServerPlugin } from './test/demo-server-plugin.mjs';
import { pageClockPlugin } from './test/clock-plugin.mjs';

const launchers = {
  chromium: () =>
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath: BROWSERS.chromium.path, headless: true, args: CHROMIUM_ARGS },
    }),
  // Firefox through Puppeteer over WebDriver BiDi.
  firefox: () =>
    puppeteerLauncher({
      launchOptions: { browser: 'firefox', executablePath: BROWSERS.firefox.path, headless: true },
    }),
};

// The dev server's resolver matches the `node` export condition, which gives socket.io-client's
// Node build (with `debug` and `ws`): serve its own browser ES module build instead.
const socketIoClientForBrowsers = {
  name: 'socket.io-client-for-browsers',
  resolveImport: ({ source }) =>
    source === 'socket.io-client' ? '/node_modules/socket.io-client/dist/socket.io.esm.min.js' : undefined,
};

export default {
  files: ['sdk/**/*.browser.test.ts', 'component/**/*.browser.test.ts', 'test/**/*.browser.test.ts'],
  nodeResolve: true,
  plugins: [
    socketIoClientForBrowsers,
    esbuildPlugin({ ts: true, target: 'es2022' }),
    demoServerPlugin(),
    pageClockPlugin(),
  ],
  browsers: selectedBrowsers().map((name) => launchers[name]()),
  // Two cores: one test file per browser at a time keeps timings sane.
  concurrency: 1,
  concurrentBrowsers: 2,
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: 180_000,
  testFramework: { config: { timeout: 20_000 } },
};
