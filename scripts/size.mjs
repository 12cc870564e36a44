// Prints min and gzip sizes of the CDN bundles beside the floor: lit plus socket.io-client alone,
// bundled the same way in this same run. Fails when our own code adds more than 3 KB gzip.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import { browserBundlePlugins, CDN_OUTPUTS } from '../rollup.config.mjs';

const BUDGET = 3 * 1024;
const FLOOR_ENTRY = '\0floor';

async function floor(output) {
  const bundle = await rollup({
    input: FLOOR_ENTRY,
    plugins: [
      {
        name: 'floor',
        resolveId: (id) => (id === FLOOR_ENTRY ? id : null),
        load: (id) => (id === FLOOR_ENTRY ? "export * from 'lit';\nexport * from 'socket.io-client';\n" : null),
      },
      ...browserBundlePlugins(),
    ],
    onwarn: () => {},
  });
  const {
    output: [chunk],
  } = await bundle.generate({ format: output.format, name: output.name });
  await bundle.close();
  return chunk.code;
}

const sizes = (code) => ({ min: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length });
const kb = (n) => `${(n / 1024).toFixed(2)} KB`;

let failed = false;
const rows = [];
for (const output of CDN_OUTPUTS) {
  const ours = sizes(readFileSync(output.file, 'utf8'));
  const base = sizes(await floor(output));
  const added = ours.gzip - base.gzip;
  const over = added > BUDGET;
  failed ||= over;
  rows.push({
    bundle: output.file,
    min: kb(ours.min),
    gzip: kb(ours.gzip),
    'floor min': kb(base.min),
    'floor gzip': kb(base.gzip),
    'ours (gzip)': kb(added),
    budget: `${kb(BUDGET)} ${over ? 'OVER' : 'ok'}`,
  });
}
console.log('floor = lit + socket.io-client (everything both export), bundled and minified as our bundles are');
console.table(rows);
if (failed) {
  console.error(`size: our own code adds more than ${kb(BUDGET)} gzip over the floor`);
  process.exit(1);
}
