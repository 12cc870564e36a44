// npm build: ES2021 modules, one file per source module, dependencies external.
// CDN build: one minified module and one IIFE (window.ServerClock) with every dependency inlined.
import { builtinModules } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { transform } from 'esbuild';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

// npm modules: ES2021, as Lit's publishing guide recommends (bundlers downstream take it from there).
// CDN bundles: ES2022, native private fields; every browser with custom elements and
// constructable stylesheets has them, and they are smaller than their ES2021 emulation.
const NPM_TARGET = 'es2021';
const CDN_TARGET = 'es2022';

export const NPM_ENTRIES = [
  'component/define.ts',
  'component/server-clock.ts',
  'component/react.ts',
  'sdk/index.ts',
  'demo-server/index.ts',
  'demo-server/render.ts',
  'demo-server/cli.ts',
];

/**
 * Collapses the white space of our css`` templates (they hold no expressions): indentation is
 * for reading the source, not for shipping.
 */
function minifyCss(code) {
  return code.replace(/\bcss`([^`$]*)`/g, (_, body) => {
    const out = body
      .replace(/\s+/g, ' ')
      .replace(/ ?([{};,>]) ?/g, '$1')
      .replace(/: /g, ':')
      .replace(/;}/g, '}');
    return `css\`${out.trim()}\``;
  });
}

/** TypeScript → JavaScript with esbuild, transform only (type checking is tsc's job). */
function typescript(target, { minify = false } = {}) {
  return {
    name: 'typescript',
    // Sources import each other as './x.js' (what the output will be called): find './x.ts'.
    resolveId(source, importer) {
      if (!importer?.endsWith('.ts') || !source.startsWith('.') || !source.endsWith('.js')) return null;
      const file = resolve(dirname(importer), source.replace(/\.js$/, '.ts'));
      return existsSync(file) ? file : null;
    },
    async transform(code, id) {
      if (!id.endsWith('.ts')) return null;
      const result = await transform(minify ? minifyCss(code) : code, {
        loader: 'ts',
        target,
        format: 'esm',
        sourcemap: true,
        sourcefile: id,
        tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: true } },
      });
      return { code: result.code, map: result.map };
    },
  };
}

const external = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0');

/**
 * Plugins for a self-contained browser bundle (shared with scripts/size.mjs).
 *
 * Bytes are the build's business, not the source's. Lit's production build comes in through the
 * `production` export condition (its development-mode checks stay out); our own warnings are
 * ordinary code and stay in. Our private state is in `#private` fields, which the ES2022 bundle
 * keeps native and terser mangles like local names. Mangling `_`-prefixed properties, as Lit's own
 * build does, was measured (`mangle.properties`, `/^_(?!\$)/`): it renames only socket.io-client's
 * internals, shrinking the floor as much as the bundle, and saves none of ours, so it is off.
 */
export function browserBundlePlugins() {
  return [
    nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
    typescript(CDN_TARGET, { minify: true }),
  ];
}

/**
 * The minifier for one output format. An ES module's top level is its own, so terser may drop
 * what it does not export; a classic script's top level is the page's, and the IIFE's one
 * top-level `var` is the global it exists to define (`module: true` would drop it as unused).
 */
function minifier(format) {
  const module = format === 'es';
  return terser({ ecma: 2022, module, toplevel: module, compress: { passes: 2 }, format: { comments: false } });
}

/** The CDN bundles, each with its minifier (shared with scripts/size.mjs). */
export const CDN_OUTPUTS = [
  { file: 'dist/cdn/server-clock.js', format: 'es' },
  { file: 'dist/cdn/server-clock.iife.js', format: 'iife', name: 'ServerClock' },
].map((output) => ({ ...output, plugins: [minifier(output.format)] }));

export default [
  {
    input: NPM_ENTRIES,
    external: (id) => external(id) || builtinModules.includes(id),
    plugins: [typescript(NPM_TARGET)],
    output: { dir: 'dist', format: 'es', preserveModules: true, preserveModulesRoot: '.', sourcemap: true },
  },
  {
    input: 'cdn/server-clock.ts',
    plugins: browserBundlePlugins(),
    output: CDN_OUTPUTS.map((o) => ({ ...o, sourcemap: true })),
  },
];
