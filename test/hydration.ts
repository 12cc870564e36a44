// The browser tests of a server-rendered <server-clock> (declarative shadow DOM), shared by
// component/server-clock.ssr.browser.test.ts and, with lit's hydration support loaded first,
// component/server-clock.hydrate-support.browser.test.ts: the element needs no hydration support,
// and loading it (for a page's other elements) changes nothing.
import { expect } from '@esm-bundle/chai';
import type { ServerClockElement } from '../component/server-clock.js';
import { openConnections } from '../sdk/connection.js';
import { demoServerUrl, waitFor } from './helpers.js';

/**
 * What the server rendered: a time no clock would show now, to tell it from the element's own,
 * in words of the server's that the element would not write (another zone and language).
 */
const RENDERED = { text: '10時02分03秒 (rendered)', datetime: '2001-02-03T01:02:03.000Z' };
/** The element's default format, `time`, as the browser writes it. */
const TIME_OPTIONS: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit', second: '2-digit' };

/** The element as a server renders it, its shadow root in the markup (lit's hydration comments aside). */
function serverRendered(url: string, attributes: string, time: string): string {
  return `<server-clock url="${url}" ${attributes} role="timer" state="connecting"><template shadowrootmode="open"><span part="status" role="img" aria-label="Connecting" title="Connecting"></span><time part="time" ${time}</time></template>--:--</server-clock>`;
}

/** Each text the element's `<time>` shows from now on (a slot as `<slot>`), recorded as it changes. */
function recordTexts(el: ServerClockElement): string[] {
  const texts: string[] = [];
  const record = () => {
    const time = el.shadowRoot?.querySelector('time');
    const text = time?.querySelector('slot') ? '<slot>' : (time?.textContent ?? '<no time>');
    if (texts.at(-1) !== text) texts.push(text);
  };
  record();
  new MutationObserver(record).observe(el.shadowRoot!, { subtree: true, childList: true, characterData: true });
  return texts;
}

export function hydrationTests(): void {
  let url: string;
  const hosts: HTMLElement[] = [];

  before(async () => {
    url = await demoServerUrl();
  });

  afterEach(async () => {
    for (const host of hosts.splice(0)) host.remove();
    await waitFor(() => openConnections() === 0, 'every connection closed');
  });

  /** Puts the markup in the page as its parser would (the shadow root attached), and returns the element. */
  function insert(markup: string): ServerClockElement {
    const host = document.createElement('div');
    hosts.push(host);
    host.setHTMLUnsafe(markup);
    document.body.append(host);
    return host.querySelector('server-clock')!;
  }

  it('shows the time the server rendered, in its own format, until its clock has an estimate, then ticks on', async () => {
    const el = insert(
      serverRendered(url, 'time-zone="UTC" locale="en-GB"', `datetime="${RENDERED.datetime}">${RENDERED.text}`),
    );
    await el.updateComplete;
    const time = el.shadowRoot!.querySelector('time')!;
    expect(Number.isNaN(el.now()), 'no estimate yet').to.equal(true);
    const own = new Intl.DateTimeFormat('en-GB', { ...TIME_OPTIONS, timeZone: 'UTC' }).format(
      Date.parse(RENDERED.datetime),
    );
    expect(time.textContent).to.equal(own);
    expect(time.getAttribute('datetime')).to.equal(RENDERED.datetime);
    expect(el.shadowRoot!.querySelectorAll('time'), 'one <time>: rendered afresh, not added to').to.have.length(1);
    const texts = recordTexts(el);

    await waitFor(() => el.state === 'connected' && texts.length >= 3, 'two texts of its own');
    expect(texts[0]).to.equal(own);
    for (const text of texts.slice(1)) expect(text).to.match(/^\d{1,2}:\d\d:\d\d$/);
    const shown = Date.parse(el.shadowRoot!.querySelector('time')!.getAttribute('datetime')!);
    expect(Math.abs(el.now() - shown)).to.be.below(2000);
  });

  it('without a zone or language of its own, shows the rendered instant in the visitor’s, not the server’s words', async () => {
    const el = insert(serverRendered(url, '', `datetime="${RENDERED.datetime}">${RENDERED.text}`));
    await el.updateComplete;
    const time = el.shadowRoot!.querySelector('time')!;
    expect(Number.isNaN(el.now()), 'no estimate yet').to.equal(true);
    expect(time.textContent).to.equal(
      new Intl.DateTimeFormat(undefined, TIME_OPTIONS).format(Date.parse(RENDERED.datetime)),
    );
    expect(time.getAttribute('datetime')).to.equal(RENDERED.datetime);
  });

  it('a rendered countdown shows the time left it was rendered with, in its own countdown-style', async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const el = insert(
      serverRendered(
        url,
        `until="${until}" countdown-style="long" locale="en"`,
        'datetime="PT3723S">1:02:03 (rendered)',
      ),
    );
    await el.updateComplete;
    expect(Number.isNaN(el.now()), 'no estimate yet').to.equal(true);
    expect(el.shadowRoot!.querySelector('time')!.textContent).to.equal('1 hour, 2 minutes, 3 seconds');
  });

  it('a rendered placeholder (an idle timer) stays the placeholder until there is something to show', async () => {
    const el = insert(serverRendered(url, 'timer="never-started"', '><slot>--:--</slot>'));
    await el.updateComplete;
    const texts = recordTexts(el);
    await waitFor(() => el.timerStatus === 'idle', 'the timer is idle');
    expect(texts).to.deep.equal(['<slot>']);
  });
}
