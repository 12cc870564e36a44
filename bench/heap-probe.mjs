// node bench/heap-probe.mjs [--clients N] [--kind demo|classic] [--snapshot]
// The load benchmark's heap figure alone, in well under a minute: the server in a process of its
// own (server-process.mjs, --expose-gc), N WebSocket clients from one load generator
// (load-clients.mjs), then (heap after a full GC with N clients − before any client) / N, and RSS
// the same way. --snapshot also writes the server's heap snapshots, idle and loaded, to
// bench/results/ (Heapsnapshot-*.heapsnapshot) for a by-constructor comparison.
import { fork } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RESULTS_DIR } from './results.mjs';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '3000' },
    kind: { type: 'string', default: 'demo' },
    snapshot: { type: 'boolean', default: false },
  },
});
const clients = Number(values.clients);
mkdirSync(RESULTS_DIR, { recursive: true });

const children = [];
const spawn = (script, args, execArgv = [], cwd) => {
  const child = fork(new URL(script, import.meta.url), args, {
    execArgv,
    cwd,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  children.push(child);
  return child;
};
const ask = (child, message, type) =>
  new Promise((resolve, reject) => {
    const onMessage = (reply) => {
      if (reply.type !== type) return;
      child.off('message', onMessage);
      resolve(reply);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`child exited (${code})`)));
    if (message) child.send(message);
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const abort = setTimeout(() => {
  console.error('heap-probe: still running after 120 s, giving up');
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
}, 120_000);

const execArgv = ['--expose-gc'];
if (values.snapshot) execArgv.push('--heapsnapshot-signal=SIGUSR2');
const server = spawn('./server-process.mjs', [values.kind], execArgv, RESULTS_DIR);
const { port } = await ask(server, undefined, 'listening');

/** A heap snapshot of the server, written to bench/results/ (the signal is handled between turns). */
async function snapshot() {
  if (!values.snapshot) return;
  const files = () => readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.heapsnapshot'));
  const before = files().length;
  server.kill('SIGUSR2');
  while (files().length === before) await sleep(100);
  // Written when its size stops changing.
  const file = new URL(files().sort().at(-1), RESULTS_DIR);
  let size = -1;
  while (size !== (size = statSync(file).size) || size === 0) await sleep(1000);
}

const idle = await ask(server, { type: 'stats', gc: true }, 'stats');
await snapshot();
const generator = spawn('./load-clients.mjs', []);
const started = await ask(
  generator,
  { type: 'start', url: `http://127.0.0.1:${port}`, clients, rampMs: clients / 2, syncStride: 100 },
  'connected',
);
await sleep(2000);
const loaded = await ask(server, { type: 'stats', gc: true }, 'stats');
await snapshot();
for (const child of children) child.kill();
clearTimeout(abort);

const kb = (bytes) => (bytes / 1024).toFixed(2);
const n = loaded.clients;
const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);
console.log(
  `${values.kind}: ${n} clients held (${started.failed} failed); per connection: heap ${kb((loaded.heapUsed - idle.heapUsed) / n)} KB, ` +
    `RSS ${kb((loaded.rss - idle.rss) / n)} KB, external ${kb((loaded.external - idle.external) / n)} KB; ` +
    `heap ${mb(idle.heapUsed)} → ${mb(loaded.heapUsed)} MB`,
);
// RSS beyond the heap in use: the room V8 keeps (its young generation's growth among it, the
// same for any server under load) and what lives outside V8 (sockets, buffers, allocator slack).
const committed = loaded.heapTotal - idle.heapTotal;
const youngGrowth = loaded.newSpace - idle.newSpace;
console.log(
  `  of the RSS: V8's heap ${mb(idle.heapTotal)} → ${mb(loaded.heapTotal)} MB (${kb(committed / n)} KB a connection, ` +
    `${mb(youngGrowth)} MB of it the young generation's growth), the rest ${kb((loaded.rss - idle.rss - committed) / n)} KB a connection`,
);
