// <server-clock timer="…"> in real browsers against a real demo server of the test's own, driven
// through its admin API (the runner holds the token: test/demo-server-plugin.mjs). Then
// countdown-style: a countdown's text in each style and locale, read off a paused timer, whose
// time left stands still in every browser; the end, off an `until` already past; and the
// fallback for Intl.DurationFormat, by taking it away.
import { expect } from '@esm-bundle/chai';
import './define.js';
import type { EndDetail, ServerClockElement, TimerState } from './server-clock.js';
import { formatCountdown, type CountdownStyle } from './format.js';
import { openConnections } from '../sdk/connection.js';
import { isTimerState } from '../sdk/protocol.js';
import {
  adminRequest,
  closeCluster,
  clusterAdminRequest,
  killServer,
  nextEvent,
  spawnAdminServer,
  spawnCluster,
  spawnServer,
  waitFor,
  type SpawnedServer,
} from '../test/helpers.js';

let server: SpawnedServer;
const mounted: HTMLElement[] = [];
// Each test its own timer names: states of earlier tests stay on the server.
let names = 0;
const freshName = () => `t${Date.now().toString(36)}-${names++}`;

before(async () => {
  server = await spawnAdminServer();
});

after(async () => {
  await killServer(server);
});

afterEach(async () => {
  for (const el of mounted.splice(0)) el.remove();
  await waitFor(() => openConnections() === 0, 'every connection closed');
});

function mount(attributes: Record<string, string>): ServerClockElement {
  const el = document.createElement('server-clock');
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  document.body.append(el);
  mounted.push(el);
  return el;
}

/** An admin call that must succeed: the timer's new state. */
async function admin(method: 'PUT' | 'POST' | 'DELETE', path: string, body?: object): Promise<TimerState> {
  const answer = await adminRequest(server, method, path, body);
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).to.equal(200);
  if (!isTimerState(answer.body)) throw new Error(`${method} ${path}: not a timer state`);
  return answer.body;
}

const textOf = (el: ServerClockElement) => el.shadowRoot!.querySelector('time')!.textContent;
const statusOf = (el: ServerClockElement, status: string) =>
  waitFor(() => el.getAttribute('timer-status') === status, `timer-status ${status}`);

describe('<server-clock timer>', () => {
  it('counts the server timer down, reflects timer-status and fires server-clock-timer with the state', async () => {
    const name = freshName();
    await admin('PUT', `/timers/${name}`, { duration: 60_000 });
    const el = mount({ url: server.url, timer: name });
    const { detail } = await nextEvent<CustomEvent<TimerState>>(el, 'server-clock-timer');
    expect(detail.name).to.equal(name);
    expect(detail.status).to.equal('running');
    expect(el.timerStatus).to.equal('running');
    await statusOf(el, 'running');
    expect(el.getAttribute('aria-label')).to.equal('Countdown');
    await waitFor(() => /^00:(59|60)$/.test(textOf(el)), 'a minute left, counting down');
    await waitFor(() => textOf(el) === '00:58', 'the next second down', 5000);
  });

  it('a pause freezes the time left; a resume counts on', async () => {
    const name = freshName();
    await admin('PUT', `/timers/${name}`, { duration: 30_000 });
    const el = mount({ url: server.url, timer: name });
    await statusOf(el, 'running');
    const paused = await admin('POST', `/timers/${name}/pause`);
    await statusOf(el, 'paused');
    const frozen = textOf(el);
    expect(frozen).to.equal(`00:${String(Math.ceil(paused.remaining! / 1000)).padStart(2, '0')}`);
    await new Promise((r) => setTimeout(r, 2200));
    expect(textOf(el), 'still frozen').to.equal(frozen);
    await admin('POST', `/timers/${name}/resume`);
    await statusOf(el, 'running');
    await waitFor(() => textOf(el) !== frozen, 'counting again', 3000);
  });

  it('ends at zero and fires server-clock-end once per run, with detail.timer', async () => {
    const name = freshName();
    const ends: EndDetail[] = [];
    const el = mount({ url: server.url, timer: name });
    el.addEventListener('server-clock-end', (e) => ends.push(e.detail));
    await statusOf(el, 'idle');
    const started = await admin('PUT', `/timers/${name}`, { duration: 1500 });
    const end = await nextEvent<CustomEvent<EndDetail>>(el, 'server-clock-end', 5000);
    expect(end.detail.timer).to.equal(name);
    expect(end.detail.endsAt).to.equal(started.endsAt);
    expect(el.now(), 'not before the end, on the server clock').to.be.at.least(started.endsAt!);
    expect(end.bubbles && end.composed).to.equal(true);
    await el.updateComplete;
    expect(textOf(el)).to.equal('00:00');
    await statusOf(el, 'ended');
    expect(textOf(el), 'ended shows zero').to.equal('00:00');
    expect(ends).to.have.length(1);
    // A restart is a new run, with an end of its own.
    const again = await admin('PUT', `/timers/${name}`, { duration: 1200 });
    await waitFor(() => ends.length === 2, 'the second run to end', 5000);
    expect(ends[1]).to.deep.equal({ timer: name, endsAt: again.endsAt });
    await new Promise((r) => setTimeout(r, 1200));
    expect(ends, 'once per run').to.have.length(2);
  });

  it('cancelled and idle show the slot text', async () => {
    const name = freshName();
    const el = document.createElement('server-clock');
    el.textContent = 'No round';
    el.setAttribute('url', server.url);
    el.setAttribute('timer', name);
    document.body.append(el);
    mounted.push(el);
    await statusOf(el, 'idle');
    await el.updateComplete;
    const slot = el.shadowRoot!.querySelector('slot');
    expect(slot, 'idle: the slot').to.not.equal(null);
    await admin('PUT', `/timers/${name}`, { duration: 60_000 });
    await waitFor(() => el.shadowRoot!.querySelector('slot') === null, 'counting down');
    await admin('DELETE', `/timers/${name}`);
    await statusOf(el, 'cancelled');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('slot'), 'cancelled: the slot').to.not.equal(null);
    expect(el.innerText).to.equal('No round');
  });

  it('timer wins over until, with a console warning', async () => {
    const name = freshName();
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
    try {
      await admin('PUT', `/timers/${name}`, { duration: 600_000 });
      const el = mount({ url: server.url, timer: name, until: new Date(Date.now() + 5000).toISOString() });
      await statusOf(el, 'running');
      await waitFor(() => textOf(el).startsWith('09:') || textOf(el) === '10:00', 'the timer, not until');
      expect(warnings.some((w) => w.includes('timer') && w.includes('until'))).to.equal(true);
    } finally {
      console.warn = warn;
    }
  });

  it('shows an error for a server without timers and for a bad name', async () => {
    const classic = await spawnServer('classic');
    try {
      const el = mount({ url: classic.url, timer: 'round', event: 'time' });
      const { detail } = await nextEvent<CustomEvent<{ error: Error }>>(el, 'server-clock-error', 10_000);
      expect(detail.error.message).to.match(/acknowledge/);
      await waitFor(() => el.getAttribute('state') === 'error', 'state error');
      expect(el.shadowRoot!.querySelector('[part="message"]')?.textContent).to.equal(detail.error.message);
      const bad = mount({ url: server.url, timer: 'no spaces' });
      await waitFor(() => bad.getAttribute('state') === 'error', 'state error for a bad name');
      expect(bad.shadowRoot!.querySelector('[part="message"]')?.textContent).to.match(/timer name/);
    } finally {
      await killServer(classic);
    }
  });
});

describe('<server-clock timer> on a cluster', () => {
  it('a change made on node A reaches a <server-clock timer> connected to node B', async () => {
    const cluster = await spawnCluster(2);
    try {
      const name = freshName();
      // Node B watches; node A takes the change.
      const el = mount({ url: cluster.urls[1], timer: name });
      const states: TimerState[] = [];
      el.addEventListener('server-clock-timer', (e) => states.push(e.detail));
      await statusOf(el, 'idle');
      const started = await clusterAdminRequest(cluster, 0, 'PUT', `/timers/${name}`, { duration: 60_000 });
      expect(started.status, JSON.stringify(started.body)).to.equal(200);
      if (!isTimerState(started.body)) throw new Error('PUT: not a timer state');
      const { version } = started.body;
      // (The push may come before the admin call's answer does.)
      const detail = await waitFor(() => states.find((state) => state.version === version), 'the change, on node B');
      expect(detail.status).to.equal('running');
      await waitFor(() => /^00:(59|60)$/.test(textOf(el)), 'the countdown from node A, shown through node B');
      const paused = await clusterAdminRequest(cluster, 0, 'POST', `/timers/${name}/pause`);
      expect(paused.status).to.equal(200);
      await statusOf(el, 'paused');
    } finally {
      for (const el of mounted.splice(0)) el.remove();
      await closeCluster(cluster);
    }
  });
});

const timeOf = (el: ServerClockElement) => el.shadowRoot!.querySelector('time')!;
const shown = (el: ServerClockElement) => ({
  text: textOf(el),
  datetime: timeOf(el).getAttribute('datetime'),
});

// 2 h 3 min 4 s.
const TWO_HOURS = 2 * 3600 + 3 * 60 + 4;

/**
 * An element counting down a server timer that was started for 2 h 3 min 4 s and paused at once:
 * it shows 2 h 3 min 4 s left (rounded up), standing still.
 */
async function pausedAtTwoHours(attributes: Record<string, string> = {}): Promise<ServerClockElement> {
  const name = freshName();
  await admin('PUT', `/timers/${name}`, { duration: TWO_HOURS * 1000 });
  const paused = await admin('POST', `/timers/${name}/pause`);
  expect(Math.ceil(paused.remaining! / 1000), 'paused within a second of the start').to.equal(TWO_HOURS);
  const el = mount({ url: server.url, timer: name, ...attributes });
  await statusOf(el, 'paused');
  // The time left shows once the clock has its first estimate too, which may come after the
  // timer's state (on a busy machine it did): until then, the placeholder.
  await waitFor(() => textOf(el) !== '--:--', 'the time left shown');
  await el.updateComplete;
  return el;
}

/** Sets the element's style and locale (properties), and returns its text once rendered. */
async function textIn(el: ServerClockElement, style: CountdownStyle, locale: string): Promise<string> {
  el.countdownStyle = style;
  el.locale = locale;
  await el.updateComplete;
  return textOf(el);
}

/** `Intl.DurationFormat` as the browser has it (both browsers here do); typed, since TypeScript's lib has it not. */
type DurationFormatConstructor = new (
  locale: string,
  options: Record<string, string>,
) => { format(duration: Record<string, number>): string };
const intl = Intl as { DurationFormat?: DurationFormatConstructor };
const RealDurationFormat = intl.DurationFormat;

describe('<server-clock countdown-style>', () => {
  it('reads a countdown as digital (the default), long, short or relative, in en, de and ja', async () => {
    expect(RealDurationFormat, 'this browser has Intl.DurationFormat').to.be.a('function');
    const el = await pausedAtTwoHours();
    expect(el.countdownStyle, 'the default').to.equal('digital');
    expect(shown(el)).to.deep.equal({ text: '02:03:04', datetime: `PT${TWO_HOURS}S` });
    const expected: Record<string, Record<CountdownStyle, string>> = {
      en: {
        digital: '02:03:04',
        long: '2 hours, 3 minutes, 4 seconds',
        short: '2 hr, 3 min, 4 sec',
        relative: 'in 2 hours',
      },
      de: {
        digital: '02:03:04',
        long: '2 Stunden, 3 Minuten und 4 Sekunden',
        short: '2 Std., 3 Min. und 4 Sek.',
        relative: 'in 2 Stunden',
      },
      ja: { digital: '02:03:04', long: '2 時間 3 分 4 秒', short: '2 時間 3 分 4 秒', relative: '2 時間後' },
    };
    for (const [locale, texts] of Object.entries(expected)) {
      for (const [style, text] of Object.entries(texts) as [CountdownStyle, string][]) {
        expect(await textIn(el, style, locale), `${locale} ${style}`).to.equal(text);
        expect(timeOf(el).getAttribute('datetime'), `${locale} ${style}: datetime`).to.equal(`PT${TWO_HOURS}S`);
      }
      // What the browser's own formatters write, for the same time left.
      const fields = { hours: 2, minutes: 3, seconds: 4 };
      expect(texts.long).to.equal(new RealDurationFormat!(locale, { style: 'long' }).format(fields));
      expect(texts.short).to.equal(new RealDurationFormat!(locale, { style: 'short' }).format(fields));
      expect(texts.relative).to.equal(new Intl.RelativeTimeFormat(locale).format(2, 'hour'));
    }
  });

  it('with minute precision, leaves the seconds out of every style', async () => {
    const el = await pausedAtTwoHours({ precision: 'minute', locale: 'en' });
    // 2 h 3 min 4 s, rounded up to the minute.
    expect(shown(el)).to.deep.equal({ text: '02:04', datetime: `PT${2 * 3600 + 4 * 60}S` });
    expect(await textIn(el, 'long', 'en')).to.equal('2 hours, 4 minutes');
    expect(await textIn(el, 'short', 'de')).to.equal('2 Std., 4 Min.');
    expect(await textIn(el, 'relative', 'ja')).to.equal('2 時間後');
    expect(timeOf(el).getAttribute('datetime')).to.equal(`PT${2 * 3600 + 4 * 60}S`);
  });

  it('at the end and after it: "0 seconds" long and short, the locale\'s "now" relative, 00:00 digital', async () => {
    // Over a minute ago, on the server's clock as much as on this machine's (the server runs here).
    const el = mount({ url: server.url, until: new Date(Date.now() - 60_000).toISOString() });
    await waitFor(() => el.now() > 0, 'the server time');
    await waitFor(() => timeOf(el).getAttribute('datetime') === 'PT0S', 'the countdown, at zero');
    const expected: Record<string, Record<CountdownStyle, string>> = {
      en: { digital: '00:00', long: '0 seconds', short: '0 sec', relative: 'now' },
      de: { digital: '00:00', long: '0 Sekunden', short: '0 Sek.', relative: 'jetzt' },
      ja: { digital: '00:00', long: '0 秒', short: '0 秒', relative: '今' },
    };
    for (const [locale, texts] of Object.entries(expected)) {
      for (const [style, text] of Object.entries(texts) as [CountdownStyle, string][]) {
        expect(await textIn(el, style, locale), `${locale} ${style}`).to.equal(text);
        expect(timeOf(el).getAttribute('datetime')).to.equal('PT0S');
      }
      // Zero is the one time DurationFormat, which leaves zero units out, would write nothing: what
      // it writes when told to show the seconds anyway.
      const always = (style: string) =>
        new RealDurationFormat!(locale, { style, secondsDisplay: 'always' }).format({ seconds: 0 });
      expect([texts.long, texts.short]).to.deep.equal([always('long'), always('short')]);
      expect(texts.relative).to.equal(new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(0, 'second'));
    }
    el.precision = 'minute';
    expect(await textIn(el, 'long', 'en')).to.equal('0 minutes');
  });

  it('countdown-style and countdownStyle are one setting; no attribute is digital', async () => {
    const el = await pausedAtTwoHours({ 'countdown-style': 'short', locale: 'en' });
    expect(el.countdownStyle, 'the attribute sets the property').to.equal('short');
    expect(textOf(el)).to.equal('2 hr, 3 min, 4 sec');
    el.setAttribute('countdown-style', 'relative');
    await el.updateComplete;
    expect([el.countdownStyle, textOf(el)]).to.deep.equal(['relative', 'in 2 hours']);
    el.countdownStyle = 'long';
    await el.updateComplete;
    expect(textOf(el), 'the property').to.equal('2 hours, 3 minutes, 4 seconds');
    // Like the element's other settings, the property is not written back to the attribute.
    expect(el.getAttribute('countdown-style')).to.equal('relative');
    el.removeAttribute('countdown-style');
    await el.updateComplete;
    expect(textOf(el), 'no attribute: the default').to.equal('02:03:04');
    el.setAttribute('countdown-style', '');
    await el.updateComplete;
    expect(textOf(el), 'empty: the default').to.equal('02:03:04');
  });

  it('a bad countdown-style warns once and reads digital', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
    try {
      const el = await pausedAtTwoHours({ 'countdown-style': 'narrow', locale: 'en' });
      expect(textOf(el)).to.equal('02:03:04');
      expect(warnings).to.deep.equal(['<server-clock>: invalid countdown-style "narrow"; using the default']);
      el.countdownStyle = 'long';
      await el.updateComplete;
      expect(textOf(el)).to.equal('2 hours, 3 minutes, 4 seconds');
      el.setAttribute('countdown-style', 'narrow');
      await el.updateComplete;
      expect(textOf(el)).to.equal('02:03:04');
      expect(warnings, 'once per element and value').to.have.length(1);
    } finally {
      console.warn = warn;
    }
  });

  it('without Intl.DurationFormat, reads the same from Intl.NumberFormat and Intl.ListFormat', async () => {
    const el = await pausedAtTwoHours();
    const locales = ['en', 'de', 'ja'];
    const styles = ['long', 'short'] as const;
    // 1 s, 59 s, an hour, 2 h 3 min 4 s, a day and 5 s, 12 d 23 h 59 min 1 s, and zero; at
    // minute precision, each rounded up to the minute (as the element does).
    const times = [1, 59, 3600, TWO_HOURS, 86_405, 12 * 86_400 + 23 * 3600 + 59 * 60 + 1, 0];
    const inUnits = { second: times, minute: times.map((seconds) => Math.ceil(seconds / 60) * 60) };
    const read = async () => {
      const texts: string[] = [];
      for (const locale of locales) {
        for (const style of styles) {
          texts.push(await textIn(el, style, locale));
          for (const precision of ['second', 'minute'] as const)
            for (const seconds of inUnits[precision])
              texts.push(formatCountdown(seconds, { style, precision, locale }));
        }
      }
      return texts;
    };
    const real = await read();
    expect(real).to.include('2 Stunden, 3 Minuten und 4 Sekunden');
    delete intl.DurationFormat;
    try {
      expect('DurationFormat' in Intl, 'taken away').to.equal(false);
      expect(await read()).to.deep.equal(real);
    } finally {
      intl.DurationFormat = RealDurationFormat;
    }
    expect(await read(), 'and with it back').to.deep.equal(real);
  });
});
