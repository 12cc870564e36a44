// `cem analyze` (part of `npm run build`, after rollup and tsc): custom-elements.json, the
// element's public API for IDEs, linters and catalogues, read from the TypeScript sources.
import { readFileSync, writeFileSync } from 'node:fs';
import { generateJsxTypes } from 'custom-element-jsx-integration';
import { generateVuejsTypes } from 'custom-element-vuejs-integration';
import { generateSvelteTypes } from 'custom-element-svelte-integration';
import { generateVsCodeCustomElementData } from 'custom-element-vs-code-integration';
import * as protocol from './dist/sdk/protocol.js';

/** Tidies the analyzer's output into what a consumer of the published package can use. */
function publicApi() {
  // The sources are TypeScript; the package ships their JavaScript in dist/.
  const published = (path) => `dist/${path.replace(/^\//, '').replace(/\.ts$/, '.js')}`;
  // `export type { … }`: the analyzer lists these as JavaScript exports, which they are not.
  const typeOnly = new Set();
  // Definitions through the class's own `define()` (`ServerClockElement.define()`), which the
  // analyzer, looking for `customElements.define`, does not see: [module, class, tag or undefined].
  const defines = [];
  return {
    name: 'server-clock-public-api',
    analyzePhase({ ts, node, moduleDoc }) {
      if (ts.isExportDeclaration(node) && node.exportClause && ts.isNamedExports(node.exportClause)) {
        for (const element of node.exportClause.elements) {
          if (node.isTypeOnly || element.isTypeOnly) typeOnly.add(`${moduleDoc.path}#${element.name.text}`);
        }
      }
      const callee = ts.isCallExpression(node) ? node.expression : undefined;
      if (
        callee &&
        ts.isPropertyAccessExpression(callee) &&
        callee.name.text === 'define' &&
        ts.isIdentifier(callee.expression) &&
        callee.expression.text !== 'customElements'
      ) {
        const [tag] = node.arguments;
        defines.push([moduleDoc.path, callee.expression.text, tag && ts.isStringLiteral(tag) ? tag.text : undefined]);
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      const { modules } = customElementsManifest;
      // Where each class is declared: the analyzer points define.ts's re-export at define.ts itself.
      const declarations = modules.flatMap((mod) => (mod.declarations ?? []).map((d) => [d, published(mod.path)]));
      const declaredIn = new Map(declarations.map(([d, path]) => [d.name, path]));
      for (const [path, name, tag] of defines) {
        const [declaration] = declarations.find(([d]) => d.name === name) ?? [];
        if (!declaration?.tagName) continue;
        modules
          .find((mod) => mod.path === path)
          .exports.push({
            kind: 'custom-element-definition',
            name: tag ?? declaration.tagName,
            declaration: { name, module: path },
          });
      }
      for (const mod of modules) {
        mod.exports = mod.exports?.filter((e) => !typeOnly.has(`${mod.path}#${e.name}`));
        mod.path = published(mod.path);
        for (const { declaration } of mod.exports ?? []) {
          declaration.module = declaredIn.get(declaration.name) ?? published(declaration.module);
        }
        for (const decl of mod.declarations ?? []) {
          // `#private` members are not API.
          decl.members = decl.members?.filter((m) => m.privacy !== 'private');
          // Only the @fires events: the analyzer also guesses one named `type` from `#fire(type, …)`.
          decl.events = decl.events?.filter((e) => e.description);
          // A default that names a protocol constant (`TIME_EVENT`) shows its value instead.
          for (const item of [...(decl.members ?? []), ...(decl.attributes ?? [])]) {
            if (typeof protocol[item.default] === 'string') item.default = `'${protocol[item.default]}'`;
          }
        }
      }
    },
  };
}

/**
 * The types for plain custom-element use in frameworks, and VS Code's HTML and CSS custom data,
 * from the tidied manifest, into dist/types/ (the wrappers in types/ name them in `exports`).
 */
function frameworkTypes() {
  const outdir = 'dist/types';
  // Attribute and property types are read off the class, event details from these exports.
  const common = { outdir, globalTypePath: '../component/define.js', hideLogs: true };
  return {
    name: 'server-clock-framework-types',
    packageLinkPhase({ customElementsManifest }) {
      // The generators wrap an event's type in CustomEvent<…> themselves: give them the detail's
      // type (`CustomEvent<SyncDetail>` → `SyncDetail`), in a copy; custom-elements.json keeps the event's.
      const manifest = structuredClone(customElementsManifest);
      for (const decl of manifest.modules.flatMap((mod) => mod.declarations ?? [])) {
        for (const event of decl.events ?? []) {
          const detail = /^CustomEvent<(\w+)>$/.exec(event.type?.text ?? '')?.[1];
          if (detail) event.type = { text: detail };
        }
      }
      generateJsxTypes(manifest, { ...common, fileName: 'jsx-elements.d.ts' });
      generateVuejsTypes(manifest, { ...common, fileName: 'vue.d.ts' });
      generateSvelteTypes(manifest, { ...common, fileName: 'svelte-elements.d.ts' });
      // Its base props name a global `JSX` namespace, which Svelte does not declare (an error for a
      // consumer without skipLibCheck): a Svelte element's children are not a prop, its style a string.
      const svelte = `${outdir}/svelte-elements.d.ts`;
      writeFileSync(
        svelte,
        readFileSync(svelte, 'utf8')
          .replace('children?: JSX.Element;', 'children?: never;')
          .replace('style?: JSX.CSSProperties;', 'style?: string;'),
      );
      generateVsCodeCustomElementData(manifest, {
        outdir,
        htmlFileName: 'vscode.html-custom-data.json',
        cssFileName: 'vscode.css-custom-data.json',
        hideLogs: true,
      });
    },
  };
}

export default {
  globs: ['component/server-clock.ts', 'component/define.ts'],
  litelement: true,
  // package.json's "customElements" is written by hand, not by the analyzer.
  packagejson: false,
  quiet: true,
  plugins: [publicApi(), frameworkTypes()],
};
