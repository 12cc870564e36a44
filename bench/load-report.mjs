// bench:load's figures: the generators' raw results combined per measuring window, the targets,
// and the tables that print them side by side.
import { SETTLED_DRIFT } from '../dist/sdk/sync.js';
import { nearestRank } from './stats.mjs';

// The listener runs: judged on the steady window, as before there were two.
const LISTENER_TARGETS = { missed: 0, lagP99: 100, heapPerConnection: 8 * 1024 };
// SDK clocks (issue 11), stated for 10,000 of them against as many classic listeners.
const SDK_TARGETS = {
  clients: 10_000,
  // The server's CPU as a share of the classic server's, in each window.
  cpuRatio: [1 / 2, 1 / 4],
  syncP99: 50,
  // RSS per connection at least a third below the classic's.
  rssRatio: 2 / 3,
};
const FIRST = 0;
const STEADY = 1;

/**
 * Percentiles (nearest rank) of the numbers in some typed arrays, with `failures` more that never
 * ended (they rank above every number: a p99 among more than 1 % failures is Infinity).
 */
export function summarize(arrays, failures = 0) {
  const sorted = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) sorted.set(a, (offset += a.length) - a.length);
  sorted.sort();
  const count = sorted.length + failures;
  if (count === 0) return { count, failures, p50: null, p99: null, max: null };
  const at = (q) => nearestRank(sorted, q, count) ?? Infinity;
  return { count, failures, p50: at(0.5), p99: at(0.99), max: failures ? Infinity : sorted[sorted.length - 1] };
}

const ms = (v) => (v === null ? 'n/a' : v === Infinity ? 'timeout' : `${v.toFixed(v < 10 ? 1 : 0)} ms`);
const kb = (v) => `${(v / 1024).toFixed(1)} KB`;
const pct = (v) => `${v.toFixed(0)} %`;
const int = (v) => v.toLocaleString('en');
const mark = (ok) => (ok ? 'pass' : 'FAIL');
const sum = (items, key) => items.reduce((n, item) => n + item[key], 0);

/** Rows of cells as a Markdown table, padded. */
function formatTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row) => `| ${row.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

/**
 * A listener run's figures in window `w`, over its generators: tick lag and arrival as the probes
 * saw them (and every listener's lag beside), the rest over everyone.
 */
function listenerFigures(result, w) {
  const windows = result.generators.map((g) => ({ role: g.role, ...g.windows[w] }));
  const probes = windows.filter((x) => x.role === 'probe');
  return {
    expectedTicks: sum(windows, 'expectedTicks'),
    missed: sum(windows, 'missed'),
    clientsMissing: sum(windows, 'clientsMissing'),
    lag: summarize(probes.map((x) => x.lags)),
    everyLag: summarize(windows.map((x) => x.lags)),
    arrival: summarize(probes.map((x) => x.arrivals)),
    sync: summarize(
      windows.map((x) => x.rtts),
      sum(windows, 'syncFailures'),
    ),
    generatorsCpu: sum(
      windows.filter((x) => x.role === 'crowd'),
      'cpuPercent',
    ),
    server: result.server.windows[w],
  };
}

/** Listeners on server-clock's server beside the classic's: the table, and whether server-clock met its targets. */
export function listenerTable(results, clients) {
  const figures = results.map((r) => listenerFigures(r, STEADY));
  const firsts = results.map((r) => listenerFigures(r, FIRST));
  const disconnects = (r) => sum(r.generators, 'disconnects');
  const v = results.map((r, i) => ({
    held: r.connected.connected === clients && disconnects(r) === 0,
    missed: figures[i].missed <= LISTENER_TARGETS.missed,
    lagP99: figures[i].lag.p99 !== null && figures[i].lag.p99 <= LISTENER_TARGETS.lagP99,
    heapPerConnection: r.server.heapPerConnection <= LISTENER_TARGETS.heapPerConnection,
  }));
  const each = (f) => results.map((r, i) => f(r, figures[i], v[i], firsts[i]));
  const rows = [
    [`${results[0].windows[STEADY].name}, unless told`, ...each((r) => r.title), 'target'],
    [
      'clients held (disconnects)',
      ...each((r, _, ok) => `${r.connected.connected}/${clients} (${disconnects(r)}) ${mark(ok.held)}`),
      `${clients} (0)`,
    ],
    [
      'connect time p50 / p99 / max',
      ...each(({ connected: { connect } }) => `${ms(connect.p50)} / ${ms(connect.p99)} / ${ms(connect.max)}`),
      '',
    ],
    ['tick lag p50 (probes)', ...each((_, f) => ms(f.lag.p50)), ''],
    [
      'tick lag p99 (probes)',
      ...each((_, f, ok) => `${ms(f.lag.p99)} ${mark(ok.lagP99)}`),
      `≤ ${LISTENER_TARGETS.lagP99} ms`,
    ],
    ['tick lag max (probes)', ...each((_, f) => ms(f.lag.max)), ''],
    [
      "tick lag p50 / p99, every listener (its generator's queue in it)",
      ...each((_, f) => `${ms(f.everyLag.p50)} / ${ms(f.everyLag.p99)}`),
      '',
    ],
    [
      'tick arrival after its second p50 / p99 (probes)',
      ...each((r, f) => (r.kind === 'demo' ? `${ms(f.arrival.p50)} / ${ms(f.arrival.p99)}` : 'n/a (not aligned)')),
      '',
    ],
    [
      'missed ticks (clients short)',
      ...each((_, f, ok) => `${f.missed} of ${f.expectedTicks} (${f.clientsMissing}) ${mark(ok.missed)}`),
      '0',
    ],
    ['sync round trip p50 / p99 (1 in 100, 1/s)', ...each((_, f) => `${ms(f.sync.p50)} / ${ms(f.sync.p99)}`), ''],
    ['sync failures (of requests)', ...each((_, f) => `${f.sync.failures} of ${f.sync.count}`), ''],
    [
      'server heap per connection, after',
      ...each((r, _, ok) => `${kb(r.server.heapPerConnection)} ${mark(ok.heapPerConnection)}`),
      `≤ ${kb(LISTENER_TARGETS.heapPerConnection)}`,
    ],
    ['server RSS per connection, after', ...each((r) => kb(r.server.rssPerConnection)), ''],
    [
      'server heap / RSS, after',
      ...each((r) => `${r.server.heapUsedMB.toFixed(0)} / ${r.server.rssMB.toFixed(0)} MB`),
      '',
    ],
    ['server CPU (of one core)', ...each((_, f) => pct(f.server.cpuPercent)), ''],
    [`server CPU, ${results[0].windows[FIRST].name}`, ...each((_, __, ___, f) => pct(f.server.cpuPercent)), ''],
    [
      'server event loop delay p99 / max',
      ...each((_, f) => `${ms(f.server.loopDelayP99)} / ${ms(f.server.loopDelayMax)}`),
      '',
    ],
    ['crowd generators CPU (2, of one core)', ...each((_, f) => pct(f.generatorsCpu)), ''],
  ];
  return { text: formatTable(rows), pass: Object.values(v[0]).every(Boolean) };
}

/** An SDK run's figures in window `w`: the probes' round trips, everyone's, and the clocks' state. */
function sdkFigures(result, w) {
  return {
    ...clockFigures(result.generators, w, result.windows[w].seconds, result.clients),
    server: result.server.windows[w],
  };
}

/** What SDK clocks' generators measured in their window `w`, `seconds` long, over every clock and the probes. */
function clockFigures(generators, w, seconds, clients) {
  const windows = generators.map((g) => ({ role: g.role, ...g.windows[w] }));
  const probes = windows.filter((x) => x.role === 'probe');
  const crowd = windows.filter((x) => x.role === 'crowd');
  const exchanges = windows.reduce((n, x) => n + x.rtts.length + x.timeouts, 0);
  return {
    probes: summarize(
      probes.map((x) => x.rtts),
      sum(probes, 'timeouts'),
    ),
    everyone: summarize(
      windows.map((x) => x.rtts),
      sum(windows, 'timeouts'),
    ),
    exchangesPerClock: exchanges / clients,
    exchangesPerClockMinute: exchanges / clients / (seconds / 60),
    connected: sum(windows, 'connected'),
    disconnects: sum(windows, 'disconnects'),
    synced: sum(windows, 'synced'),
    uncertainty: summarize(windows.map((x) => x.uncertainties)),
    driftKnown: {
      probes: sum(probes, 'driftKnown'),
      probesSynced: sum(probes, 'synced'),
      everyone: sum(windows, 'driftKnown'),
    },
    crowdCpu: sum(crowd, 'cpuPercent'),
    crowdLoopDelayP99: Math.max(...crowd.map((x) => x.loopDelayP99)),
    probeLoopDelayP99: Math.max(...probes.map((x) => x.loopDelayP99)),
  };
}

/** Whether the SDK run met each target in each window; `undefined` where there is no classic run to compare with. */
function sdkVerdicts(sdk, classic, w) {
  const f = sdkFigures(sdk, w);
  const c = classic && listenerFigures(classic, w);
  return {
    held: f.connected === sdk.clients && f.synced === sdk.clients && f.disconnects === 0,
    // (A schedule that makes no exchange in the window leaves nothing to judge: lengthen it.)
    syncP99: f.probes.count === 0 ? undefined : f.probes.p99 <= SDK_TARGETS.syncP99,
    cpu: c && f.server.cpuPercent <= SDK_TARGETS.cpuRatio[w] * c.server.cpuPercent,
    rss: c && f.server.rssPerConnection <= SDK_TARGETS.rssRatio * c.server.rssPerConnection,
  };
}

/** SDK clocks beside as many classic listeners, window by window: the table, and whether every target was met. */
export function sdkTable(sdk, classic) {
  const none = 'n/a (no classic run)';
  const versus = (ok, ratio) => (ok === undefined ? '' : ` (${ratio.toFixed(2)} of it) ${mark(ok)}`);
  const rows = [
    ['', 'SDK clocks on server-clock', 'classic listeners', 'target'],
    [
      'connected in (first attempts failed); connect p50 / p99',
      connectCell(sdk),
      classic ? connectCell(classic) : none,
      'about 10 s',
    ],
    [
      'server CPU while they connected',
      pct(sdk.connected.cpuPercent),
      classic ? pct(classic.connected.cpuPercent) : none,
      '',
    ],
    [
      'generators’ loop delay meanwhile, p99 / max',
      `${ms(sdk.connected.loopDelayP99)} / ${ms(sdk.connected.loopDelayMax)}`,
      classic ? `${ms(classic.connected.loopDelayP99)} / ${ms(classic.connected.loopDelayMax)}` : none,
      '',
    ],
  ];
  const verdicts = [];
  for (const w of [FIRST, STEADY]) {
    const f = sdkFigures(sdk, w);
    const c = classic && listenerFigures(classic, w);
    const v = sdkVerdicts(sdk, classic, w);
    verdicts.push(...Object.values(v).filter((ok) => ok !== undefined));
    const row = (label, sdkCell, classicCell = () => '', target = '') => [
      `  ${label}`,
      sdkCell(),
      c ? classicCell() : none,
      target,
    ];
    rows.push(
      [`**${sdk.windows[w].name}**`, '', '', ''],
      row(
        'server CPU (of one core)',
        () => `${pct(f.server.cpuPercent)}${c ? versus(v.cpu, f.server.cpuPercent / c.server.cpuPercent) : ''}`,
        () => pct(c.server.cpuPercent),
        `≤ ${w === FIRST ? '½' : '¼'} of the classic's`,
      ),
      row(
        'sync round trip p50 / p99 (probe clocks)',
        () =>
          v.syncP99 === undefined ? 'no exchange' : `${ms(f.probes.p50)} / ${ms(f.probes.p99)} ${mark(v.syncP99)}`,
        () => `${ms(c.sync.p50)} / ${ms(c.sync.p99)} (1 in 100, 1/s)`,
        `p99 ≤ ${SDK_TARGETS.syncP99} ms`,
      ),
      row('the same, every clock (its generator’s queue in it)', () => `${ms(f.everyone.p50)} / ${ms(f.everyone.p99)}`),
      row(
        'sync exchanges (timed out); per clock a minute',
        () => `${int(f.everyone.count)} (${int(f.everyone.failures)}); ${f.exchangesPerClockMinute.toFixed(1)}`,
        () => `${int(c.sync.count)} (${int(c.sync.failures)})`,
      ),
      row(
        'server RSS per connection, at the end',
        () =>
          `${kb(f.server.rssPerConnection)}${c ? versus(v.rss, f.server.rssPerConnection / c.server.rssPerConnection) : ''}`,
        () => kb(c.server.rssPerConnection),
        `≤ ⅔ of the classic's`,
      ),
      row(
        'clocks connected / synced at the end',
        () => `${int(f.connected)} / ${int(f.synced)}${disconnected(f)} ${mark(v.held)}`,
        () => `${int(c.server.clients)} connected`,
        `${int(sdk.clients)} / ${int(sdk.clients)}`,
      ),
      row('their uncertainty at the end p50 / p99', () => `${ms(f.uncertainty.p50)} / ${ms(f.uncertainty.p99)}`),
      row(
        `their drift known to ${SETTLED_DRIFT * 1e6} ppm at the end: probes; every clock`,
        () =>
          `${int(f.driftKnown.probes)} of ${int(f.driftKnown.probesSynced)}; ${int(f.driftKnown.everyone)} of ${int(f.synced)}`,
      ),
      row(
        'server event loop delay p99 / max',
        () => `${ms(f.server.loopDelayP99)} / ${ms(f.server.loopDelayMax)}`,
        () => `${ms(c.server.loopDelayP99)} / ${ms(c.server.loopDelayMax)}`,
      ),
      row(
        'generators CPU (of one core); loop delay p99',
        () => `${pct(f.crowdCpu)}; ${ms(f.crowdLoopDelayP99)}, probes' ${ms(f.probeLoopDelayP99)}`,
        () => pct(c.generatorsCpu),
      ),
    );
  }
  const probes = sdk.generators.filter((g) => g.role === 'probe').reduce((n, g) => n + g.clocks, 0);
  const notes = [
    `${int(sdk.clients)} SDK clocks (${int(probes)} of them probes, in a process of their own), one connection each; ` +
      `${classic ? `${int(classic.clients)} classic listeners` : 'no classic run'}. Targets are for ${int(SDK_TARGETS.clients)} clocks.`,
    'Round trip: every sync exchange, timed around the SDK’s emitWithAck; a timeout ranks above every answer.',
    'Drift known: by each synced clock’s latest sync event; over a steady link (loopback is one) its resyncs (of 2 exchanges) then back off up to 4 minutes apart, not 1 (over a jittery link resyncs take 4, up to 15 s apart for its first 3 minutes, then up to 1).',
    `RSS per connection: (the server's RSS after a full GC at the window's end − before any client) / clients. ` +
      `Heap per connection, after a full GC at the end: ${kb(sdk.server.heapPerConnection)}` +
      `${classic ? ` (classic: ${kb(classic.server.heapPerConnection)})` : ''}.`,
  ];
  return { text: `${formatTable(rows)}\n\n${notes.join('\n')}`, pass: verdicts.every(Boolean) };
}

/**
 * The new server's first seconds after --restart, beside the same clocks' first window after they
 * first connected (and the server's CPU while they did): no target, what a restart costs.
 */
export function restartTable(sdk) {
  const { seconds, generators } = sdk.restart;
  const after = clockFigures(generators, 0, seconds.length, sdk.clients);
  const first = sdkFigures(sdk, FIRST);
  const cpu = seconds.reduce((n, s) => n + s.cpuPercent, 0) / seconds.length;
  const requests = seconds.reduce((n, s) => n + s.syncRequests, 0);
  const rows = [
    ['', `after the restart (${seconds.length} s)`, `after first connecting (${sdk.windows[FIRST].name})`],
    [
      'server CPU (of one core)',
      pct(cpu),
      `${pct(first.server.cpuPercent)} (${pct(sdk.connected.cpuPercent)} while connecting)`,
    ],
    ['  each second', seconds.map((s) => s.cpuPercent.toFixed(0)).join(', '), ''],
    ['clients connected, each second', seconds.map((s) => int(s.clients)).join(', '), ''],
    ['sync requests the server got, each second', seconds.map((s) => int(s.syncRequests)).join(', '), ''],
    [
      'sync exchanges a clock',
      `${after.exchangesPerClock.toFixed(1)} (the server got ${(requests / sdk.clients).toFixed(1)})`,
      first.exchangesPerClock.toFixed(1),
    ],
    [
      'sync round trip p50 / p99 (probe clocks)',
      `${ms(after.probes.p50)} / ${ms(after.probes.p99)}`,
      `${ms(first.probes.p50)} / ${ms(first.probes.p99)}`,
    ],
    [
      'connected / synced at the end',
      `${int(after.connected)} / ${int(after.synced)}${disconnected(after)}`,
      `${int(first.connected)} / ${int(first.synced)}`,
    ],
  ];
  return formatTable(rows);
}

/** ", n disconnected" for a window in which some clocks lost their connection. */
function disconnected({ disconnects }) {
  return disconnects ? `, ${int(disconnects)} disconnected meanwhile` : '';
}

/** How a crowd connected: its ramp, failed first attempts, connect time p50 / p99. */
function connectCell({ connected }) {
  return (
    `${(connected.rampMs / 1000).toFixed(1)} s (${int(connected.failed)}); ` +
    `${ms(connected.connect.p50)} / ${ms(connected.connect.p99)}`
  );
}

/** One step of the capacity search. */
export function capacityRow(sdk) {
  const figures = [FIRST, STEADY].map((w) => sdkFigures(sdk, w));
  const verdicts = [FIRST, STEADY].map((w) => sdkVerdicts(sdk, undefined, w));
  return {
    clients: sdk.clients,
    windows: sdk.windows,
    held: verdicts.every((v) => v.held),
    // (No exchange in a window proves nothing here: it counts as a miss.)
    p99Ok: verdicts.map((v) => v.syncP99 === true),
    figures,
    heapPerConnection: sdk.server.heapPerConnection,
  };
}

/** The capacity search so far: a row a step, and what it found. */
export function capacityTable(rows) {
  const [firstName, steadyName] = rows[0].windows.map((w) => w.name);
  const header = [
    'SDK clocks',
    'connected / synced',
    `sync p50 / p99, ${firstName}`,
    `sync p50 / p99, ${steadyName}`,
    'server CPU (first / steady)',
    'server RSS per connection',
    'server loop delay p99 (first / steady)',
  ];
  const body = rows.map(({ clients, held, p99Ok, figures: [f, s] }) => [
    int(clients),
    `${int(s.connected)} / ${int(s.synced)}${disconnected(s)} ${mark(held)}`,
    ...[f, s].map((x, w) =>
      x.probes.count ? `${ms(x.probes.p50)} / ${ms(x.probes.p99)} ${mark(p99Ok[w])}` : 'no exchange FAIL',
    ),
    `${pct(f.server.cpuPercent)} / ${pct(s.server.cpuPercent)}`,
    kb(s.server.rssPerConnection),
    `${ms(f.server.loopDelayP99)} / ${ms(s.server.loopDelayP99)}`,
  ]);
  // The steps held their clocks within the bound up to this one (the next did not, or was not tried).
  const most = (ok) => {
    const failed = rows.findIndex((r) => !(r.held && ok(r)));
    return rows[(failed < 0 ? rows.length : failed) - 1]?.clients;
  };
  const say = (n) => (n === undefined ? `fewer than ${int(rows[0].clients)}` : `at least ${int(n)}`);
  const summary =
    `Most SDK clocks held with sync p99 ≤ ${SDK_TARGETS.syncP99} ms (probe clocks): ` +
    `${say(most((r) => r.p99Ok.every(Boolean)))} in both windows, ${say(most((r) => r.p99Ok[STEADY]))} at steady state` +
    ` (steps tried: ${rows.map((r) => int(r.clients)).join(', ')}).`;
  return { text: formatTable([header, ...body]), summary };
}
