// The SDK's drift estimate against real demo servers on loopback, with a local clock (the `clock`
// option) that runs fast or slow by a known rate: every reading within the stated uncertainty,
// the drift found; also against a node whose cluster correction slews, and the schedule's load
// against the server's rate limit.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { connectClock, type ServerClock, type SyncDetail } from './index.js';
import { createClusterClock, timeReplyMs } from '../demo-server/cluster-clock.js';
import { createLogger } from '../demo-server/logger.js';
import { createMemoryStore } from '../demo-server/timers/memory-store.js';
import { startClockServer } from '../test/node-clients.js';
import { startRedis } from '../test/redis.mjs';
import { waitFor } from '../test/waiting.js';
import { median } from '../test/samples.js';

const PPM = 1e-6;
// The monotonic clock of this process. The servers here serve it (plus an offset) rather than
// preciseNow(), which re-anchors to the wall clock now and then: a step no client can foresee.
const mono = () => performance.timeOrigin + performance.now();

/** A local clock running `ppm` fast (negative: slow) against this process's monotonic clock. */
function runningAt(ppm: number): () => number {
  const start = mono();
  return () => start + (mono() - start) * (1 + ppm * PPM);
}

/** The drift a clock running `ppm` fast should find, in ppm: the server's clock runs that much slower. */
const expectedDrift = (ppm: number) => (1 / (1 + ppm * PPM) - 1) / PPM;

/** The clock's latest sync event's detail, kept up to date. */
function latestSync(clock: ServerClock): { detail?: SyncDetail } {
  const latest: { detail?: SyncDetail } = {};
  clock.addEventListener('sync', (event) => (latest.detail = event.detail));
  return latest;
}

interface Reading {
  /** When it was read, on this process's monotonic clock. */
  at: number;
  error: number;
  uncertainty: number;
  measured: boolean;
  /** Ms since the clock's last sync event. */
  sinceSync: number;
  /** The clock's latest sync event then: shown when a reading is outside. */
  state: SyncDetail;
}

/** Readings every ~50 ms for `ms`: the clock's now() against `truth()`, and its uncertainty. */
async function readFor(clock: ServerClock, truth: () => number, ms: number): Promise<Reading[]> {
  const latest = latestSync(clock);
  let lastSync = 0;
  clock.addEventListener('sync', () => (lastSync = mono()));
  const readings: Reading[] = [];
  for (const end = mono() + ms; mono() < end;) {
    await new Promise((r) => setTimeout(r, 25 + 50 * Math.random()));
    if (!clock.synced || !latest.detail) continue;
    // The truth read before and after: the process may be preempted between any two reads.
    const before = truth();
    const shown = clock.now();
    const after = truth();
    readings.push({
      at: mono(),
      error: shown - (before + after) / 2,
      uncertainty: clock.uncertainty + (after - before) / 2,
      measured: latest.detail.driftUncertainty < 100,
      sinceSync: mono() - lastSync,
      state: latest.detail,
    });
  }
  return readings;
}

function assertWithin(t: TestContext, readings: Reading[], what: string): void {
  assert.ok(readings.length > 100, `${what}: ${readings.length} readings`);
  const worst = Math.max(...readings.map((r) => Math.abs(r.error) / r.uncertainty));
  const middle = median(readings.map((r) => Math.abs(r.error)));
  t.diagnostic(
    `${what}: ${readings.length} readings, median |error| ${middle.toFixed(3)} ms, at most ${(100 * worst).toFixed(0)} % of the uncertainty`,
  );
  const outside = readings.filter((r) => Math.abs(r.error) > r.uncertainty);
  assert.equal(
    outside.length,
    0,
    `${what}: ${outside.length} of ${readings.length} outside, e.g. ${JSON.stringify(outside.slice(0, 3))}, first reading at ${readings[0]?.at}`,
  );
}

test('a local clock running fast or slow: every reading within the uncertainty, and the drift found', async (t) => {
  const offset = 3_723_456.5;
  const serverNow = () => mono() + offset;
  const { server, url } = await startClockServer({ clock: serverNow });
  t.after(() => server.close());
  // Each on a connection of its own (a query string makes another URL). ±500 ppm is five times
  // the bound any two quartz clocks keep: until the fit measures it, the bound is assumed.
  const rates = [500, -500, 60];
  const clocks = rates.map((ppm, i) => connectClock(`${url}/?clock=${i}`, { clock: runningAt(ppm) }));
  t.after(() => clocks.forEach((clock) => clock.close()));
  const runs = await Promise.all(clocks.map((clock) => readFor(clock, serverNow, 40_000)));
  for (const [i, ppm] of rates.entries()) {
    const readings = Math.abs(ppm) > 100 ? runs[i].filter((r) => r.measured) : runs[i];
    assertWithin(t, readings, `${ppm} ppm`);
    const { state } = runs[i][runs[i].length - 1];
    t.diagnostic(`${ppm} ppm: drift ${state.drift.toFixed(1)} ± ${state.driftUncertainty.toFixed(1)} ppm at the end`);
    // The drift as the clock stated it at each reading: within its uncertainty of the truth, and
    // measured for most of the last third of the run.
    const measured = readings.filter((r) => r.measured);
    for (const { state } of measured)
      assert.ok(
        Math.abs(state.drift - expectedDrift(ppm)) <= state.driftUncertainty,
        `${ppm} ppm: drift ${state.drift} ± ${state.driftUncertainty}, expected ${expectedDrift(ppm)}`,
      );
    const last = runs[i].slice(-Math.floor(runs[i].length / 3));
    assert.ok(last.filter((r) => r.measured).length > 0.8 * last.length, `${ppm} ppm: drift measured`);
  }
  // At 500 ppm a reading 10 s after a sync is 5 ms off without the drift: with it, far less.
  const late = runs[0].filter((r) => r.measured && r.sinceSync > 5000);
  assert.ok(late.length > 10, `${late.length} readings 5 s or more after a sync`);
  for (const r of late)
    assert.ok(Math.abs(r.error) < 250 * PPM * r.sinceSync, `error ${r.error} ${r.sinceSync} ms after a sync`);
});

test('a local clock that reads in whole milliseconds (Firefox, Safari): every reading within the uncertainty over loopback', async (t) => {
  const offset = 3_723_456.5;
  const serverNow = () => mono() + offset;
  const { server, url } = await startClockServer({ clock: serverNow });
  t.after(() => server.close());
  // As Playwright's page clock reads: the time rounded up to a whole ms. A loopback round trip is
  // shorter than that, so an exchange may read as taking no time, or less than none.
  const coarse = () => Math.ceil(mono());
  const clock = connectClock(url, { clock: coarse });
  t.after(() => clock.close());
  const readings = await readFor(clock, serverNow, 20_000);
  assertWithin(t, readings, 'a 1 ms clock');
  // Widened by the resolution, no exchange takes less than no time, and none is taken for drift.
  assert.ok(clock.rtt >= 0, `rtt ${clock.rtt}`);
  const { state } = readings[readings.length - 1];
  assert.ok(
    Math.abs(state.drift) <= state.driftUncertainty + 1,
    `drift ${state.drift} ± ${state.driftUncertainty} ppm`,
  );
});

test('a node whose cluster correction slews: the fit holds, every reading within the uncertainties', async (t) => {
  const redis = await startRedis();
  t.after(() => redis.close());
  const client = new Redis(redis.url);
  client.on('error', () => undefined);
  t.after(() => client.quit());
  // Redis' TIME is the cluster's reference: on this machine, the system clock. Its place on this
  // process's monotonic clock, from the fastest of a few round trips.
  let reference = { offset: 0, rtt: Infinity };
  for (let i = 0; i < 20; i++) {
    const t0 = mono();
    const time = timeReplyMs(await client.time());
    const t3 = mono();
    if (t3 - t0 < reference.rtt) reference = { offset: time - (t0 + t3) / 2, rtt: t3 - t0 };
  }
  const redisNow = () => mono() + reference.offset;
  // The node's own clock is 40 ms off, runs 20 ppm fast, and is stepped 60 ms back after 8 s (its
  // time service set it). Its correction onto Redis, measured every 5 s here (15 s in the
  // server), slews each change at 5 %: 60 ms takes 1.2 s.
  const start = mono();
  let step = 0;
  const nodeClock = () => redisNow() + 40 + step + (mono() - start) * 20 * PPM;
  const cluster = createClusterClock({
    redis: client,
    clock: nodeClock,
    logger: createLogger('silent'),
    registry: new Registry(),
  });
  assert.equal(await cluster.start(), true);
  t.after(() => cluster.close());
  const measuring = setInterval(() => void cluster.measure(), 5000);
  t.after(() => clearInterval(measuring));
  // The node serves the cluster clock (a store with a clock of its own, as the Redis store is).
  const { server, url } = await startClockServer({
    clock: nodeClock,
    timerStore: (options) => ({ ...createMemoryStore(options), clock: () => cluster.now() }),
  });
  t.after(() => server.close());
  // What the node states, followed through the run: how far it may be off Redis.
  const stated: { at: number; uncertainty: number }[] = [];
  const following = setInterval(() => stated.push({ at: mono(), uncertainty: cluster.uncertainty() }), 10);
  t.after(() => clearInterval(following));

  // Within the 100 ppm bound, as a quartz clock is. (Beyond it, as at −300 ppm, a resync that falls
  // inside the slew leaves samples 60 ms off among those kept, the fit over all of them finds no
  // drift, and the newest alone cannot span enough time before they set each other aside: the
  // drift stays unknown until the slewed samples leave the window. Left: one run in 15 here.)
  const ppm = -80;
  const clock = connectClock(url, { clock: runningAt(ppm) });
  t.after(() => clock.close());
  // From the step until the clock syncs after the slew, no client can know where the node is.
  const blind = { from: Infinity, to: Infinity };
  setTimeout(() => {
    step = -60;
    blind.from = mono();
    void cluster.measure().then(() => {
      const slewed = mono() + 60 / 0.05;
      clock.addEventListener('sync', () => {
        if (mono() > slewed) blind.to = Math.min(blind.to, mono());
      });
    });
  }, 8000);
  const readings = await readFor(clock, redisNow, 40_000);
  assert.ok(blind.to < Infinity, 'synced after the slew');
  const seeing = (at: number) => at < blind.from || at > blind.to;
  const nodeUncertainty = Math.max(...stated.filter((s) => seeing(s.at)).map((s) => s.uncertainty));
  const sound = readings.filter((r) => r.measured && seeing(r.at));
  // How the run went, told before the checks: when the resyncs fell decides how many readings count.
  const seconds = (at: number) => ((at - start) / 1000).toFixed(1);
  const { state } = readings[readings.length - 1];
  t.diagnostic(
    `${readings.length} readings, ${sound.length} with the drift measured and not blind; blind ${seconds(blind.from)}–${seconds(blind.to)} s; node uncertainty at most ${nodeUncertainty.toFixed(3)} ms (but while blind); drift at the end ${state.drift.toFixed(1)} ± ${state.driftUncertainty.toFixed(1)} ppm, expected ${expectedDrift(ppm).toFixed(1)}`,
  );
  // Two clocks on two nodes agree within their uncertainties and the nodes' (PROTOCOL.md): here,
  // one clock against the reference itself.
  assertWithin(
    t,
    sound.map((r) => ({ ...r, uncertainty: r.uncertainty + nodeUncertainty })),
    'against Redis',
  );
  // The node's corrections keep its clock on Redis' rate, give or take its own 20 ppm between
  // them: the drift found, before the step and again after the slew.
  for (const { state } of sound)
    assert.ok(
      Math.abs(state.drift - expectedDrift(ppm)) <= state.driftUncertainty + 20,
      `drift ${state.drift} ± ${state.driftUncertainty}, expected ${expectedDrift(ppm)}`,
    );
  // A resync during the slew sees the node elsewhere, and the next one back: each time the older
  // samples are set aside and the resyncs start over, so that the drift is soon measured again.
  const afterSlew = readings.filter((r) => r.at > blind.to);
  const measuredAgain = afterSlew.filter((r) => r.measured);
  assert.ok(measuredAgain.length > 50, `${measuredAgain.length} readings after the slew with the drift measured`);
  assert.ok(
    measuredAgain.length > 0.5 * afterSlew.length,
    `the drift measured again: ${measuredAgain.length} of ${afterSlew.length} readings after the slew`,
  );
});

test('a server clock stepped: the samples before it set aside, and the resyncs start over from a second', async (t) => {
  let step = 0;
  const serverNow = () => mono() + 1_000 + step;
  const { server, url } = await startClockServer({ clock: serverNow });
  t.after(() => server.close());
  const clock = connectClock(url);
  t.after(() => clock.close());
  const syncs: { at: number; detail: SyncDetail }[] = [];
  clock.addEventListener('sync', (event) => syncs.push({ at: mono(), detail: event.detail }));
  // Resyncs 1, 2, then 4 s apart (±25 %): once two are 3 s apart or more, the next is about 8 s on.
  const gap = (i: number) => syncs[i].at - syncs[i - 1].at;
  await waitFor(() => syncs.length > 3 && gap(syncs.length - 1) >= 3000, 'the resyncs backed off to 4 s', 20_000);
  const before = syncs.length;
  const heldBefore = syncs[before - 1].detail.samples;
  step = 50;
  await waitFor(() => syncs.length >= before + 2, 'two resyncs after the step', 30_000);
  const [seen, next] = syncs.slice(before);
  // The resync that saw the step rests on its own exchanges alone, and its estimate has the step.
  assert.ok(seen.detail.samples < heldBefore, `${seen.detail.samples} samples, ${heldBefore} before the step`);
  assert.ok(Math.abs(seen.detail.offset - 1_050) <= seen.detail.uncertainty + 1, `offset ${seen.detail.offset}`);
  // The back-off starts over: the next a second on (±25 %), not 16 s.
  const delay = next.at - seen.at;
  assert.ok(delay < 2000, `the next resync ${delay.toFixed(0)} ms after the one that saw the step`);
  assert.ok(next.detail.samples > seen.detail.samples, 'its samples kept');
});

test('the schedule stays within the rate limit: two clocks on a socket, each restarting bursts all the time', async (t) => {
  const { server, url } = await startClockServer();
  t.after(() => server.close());
  // A local clock that leaps a second and a half against the wall clock every 300 ms: each time
  // the loop looks, it sees a jump and starts a full burst (as on every page shown again).
  const leaping = () => mono() + 1500 * Math.floor(performance.now() / 300);
  const clocks = [0, 1].map(() => connectClock(url, { clock: leaping, timeout: 500 }));
  t.after(() => clocks.forEach((clock) => clock.close()));
  await waitFor(() => clocks.every((clock) => clock.synced), 'both clocks synced');
  const started = mono();
  await new Promise((r) => setTimeout(r, 15_000));
  const elapsed = (mono() - started) / 1000;
  const value = async (metric: { get(): Promise<{ values: { value: number }[] }> }) =>
    (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
  const requests = await value(server.metrics.syncRequests);
  assert.equal(await value(server.metrics.rateLimited), 0, `no request over the limit, of ${requests}`);
  // Each clock sent at most its budget: 10 at once, 2.5 a second since.
  assert.ok(requests <= 2 * (10 + 2.5 * (elapsed + 2)), `${requests} requests in ${elapsed.toFixed(1)} s`);
  assert.ok(requests > 2 * 2.5 * elapsed * 0.5, `the budget is used: ${requests} requests`);
});
