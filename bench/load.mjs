// npm run bench:load [-- --clients N --ramp S --first S --steady-at S --duration S --runs LIST --restart]
// npm run bench:load -- --capacity [--steps N,N,…]
// Holds N clients against one server process, each run with a server of its own and the clients
// in generator processes of their own (one a core: a single process reading 10,000 sockets falls
// behind, and its queue would count as lag). Runs: `listeners` (plain socket.io listeners on
// server-clock's server), `classic` (the same on the classic per-connection-timer server), `sdk`
// (real SDK clocks, one connection each, on server-clock's server). Each is measured in two
// windows after the crowd has connected: its first seconds and a steady state a while later. It
// prints them side by side with the targets. --restart: then the SDK run's server is killed and
// another started on its port, and its first seconds are measured as the clocks come back.
// --capacity steps up the SDK clocks instead.
// Loopback only; stops itself.
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { childProcesses } from './children.mjs';
import { sleep } from './generator.mjs';
import { capacityRow, capacityTable, listenerTable, restartTable, sdkTable, summarize } from './load-report.mjs';
import { saveResults } from './results.mjs';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '10000' },
    ramp: { type: 'string' },
    first: { type: 'string', default: '30' },
    'steady-at': { type: 'string', default: '60' },
    duration: { type: 'string', default: '60' },
    runs: { type: 'string', default: 'listeners,classic,sdk' },
    restart: { type: 'boolean', default: false },
    capacity: { type: 'boolean', default: false },
    steps: { type: 'string', default: '10000,13000,16000,19000' },
  },
});
const RUNS = {
  listeners: { kind: 'demo', load: 'listeners', title: 'server-clock, listeners' },
  classic: { kind: 'classic', load: 'listeners', title: 'classic, listeners' },
  sdk: { kind: 'demo', load: 'sdk', title: 'server-clock, SDK clocks' },
};
const first = Number(values.first);
const steadyAt = Number(values['steady-at']);
const duration = Number(values.duration);
const runs = values.capacity ? ['sdk'] : values.runs.split(',').map((r) => r.trim());
const counts = values.capacity ? values.steps.split(',').map(Number) : [Number(values.clients)];
// Default ramp: 1,000 new connections a second.
const rampFor = (clients) => Number(values.ramp ?? Math.max(1, Math.ceil(clients / 1000)));
if (
  !counts.every((n) => Number.isInteger(n) && n > 0) ||
  !(first >= 5 && duration >= 5 && steadyAt >= first) ||
  !(rampFor(1) >= 0) ||
  !runs.every((r) => r in RUNS) ||
  // (A restart is measured on the SDK clocks, which reconnect; listeners give up.)
  (values.restart && (values.capacity || !runs.includes('sdk')))
) {
  console.error(
    'usage: bench/load.mjs [--clients N ≥ 1] [--ramp S ≥ 0] [--first S ≥ 5] [--steady-at S ≥ first] [--duration S ≥ 5]\n' +
      `                     [--runs ${Object.keys(RUNS).join(',')}] [--restart, with sdk] | --capacity [--steps N,N,…]`,
  );
  process.exit(2);
}

// Each client is a file descriptor in the server (and one in a generator, which holds fewer).
// Node raises its soft limit to the hard one as it starts, and its children inherit that: so the
// shell's `ulimit -n` does not matter, the hard limit does. (As a child of this process, the shell
// below reports the raised soft limit.)
const fdLimit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
const needed = Math.max(...counts) + 512;
if (fdLimit < needed) {
  console.error(`The open-file limit is ${fdLimit}: ${needed} descriptors needed, one a client plus some.`);
  console.error('Raise the hard limit (`ulimit -Hn` as root, LimitNOFILE= for a service), or pass fewer clients.');
  process.exit(1);
}

const GENERATORS = 2;
// How long --restart measures the new server, s: every clock is back within a few.
const RESTART_SECONDS = 15;
// 1 client in 100 (at least 20) in a process of their own, the probes, whose figures are the ones
// judged (an SDK clock's round trips, a listener's tick lag): a client on a machine of its own
// does not wait behind 5,000 others in its event loop.
const probesFor = (clients) => Math.min(clients, Math.max(20, Math.round(clients / 100)));
// Each SDK generator connects from a loopback address of its own (all of 127/8 is loopback):
// one source address has 28,232 ephemeral ports (ip_local_port_range) towards the server's port.
const sourceAddress = (generator) => `127.0.0.${2 + generator}`;
// Every step is bounded; this bounds the whole run, should a child hang.
const BUDGET_MS =
  counts.reduce((total, n) => total + runs.length * (rampFor(n) + steadyAt + duration + 150), 0) * 1000 +
  (values.restart ? (RESTART_SECONDS + 60) * 1000 : 0);

const { spawn, ask, killAll, finished } = childProcesses('bench:load', BUDGET_MS);

const stop = (child) =>
  new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill())));

/** The server's CPU time between two of its stats, ms. */
const cpuMs = (from, to) => (to.cpu.user + to.cpu.system - from.cpu.user - from.cpu.system) / 1000;

/** Sums counts by key. */
const countsOf = (tallies) =>
  tallies.reduce((all, tally) => {
    for (const [key, n] of Object.entries(tally)) all[key] = (all[key] ?? 0) + n;
    return all;
  }, {});

/** Splits `total` into `parts` near-equal shares. */
const shares = (total, parts) =>
  Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));

/** The generator processes of a run: their script, role and start message. */
function generatorsFor(load, clients, url, rampMs) {
  const probes = probesFor(clients);
  const parts = [...shares(clients - probes, GENERATORS), probes];
  const role = (i) => (i < GENERATORS ? 'crowd' : 'probe');
  if (load === 'listeners') {
    // The probes connect over the same ramp as the crowd, beside it.
    return parts.map((n, i) => ({
      script: './load-clients.mjs',
      role: role(i),
      start: { type: 'start', url, clients: n, rampMs, syncStride: 100 },
    }));
  }
  let next = 0;
  return parts.map((n, i) => ({
    script: './sdk-clients.mjs',
    role: role(i),
    start: {
      type: 'start',
      url,
      clients: n,
      first: (next += n) - n,
      // (The probes follow the crowd, if there is one.)
      ...(i < GENERATORS || probes === clients ? { rampMs } : { follow: true }),
      localAddress: sourceAddress(i),
    },
  }));
}

/** Passes the crowd's progress on to the probes, if any: the share of its clocks settled. */
function followTheCrowd(generators) {
  const crowd = generators.filter((g) => g.role === 'crowd');
  const probes = generators.filter((g) => g.role === 'probe');
  if (!probes.length) return;
  const total = crowd.reduce((n, g) => n + g.start.clients, 0);
  const settled = new Map();
  for (const g of crowd) {
    g.child.on('message', (message) => {
      if (message.type !== 'progress') return;
      settled.set(g, message.settled);
      const share = [...settled.values()].reduce((a, b) => a + b, 0) / total;
      for (const p of probes) p.child.send({ type: 'pace', share });
    });
  }
}

/** The measuring windows, from the next whole second: the crowd's first seconds, then a steady state. */
function measuringWindows() {
  const start = Math.ceil(Date.now() / 1000) * 1000;
  return [
    { name: `first ${first} s`, from: start, to: start + first * 1000 },
    {
      name: `steady (${steadyAt}–${steadyAt + duration} s)`,
      from: start + steadyAt * 1000,
      to: start + (steadyAt + duration) * 1000,
    },
  ];
}

async function run(name, clients) {
  const { kind, load, title } = RUNS[name];
  const ramp = rampFor(clients);
  console.log(`\n${title}: ${clients} clients, ramp ${ramp} s`);
  const server = spawn('./server-process.mjs', [kind], ['--expose-gc']);
  const { port } = await ask(server, undefined, 'listening');
  const idle = await ask(server, { type: 'stats', gc: true }, 'stats');

  const generators = generatorsFor(load, clients, `http://127.0.0.1:${port}`, ramp * 1000).map((g) => ({
    ...g,
    child: spawn(g.script),
  }));
  followTheCrowd(generators);
  const rampStart = await ask(server, { type: 'stats' }, 'stats');
  const ramped = await Promise.all(generators.map((g) => ask(g.child, g.start, 'connected')));
  const rampEnd = await ask(server, { type: 'stats' }, 'stats');
  const connected = {
    // The server's CPU while the crowd connected.
    cpuPercent: (cpuMs(rampStart, rampEnd) / (rampEnd.at - rampStart.at)) * 100,
    connected: ramped.reduce((n, r) => n + r.connectTimes.length, 0),
    failed: ramped.reduce((n, r) => n + r.failed, 0),
    rampMs: Math.max(...ramped.map((r) => r.rampMs)),
    connect: summarize(ramped.map((r) => r.connectTimes)),
    // (SDK clocks only: listeners give up at their first failure.)
    errors: countsOf(ramped.map((r) => r.connectErrors ?? {})),
    // The generators' own event loop delay meanwhile, the worst of them.
    loopDelayP99: Math.max(...ramped.map((r) => r.loopDelayP99)),
    loopDelayMax: Math.max(...ramped.map((r) => r.loopDelayMax)),
  };
  const reasons = Object.entries(connected.errors).map(([reason, n]) => `${n}: ${reason}`);
  console.log(
    `  ${connected.connected} connected (${connected.failed} failed first${reasons.length ? `; ${reasons.join(', ')}` : ''}) ` +
      `in ${(connected.rampMs / 1000).toFixed(1)} s, server CPU ${connected.cpuPercent.toFixed(0)} %, ` +
      `generators' loop delay p99 / max ${connected.loopDelayP99.toFixed(0)} / ${connected.loopDelayMax.toFixed(0)} ms`,
  );

  const windows = measuringWindows();
  const results = Promise.all(generators.map((g) => ask(g.child, { type: 'measure', windows }, 'result')));
  const serverWindows = [];
  for (const w of windows) {
    await sleep(w.from - Date.now());
    const from = await ask(server, { type: 'stats', mark: true }, 'stats');
    await sleep(w.to - Date.now());
    const to = await ask(server, { type: 'stats' }, 'stats');
    // Memory after a full GC, as for the idle figures: without one, RSS holds the garbage of
    // however recently the crowd connected. (Between the windows, so not in their CPU.)
    const collected = await ask(server, { type: 'stats', gc: true }, 'stats');
    serverWindows.push({
      cpuPercent: (cpuMs(from, to) / (to.at - from.at)) * 100,
      loopDelayP99: to.loopDelayP99,
      loopDelayMax: to.loopDelayMax,
      rssPerConnection: (collected.rss - idle.rss) / to.clients,
      clients: to.clients,
    });
    console.log(`  ${w.name}: server CPU ${serverWindows.at(-1).cpuPercent.toFixed(0)} %`);
  }
  const measured = await results;
  const loaded = await ask(server, { type: 'stats', gc: true }, 'stats');
  const restart = values.restart && load === 'sdk' ? await afterRestart(server, kind, port, generators) : undefined;
  await Promise.all([...generators.map((g) => g.child), restart?.server ?? server].map(stop));

  return {
    name,
    kind,
    load,
    title,
    clients,
    ramp,
    windows: windows.map((w) => ({ name: w.name, seconds: (w.to - w.from) / 1000 })),
    connected,
    generators: generators.map((g, i) => ({ role: g.role, ...measured[i] })),
    server: {
      windows: serverWindows,
      heapPerConnection: (loaded.heapUsed - idle.heapUsed) / loaded.clients,
      rssPerConnection: (loaded.rss - idle.rss) / loaded.clients,
      heapUsedMB: loaded.heapUsed / 2 ** 20,
      rssMB: loaded.rss / 2 ** 20,
    },
    ...(restart && { restart: { seconds: restart.seconds, generators: restart.generators } }),
  };
}

/**
 * Kills the server (SIGKILL: its sockets end without a goodbye, as in a crash) and starts another
 * on its port. The clocks reconnect (each after a delay of its own) and resync. Each of the new
 * server's first RESTART_SECONDS: its CPU, its clients, the sync requests it got; and the clocks'
 * exchanges over them, as in a measuring window.
 */
async function afterRestart(old, kind, port, generators) {
  await new Promise((resolve) => (old.once('exit', resolve), old.kill('SIGKILL')));
  const server = spawn('./server-process.mjs', [kind, String(port)], ['--expose-gc']);
  await ask(server, undefined, 'listening');
  const from = Date.now();
  const window = { name: 'after the restart', from, to: from + RESTART_SECONDS * 1000 };
  const measured = Promise.all(generators.map((g) => ask(g.child, { type: 'measure', windows: [window] }, 'result')));
  const seconds = [];
  let last = await ask(server, { type: 'stats' }, 'stats');
  for (let s = 1; s <= RESTART_SECONDS; s++) {
    await sleep(from + s * 1000 - Date.now());
    const stats = await ask(server, { type: 'stats' }, 'stats');
    seconds.push({
      cpuPercent: (cpuMs(last, stats) / (stats.at - last.at)) * 100,
      clients: stats.clients,
      syncRequests: stats.syncRequests - last.syncRequests,
    });
    last = stats;
  }
  const results = await measured;
  console.log(`  after the restart: server CPU ${seconds.map((s) => s.cpuPercent.toFixed(0)).join(', ')} % a second`);
  return { server, seconds, generators: generators.map((g, i) => ({ role: g.role, ...results[i] })) };
}

function save(results) {
  saveResults('load', { first, steadyAt, duration, results });
}

async function compare() {
  const clients = counts[0];
  const results = {};
  for (const name of runs) results[name] = await run(name, clients);
  const verdicts = [];
  if (results.listeners) {
    const { text, pass } = listenerTable([results.listeners, results.classic].filter(Boolean), clients);
    console.log(`\n${text}\n`);
    console.log("Tick lag: client receive time − the tick's server time, both read from this machine's clock.");
    console.log(
      'Classic server adapted for comparison: Date.now() every 1 s (not toTimeString() every 5 s), naive sync answers.',
    );
    verdicts.push(pass);
  }
  if (results.sdk) {
    const { text, pass } = sdkTable(results.sdk, results.classic);
    console.log(`\n${text}\n`);
    verdicts.push(pass);
    if (results.sdk.restart)
      console.log(`The SDK run's server killed, another started on its port:\n\n${restartTable(results.sdk)}\n`);
  }
  save(Object.values(results));
  // Fails when server-clock misses a target; the classic server is expected to.
  return verdicts.every(Boolean);
}

/** Steps up the SDK clocks until a step holds them no longer, or misses p99 in both windows. */
async function capacity() {
  const rows = [];
  const results = [];
  for (const clients of counts) {
    const result = await run('sdk', clients);
    results.push(result);
    rows.push(capacityRow(result));
    console.log(`\n${capacityTable(rows).text}\n`);
    if (!rows.at(-1).held || !rows.at(-1).p99Ok.some(Boolean)) {
      console.log(`Stopped at ${clients}: the next steps would hold no more.`);
      break;
    }
  }
  console.log(capacityTable(rows).summary);
  save(results);
  return true;
}

try {
  const pass = await (values.capacity ? capacity() : compare());
  finished();
  process.exitCode = pass ? 0 : 1;
} catch (error) {
  console.error(error);
  killAll();
  process.exit(1);
}
