// Several nodes on one real redis-server: fan-out, late joiners, concurrent extends, a node killed
// behind HAProxy, Redis restarted with persistence, one end per run, and one clock for the cluster.
// The CLI nodes run from dist/ (npm run build).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import {
  SYNC_EVENT,
  TIMER_EVENT,
  TIMER_WATCH_EVENT,
  isSyncReply,
  type SyncReply,
  type TimerState,
  type TimerWatchAck,
} from '../sdk/protocol.js';
import { preciseNow } from '../demo-server/precise-time.js';
import type { ClockServer } from '../demo-server/server.js';
import type { TimerEndEvent } from '../demo-server/timers/timers.js';
import { admin, startCluster, type RunningCluster } from './cluster.mjs';
import { startHaproxy } from './haproxy.mjs';
import { connect, startClockServer } from './node-clients.js';
import { startRedis, type RunningRedis } from './redis.mjs';
import { stopServer } from './servers.mjs';
import { waitFor, waitForAsync } from './waiting.js';

/** A socket watching `name`, keeping every state it is told (the acknowledgement first). */
async function watcher(url: string, name: string, opts = {}) {
  const socket = await connect(url, opts);
  const states: TimerState[] = [];
  socket.on(TIMER_EVENT, (state: TimerState) => states.push(state));
  const watch = async () => {
    const ack = (await socket.emitWithAck(TIMER_WATCH_EVENT, name)) as TimerWatchAck;
    if ('status' in ack) states.push(ack);
    return ack;
  };
  const ack = await watch();
  return { socket, states, ack, watch, last: () => states.at(-1) };
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

describe('timers across nodes (CLI nodes on Redis)', () => {
  let cluster: RunningCluster;
  const sockets: Socket[] = [];
  before(async () => {
    cluster = await startCluster({ nodes: 2, persist: true });
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await cluster.close();
  });

  test('a change made on node A reaches watchers on node B; a late joiner gets the current state', async () => {
    const [a, b] = cluster.nodes;
    const onB = await watcher(b.url, 'fanout');
    sockets.push(onB.socket);
    assert.equal((onB.ack as TimerState).status, 'idle');
    const started = await admin(a.url, 'PUT', 'fanout', { duration: 60_000 });
    assert.equal(started.status, 200);
    await waitFor(() => onB.last()?.version === started.body.version, 'the state on node B');
    assert.deepEqual(onB.last(), started.body);

    const late = await watcher(b.url, 'fanout');
    sockets.push(late.socket);
    assert.deepEqual(late.ack, started.body);
  });

  test('two concurrent extends through two nodes both count', async () => {
    const [a, b] = cluster.nodes;
    const started = await admin(a.url, 'PUT', 'extends', { duration: 60_000 });
    const rounds = 10;
    for (let i = 0; i < rounds; i++) {
      const answers = await Promise.all([
        admin(a.url, 'POST', 'extends/extend', { by: 1000 }),
        admin(b.url, 'POST', 'extends/extend', { by: 1000 }),
      ]);
      assert.deepEqual(
        answers.map((r) => r.status),
        [200, 200],
      );
    }
    const now = await admin(b.url, 'GET', 'extends');
    assert.equal(now.body.endsAt, started.body.endsAt! + 2 * rounds * 1000);
  });

  test('Redis restarted mid-run with persistence: not ready and redis_up 0 meanwhile, then every node resyncs and nothing is lost', async () => {
    const [a, b] = cluster.nodes;
    const running = await admin(a.url, 'PUT', 'persisted', { duration: 120_000 });
    await admin(a.url, 'PUT', 'paused', { duration: 120_000 });
    const paused = await admin(b.url, 'POST', 'paused/pause');
    const watchers = await Promise.all([watcher(a.url, 'persisted'), watcher(b.url, 'paused')]);
    sockets.push(...watchers.map((w) => w.socket));

    await cluster.redis.stop();
    for (const node of [a, b]) {
      await waitForAsync(async () => (await fetch(`${node.url}/ready`)).status === 503, 'not ready');
      assert.equal((await fetch(`${node.url}/ready`)).status, 503);
      assert.equal(await metric(node.url, 'server_clock_redis_up'), 0);
      assert.equal(await metric(node.url, 'server_clock_cluster_clock_measuring'), 0);
      // Still serving the time.
      const socket = await connect(node.url);
      assert.ok(isSyncReply(await socket.timeout(2000).emitWithAck(SYNC_EVENT)));
      const ack = (await socket.timeout(2000).emitWithAck(TIMER_WATCH_EVENT, 'persisted')) as TimerWatchAck;
      assert.equal('error' in ack && ack.error.code, 'unavailable');
      socket.close();
    }
    const before = watchers.map((w) => w.states.length);

    await cluster.redis.restart();
    for (const node of [a, b]) {
      await waitForAsync(async () => (await fetch(`${node.url}/ready`)).status === 200, 'ready again');
      assert.equal(await metric(node.url, 'server_clock_redis_up'), 1);
      await waitForAsync(
        async () => (await metric(node.url, 'server_clock_cluster_clock_measuring')) === 1,
        'measuring again',
      );
    }
    // Every node sent its watchers the state again, unchanged.
    await waitFor(() => watchers.every((w, i) => w.states.length > before[i]), 'the resync');
    assert.deepEqual(watchers[0].last(), running.body);
    assert.deepEqual(watchers[1].last(), paused.body);
    assert.deepEqual((await admin(b.url, 'GET', 'persisted')).body, running.body);
    assert.deepEqual((await admin(a.url, 'GET', 'paused')).body, paused.body);
  });

  test('a node killed with -9 behind HAProxy: its clients come back through the balancer and get the right state', async () => {
    const third = await cluster.addNode();
    const lb = await startHaproxy(cluster.nodes.map((n) => n.port));
    try {
      await admin(third.url, 'PUT', 'survivor', { duration: 120_000 });
      const clients = await Promise.all(
        Array.from({ length: 6 }, () =>
          watcher(lb.url, 'survivor', { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 500 }),
        ),
      );
      sockets.push(...clients.map((c) => c.socket));
      for (const client of clients) client.socket.io.on('reconnect', () => void client.watch());
      const onThird = await metric(third.url, 'server_clock_connected_clients');
      assert.ok(onThird >= 1, 'round robin put clients on the node to be killed');

      await stopServer(third, 'SIGKILL');
      cluster.nodes.pop();
      const changed = await admin(cluster.nodes[0].url, 'POST', 'survivor/extend', { by: 5000 });
      await waitFor(
        () => clients.every((c) => c.socket.connected && c.last()?.version === changed.body.version),
        'every client back with the new state',
      );
    } finally {
      await lb.close();
    }
  });
});

/** The offset of a node's served clock from this process' precise clock: NTP's bounds, intersected. */
async function offsetOf(socket: Socket) {
  let low = -Infinity;
  let high = Infinity;
  for (let i = 0; i < 16; i++) {
    const t0 = preciseNow();
    const { t1, t2 } = (await socket.emitWithAck(SYNC_EVENT)) as SyncReply;
    const t3 = preciseNow();
    low = Math.max(low, t2 - t3);
    high = Math.min(high, t1 - t0);
  }
  return { offset: (low + high) / 2, halfWidth: (high - low) / 2 };
}

function gauge(server: ClockServer, name: string): Promise<number> {
  return server.metrics.registry
    .getSingleMetric(name)!
    .get()
    .then((m) => m.values[0].value);
}

describe('one clock for the cluster (in-process nodes on Redis)', () => {
  let redis: RunningRedis;
  const servers: ClockServer[] = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await redis.close();
  });

  const node = async (offset: number) => {
    const started = await startClockServer({ redis: redis.url, clock: () => preciseNow() + offset });
    servers.push(started.server);
    return started;
  };

  test('a node whose clock is 250 ms off serves the same time and deadlines as the others, within their stated uncertainties', async () => {
    const right = await node(0);
    const off = await node(250);
    const offsetGauge = await gauge(off.server, 'server_clock_cluster_offset_seconds');
    assert.ok(Math.abs(offsetGauge * 1000 + 250) < 5, `corrected by ${offsetGauge * 1000} ms`);

    const [onRight, onOff] = await Promise.all([connect(right.url), connect(off.url)]);
    try {
      const [a, b] = [await offsetOf(onRight), await offsetOf(onOff)];
      const uncertainties = await Promise.all(
        [right, off].map((n) => gauge(n.server, 'server_clock_cluster_uncertainty_seconds')),
      );
      const bound = uncertainties[0] * 1000 + uncertainties[1] * 1000 + a.halfWidth + b.halfWidth;
      assert.ok(
        Math.abs(a.offset - b.offset) <= bound,
        `the nodes differ by ${(a.offset - b.offset).toFixed(3)} ms, more than ${bound.toFixed(3)} ms`,
      );

      // A duration becomes a deadline on the cluster clock, whichever node takes it.
      const viaOff = await off.server.timers.start('agreed', { duration: 10_000 });
      const viaRight = await right.server.timers.start('agreed-2', { duration: 10_000 });
      assert.ok(Math.abs(viaOff.endsAt! - viaRight.endsAt!) < 100, 'deadlines of the same duration agree');
    } finally {
      onRight.close();
      onOff.close();
    }
  });

  test("a client passed in stays the caller's: used, duplicated for subscriptions, never quit", async () => {
    const client = new Redis(redis.url);
    client.on('error', () => undefined);
    const { server } = await startClockServer({ redis: client });
    try {
      const state = await server.timers.start('passed-in', { duration: 60_000 });
      assert.equal((await client.hget('server-clock:timer:passed-in', 'version')) ?? '', String(state.version));
      await server.close();
      assert.equal(client.status, 'ready');
    } finally {
      await client.quit();
    }
  });

  test('ended and cancelled timers expire after the TTL; versions still grow', async () => {
    const { server } = await startClockServer({ redis: redis.url, timerTtl: 300 });
    servers.push(server);
    const started = await server.timers.start('expiring', { duration: 60_000 });
    const cancelled = await server.timers.cancel('expiring');
    assert.ok(cancelled.version > started.version);
    await new Promise((r) => setTimeout(r, 500));
    const gone = await server.timers.get('expiring');
    assert.equal(gone.status, 'idle');
    const again = await server.timers.start('expiring', { duration: 60_000 });
    assert.ok(again.version > cancelled.version);
  });

  test('end fires once per run across nodes', async () => {
    const nodes = await Promise.all([node(0), node(0), node(0)]);
    const ends: TimerEndEvent[] = [];
    // Every node on this Redis, those of the test before included, may win an end.
    for (const server of servers) server.timers.on('end', (event) => ends.push(event));
    for (let run = 0; run < 3; run++) {
      await nodes[run].server.timers.start('once', { duration: 200 });
      await waitFor(() => ends.length > run, `the end of run ${run}`);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(ends.length, run + 1);
    }
    assert.ok(ends.every((e) => e.lateness < 100));
  });
});
