// `npm start` runs this first: build when dist/ is missing or older than any source file.
import { execSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = ['sdk', 'component', 'demo-server', 'cdn', 'rollup.config.mjs', 'package.json'];
const OUTPUTS = ['dist/demo-server/cli.js', 'dist/cdn/server-clock.js'];

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function oldest(paths) {
  try {
    return Math.min(...paths.map((p) => statSync(p).mtimeMs));
  } catch {
    return -Infinity;
  }
}

if (oldest(OUTPUTS) < Math.max(...SOURCES.map(newest))) {
  console.log('dist/ is missing or out of date: building');
  execSync('npm run build', { stdio: 'inherit' });
}
