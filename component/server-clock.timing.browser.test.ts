// <server-clock>'s timing on a page clock that the test moves by the millisecond (Playwright's
// page.clock: Chromium here; elsewhere these tests skip). The text changes at the server's second
// boundary, at the minute with minute precision, and a countdown shows the time left rounded up
// and ends exactly once.
//
// The clock's estimate must stand still while the page's time moves: a live server would resync,
// and its real time would fight the page's paused one. So each test syncs to a server of its own
// that then goes away, and the element runs on its last estimate, as it does while reconnecting.
// server-clock.browser.test.ts has the same behaviour against live servers, in real time.
import { expect } from '@esm-bundle/chai';
import './define.js';
import type { EndDetail, ServerClockElement } from './server-clock.js';
import { formatter } from './format.js';
import { openConnections } from '../sdk/connection.js';
import {
  firstBurst,
  installPageClock,
  killServer,
  pausePageClock,
  resumePageClock,
  runPageClock,
  spawnServer,
  waitFor,
  type SpawnedServer,
} from '../test/helpers.js';

const mounted: HTMLElement[] = [];
const servers: SpawnedServer[] = [];

before(async function () {
  if (!(await installPageClock())) {
    console.info('skipped: this browser has no clock the test runner can set (Playwright page.clock)');
    this.skip();
  }
});

afterEach(async () => {
  await resumePageClock();
  for (const el of mounted.splice(0)) el.remove();
  for (const server of servers.splice(0)) await killServer(server);
  await waitFor(() => openConnections() === 0, 'every connection closed');
});

const EN_GB_UTC = { 'time-zone': 'UTC', 'hour-cycle': 'h23', locale: 'en-GB' };

/**
 * An element synced to a server of its own, which is then gone: its estimate stands still. The
 * page clock is paused on return, so the element's time moves only by runPageClock().
 */
async function frozenClock(attributes: Record<string, string>): Promise<ServerClockElement> {
  const server = await spawnServer('demo');
  servers.push(server);
  const el = document.createElement('server-clock');
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  el.url = server.url;
  const burst = firstBurst(el, 'server-clock-sync');
  document.body.append(el);
  mounted.push(el);
  await burst;
  await killServer(server);
  await waitFor(() => el.state === 'reconnecting', 'state reconnecting');
  await pausePageClock();
  // Any correction of the last samples still being slewed is done: the SDK slews at most 250 ms,
  // at 5% of the time passing (sdk/slew.ts). Until then the shown time runs a little fast or slow.
  await runPageClock(5000);
  return el;
}

const timeOf = (el: ServerClockElement) => el.shadowRoot!.querySelector('time')!;
const shown = (el: ServerClockElement) => ({
  text: timeOf(el).textContent,
  datetime: timeOf(el).getAttribute('datetime'),
});

/** Runs the page clock to the last millisecond before the server's `instant` (epoch ms). */
async function runToJustBefore(el: ServerClockElement, instant: number): Promise<void> {
  await runPageClock(Math.ceil(instant - el.now()) - 1);
  expect(el.now(), 'just before')
    .to.be.below(instant)
    .and.at.least(instant - 1);
}

/** Runs the page clock 1 ms on, from just before `instant` to just after it. */
async function runAcross(el: ServerClockElement, instant: number): Promise<void> {
  await runPageClock(1);
  expect(el.now() - instant, 'ms past the instant')
    .to.be.at.least(0)
    .and.below(1);
}

describe('<server-clock> on a controlled clock', () => {
  it("changes the text exactly at the server's second boundary", async () => {
    const el = await frozenClock(EN_GB_UTC);
    const format = (instant: number) =>
      formatter({ format: 'time', precision: 'second', timeZone: 'UTC', locale: 'en-GB', hourCycle: 'h23' }).format(
        instant,
      );
    for (let i = 0; i < 3; i++) {
      const boundary = Math.floor(el.now() / 1000) * 1000 + 1000;
      await runToJustBefore(el, boundary);
      expect(shown(el), 'the second before').to.deep.equal({
        text: format(boundary - 1000),
        datetime: new Date(boundary - 1000).toISOString(),
      });
      await runAcross(el, boundary);
      expect(shown(el), 'the new second').to.deep.equal({
        text: format(boundary),
        datetime: new Date(boundary).toISOString(),
      });
    }
  });

  it('with minute precision, changes the text at the minute and not before', async () => {
    const el = await frozenClock({ ...EN_GB_UTC, precision: 'minute' });
    const boundary = Math.floor(el.now() / 60_000) * 60_000 + 60_000;
    const before = shown(el);
    expect(before.datetime, 'floored to the minute').to.equal(new Date(boundary - 60_000).toISOString());
    // Chromium leaves en-GB's hour unpadded (0:38:35 after midnight), Firefox pads it.
    expect(before.text).to.match(/^\d{1,2}:\d{2}$/);
    // Up to a minute of page time, the shared timer firing every second of it.
    await runToJustBefore(el, boundary);
    expect(shown(el), 'the same minute to its last millisecond').to.deep.equal(before);
    await runAcross(el, boundary);
    expect(shown(el).datetime).to.equal(new Date(boundary).toISOString());
    expect(shown(el).text).to.equal(
      formatter({ format: 'time', precision: 'minute', timeZone: 'UTC', locale: 'en-GB', hourCycle: 'h23' }).format(
        boundary,
      ),
    );
  });

  it('counts down in whole seconds rounded up, and fires server-clock-end once, at zero', async () => {
    const el = await frozenClock(EN_GB_UTC);
    const ends: EndDetail[] = [];
    el.addEventListener('server-clock-end', (e) => ends.push(e.detail));
    // Half a second off the second boundary, on purpose: the text must round the time left up.
    const until = Math.floor(el.now() / 1000) * 1000 + 3500;
    el.until = new Date(until).toISOString();
    await el.updateComplete;
    expect(el.getAttribute('aria-label')).to.equal('Countdown');
    const first = Math.ceil((until - el.now()) / 1000);
    expect(first).to.be.within(3, 4);
    expect(shown(el)).to.deep.equal({ text: `00:0${first}`, datetime: `PT${first}S` });
    for (let left = first; left > 0; left--) {
      // `left` seconds show until exactly `left - 1` seconds are left.
      const boundary = until - (left - 1) * 1000;
      await runToJustBefore(el, boundary);
      expect(shown(el).text, `${left} s left, rounded up`).to.equal(`00:0${left}`);
      expect(ends, 'not ended yet').to.deep.equal([]);
      await runAcross(el, boundary);
      expect(shown(el)).to.deep.equal({ text: `00:0${left - 1}`, datetime: `PT${left - 1}S` });
    }
    expect(ends, 'ended at zero, with the end in detail').to.deep.equal([{ until }]);
    await runPageClock(5000);
    expect(ends, 'once').to.have.length(1);
    expect(shown(el)).to.deep.equal({ text: '00:00', datetime: 'PT0S' });
  });

  it('countdown-style relative: the largest whole unit, changing exactly at its boundary; "now" at the end', async () => {
    const el = await frozenClock({ ...EN_GB_UTC, locale: 'en', 'countdown-style': 'relative' });
    const ends: EndDetail[] = [];
    el.addEventListener('server-clock-end', (e) => ends.push(e.detail));
    // Two minutes and up to a second: 120 or 121 s left (rounded up), two whole minutes (rounded down).
    const until = Math.floor(el.now() / 1000) * 1000 + 120_500;
    el.until = new Date(until).toISOString();
    await el.updateComplete;
    expect(shown(el).text).to.equal('in 2 minutes');
    expect(shown(el).datetime).to.be.oneOf(['PT120S', 'PT121S']);
    // Each text until the instant the time left (rounded up) drops below its unit.
    const steps = [
      { at: until - 119_000, before: 'in 2 minutes', after: 'in 1 minute' },
      { at: until - 59_000, before: 'in 1 minute', after: 'in 59 seconds' },
      { at: until, before: 'in 1 second', after: 'now' },
    ];
    for (const { at, before, after } of steps) {
      await runToJustBefore(el, at);
      expect(shown(el).text, `just before ${after}`).to.equal(before);
      await runAcross(el, at);
      expect(shown(el).text).to.equal(after);
    }
    expect(ends).to.deep.equal([{ until }]);
    await runPageClock(5000);
    expect(shown(el), 'after the end').to.deep.equal({ text: 'now', datetime: 'PT0S' });
  });

  it('with minute precision, counts down in whole minutes rounded up', async () => {
    const el = await frozenClock({ ...EN_GB_UTC, precision: 'minute' });
    const ends: EndDetail[] = [];
    el.addEventListener('server-clock-end', (e) => ends.push(e.detail));
    const until = Math.floor(el.now() / 1000) * 1000 + 90_000;
    el.until = new Date(until).toISOString();
    await el.updateComplete;
    expect(shown(el), 'a minute and a half: two minutes').to.deep.equal({ text: '00:02', datetime: 'PT120S' });
    await runToJustBefore(el, until - 60_000);
    expect(shown(el).text).to.equal('00:02');
    await runAcross(el, until - 60_000);
    expect(shown(el)).to.deep.equal({ text: '00:01', datetime: 'PT60S' });
    await runToJustBefore(el, until);
    expect([shown(el).text, ends.length]).to.deep.equal(['00:01', 0]);
    await runAcross(el, until);
    expect(shown(el)).to.deep.equal({ text: '00:00', datetime: 'PT0S' });
    expect(ends).to.deep.equal([{ until }]);
  });
});
