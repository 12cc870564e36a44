// npm run bench:load [-- --clients N --duration S --ramp S]
// Holds N socket.io clients (WebSocket) against server-clock's server, then against the classic
// per-connection-timer server, each in a process of its own with the clients in two others (one a
// core: a single process reading 10,000 sockets falls behind and its queue would count as tick
// lag), and prints the figures side by side with the targets. Loopback only; stops itself.
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { childProcesses } from './children.mjs';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '60' },
    ramp: { type: 'string' },
  },
});
const clients = Number(values.clients);
const duration = Number(values.duration);
// Default ramp: 1,000 new connections a second.
const ramp = Number(values.ramp ?? Math.max(1, Math.ceil(clients / 1000)));
if (!(Number.isInteger(clients) && clients > 0 && duration >= 5 && ramp >= 0)) {
  console.error('usage: bench/load.mjs [--clients N ≥ 1] [--duration S ≥ 5] [--ramp S ≥ 0]');
  process.exit(2);
}

// Each client is a file descriptor in the load generator and another in the server.
const fdLimit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
if (fdLimit < clients + 512) {
  console.error(
    `ulimit -n is ${fdLimit}: too low for ${clients} clients (each process needs one descriptor a client, plus some).`,
  );
  console.error(
    `Raise it first, e.g. \`ulimit -n ${clients + 1024}\` (or LimitNOFILE= for a service), or pass fewer --clients.`,
  );
  process.exit(1);
}

const SERVERS = [
  { kind: 'demo', title: 'server-clock (one shared timer)' },
  { kind: 'classic', title: 'classic (a timer per connection)' },
];
const GENERATORS = 2;
const TARGETS = { missed: 0, lagP99: 100, heapPerConnection: 8 * 1024 };
// Every step is bounded; this bounds the whole run, should a child hang.
const BUDGET_MS = SERVERS.length * (ramp + duration + 120) * 1000;

const { spawn, ask, killAll, finished } = childProcesses('bench:load', BUDGET_MS);

const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const stop = (child) =>
  new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill())));

async function run({ kind, title }) {
  console.log(`\n${title}: ${clients} clients, ramp ${ramp} s, measuring ${duration} s`);
  const server = spawn('./server-process.mjs', [kind], ['--expose-gc']);
  const { port } = await ask(server, undefined, 'listening');
  const idle = await ask(server, { type: 'stats', gc: true }, 'stats');

  const generators = Array.from({ length: GENERATORS }, () => spawn('./load-clients.mjs'));
  const shares = generators.map((_, i) => Math.floor(clients / GENERATORS) + (i < clients % GENERATORS ? 1 : 0));
  const start = { type: 'start', url: `http://127.0.0.1:${port}`, rampMs: ramp * 1000, syncStride: 100 };
  const ramped = await Promise.all(generators.map((g, i) => ask(g, { ...start, clients: shares[i] }, 'connected')));
  const connected = {
    connected: ramped.reduce((n, r) => n + r.connectTimes.length, 0),
    failed: ramped.reduce((n, r) => n + r.failed, 0),
    rampMs: Math.max(...ramped.map((r) => r.rampMs)),
    connect: summarize(ramped.map((r) => r.connectTimes)),
  };
  console.log(
    `  ${connected.connected} connected (${connected.failed} failed) in ${(connected.rampMs / 1000).toFixed(1)} s`,
  );

  // The window starts on a whole second, after a moment for the ramp's last handshakes to settle.
  const from = Math.ceil((Date.now() + 3000) / 1000) * 1000;
  const to = from + duration * 1000;
  const results = Promise.all(generators.map((g) => ask(g, { type: 'measure', from, to }, 'result')));
  await sleep(from - Date.now());
  const first = await ask(server, { type: 'stats', mark: true }, 'stats');
  await sleep(to - Date.now());
  const last = await ask(server, { type: 'stats' }, 'stats');
  const measured = await results;
  const loaded = await ask(server, { type: 'stats', gc: true }, 'stats');
  await Promise.all([...generators, server].map(stop));

  const sum = (key) => measured.reduce((n, r) => n + r[key], 0);
  const clientsResult = {
    expectedTicks: sum('expectedTicks'),
    missed: sum('missed'),
    clientsMissing: sum('clientsMissing'),
    disconnects: sum('disconnects'),
    lag: summarize(measured.map((r) => r.lags)),
    arrival: summarize(measured.map((r) => r.arrivals)),
    sync: { ...summarize(measured.map((r) => r.rtts)), failures: sum('syncFailures') },
    cpuPercent: sum('cpuPercent'),
  };

  const cpuMs = (last.cpu.user + last.cpu.system - first.cpu.user - first.cpu.system) / 1000;
  return {
    kind,
    title,
    connected,
    clients: clientsResult,
    server: {
      cpuPercent: (cpuMs / (last.at - first.at)) * 100,
      loopDelayP99: last.loopDelayP99,
      loopDelayMax: last.loopDelayMax,
      heapPerConnection: (loaded.heapUsed - idle.heapUsed) / loaded.clients,
      rssPerConnection: (loaded.rss - idle.rss) / loaded.clients,
      heapUsedMB: loaded.heapUsed / 2 ** 20,
      rssMB: loaded.rss / 2 ** 20,
    },
  };
}

/** Percentiles (nearest rank) of the numbers in some typed arrays: { count, p50, p99, max }. */
function summarize(arrays) {
  const sorted = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) sorted.set(a, (offset += a.length) - a.length);
  sorted.sort();
  if (sorted.length === 0) return { count: 0, p50: null, p99: null, max: null };
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { count: sorted.length, p50: at(50), p99: at(99), max: sorted[sorted.length - 1] };
}

const ms = (v) => (v === null ? 'n/a' : `${v.toFixed(v < 10 ? 1 : 0)} ms`);
const kb = (v) => `${(v / 1024).toFixed(1)} KB`;
const pct = (v) => `${v.toFixed(0)} %`;

function verdicts(r) {
  return {
    held: r.connected.connected === clients && r.clients.disconnects === 0,
    missed: r.clients.missed <= TARGETS.missed,
    lagP99: r.clients.lag.p99 !== null && r.clients.lag.p99 <= TARGETS.lagP99,
    heapPerConnection: r.server.heapPerConnection <= TARGETS.heapPerConnection,
  };
}

function table(results) {
  const mark = (ok) => (ok ? 'pass' : 'FAIL');
  const v = results.map(verdicts);
  const rows = [
    ['', ...results.map((r) => r.title), 'target'],
    [
      'clients held (disconnects)',
      ...results.map((r, i) => `${r.connected.connected}/${clients} (${r.clients.disconnects}) ${mark(v[i].held)}`),
      `${clients} (0)`,
    ],
    [
      'connect time p50 / p99 / max',
      ...results.map(
        (r) => `${ms(r.connected.connect.p50)} / ${ms(r.connected.connect.p99)} / ${ms(r.connected.connect.max)}`,
      ),
      '',
    ],
    ['tick lag p50', ...results.map((r) => ms(r.clients.lag.p50)), ''],
    [
      'tick lag p99',
      ...results.map((r, i) => `${ms(r.clients.lag.p99)} ${mark(v[i].lagP99)}`),
      `≤ ${TARGETS.lagP99} ms`,
    ],
    ['tick lag max', ...results.map((r) => ms(r.clients.lag.max)), ''],
    [
      'tick arrival after its second p50 / p99',
      ...results.map((r) =>
        r.kind === 'demo' ? `${ms(r.clients.arrival.p50)} / ${ms(r.clients.arrival.p99)}` : 'n/a (not aligned)',
      ),
      '',
    ],
    [
      'missed ticks (clients short)',
      ...results.map(
        (r, i) =>
          `${r.clients.missed} of ${r.clients.expectedTicks} (${r.clients.clientsMissing}) ${mark(v[i].missed)}`,
      ),
      '0',
    ],
    ['sync round trip p50 / p99', ...results.map((r) => `${ms(r.clients.sync.p50)} / ${ms(r.clients.sync.p99)}`), ''],
    [
      'sync failures (of requests)',
      ...results.map((r) => `${r.clients.sync.failures} of ${r.clients.sync.count + r.clients.sync.failures}`),
      '',
    ],
    [
      'server heap per connection',
      ...results.map((r, i) => `${kb(r.server.heapPerConnection)} ${mark(v[i].heapPerConnection)}`),
      `≤ ${kb(TARGETS.heapPerConnection)}`,
    ],
    ['server RSS per connection', ...results.map((r) => kb(r.server.rssPerConnection)), ''],
    [
      'server heap / RSS, loaded',
      ...results.map((r) => `${r.server.heapUsedMB.toFixed(0)} / ${r.server.rssMB.toFixed(0)} MB`),
      '',
    ],
    ['server CPU (of one core)', ...results.map((r) => pct(r.server.cpuPercent)), ''],
    [
      'server event loop delay p99 / max',
      ...results.map((r) => `${ms(r.server.loopDelayP99)} / ${ms(r.server.loopDelayMax)}`),
      '',
    ],
    [`load generators CPU (${GENERATORS}, of one core)`, ...results.map((r) => pct(r.clients.cpuPercent)), ''],
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row) => `| ${row.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

try {
  const results = [];
  for (const server of SERVERS) results.push(await run(server));
  console.log(`\n${table(results)}\n`);
  console.log("Tick lag: client receive time − the tick's server time, both read from this machine's clock.");
  console.log(
    'Classic server adapted for comparison: Date.now() every 1 s (not toTimeString() every 5 s), naive sync answers.',
  );
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const file = new URL(`./results/load-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url);
  writeFileSync(file, JSON.stringify({ clients, duration, ramp, results }, null, 2));
  console.log(`Raw figures: ${file.pathname}`);
  finished();
  // Fails when server-clock misses a target; the classic server is expected to.
  process.exitCode = Object.values(verdicts(results[0])).every(Boolean) ? 0 : 1;
} catch (error) {
  console.error(error);
  killAll();
  process.exit(1);
}
