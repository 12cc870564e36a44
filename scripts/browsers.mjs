// Where the test browsers are: Debian's chromium and firefox-esr unless the environment says otherwise.
import { accessSync, constants } from 'node:fs';

export const BROWSERS = {
  chromium: { env: 'CHROMIUM_PATH', path: process.env.CHROMIUM_PATH || '/usr/bin/chromium', apt: 'chromium' },
  firefox: { env: 'FIREFOX_PATH', path: process.env.FIREFOX_PATH || '/usr/bin/firefox-esr', apt: 'firefox-esr' },
};

/** The browsers to test in: all, or those named in BROWSERS=chromium,firefox. */
export function selectedBrowsers() {
  const wanted = (process.env.BROWSERS || 'chromium,firefox')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const name of wanted) {
    if (!(name in BROWSERS))
      throw new Error(`BROWSERS: unknown browser "${name}" (known: ${Object.keys(BROWSERS).join(', ')})`);
  }
  return wanted;
}

export function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// Chromium as root in a container, with no network beyond loopback.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
