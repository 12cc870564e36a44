// The IIFE bundle as a classic page uses it: loaded by <script src> in a page on another origin
// than the server, it defines window.ServerClock (the SDK's exports) and <server-clock>, and a
// clock made with window.ServerClock.connectClock() connects and syncs. Chromium and Firefox.
import { expect } from '@esm-bundle/chai';
import * as sdk from '../sdk/index.js';
import { demoServerUrl, waitFor } from './helpers.js';

interface PageSync {
  state: string;
  mode: string;
  now: number;
  detail: { offset: number; rtt: number; uncertainty: number; mode: string };
}

interface ClassicPage extends Window {
  ServerClock?: Record<string, unknown>;
  globalsBefore: string[];
  globalsAfter: string[];
  syncs: PageSync[];
  pageClock?: { now(): number; uncertainty: number; state: string; close(): void };
}

// Lit registers its versions and litPropertyMetadata on the global object, in any build: not ours.
const LIT_GLOBALS = /^(lit[A-Z]\w*|reactiveElementVersions)$/;

describe('IIFE bundle', () => {
  it('in a classic page on another origin: window.ServerClock, <server-clock>, a connected clock that syncs', async () => {
    const server = await demoServerUrl();
    expect(new URL(server).origin, 'the page and the server are on different origins').to.not.equal(location.origin);
    const iframe = document.createElement('iframe');
    const loaded = new Promise((resolve) => iframe.addEventListener('load', resolve, { once: true }));
    iframe.src = `/test/fixtures/iife-page.html?server=${encodeURIComponent(server)}`;
    document.body.append(iframe);
    let page: ClassicPage | undefined;
    try {
      await loaded;
      page = iframe.contentWindow as ClassicPage;

      const api = page.ServerClock;
      expect(typeof api, 'window.ServerClock').to.equal('object');
      for (const [name, value] of Object.entries(sdk))
        expect(typeof api?.[name], `ServerClock.${name}`).to.equal(typeof value);
      expect(api?.TIME_EVENT).to.equal(sdk.TIME_EVENT);
      expect(api?.SYNC_EVENT).to.equal(sdk.SYNC_EVENT);
      expect(page.customElements.get('server-clock'), '<server-clock> defined').to.equal(api?.ServerClockElement);
      const added = page.globalsAfter.filter((name) => !page?.globalsBefore.includes(name));
      expect(added.filter((name) => name !== 'globalsBefore' && !LIT_GLOBALS.test(name))).to.deep.equal([
        'ServerClock',
      ]);

      // A push may give a first estimate (mode push) before the first sync answer: wait for that answer.
      const sync = await waitFor(
        () => page?.syncs.find((s) => s.detail.mode === 'sync'),
        "a sync answer to the page's clock",
        20_000,
      );
      expect(sync.state).to.equal('connected');
      expect(sync.mode).to.equal('sync');
      expect(sync.detail.rtt).to.be.a('number').and.be.at.least(0);
      // The server runs on this machine, whose wall clock the page's Date.now() reads.
      const clock = page.pageClock;
      expect(Math.abs((clock?.now() ?? NaN) - Date.now()), 'now() is the server time').to.be.below(250);

      const element = page.document.getElementById('element');
      await waitFor(() => element?.getAttribute('state') === 'connected', 'the element connected');
      await waitFor(
        () => /\d{1,2}:\d\d:\d\d/.test(element?.shadowRoot?.querySelector('time[datetime]')?.textContent ?? ''),
        'the element showing the time',
      );
    } finally {
      page?.pageClock?.close();
      iframe.remove();
    }
  });
});
