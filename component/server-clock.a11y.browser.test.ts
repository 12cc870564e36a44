// Accessibility of <server-clock> in each of its states, checked by axe-core in real browsers
// against real servers: connecting, connected (the time shown), a countdown, a server's timer
// (running and paused), reconnecting, and error. Every check must find no violation.
import { expect } from '@esm-bundle/chai';
// axe-core's build, run as a module, puts `axe` on the window.
import 'axe-core';
import type * as Axe from 'axe-core';
import './define.js';
import type { ServerClockElement } from './server-clock.js';
import { openConnections } from '../sdk/connection.js';
import {
  adminRequest,
  demoServerUrl,
  killServer,
  spawnAdminServer,
  spawnServer,
  waitFor,
  type SpawnedServer,
} from '../test/helpers.js';

declare global {
  interface Window {
    axe: typeof Axe;
  }
}

const mounted: HTMLElement[] = [];
const servers: SpawnedServer[] = [];

afterEach(async () => {
  for (const el of mounted.splice(0)) el.remove();
  for (const server of servers.splice(0)) await killServer(server);
  await waitFor(() => openConnections() === 0, 'every connection closed');
});

async function mount(attributes: Record<string, string>): Promise<ServerClockElement> {
  const el = document.createElement('server-clock');
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  // In a landmark with a heading, as on a page: the checks are about the element, not the page.
  const main = document.createElement('main');
  main.innerHTML = '<h1>Server time</h1>';
  main.append(el);
  document.body.append(main);
  mounted.push(main);
  await el.updateComplete;
  return el;
}

/** axe-core's violations on the element (with its shadow root), as readable lines. */
async function violations(el: ServerClockElement): Promise<string[]> {
  const results = await window.axe.run(el, { resultTypes: ['violations'] });
  return results.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact ?? ''}): ${n.failureSummary ?? v.help}`),
  );
}

/** Checks the element in `state`, which it must be in before and after the check. */
async function expectAccessible(el: ServerClockElement, state: ServerClockElement['state']): Promise<void> {
  await el.updateComplete;
  expect(el.state, 'before the check').to.equal(state);
  expect(await violations(el)).to.deep.equal([]);
  expect(el.state, 'after the check').to.equal(state);
}

describe('<server-clock> accessibility (axe-core)', () => {
  it('connecting: the placeholder text, busy', async () => {
    const silent = await spawnServer('silent');
    servers.push(silent);
    const el = await mount({ url: silent.url });
    expect(el.getAttribute('aria-busy')).to.equal('true');
    await expectAccessible(el, 'connecting');
  });

  it('connected, with the time shown', async () => {
    const el = await mount({ url: await demoServerUrl(), format: 'datetime' });
    await waitFor(() => el.state === 'connected' && el.now() > 0, 'connected and synced');
    await expectAccessible(el, 'connected');
    expect(el.shadowRoot?.querySelector('time[datetime]')).to.not.equal(null);
  });

  it('counting down', async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const el = await mount({ url: await demoServerUrl(), until });
    await waitFor(() => el.state === 'connected' && el.now() > 0, 'connected and synced');
    await expectAccessible(el, 'connected');
    expect(el.getAttribute('aria-label')).to.equal('Countdown');
  });

  it("counting down a server's timer, running and paused", async () => {
    const server = await spawnAdminServer();
    servers.push(server);
    const started = await adminRequest(server, 'PUT', '/timers/a11y-round', { duration: 600_000 });
    expect(started.status).to.equal(200);
    const el = await mount({ url: server.url, timer: 'a11y-round' });
    await waitFor(() => el.timerStatus === 'running' && el.now() > 0, 'the timer running, synced');
    await expectAccessible(el, 'connected');
    expect(el.getAttribute('aria-label')).to.equal('Countdown');
    expect((await adminRequest(server, 'POST', '/timers/a11y-round/pause')).status).to.equal(200);
    await waitFor(() => el.timerStatus === 'paused', 'the timer paused');
    await expectAccessible(el, 'connected');
  });

  it('reconnecting, the time shown as stale', async () => {
    const server = await spawnServer('demo');
    servers.push(server);
    const el = await mount({ url: server.url });
    await waitFor(() => el.state === 'connected' && el.now() > 0, 'connected and synced');
    await killServer(server);
    await waitFor(() => el.state === 'reconnecting', 'state reconnecting');
    await expectAccessible(el, 'reconnecting');
  });

  it('error, with its message (a bad url)', async () => {
    const el = await mount({ url: 'ftp://example.com' });
    await waitFor(() => el.state === 'error', 'state error');
    await expectAccessible(el, 'error');
    expect(el.shadowRoot?.querySelector('[part="message"]')?.textContent).to.match(/url/i);
  });
});
