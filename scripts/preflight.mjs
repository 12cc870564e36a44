// Makes sure the test browsers exist. On Debian as root it installs what is missing;
// elsewhere it says how to get them and fails.
import { execFileSync } from 'node:child_process';
import { BROWSERS, isExecutable, selectedBrowsers } from './browsers.mjs';

let selected;
try {
  selected = selectedBrowsers();
} catch (error) {
  console.error(`preflight: ${error.message}`);
  process.exit(1);
}
const missing = selected.filter((name) => !isExecutable(BROWSERS[name].path));
if (missing.length === 0) process.exit(0);

const packages = missing.map((name) => BROWSERS[name].apt);
const canApt = process.getuid?.() === 0 && isExecutable('/usr/bin/apt-get');
const defaults = missing.every((name) => !process.env[BROWSERS[name].env]);

if (canApt && defaults) {
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
  if (missing.every((name) => isExecutable(BROWSERS[name].path))) process.exit(0);
}

console.error(`preflight: no usable browser for ${missing.join(', ')}.
${missing.map((name) => `  ${name}: looked for ${BROWSERS[name].path} (set ${BROWSERS[name].env} to another executable)`).join('\n')}
Install them (Debian/Ubuntu: sudo apt-get install ${packages.join(' ')}), point the variables above at
existing executables, or test fewer browsers with BROWSERS=${
  Object.keys(BROWSERS)
    .filter((b) => !missing.includes(b))
    .join(',') || 'chromium'
}.`);
process.exit(1);
