// The one preflight, run by `npm test` before anything else: it makes sure every system package
// a test needs is on the machine. On Debian as root it installs what is missing with apt-get;
// elsewhere it says what is missing and how to get it, and fails.
//
// What the tests need, and which test needs it:
// - chromium: the demo page test (Node) and the browser tests, always;
// - firefox-esr: the browser tests, unless BROWSERS leaves Firefox out;
// - curl: the README snippet runner's `curl` lines (test/snippets/runner.ts), always;
// - redis-server and haproxy: the multi-node timer tests and `npm run bench:timers`, always;
// - fonts-ipafont-gothic: Japanese glyphs for the demo page's screenshot
//   (demo-server/demo-page.test.ts), which would show boxes without a Japanese font, always.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { BROWSERS, isExecutable, selectedBrowsers } from './browsers.mjs';

/**
 * A system file a test needs: where it is looked for, and the Debian package that has it. An
 * executable by default; `file: true` for one that is only read (a font).
 */
function requirement(name, path, apt, env, { file = false } = {}) {
  return { name, path, apt, env, file };
}

function isPresent(requirement) {
  if (!requirement.file) return isExecutable(requirement.path);
  try {
    accessSync(requirement.path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

// Started by the tests themselves (test/redis.mjs, test/haproxy.mjs) on free loopback ports.
const SERVICES = [
  requirement('redis-server', '/usr/bin/redis-server', 'redis-server'),
  requirement('haproxy', '/usr/sbin/haproxy', 'haproxy'),
];

function requirements() {
  const browsers = new Set(['chromium', ...selectedBrowsers()]);
  return [
    ...[...browsers].map((name) => requirement(name, BROWSERS[name].path, BROWSERS[name].apt, BROWSERS[name].env)),
    requirement('curl', '/usr/bin/curl', 'curl'),
    ...SERVICES,
    requirement(
      'IPA Gothic font',
      '/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf',
      'fonts-ipafont-gothic',
      undefined,
      {
        file: true,
      },
    ),
  ];
}

function missingOf(list) {
  return list.filter((r) => !isPresent(r));
}

function aptInstall(packages) {
  console.log(`preflight: installing ${packages.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
      stdio: 'inherit',
      env,
    });
  } catch (error) {
    console.error(`preflight: apt-get failed: ${error.message}`);
  }
}

let needed;
try {
  needed = requirements();
} catch (error) {
  console.error(`preflight: ${error.message}`);
  process.exit(1);
}

let missing = missingOf(needed);
// Only the default paths are ours to fill: a path set in the environment is the caller's to provide.
const installable = missing.filter((r) => !r.env || !process.env[r.env]);
if (installable.length && process.getuid?.() === 0 && isExecutable('/usr/bin/apt-get')) {
  aptInstall([...new Set(installable.map((r) => r.apt))]);
  missing = missingOf(needed);
}
if (missing.length === 0) {
  console.log(`preflight: ${needed.map((r) => r.name).join(', ')} present`);
  process.exit(0);
}

const packages = [...new Set(missing.map((r) => r.apt))].join(' ');
console.error(`preflight: missing ${missing.map((r) => r.name).join(', ')}.
${missing.map((r) => `  ${r.name}: looked for ${r.path}${r.env ? ` (set ${r.env} to another executable)` : ''}`).join('\n')}
Install them (Debian/Ubuntu, as root: apt-get install ${packages}), or point the variables above at
existing executables. BROWSERS=chromium tests without Firefox.`);
process.exit(1);
