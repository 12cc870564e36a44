// One server under load, in a process of its own so that its memory and CPU are its alone.
// Run by load.mjs with --expose-gc and an IPC channel: `node --expose-gc server-process.mjs
// demo|classic [port]`. Listens on loopback (on `port`, or a free one); answers {type:'stats', gc,
// mark} with its figures; exits with its parent.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { createClassicServer } from './classic-server.mjs';
import { createClockServer, createLogger } from '../dist/demo-server/index.js';

const [kind, port = '0'] = process.argv.slice(2);
const { io, httpServer, metrics } =
  kind === 'classic'
    ? createClassicServer()
    : kind === 'demo'
      ? createClockServer({ logger: createLogger('warn') })
      : {};
if (!httpServer || !/^\d+$/.test(port) || typeof globalThis.gc !== 'function' || !process.send) {
  console.error('usage: node --expose-gc server-process.mjs demo|classic [port] (from load.mjs, with IPC)');
  process.exit(2);
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

process.on('message', async (message) => {
  if (message.type !== 'stats') return;
  // Sync requests received so far (server-clock's server counts them; the classic one does not).
  const syncRequests = metrics ? ((await metrics.syncRequests.get()).values[0]?.value ?? 0) : undefined;
  if (message.gc) {
    // Twice: the first pass may only queue finalizers whose garbage the second frees.
    globalThis.gc();
    globalThis.gc();
  }
  const { heapUsed, heapTotal, rss, external, arrayBuffers } = process.memoryUsage();
  process.send({
    type: 'stats',
    heapUsed,
    // What V8 holds from the system (its used heap and the free room it keeps), and of it the
    // young generation's, which grows under load and stays grown: RSS that is not per connection.
    heapTotal,
    newSpace: getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0,
    rss,
    external,
    arrayBuffers,
    cpu: process.cpuUsage(),
    at: performance.now(),
    clients: io.engine.clientsCount,
    syncRequests,
    // Event loop delay since the last mark, less the monitor's own 10 ms period.
    loopDelayP99: Math.max(0, loopDelay.percentile(99) / 1e6 - 10),
    loopDelayMax: Math.max(0, loopDelay.max / 1e6 - 10),
  });
  if (message.mark) loopDelay.reset();
});
// The parent is gone (finished, or killed): so are we.
process.on('disconnect', () => process.exit(0));

httpServer.listen(Number(port), '127.0.0.1', () =>
  process.send({ type: 'listening', port: httpServer.address().port }),
);
