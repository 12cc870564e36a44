// The rewrite rules that turn a snippet's text into something that runs here, as runner.ts
// states them (rules 1 to 6 there). Pure functions of the text, so that they are tested alone.

/** Where the snippet's outside world lives on this machine. */
export interface Places {
  /** The demo server standing in for `https://time.example`. */
  timeServer: string;
  /** The page origin standing in for `https://www.example.com`. */
  page: string;
  /** The same pages on another origin, for `https://example.com`. */
  pageAlt: string;
  /** The stand-in for the CDNs: `<cdn>/npm/server-clock/<path>` serves the packed package. */
  cdn: string;
  /** The redis-server standing in for `redis://localhost:6379`, for snippets that name it (rule 7). */
  redis?: string;
}

/** Redis' default address, as a snippet names it (rule 7). */
const REDIS_URL = /redis:\/\/(?:localhost|127\.0\.0\.1):6379\b/g;

/** Whether `text` names Redis' default address, so that the run needs a redis-server (rule 7). */
export function needsRedis(text: string): boolean {
  return new RegExp(REDIS_URL.source).test(text);
}

/** A host and port on this machine, in a URL or a log line; not Redis' (rule 7). */
const LOOPBACK_PORT = /(?<!redis:\/\/)\b(localhost|127\.0\.0\.1|0\.0\.0\.0):(\d{2,5})\b/g;
/** Where a snippet names a port: `host:port`, `.listen(port`, `--port port`, `PORT=port`. */
const PORT_PATTERNS = [LOOPBACK_PORT, /\.listen\(\s*(\d+)/g, /--port[= ](\d+)/g, /\bPORT=(\d+)/g];

/** The port numbers `text` names (rule 3); a shell snippet's servers default to 3000. */
export function portsIn(text: string, kind: string): number[] {
  const ports = new Set<number>(kind === 'shell' ? [3000] : []);
  for (const pattern of PORT_PATTERNS) {
    for (const match of text.matchAll(pattern)) ports.add(Number(match[match.length - 1]));
  }
  return [...ports];
}

function port(ports: Map<number, number>, n: string): number {
  const free = ports.get(Number(n));
  if (free === undefined) throw new Error(`no free port for ${n}`);
  return free;
}

/** Rules 2 to 5 and 7 on `text` (code, HTML, a command line, or a marker's value alike). */
export function rewrite(text: string, places: Places, ports: Map<number, number>, now = Date.now()): string {
  return (
    text
      // Rule 3: every interface is loopback, every port a free one.
      .replaceAll('0.0.0.0', '127.0.0.1')
      .replace(LOOPBACK_PORT, (_, host: string, n: string) => `${host}:${port(ports, n)}`)
      .replace(
        /\.listen\(\s*(\d+)\s*(\))?/g,
        (_, n: string, close?: string) => `.listen(${port(ports, n)}${close ? ", '127.0.0.1')" : ''}`,
      )
      .replace(/(--port[= ])(\d+)/g, (_, flag: string, n: string) => `${flag}${port(ports, n)}`)
      .replace(/\bPORT=(\d+)/g, (_, n: string) => `PORT=${port(ports, n)}`)
      // Rule 7: Redis is the run's redis-server (rule 3 left its address alone).
      .replace(REDIS_URL, () => {
        if (!places.redis) throw new Error('the snippet names Redis, and no redis-server was started (rule 7)');
        return places.redis;
      })
      // Rule 2: the CDNs serve the packed package.
      .replace(
        /https:\/\/(?:cdn\.jsdelivr\.net\/npm|unpkg\.com)\/server-clock(?:@[\w.^~-]+)?/g,
        `${places.cdn}/npm/server-clock`,
      )
      // Rule 4: the example hosts.
      .replaceAll('https://time.example', places.timeServer)
      .replaceAll('https://www.example.com', places.page)
      .replaceAll('https://example.com', places.pageAlt)
      // Rule 5: a countdown ends during the test.
      .replace(
        /(\buntil=)(["'])\d{4}-\d\d-\d\dT[^"']*\2/g,
        (_, attr: string, quote: string) => `${attr}${quote}${new Date(now + 5000).toISOString()}${quote}`,
      )
  );
}

/** One step of a shell snippet (rule 6). */
export type Step =
  | { do: 'nothing'; line: string; why: string }
  | { do: 'install'; line: string }
  | { do: 'serve'; line: string; cwd: 'repo' | 'project'; argv: string[]; env: Record<string, string> }
  | { do: 'run'; line: string; argv: string[] };

/** Words of a command line, with '…' and "…" quoting. */
export function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/** The steps of a shell snippet, already rewritten; throws on a command that has no rule. */
export function planShell(text: string, ports: Map<number, number>): Step[] {
  const commands = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean)
    .flatMap((l) => l.split(/\s*(?:&&|;)\s*/))
    .filter(Boolean);
  return commands.map((line): Step => {
    const argv = words(line);
    const env: Record<string, string> = {};
    while (/^[A-Z_]+=/.test(argv[0] ?? '')) {
      const [name = '', ...value] = (argv.shift() ?? '').split('=');
      env[name] = value.join('=');
    }
    const [command, ...args] = argv;
    const isInstall = command === 'npm' && ['install', 'i', 'ci'].includes(args[0] ?? '');
    if (isInstall && args.length === 1)
      return { do: 'nothing', line, why: "the working copy's dependencies are installed already" };
    if (isInstall && args.length === 2 && /^server-clock(@.*)?$/.test(args[1] ?? '')) return { do: 'install', line };
    const serve = (cwd: 'repo' | 'project', argv: string[]): Step => {
      // The CLI's default port is 3000: a server always gets a free one.
      if (!argv.some((a) => /^--port\b/.test(a)) && !env.PORT) env.PORT = String(port(ports, '3000'));
      return { do: 'serve', line, cwd, argv, env };
    };
    if (command === 'npm' && args[0] === 'start') return serve('repo', ['npm', ...args]);
    if (command === 'npx' && args[0] === 'server-clock') return serve('project', ['npx', '--no', '--', ...args]);
    if (command === 'curl' && !Object.keys(env).length)
      return { do: 'run', line, argv: ['curl', '--silent', '--show-error', ...args] };
    throw new Error(`no rule runs "${line}" here (test/snippets/runner.ts, rule 6)`);
  });
}
