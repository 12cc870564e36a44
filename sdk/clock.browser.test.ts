// The SDK in real browsers against real servers: a visitor's wrong wall clock, and a server
// that only pushes the time as a string (the classic socket.io example).
import { expect } from '@esm-bundle/chai';
import { connectClock, type ServerClock, type SyncDetail } from './index.js';
import {
  firstBurst,
  killServer,
  nextEvent,
  restartServer,
  serverMachineNow,
  skewPageClock,
  spawnServer,
  waitFor,
  type SpawnedServer,
} from '../test/helpers.js';

const HOUR = 3_600_000;

/** The first sync event that `accept` accepts. */
function syncEvent(clock: ServerClock, accept: (detail: SyncDetail) => boolean, timeout = 15_000) {
  return nextEvent<CustomEvent<SyncDetail>>(clock, 'sync', timeout, (e) => accept(e.detail));
}

/**
 * Checks now() against the server machine's clock, read between two readings of now(): the truth
 * must lie between them, give or take the clock's uncertainty and `slack`: the reference's own
 * coarseness (Date.now() is whole milliseconds, and the demo server's precise clock may stray up
 * to 1.5 ms from it before re-anchoring). Returns the error at the middle.
 */
async function expectServerTime(clock: ServerClock, slack: number): Promise<number> {
  const before = clock.now();
  const truth = await serverMachineNow();
  const after = clock.now();
  const margin = clock.uncertainty + slack;
  expect(truth, `server time, with now() at ${before}…${after} ± ${margin}`).to.be.within(
    before - margin,
    after + margin,
  );
  return (before + after) / 2 - truth;
}

describe('ServerClock in the browser', () => {
  const servers: SpawnedServer[] = [];
  const clocks: ServerClock[] = [];
  afterEach(async () => {
    for (const clock of clocks.splice(0)) clock.close();
    await Promise.all(servers.splice(0).map(killServer));
  });

  it('a push-only server (toTimeString() every 5 s): connected, within a second of the truth', async () => {
    const server = await spawnServer('classic');
    servers.push(server);
    const clock = connectClock(server.url, { event: 'time', timeout: 1000 });
    clocks.push(clock);
    const { detail } = await syncEvent(clock, (d) => d.mode === 'push');
    expect(clock.state).to.equal('connected');
    expect(clock.mode).to.equal('push');
    // Whole seconds: the truth is anywhere in a second, and the uncertainty says so.
    expect(detail.uncertainty).to.be.within(500, 600);
    // Loopback adds a few ms that a push cannot measure.
    const error = await expectServerTime(clock, 50);
    expect(Math.abs(error)).to.be.below(1000);
  });

  it('a server killed and restarted: disconnect with its reason, reconnect, the server time again', async () => {
    const server = await spawnServer('demo');
    servers.push(server);
    const clock = connectClock(server.url, { reconnectDelay: 100, reconnectDelayMax: 400 });
    clocks.push(clock);
    await firstBurst(clock, 'sync');

    const disconnected = nextEvent<CustomEvent<{ reason: string }>>(clock, 'disconnect');
    await killServer(server);
    // Chromium sees the connection closed, Firefox sees it fail: either way the transport is gone.
    expect((await disconnected).detail.reason).to.be.oneOf(['transport close', 'transport error']);
    await waitFor(() => clock.state === 'reconnecting', 'state reconnecting');
    await nextEvent(clock, 'reconnect_attempt');

    const reconnected = nextEvent<CustomEvent<{ attempts: number }>>(clock, 'reconnect');
    const resynced = syncEvent(clock, (d) => d.mode === 'sync');
    await restartServer(server);
    expect((await reconnected).detail.attempts).to.be.at.least(1);
    await resynced;
    expect(clock.state).to.equal('connected');
    await expectServerTime(clock, 3);

    const states: string[] = [];
    clock.addEventListener('statechange', (e) => states.push(e.detail.state));
    clock.close();
    expect(states).to.deep.equal(['disconnected']);
    expect(Number.isNaN(clock.now()), 'now() is NaN after close()').to.equal(true);
  });

  it('retries at once when the browser comes back online, not after the drawn delay', async () => {
    const server = await spawnServer('demo');
    servers.push(server);
    // Up to ten minutes between attempts: only the online event can bring one within seconds.
    const clock = connectClock(server.url, { reconnectDelay: 600_000, reconnectDelayMax: 600_000 });
    clocks.push(clock);
    await syncEvent(clock, (d) => d.mode === 'sync');
    await killServer(server);
    await waitFor(() => clock.state === 'reconnecting', 'state reconnecting');
    const attempt = nextEvent<CustomEvent<{ attempt: number }>>(clock, 'reconnect_attempt', 3000);
    window.dispatchEvent(new Event('online'));
    expect((await attempt).detail.attempt).to.equal(1);
  });

  it('resyncs at once when the page becomes visible again', async () => {
    const server = await spawnServer('demo');
    servers.push(server);
    const clock = connectClock(server.url);
    clocks.push(clock);
    await firstBurst(clock, 'sync');
    // Right after the first burst the next scheduled one is a second away.
    const samples: number[] = [];
    clock.addEventListener('sync', () => samples.push(performance.now()));
    const shown = performance.now();
    // What the browser fires when a hidden tab is shown again (document.visibilityState is 'visible').
    document.dispatchEvent(new Event('visibilitychange'));
    await waitFor(() => samples.length > 0, 'a sample', 5000);
    expect(samples[0] - shown, 'well before the scheduled resync').to.be.below(500);
  });

  // Playwright's clock fakes Date and performance.timeOrigin (performance.now() keeps running
  // from the install): the monotonic base is wrong by the skew from the start, as it is in a
  // browser whose system clock is wrong, and later wall clock changes leave it alone, as a real
  // browser's do. So it must be set before the clock connects; it stays for the rest of the page.
  it('the page wall clock hours wrong, then changed mid-session: the server time all along (Chromium: page.clock)', async function () {
    const server = await spawnServer('demo');
    servers.push(server);
    if (!(await skewPageClock(3 * HOUR + 1234.5))) {
      console.info('skipped: this browser has no clock the test runner can set (Playwright page.clock)');
      this.skip();
    }
    const machine = await serverMachineNow();
    expect(Date.now() - machine, 'Date is 3 h ahead').to.be.within(3 * HOUR, 3 * HOUR + 5000);
    expect(performance.timeOrigin + performance.now() - machine, 'and so is the time origin').to.be.within(
      3 * HOUR,
      3 * HOUR + 5000,
    );

    const clock = connectClock(server.url);
    clocks.push(clock);
    await firstBurst(clock, 'sync');
    expect(clock.offset, 'the offset undoes the skew').to.be.within(-3 * HOUR - 5000, -3 * HOUR);
    await expectServerTime(clock, 3);

    // Watch the shown time while the wall clock is set 8 hours back.
    const shown: number[] = [];
    const watch = setInterval(() => shown.push(clock.now()), 5);
    const offset = clock.offset;
    // New samples after the change (the SDK resyncs on the jump, which it sees on the next push).
    const resynced = syncEvent(clock, (d) => d.mode === 'sync', 5000);
    await skewPageClock(-5 * HOUR);
    expect(Date.now() - (await serverMachineNow()), 'Date is 5 h behind').to.be.within(
      -5 * HOUR - 5000,
      -5 * HOUR + 5000,
    );
    await resynced;
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(watch);

    expect(Math.abs(clock.offset - offset), 'the offset stays').to.be.below(5);
    await expectServerTime(clock, 3);
    expect(shown.length).to.be.above(10);
    shown.forEach((t, i) => i > 0 && expect(t, 'never backwards').to.be.at.least(shown[i - 1]));
  });
});
