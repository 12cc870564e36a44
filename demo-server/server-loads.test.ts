// server-clock/server stays a server: importing it and running it loads no lit, no
// @lit-labs/ssr, no element and no client SDK. Only serving the demo page loads them (with
// server-clock/ssr, which renders the page's clocks). A child process records every module loaded
// (test/fixtures/server-loads.mjs): run `npm run build` first (`npm test` does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const built = existsSync(new URL('../dist/demo-server/index.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../test/fixtures/server-loads.mjs', import.meta.url));

// What the page's rendering needs, and a running server must not load.
const RENDERING = [
  /\/node_modules\/(lit|lit-html|lit-element|@lit|@lit-labs)\//,
  /\/node_modules\/socket\.io-client\//,
  /\/dist\/component\//,
  /\/dist\/demo-server\/render\.js$/,
];
// The SDK's modules that the server shares: the wire protocol and the pure slew functions.
const SHARED_SDK = ['protocol.js', 'slew.js'];

const rendering = (url: string) => RENDERING.some((pattern) => pattern.test(url));

test(
  'server-clock/server loads no lit, @lit-labs/ssr, element or SDK until it serves the demo page',
  { skip: !built && 'dist/ is not built: run `npm run build`', timeout: 60_000 },
  async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [FIXTURE], { timeout: 50_000 });
    const { started, served } = JSON.parse(stdout) as { started: string[]; served: string[] };

    assert.ok(
      started.some((url) => url.endsWith('/dist/demo-server/index.js')),
      'the hook saw the server load',
    );
    assert.deepEqual(started.filter(rendering), [], 'loaded by a running server');
    const sdk = started.filter((url) => url.includes('/dist/sdk/')).map((url) => url.replace(/.*\/dist\/sdk\//, ''));
    assert.deepEqual(
      sdk.filter((name) => !SHARED_SDK.includes(name)),
      [],
      'SDK modules loaded by a running server',
    );

    // The page renders its clocks: now they are loaded.
    for (const wanted of [
      /\/dist\/demo-server\/render\.js$/,
      /\/@lit-labs\/ssr\//,
      /\/dist\/component\/server-clock\.js$/,
    ])
      assert.ok(
        served.some((url) => wanted.test(url)),
        `${String(wanted)} loaded for the page`,
      );
  },
);
