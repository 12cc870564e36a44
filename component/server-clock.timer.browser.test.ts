// <server-clock timer="…"> in real browsers against a real demo server of the test's own, driven
// through its admin API (the runner holds the token: test/demo-server-plugin.mjs).
import { expect } from '@esm-bundle/chai';
import './define.js';
import type { EndDetail, ServerClockElement, TimerState } from './server-clock.js';
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
