// `cem analyze` (part of `npm run build`, after rollup and tsc): custom-elements.json, the
// element's public API for IDEs, linters and catalogues, read from the TypeScript sources.
import * as protocol from './dist/sdk/protocol.js';

/** Tidies the analyzer's output into what a consumer of the published package can use. */
function publicApi() {
  // The sources are TypeScript; the package ships their JavaScript in dist/.
  const published = (path) => `dist/${path.replace(/^\//, '').replace(/\.ts$/, '.js')}`;
  return {
    name: 'server-clock-public-api',
    packageLinkPhase({ customElementsManifest }) {
      const { modules } = customElementsManifest;
      // Where each class is declared: the analyzer points define.ts's re-export at define.ts itself.
      const declaredIn = new Map(
        modules.flatMap((mod) => (mod.declarations ?? []).map((d) => [d.name, published(mod.path)])),
      );
      for (const mod of modules) {
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

export default {
  globs: ['component/server-clock.ts', 'component/define.ts'],
  litelement: true,
  // package.json's "customElements" is written by hand, not by the analyzer.
  packagejson: false,
  quiet: true,
  plugins: [publicApi()],
};
