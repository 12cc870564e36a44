// The CDN bundle alone, as a page would use it: one script, one tag, the real demo server.
import { expect } from '@esm-bundle/chai';
import { demoServerUrl, serverMachineNow, waitFor } from './helpers.js';

describe('CDN bundle', () => {
  it('defines <server-clock>, exports the SDK, and shows the server time', async () => {
    // Before the bundle loads, the light-DOM text is what shows.
    const early = document.createElement('server-clock');
    early.textContent = 'fallback text';
    document.body.append(early);
    expect(early.innerText).to.equal('fallback text');

    // Loaded by URL, as a page would (TypeScript resolves no module from a variable).
    const bundle = '/dist/cdn/server-clock.js';
    const cdn: unknown = await import(bundle);
    expect(cdn).to.have.property('connectClock').that.is.a('function', 'SDK export');
    expect(customElements.get('server-clock')).to.be.a('function');
    expect(cdn).to.have.property('ServerClockElement', customElements.get('server-clock'));

    const el = document.createElement('server-clock');
    el.setAttribute('url', await demoServerUrl());
    el.setAttribute('time-zone', 'UTC');
    el.setAttribute('hour-cycle', 'h23');
    el.setAttribute('locale', 'en-GB');
    document.body.append(el);
    try {
      await waitFor(() => el.getAttribute('state') === 'connected', 'state="connected"');
      const time = await waitFor(() => el.shadowRoot?.querySelector('time[datetime]'), 'a rendered <time>');
      const [datetime, text] = [time.getAttribute('datetime')!, time.textContent];
      const shown = Date.parse(datetime);
      const truth = await serverMachineNow();
      // The shown second is the server's: it trails the truth by less than a second, plus test latency.
      expect(Math.abs(truth - shown), `shown ${datetime}`).to.be.below(1000 + 250);
      // Chromium leaves en-GB's hour unpadded (0:38:35 after midnight), Firefox pads it.
      expect(text).to.match(/^\d{1,2}:\d{2}:\d{2}$/);
      const expected = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'UTC',
        hour: 'numeric',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      }).format(shown);
      expect(text).to.equal(expected);
      // Upgraded, the shadow root renders; with no time to show (it has no url) the text stays.
      const slot = await waitFor(
        () => early.shadowRoot?.querySelector<HTMLSlotElement>('time slot'),
        'the early element upgraded',
      );
      expect(early.getAttribute('state')).to.equal('error');
      expect(
        slot
          .assignedNodes()
          .map((n) => n.textContent)
          .join(''),
      ).to.equal('fallback text');
      expect(early.getBoundingClientRect().width).to.be.above(0);
      // Once the time is known it replaces the text.
      expect(el.shadowRoot!.querySelector('time slot')).to.equal(null);
    } finally {
      el.remove();
      early.remove();
    }
  });
});
