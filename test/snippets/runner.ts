/**
 * Runs the code blocks of the project's Markdown files as a user would copy them, against real
 * servers and a real browser (Chromium, through Playwright). test/readme-snippets.test.ts runs
 * one test per block of README.md and PROTOCOL.md, named `FILE:LINE`.
 *
 * ## Markers
 *
 * Every code block (fenced or indented) has a marker on the line directly above it; a block
 * without one fails, so nothing is skipped silently:
 *
 *     <!-- snippet: KIND name="value" name='value' name=value … -->
 *
 * - `browser`: a page in Chromium (visitor's time zone Pacific/Honolulu, locale en-US), with no
 *   uncaught error and no console error: `html` as the page (a fragment in a minimal document),
 *   `js` bundled with esbuild from the installed package and loaded as a module, `css` in a
 *   `<style>`; after the HTML of the `page` attribute, if any.
 * - `node`: SDK or server JavaScript, run with node as an `.mjs` file where the package is installed.
 * - `shell`: command lines, run by rule 6.
 * - `types`: type-checked only (`tsc --strict --noEmit`, NodeNext) where the package is installed:
 *   framework snippets, whose framework is not installed here.
 * - `skip (reason)`: not run; the test is reported skipped, with the reason.
 *
 * What to expect (each may repeat; a runnable snippet needs at least one, `types` none; checked in
 * the order written, each within WAIT ms):
 * - `expect="selector"` (browser): an element matching the CSS selector is on the page.
 * - `expect-shown="/regex/"` (browser): every `<server-clock>` on the page shows text matching
 *   it, and its `<time datetime>` is the server's time (a countdown's `PT…S` aside).
 * - `expect-js="expression"` (browser, node): the expression becomes true. In a `js` snippet it
 *   is evaluated in the snippet's own module scope (appended to it, so it sees its variables), in
 *   an `html` or `css` page in the page's global scope.
 * - `expect-stdout="/regex/"` (node, shell): what the snippet prints matches (a plain string: contains it).
 * - `expect-http="PATH [origin=ORIGIN] STATUS [BODY]"` (node, shell): a GET of PATH from the server
 *   the snippet started, with that Origin header, answers STATUS, and BODY (the text, trimmed, or
 *   a /regex/) if given.
 * - `page="html"` (browser): what the page has before the snippet, e.g. the element's script.
 * For a `css` snippet the runner also checks that every custom property it sets is one the
 * element's styles read, and that every `::part()` it names is in the element.
 *
 * ## Rewrite rules
 *
 * They apply to the snippet and to its marker's values alike (rules.ts):
 * 1. `npm install server-clock` installs the package as `npm pack` makes it from this working copy
 *    (built first: `npm test` builds before the Node tests), into a temporary project, once per run,
 *    with its optional peer dependencies (such as `@lit-labs/ssr` for `server-clock/ssr`), in the
 *    ranges it declares, but for those rule 8 links;
 *    `node`, `types` and bundled `browser` snippets run in that project.
 * 2. CDN URLs (`https://cdn.jsdelivr.net/npm/server-clock…`, `https://unpkg.com/server-clock…`,
 *    any version) point at a local CDN, on an origin of its own, that serves that package's files.
 * 3. Hosts and ports: `0.0.0.0` becomes `127.0.0.1`; each port a snippet names (`localhost:N`,
 *    `.listen(N`, `--port N`, `PORT=N`; a shell server's default 3000) becomes a free loopback port,
 *    the same one for the same number within a snippet; `.listen(N)` without a host gets `127.0.0.1`.
 * 4. `https://time.example` is a demo server started for the run (`bin/server-clock.js`, default
 *    origin policy); `https://www.example.com` is the origin the pages are served from and
 *    `https://example.com` the same server as `localhost` (both other origins than the servers').
 * 5. A countdown's `until="…"` instant becomes five seconds from when the page is made, so that it ends.
 * 6. Shell: lines split at `&&` and `;`. `npm install` alone does nothing (the working copy's
 *    dependencies are installed already); `npm install server-clock` is rule 1; `npm start …` runs
 *    in the working copy and `npx server-clock …` in the project (`npx --no --`: never from the
 *    registry), each a server that runs until
 *    the snippet's checks are done and must then stop cleanly on SIGTERM (it logs "stopped"); `curl …`
 *    runs as is, with `--silent --show-error`. Any other command fails the test: nothing unknown runs.
 * 7. `redis://localhost:6379` (or `127.0.0.1`) is a redis-server started for the run, once, on a
 *    free loopback port with a directory of its own (test/redis.mjs), for the snippets that name it.
 * 8. The frameworks a user installs beside the package are the working copy's, linked into the
 *    project: the optional peers of `server-clock/react` (`react`, `react-dom`, `@lit/react`, and
 *    their types), and Preact and Solid, whose JSX `server-clock/jsx` augments.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright';
import { BROWSERS, CHROMIUM_ARGS } from '../../scripts/browsers.mjs';
import { startServer, stopServer } from '../servers.mjs';
import { values, type Block, type Marker } from './markdown.js';
import { needsRedis, planShell, portsIn, rewrite, type Places } from './rules.js';
import { startRedis } from '../redis.mjs';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** How long each expectation may take to come true (the machine is shared). */
export const WAIT = 30_000;
const PROBE = '@@snippet expect-js';
/** Rule 8: the frameworks a snippet may import, from the working copy's devDependencies. */
const FRAMEWORKS = ['react', 'react-dom', '@lit/react', '@types/react', '@types/react-dom', 'preact', 'solid-js'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
};

/**
 * The environment of a user's terminal: without the npm_* variables that `npm test` sets for its
 * scripts (npm_config_prefix and the like would change what a nested npm command does).
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return { ...env, ...extra };
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('not listening');
  return `http://127.0.0.1:${address.port}`;
}

/** `/regex/flags`, or a plain string to look for. */
export function pattern(text: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(text);
  return m ? new RegExp(m[1] ?? '', m[2]) : new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

async function until(check: () => boolean | Promise<boolean>, what: () => string, timeout = WAIT): Promise<void> {
  const deadline = performance.now() + timeout;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeout} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Code appended to a `js` snippet for its `expect-js` expressions (module scope: it sees the snippet's names). */
function probes(expressions: string[], report: 'stdout' | 'global'): string {
  return expressions
    .map((expression, i) => {
      const done =
        report === 'stdout' ? `console.log('${PROBE} ${i} ok')` : `(globalThis.__snippetExpect ??= [])[${i}] = true`;
      return `\n;{ const __probe = setInterval(() => { try { if (${expression}) { clearInterval(__probe); ${done}; } } catch {} }, 50); }`;
    })
    .join('');
}

interface HttpExpectation {
  path: string;
  origin?: string;
  status: number;
  body?: string;
}

export function parseHttpExpectation(spec: string): HttpExpectation {
  const m = /^(\/\S*)(?:\s+origin=(\S+))?\s+(\d{3})(?:\s+(.*\S))?\s*$/s.exec(spec.trim());
  if (!m) throw new Error(`expect-http reads "PATH [origin=ORIGIN] STATUS [BODY]", not "${spec}"`);
  const [, path = '', origin, status = '', body] = m;
  return { path, ...(origin ? { origin } : {}), status: Number(status), ...(body ? { body } : {}) };
}

function get(port: number, path: string, origin?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: origin ? { origin } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path}: no answer in 10 s`)));
    req.end();
  });
}

/** Checks one `expect-http` against the server on `port`, waiting for it to listen. */
async function checkHttp(port: number, spec: string): Promise<void> {
  const want = parseHttpExpectation(spec);
  let answer: { status: number; body: string } | undefined;
  let lastError = '';
  await until(
    async () => {
      try {
        answer = await get(port, want.path, want.origin);
        return true;
      } catch (error) {
        lastError = (error as Error).message;
        return false;
      }
    },
    () => `GET ${want.path} on port ${port}: ${lastError}`,
  );
  const got = answer ?? { status: 0, body: '' };
  const what = `GET ${want.path}${want.origin ? ` (Origin ${want.origin})` : ''}`;
  if (got.status !== want.status) throw new Error(`${what} answered ${got.status}, not ${want.status}: ${got.body}`);
  if (want.body !== undefined) {
    const ok = want.body.startsWith('/') ? pattern(want.body).test(got.body) : got.body.trim() === want.body;
    if (!ok) throw new Error(`${what} answered ${JSON.stringify(got.body)}, not ${want.body}`);
  }
}

/** A child's output as it comes, and whether it has exited. */
class Output {
  stdout = '';
  stderr = '';
  exit: number | string | null | undefined;
  readonly exited: Promise<void>;
  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (this.stdout += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (this.stderr += s));
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        this.exit = code ?? signal;
        resolve();
      }),
    );
  }
  describe(): string {
    return `exit ${String(this.exit ?? 'none yet')}\n--- stdout\n${this.stdout}--- stderr\n${this.stderr}`;
  }
}

function wrapPage(title: string, html: string): string {
  if (/<html|<!doctype/i.test(html)) return html;
  return `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${title}</title></head>\n<body>\n${html}\n</body>\n</html>\n`;
}

/**
 * The package's optional peer dependencies that the install takes from the registry, as
 * `name@range` (the range it declares): all but the frameworks that rule 8 links. (`@lit-labs/ssr`
 * is installed, not linked: linked, it would load the working copy's lit beside the project's.)
 */
async function optionalPeers(): Promise<string[]> {
  const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
  return Object.entries(pkg.peerDependencies ?? {})
    .filter(([name]) => pkg.peerDependenciesMeta?.[name]?.optional && !FRAMEWORKS.includes(name))
    .map(([name, range]) => `${name}@${range}`);
}

/** The world the snippets run in: the package, the servers, the browser; each made when first needed. */
export class SnippetWorld {
  readonly #pages = new Map<string, string>();
  readonly #cleanup: (() => Promise<unknown>)[] = [];

  /** A temporary project and the package, packed from this working copy (rule 1). */
  readonly project = once(async () => {
    for (const file of ['dist/cdn/server-clock.js', 'dist/cdn/server-clock.iife.js', 'dist/sdk/index.js'])
      if (!existsSync(join(REPO, file))) throw new Error(`${file} is missing: run npm run build first`);
    const dir = await mkdtemp(join(tmpdir(), 'server-clock-snippets-'));
    this.#cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'snippets', private: true, type: 'module' }));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: REPO,
      env: userEnv(),
    });
    const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
    return { dir, tarball: join(dir, filename) };
  });

  /** Rule 1: `npm install server-clock`, once; every snippet that needs the package waits for it. */
  readonly install = once(async () => {
    const { dir, tarball } = await this.project();
    const peers = await optionalPeers();
    const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...peers], {
      cwd: dir,
      env: userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = new Output(child);
    await out.exited;
    // Rule 8, after the install (npm prunes what it did not install itself).
    for (const name of FRAMEWORKS) {
      await mkdir(dirname(join(dir, 'node_modules', name)), { recursive: true });
      await symlink(join(REPO, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
    }
    return out;
  });

  async installed(): Promise<string> {
    const out = await this.install();
    if (out.exit !== 0) throw new Error(`npm install server-clock failed: ${out.describe()}`);
    return (await this.project()).dir;
  }

  readonly timeServer = once(async () => {
    const server = await startServer('demo');
    this.#cleanup.push(() => stopServer(server, 'SIGTERM'));
    return server;
  });

  /** The page origin (rule 4) and the CDN (rule 2), two static servers of their own. */
  readonly statics = once(async () => {
    const pages = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const body = this.#pages.get(path);
      if (path === '/favicon.ico') return res.writeHead(204).end();
      if (body === undefined) return res.writeHead(404).end('not found');
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    });
    const packageDir = join(await this.installed(), 'node_modules', 'server-clock');
    const cdn = createServer((req, res) => {
      void (async () => {
        // Like the CDNs: /npm/server-clock/<file>, or the package's own CDN entry for none.
        let path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/npm\/server-clock\/?/, '/');
        if (path === '/') {
          const pkg = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { jsdelivr?: string };
          path = `/${pkg.jsdelivr ?? ''}`;
        }
        const file = normalize(join(packageDir, path));
        const headers = { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' };
        try {
          if (!file.startsWith(packageDir)) throw new Error('outside');
          const body = await readFile(file);
          res
            .writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
            .end(body);
        } catch {
          res.writeHead(404, headers).end('not found');
        }
      })();
    });
    const [page, cdnUrl] = [await listen(pages), await listen(cdn)];
    this.#cleanup.push(
      () => new Promise((r) => pages.close(r)),
      () => new Promise((r) => cdn.close(r)),
    );
    return { page, cdn: cdnUrl };
  });

  /** Rule 7: one redis-server for the run, started by the first snippet that names Redis. */
  readonly redis = once(async () => {
    const redis = await startRedis();
    this.#cleanup.push(() => redis.close());
    return redis;
  });

  async places(text: string): Promise<Places> {
    const [{ page, cdn }, time] = [await this.statics(), await this.timeServer()];
    const places: Places = { timeServer: time.url, page, pageAlt: page.replace('127.0.0.1', 'localhost'), cdn };
    if (needsRedis(text)) places.redis = (await this.redis()).url;
    return places;
  }

  readonly browser = once(async (): Promise<Browser> => {
    const browser = await chromium.launch({ executablePath: BROWSERS.chromium.path, args: CHROMIUM_ARGS });
    this.#cleanup.push(() => browser.close());
    return browser;
  });

  async close(): Promise<void> {
    for (const step of this.#cleanup.reverse()) await step().catch(() => undefined);
  }

  /** The rewrite of rules 2 to 5 for one snippet, with its own free ports. */
  async rewriter(block: Block, marker: Marker): Promise<{ rw: (text: string) => string; ports: Map<number, number> }> {
    const text = [block.body, ...marker.attributes.map(([, v]) => v)].join('\n');
    const places = await this.places(text);
    const ports = new Map<number, number>();
    for (const n of portsIn(text, marker.kind)) ports.set(n, await freePort());
    const now = Date.now();
    return { rw: (t: string) => rewrite(t, places, ports, now), ports };
  }

  /** Runs one block; throws if it does not do what its marker says. */
  async run(block: Block): Promise<void> {
    const marker = block.marker;
    if (!marker) throw new Error(block.error ?? 'no marker');
    if (marker.kind === 'node') return this.#node(block, marker);
    if (marker.kind === 'shell') return this.#shell(block, marker);
    if (marker.kind === 'browser') return this.#browser(block, marker);
    if (marker.kind === 'types') return this.#types(block);
    throw new Error(`a ${marker.kind} snippet is not run`);
  }

  async #node(block: Block, marker: Marker): Promise<void> {
    if (!['js', 'mjs', 'javascript'].includes(block.lang)) throw new Error(`a node snippet is js, not "${block.lang}"`);
    const dir = await this.installed();
    const { rw, ports } = await this.rewriter(block, marker);
    const checks = values(marker, 'expect-js').map(rw);
    const file = join(dir, `snippet-${block.line}.mjs`);
    await writeFile(file, rw(block.body) + probes(checks, 'stdout'));
    const out = new Output(
      spawn(process.execPath, [file], { cwd: dir, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    try {
      await this.#expectOutput(out, values(marker, 'expect-stdout').map(rw), checks);
      const listening = /\.listen\(\s*(\d+)/.exec(block.body)?.[1];
      for (const spec of values(marker, 'expect-http').map(rw)) {
        const port = ports.get(Number(listening));
        if (!port) throw new Error('expect-http: the snippet starts no server (.listen(port))');
        await checkHttp(port, spec);
      }
      if (out.exit !== undefined && out.exit !== 0) throw new Error(`the snippet failed: ${out.describe()}`);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${out.describe()}`, { cause: error });
    } finally {
      out.child.kill('SIGTERM');
      await out.exited;
    }
  }

  /** Waits until the output matches every pattern and every probe has reported. */
  async #expectOutput(
    out: Output | (() => string),
    patterns: string[],
    checks: string[] = [],
    settled = () => out instanceof Output && out.exit !== undefined,
  ): Promise<void> {
    const text = () => (typeof out === 'function' ? out() : out.stdout);
    const wanted = [
      ...patterns.map((p) => ({ what: `stdout matching ${p}`, re: pattern(p) })),
      ...checks.map((c, i) => ({ what: `expect-js ${c}`, re: new RegExp(`^${PROBE} ${i} ok$`, 'm') })),
    ];
    for (const { what, re } of wanted) {
      await until(
        () => {
          // Output that can no longer change has what it has.
          if (!re.test(text()) && settled()) throw new Error(`the snippet is done, without ${what}`);
          return re.test(text());
        },
        () => what,
      );
    }
  }

  async #shell(block: Block, marker: Marker): Promise<void> {
    const { rw, ports } = await this.rewriter(block, marker);
    const steps = planShell(rw(block.body), ports);
    const servers: { out: Output; port: number; line: string }[] = [];
    let printed = '';
    const output = () => printed + servers.map((s) => s.out.stdout).join('');
    try {
      for (const step of steps) {
        if (step.do === 'nothing') continue;
        if (step.do === 'install') {
          const out = await this.install();
          printed += out.stdout;
          if (out.exit !== 0) throw new Error(`${step.line} failed: ${out.describe()}`);
        } else if (step.do === 'run') {
          const { stdout } = await run(step.argv[0] ?? '', step.argv.slice(1), { timeout: WAIT, env: userEnv() });
          // As a terminal shows it: the next output starts on a line of its own.
          printed += stdout.endsWith('\n') ? stdout : `${stdout}\n`;
        } else {
          const cwd = step.cwd === 'repo' ? REPO : await this.installed();
          const [command = '', ...args] = step.argv;
          // A process group of its own: npm, its shell and the server stop together.
          const child = spawn(command, args, {
            cwd,
            env: userEnv(step.env),
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true,
          });
          const out = new Output(child);
          const server = { out, port: 0, line: step.line };
          servers.push(server);
          await until(
            () => {
              const entry = out.stdout
                .split('\n')
                .map((l) => {
                  try {
                    return JSON.parse(l) as { msg?: string; port?: number };
                  } catch {
                    return {};
                  }
                })
                .find((e) => e.msg === 'listening');
              if (out.exit !== undefined && !entry) throw new Error(`${step.line} exited: ${out.describe()}`);
              server.port = entry?.port ?? 0;
              return Boolean(entry);
            },
            () => `${step.line} to log "listening"\n${out.describe()}`,
            2 * WAIT,
          );
        }
      }
      await this.#expectOutput(output, values(marker, 'expect-stdout').map(rw), [], () =>
        servers.every((s) => s.out.exit !== undefined),
      );
      for (const spec of values(marker, 'expect-http').map(rw)) {
        const server = servers[0];
        if (!server) throw new Error('expect-http: the snippet starts no server');
        await checkHttp(server.port, spec);
      }
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- output\n${output()}`, { cause: error });
    } finally {
      for (const { out } of servers)
        if (out.exit === undefined && out.child.pid) process.kill(-out.child.pid, 'SIGTERM');
      await Promise.all(servers.map((s) => s.out.exited));
    }
    for (const { out, line } of servers) {
      if (!out.stdout.includes('"msg":"stopped"'))
        throw new Error(`${line} did not stop cleanly on SIGTERM: ${out.describe()}`);
    }
  }

  /** An esbuild bundle of browser JavaScript, resolved in the project (rule 1). */
  async #bundle(source: string, name: string): Promise<string> {
    const result = await build({
      stdin: { contents: source, resolveDir: await this.installed(), sourcefile: name, loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'silent',
    });
    return result.outputFiles[0]?.text ?? '';
  }

  async #browser(block: Block, marker: Marker): Promise<void> {
    const { rw } = await this.rewriter(block, marker);
    const id = `${block.file.replace(/\W/g, '-')}-${block.line}`;
    const checks = values(marker, 'expect-js').map(rw);
    const around = rw(values(marker, 'page').join('\n'));
    let html: string;
    if (block.lang === 'html') {
      // Inline modules that import a package are bundled, like any page's build would.
      let n = 0;
      html = `${around}\n${rw(block.body)}`;
      for (const m of [...html.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)]) {
        if (!/\bimport\b[^'"]*['"][^./]/.test(m[1] ?? '')) continue;
        const path = `/${id}-${++n}.js`;
        this.#pages.set(path, await this.#bundle(m[1] ?? '', path));
        html = html.replace(m[0], `<script type="module" src="${path}"></script>`);
      }
    } else if (['js', 'javascript', 'mjs'].includes(block.lang)) {
      this.#pages.set(`/${id}.js`, await this.#bundle(rw(block.body) + probes(checks, 'global'), `${id}.js`));
      html = `${around}\n<script type="module" src="/${id}.js"></script>`;
    } else if (block.lang === 'css') {
      html = `<style>\n${rw(block.body)}\n</style>\n${around}`;
    } else {
      throw new Error(`a browser snippet is html, js or css, not "${block.lang}"`);
    }
    this.#pages.set(`/${id}.html`, wrapPage(id, html));

    const context = await (await this.browser()).newContext({ timezoneId: 'Pacific/Honolulu', locale: 'en-US' });
    const errors: string[] = [];
    try {
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
      });
      const { page: origin } = await this.statics();
      const response = await page.goto(`${origin}/${id}.html`);
      if (response?.status() !== 200) throw new Error(`the page answered ${response?.status()}`);
      for (const [name, raw] of marker.attributes) {
        const value = rw(raw);
        try {
          if (name === 'expect') await page.waitForSelector(value, { state: 'attached', timeout: WAIT });
          if (name === 'expect-shown') await expectShown(page, value);
          if (name === 'expect-js' && (block.lang === 'html' || block.lang === 'css'))
            await page.waitForFunction(value, null, { timeout: WAIT });
          if (name === 'expect-js' && block.lang !== 'html' && block.lang !== 'css') {
            const probe = (n: number) => (globalThis as { __snippetExpect?: boolean[] }).__snippetExpect?.[n];
            await page.waitForFunction(probe, checks.indexOf(value), { timeout: WAIT });
          }
        } catch (error) {
          if (name === 'page') continue;
          throw new Error(`${name}=${JSON.stringify(value)}: ${(error as Error).message}`, { cause: error });
        }
      }
      if (block.lang === 'css') await expectCssUsed(page, block.body);
      if (errors.length) throw new Error(errors.join('\n'));
    } catch (error) {
      throw new Error(`${(error as Error).message}${errors.length ? `\n${errors.join('\n')}` : ''}`, { cause: error });
    } finally {
      await context.close();
    }
  }

  async #types(block: Block): Promise<void> {
    const ext = { ts: '.ts', tsx: '.tsx', js: '.js', jsx: '.jsx' }[block.lang];
    if (!ext) throw new Error(`a types snippet is ts, tsx, js or jsx, not "${block.lang}"`);
    const dir = await this.installed();
    const marker = block.marker ?? { kind: 'types', attributes: [] };
    const { rw } = await this.rewriter(block, marker);
    const file = `snippet-${block.line}${ext}`;
    await writeFile(join(dir, file), rw(block.body));
    const config = join(dir, `tsconfig.snippet-${block.line}.json`);
    const compilerOptions = {
      strict: true,
      noEmit: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      lib: ['es2022', 'dom', 'dom.iterable'],
      types: [],
      skipLibCheck: true,
      jsx: 'preserve',
      allowJs: true,
      checkJs: true,
    };
    await writeFile(config, JSON.stringify({ compilerOptions, files: [file] }));
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      await run(process.execPath, [tsc, '-p', config], { cwd: dir });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`tsc found errors:\n${stdout}${stderr}`, { cause: error });
    }
  }
}

/** `expect-shown`: every clock shows matching text and the server's time (rule: see the top). */
async function expectShown(page: Page, spec: string): Promise<void> {
  const re = pattern(spec);
  const shown = () =>
    page.$$eval('server-clock', (els) =>
      els.map((el) => {
        const time = el.shadowRoot?.querySelector('time[datetime]');
        return { text: time?.textContent ?? '', datetime: time?.getAttribute('datetime') ?? '' };
      }),
    );
  let last: { text: string; datetime: string }[] = [];
  await until(
    async () => {
      last = await shown();
      // The page's wall clock is the machine's, which the servers read too.
      const now = Date.now();
      return (
        last.length > 0 &&
        last.every(
          ({ text, datetime }) =>
            re.test(text) && (datetime.startsWith('P') || Math.abs(Date.parse(datetime) - now) < 1000 + 3000),
        )
      );
    },
    () => `every <server-clock> to show ${spec} and the server's time; shown: ${JSON.stringify(last)}`,
  );
}

/** A `css` snippet: its custom properties are the element's, its parts are in the element. */
async function expectCssUsed(page: Page, css: string): Promise<void> {
  const properties = [...new Set([...css.matchAll(/(--[\w-]+)\s*:/g)].map((m) => m[1] ?? ''))];
  const parts = [...new Set([...css.matchAll(/::part\(([\w-]+)\)/g)].map((m) => m[1] ?? ''))];
  const found = await page.$eval(
    'server-clock',
    (el, [properties, parts]) => {
      const root = el.shadowRoot;
      if (!root) return { unused: properties, missing: parts };
      // The element's own style text, as Lit holds it (a browser's serialisation of shorthands varies).
      const own = (customElements.get('server-clock') as unknown as { styles?: unknown }).styles;
      const styles = [own]
        .flat(Infinity)
        .map((s) => (s as { cssText?: string } | undefined)?.cssText ?? '')
        .join('\n');
      return {
        unused: properties.filter((p) => !styles.includes(`var(${p}`)),
        missing: parts.filter((p) => !root.querySelector(`[part~="${p}"]`)),
      };
    },
    [properties, parts] as const,
  );
  if (found.unused.length) throw new Error(`the element's styles read no ${found.unused.join(', ')}`);
  if (found.missing.length) throw new Error(`the element has no part ${found.missing.join(', ')}`);
}
