// What the load generators (load-clients.mjs: listeners; sdk-clients.mjs: SDK clocks) share: the
// even ramp that opens their connections, and the measuring windows, each with this process's own
// CPU and event loop delay.
import { monitorEventLoopDelay } from 'node:perf_hooks';

// Connections being set up at once, at most: past the listen backlog, SYNs would be dropped and retried.
const MAX_PENDING = 256;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Opens `count` connections in order: connection i once `ready(i)` (asked every millisecond), and
 * while fewer than MAX_PENDING are being set up. `open(i)` starts connection i and returns a
 * promise of whether it connected; `settled(n)` hears how many have connected or failed so far.
 * Resolves, once every one has settled, with the `connected` report.
 */
export async function ramp(count, ready, open, settled = () => {}) {
  const connectTimes = [];
  let failed = 0;
  let pending = 0;
  const started = performance.now();
  // How far this process's own event loop fell behind while connecting: a generator that cannot
  // keep up times its own clients out.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  for (let i = 0; i < count; i++) {
    while (!ready(i) || pending >= MAX_PENDING) await sleep(1);
    pending++;
    const opened = performance.now();
    void open(i).then((connected) => {
      pending--;
      if (connected) connectTimes.push(performance.now() - opened);
      else failed++;
      settled(connectTimes.length + failed);
    });
  }
  while (pending > 0) await sleep(10);
  loopDelay.disable();
  return {
    type: 'connected',
    failed,
    rampMs: performance.now() - started,
    connectTimes: Float64Array.from(connectTimes),
    loopDelayP99: Math.max(0, loopDelay.percentile(99) / 1e6 - 10),
    loopDelayMax: Math.max(0, loopDelay.max / 1e6 - 10),
  };
}

/** An even ramp, for {@link ramp}: connection i is due i / count of `rampMs` from now. */
export function evenly(count, rampMs) {
  const started = performance.now();
  return (i) => performance.now() >= started + (rampMs * i) / count;
}

/** The index of the window (`{ from, to }`, epoch ms) that epoch time `t` falls in, or -1. */
export function windowAt(windows, t) {
  return windows.findIndex((w) => t >= w.from && t < w.to);
}

/**
 * This process's CPU (share of one core) and event loop delay p99 (ms, less the monitor's 10 ms
 * period) in each window, resolved once the last one has ended. `hooks.start(i)` and
 * `hooks.end(i)`, if given, run as window i starts and ends (a snapshot of the clients' state, say).
 */
export async function processLoad(windows, hooks = {}) {
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const load = [];
  for (const [i, { from, to }] of windows.entries()) {
    await sleep(from - Date.now());
    hooks.start?.(i);
    loopDelay.reset();
    const cpu = process.cpuUsage();
    const wall = performance.now();
    await sleep(to - Date.now());
    const used = process.cpuUsage(cpu);
    load.push({
      cpuPercent: ((used.user + used.system) / 1000 / (performance.now() - wall)) * 100,
      loopDelayP99: Math.max(0, loopDelay.percentile(99) / 1e6 - 10),
    });
    hooks.end?.(i);
  }
  loopDelay.disable();
  return load;
}
