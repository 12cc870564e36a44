// Prints the min and gzip sizes of the CDN bundles beside the floor (lit plus socket.io-client
// alone, bundled the same way in this same run), and what each part of our code adds on top, in
// the order the CDN entry imports them. Fails when our own code adds more than the budget.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import { browserBundlePlugins, CDN_OUTPUTS } from '../rollup.config.mjs';

const BUDGET = 4.5 * 1024;
const ENTRY = '\0size-entry';
const source = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

// The floor: everything lit and socket.io-client export, so none of their code is shaken out.
const FLOOR = ["export * from 'lit';", "export * from 'socket.io-client';"];
// Our parts, each measured as what it adds to the floor and the parts before it; together they
// are the CDN entry (cdn/server-clock.ts). The floor keeps all of both libraries, so the parts add
// up to more than the real bundle adds: the difference is library code the real bundle leaves
// out because nothing of ours uses it. It is printed too.
const PARTS = [
  { name: 'SDK', modules: ['sdk/index.ts'] },
  { name: 'element', modules: ['component/define.ts'] },
];

async function bundle(lines, output) {
  const code = lines.join('\n');
  const build = await rollup({
    input: ENTRY,
    plugins: [
      { name: 'size-entry', resolveId: (id) => (id === ENTRY ? id : null), load: (id) => (id === ENTRY ? code : null) },
      ...browserBundlePlugins(),
    ],
    onwarn: () => {},
  });
  const {
    output: [chunk],
  } = await build.generate({ format: output.format, name: output.name, plugins: output.plugins });
  await build.close();
  return chunk.code;
}

const gzip = (code) => gzipSync(code, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(2)} KB`;

let failed = false;
for (const output of CDN_OUTPUTS) {
  const real = readFileSync(output.file, 'utf8');
  const floor = await bundle(FLOOR, output);
  const rows = [{ part: 'floor: lit + socket.io-client', min: kb(floor.length), gzip: kb(gzip(floor)), adds: '' }];
  const lines = [...FLOOR];
  let previous = gzip(floor);
  for (const part of PARTS) {
    lines.push(...part.modules.map((m) => `export * from ${JSON.stringify(source(m))};`));
    const code = await bundle(lines, output);
    rows.push({ part: `+ ${part.name}`, min: kb(code.length), gzip: kb(gzip(code)), adds: kb(gzip(code) - previous) });
    previous = gzip(code);
  }
  const ours = gzip(real) - gzip(floor);
  const over = ours > BUDGET;
  failed ||= over;
  rows.push({
    part: 'library code left out of the real bundle',
    min: '',
    gzip: '',
    adds: kb(ours - (previous - gzip(floor))),
  });
  rows.push({ part: `${output.file} (the real bundle)`, min: kb(real.length), gzip: kb(gzip(real)), adds: '' });
  rows.push({
    part: 'ours: real bundle − floor',
    min: '',
    gzip: kb(ours),
    adds: `budget ${kb(BUDGET)}: ${over ? 'OVER' : 'ok'}`,
  });
  console.log(`\n${output.file} (${output.format}); "adds" is each part's gzip cost over the rows above it`);
  console.table(rows);
}
if (failed) {
  console.error(`size: our own code adds more than ${kb(BUDGET)} gzip over the floor`);
  process.exit(1);
}
