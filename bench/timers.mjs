// npm run bench:timers [-- --clients N --changes N]
// Server-driven timers under load: 3 server processes on a real redis-server, then a single
// in-memory node, each with N watchers (raw socket.io-client connections speaking the protocol,
// dealt round the nodes by two generator processes) and N timer changes made through the admin API,
// round the nodes. Prints, side by side with the targets:
// - propagation latency, from each admin call's answer to each watcher's push of that change
//   (p50, p99, max), on the reference clock every process shares (performance.timeOrigin + now());
// - lost changes (a watcher that never got a version);
// - the spread of `end`: 3 probes per node, each a process of its own syncing to its node, fire end
//   when their estimate of the node's time reaches endsAt; the spread is max − min of the reference
//   instants at which they fire. Beside it, the spread of the instants their estimates named (what
//   the cluster clock decides), without their own timers' lateness (what a busy machine adds).
// Loopback only; stops itself.
import { parseArgs } from 'node:util';
import { admin, startCluster, ADMIN_TOKEN } from '../test/cluster.mjs';
import { startServer, stopServer } from '../test/servers.mjs';
import { childProcesses } from './children.mjs';
import { nearestRank } from './stats.mjs';

const { values } = parseArgs({
  options: { clients: { type: 'string', default: '3000' }, changes: { type: 'string', default: '100' } },
});
const clients = Number(values.clients);
const changes = Number(values.changes);
const GENERATORS = 2;
const PROBES_PER_NODE = 3;
const CHANGE_GAP_MS = 50;
const TARGETS = { p99: 100, spread: 5, lost: 0 };
const BUDGET_MS = 300_000;

const { spawn, ask, stopOnQuit, finished } = childProcesses('bench:timers', BUDGET_MS);

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function run(title, urls) {
  const name = `bench-${Date.now()}`;
  const generators = Array.from({ length: GENERATORS }, () => spawn('./timer-clients.mjs'));
  const share = (i) => Math.floor(clients / GENERATORS) + (i < clients % GENERATORS ? 1 : 0);
  const watching = await Promise.all(
    generators.map((g, i) => ask(g, { type: 'start', urls, clients: share(i), name }, 'watching')),
  );
  const watchers = watching.reduce((n, w) => n + w.clients, 0);

  // The changes: a start, then extensions, each through the next node; the answer's instant and version.
  const answered = [];
  for (let i = 0; i < changes; i++) {
    const url = urls[i % urls.length];
    const { status, body } =
      i === 0
        ? await admin(url, 'PUT', name, { duration: 3_600_000 })
        : await admin(url, 'POST', `${name}/extend`, { by: 1000 });
    const at = now();
    if (status !== 200) throw new Error(`admin call ${i} answered ${status}: ${JSON.stringify(body)}`);
    answered.push({ version: body.version, at });
    await sleep(CHANGE_GAP_MS);
  }
  await sleep(1000);
  const results = await Promise.all(generators.map((g) => ask(g, { type: 'report' }, 'result')));
  const arrivals = new Map();
  for (const { arrivals: list } of results) {
    for (const [version, times] of list) arrivals.set(version, [...(arrivals.get(version) ?? []), ...times]);
  }
  const latencies = [];
  let lost = 0;
  for (const { version, at } of answered) {
    const times = arrivals.get(version) ?? [];
    lost += watchers - times.length;
    for (const t of times) latencies.push(t - at);
  }
  latencies.sort((a, b) => a - b);

  // The end: probes in processes of their own, PROBES_PER_NODE per node.
  const endName = `${name}-end`;
  const probes = urls.flatMap((url) =>
    Array.from({ length: PROBES_PER_NODE }, () => spawn('./timer-probe.mjs', [url, endName])),
  );
  await admin(urls[0], 'PUT', endName, { duration: 60_000 });
  await Promise.all(probes.map((p) => ask(p, undefined, 'ready')));
  const ends = Promise.all(probes.map((p) => ask(p, undefined, 'end')));
  await admin(urls[urls.length - 1], 'PUT', endName, { duration: 3000 });
  const probed = await ends;
  const spreadOf = (list) => Math.max(...list) - Math.min(...list);
  const spread = spreadOf(probed.map((e) => e.at));
  // Where each probe's clock put the end, before its own timer's lateness: the clocks' agreement.
  const dueSpread = spreadOf(probed.map((e) => e.due));
  const lateness = Math.max(...probed.map((e) => e.at - e.due));
  // The widest of the probes' sync bounds: how far apart their estimates may be, by their own word.
  const halfWidth = Math.max(...probed.map((e) => e.halfWidth));
  const result = {
    title,
    watchers,
    p50: nearestRank(latencies, 0.5),
    p99: nearestRank(latencies, 0.99),
    max: latencies.at(-1),
    lost,
    spread,
    dueSpread,
    lateness,
    halfWidth,
  };
  console.log(
    `  ${title}: ${watchers} watchers, ${answered.length} changes; latency p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, max ${result.max.toFixed(1)} ms; lost ${lost}; end spread ${spread.toFixed(2)} ms over ${probes.length} probes (estimates ${dueSpread.toFixed(2)} ms apart, each within ±${halfWidth.toFixed(2)} ms by its sync bounds, the latest probe ${lateness.toFixed(1)} ms behind its own)`,
  );
  return result;
}

console.log(`bench:timers: ${clients} watchers, ${changes} changes, ${PROBES_PER_NODE} end probes per node`);
const rows = [];
const cluster = await startCluster({ nodes: 3 });
const keepCluster = stopOnQuit(() => cluster.close());
try {
  rows.push(
    await run(
      'Redis, 3 nodes',
      cluster.nodes.map((n) => n.url),
    ),
  );
} finally {
  keepCluster();
  await cluster.close();
}
const single = await startServer('demo', 0, ['--admin-token', ADMIN_TOKEN, '--no-demo']);
const keepSingle = stopOnQuit(() => stopServer(single));
try {
  rows.push(await run('memory, 1 node', [single.url]));
} finally {
  keepSingle();
  await stopServer(single, 'SIGTERM');
}
finished();

const cell = (value, target) => `${value.toFixed(1)}${value <= target ? '' : ' ✗'}`;
console.log(
  `\n| setup | watchers | p50 ms | p99 ms (≤ ${TARGETS.p99}) | max ms | lost (${TARGETS.lost}) | end spread ms (≤ ${TARGETS.spread}) | end estimates' spread ms |`,
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.title} | ${r.watchers} | ${r.p50.toFixed(1)} | ${cell(r.p99, TARGETS.p99)} | ${r.max.toFixed(1)} | ${r.lost}${r.lost === TARGETS.lost ? '' : ' ✗'} | ${r.spread <= TARGETS.spread ? r.spread.toFixed(2) : `${r.spread.toFixed(2)} ✗`} | ${r.dueSpread.toFixed(2)} |`,
  );
}
const failed = rows.some((r) => r.p99 > TARGETS.p99 || r.lost > TARGETS.lost || r.spread > TARGETS.spread);
process.exit(failed ? 1 : 0);
