// server-clock/ssr in Node: what it renders for each kind of clock, that no text it is given ends
// up as markup, and the clear errors for bad attributes and options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { renderServerClock, serverClock, styleHash, type TimerState } from './render.js';
import { createClockServer } from './server.js';
import { createLogger } from './logger.js';

// 2030-01-02 03:04:05.600 UTC
const NOW = Date.UTC(2030, 0, 2, 3, 4, 5, 600);

/** The rendered `<time>`: its datetime and its text (lit's comment markers left out). */
function shownTime(html: string): { datetime: string | undefined; text: string } {
  const match = /<time part="time"\s*(?:datetime="([^"]*)")?\s*>(.*?)<\/time/s.exec(html);
  assert.ok(match, `a <time> in ${html}`);
  return { datetime: match[1], text: (match[2] ?? '').replace(/<!--.*?-->/g, '') };
}

function timerState(status: TimerState['status'], fields: Partial<TimerState> = {}): TimerState {
  return { name: 'round', status, endsAt: null, remaining: null, version: 1, updatedAt: NOW - 1000, ...fields };
}

test('a clock renders its shadow root declaratively, with the time at now as the element formats it', async () => {
  const html = await renderServerClock(
    { url: '/', 'time-zone': 'UTC', locale: 'en-GB', format: 'datetime', 'hour-cycle': 'h23' },
    { now: NOW },
  );
  assert.match(html, /<server-clock[^>]* url="\/"[^>]* time-zone="UTC"[^>]* role="timer"/);
  assert.match(html, /<template shadowroot="open" shadowrootmode="open"><style>/);
  assert.deepEqual(shownTime(html), { datetime: '2030-01-02T03:04:05.000Z', text: '2 Jan 2030, 3:04:05' });

  const minutes = await renderServerClock(
    { url: '/', 'time-zone': 'Asia/Tokyo', locale: 'ja-JP', precision: 'minute' },
    { now: NOW },
  );
  assert.deepEqual(shownTime(minutes), { datetime: '2030-01-02T03:04:00.000Z', text: '12:04' });
});

test('a countdown renders the time left at now, rounded up, as PT…S', async () => {
  const until = new Date(NOW + 65_200).toISOString();
  assert.deepEqual(shownTime(await renderServerClock({ url: '/', until }, { now: NOW })), {
    datetime: 'PT66S',
    text: '01:06',
  });
  // Past its end: zero.
  assert.deepEqual(shownTime(await renderServerClock({ url: '/', until }, { now: NOW + 70_000 })), {
    datetime: 'PT0S',
    text: '00:00',
  });
});

test("a timer renders from its state: running, paused, ended; idle shows the page's placeholder", async () => {
  const render = (timer: TimerState | undefined) =>
    renderServerClock({ url: '/', timer: 'round' }, { now: NOW, timer, placeholder: 'No round yet' });
  assert.deepEqual(shownTime(await render(timerState('running', { endsAt: NOW + 30_000 }))), {
    datetime: 'PT30S',
    text: '00:30',
  });
  assert.deepEqual(shownTime(await render(timerState('paused', { remaining: 3_725_000 }))), {
    datetime: 'PT3725S',
    text: '01:02:05',
  });
  assert.deepEqual(shownTime(await render(timerState('ended'))), { datetime: 'PT0S', text: '00:00' });
  for (const idle of [timerState('idle'), undefined]) {
    const html = await render(idle);
    assert.deepEqual(shownTime(html), { datetime: undefined, text: '<slot>--:--</slot>' });
    assert.match(html, /<\/template><!--lit-part-->No round yet<!--\/lit-part--><\/server-clock/);
  }
});

test("a timer's state is looked up in the server's own timers", async (t) => {
  const server = createClockServer({ logger: createLogger('error') });
  t.after(() => server.close());
  await server.timers.start('round', { duration: 42_000 });
  const html = await renderServerClock({ url: '/', timer: 'round' }, { timers: server.timers });
  const { datetime, text } = shownTime(html);
  const left = Number(/^PT(\d+)S$/.exec(datetime ?? '')?.[1]);
  // At most 43: `now` defaults to Date.now(), whole ms, which can be a fraction of a ms behind the
  // server's own clock that started the timer, and a countdown rounds up to the second.
  assert.ok(left > 30 && left <= 43, `${datetime} left of 42 s`);
  assert.match(text, /^00:[34]\d$/);
});

test('no text given ends up as markup: attribute values and the placeholder are escaped', async () => {
  const attack = '"><script>alert(1)</script>';
  const html = await renderServerClock(
    { url: `/${attack}`, title: `it's & ${attack}`, locale: attack, timer: attack },
    { now: NOW, placeholder: '<img src=x onerror=alert(1)>' },
  );
  assert.doesNotMatch(html, /<script|<img/);
  assert.match(html, / url="\/&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
  assert.match(html, / title="it&#39;s &amp; &quot;&gt;/);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
});

test('bad values of known attributes render with the defaults, as in the browser', async (t) => {
  const warnings: string[] = [];
  t.mock.method(console, 'warn', (message: string) => warnings.push(message));
  const html = await renderServerClock(
    {
      url: '/',
      'time-zone': 'Mars/Olympus',
      format: 'sundial',
      precision: 'hour',
      locale: 'en-GB',
      'hour-cycle': 'h23',
    },
    { now: NOW },
  );
  // The server's zone: UTC or not, the seconds and minutes are the same in every whole-hour zone.
  assert.match(shownTime(html).text, /^\d?\d:04:05$/);
  assert.deepEqual(warnings.length, 3, warnings.join('\n'));
});

test('bad attributes and options are clear errors', async () => {
  const bad = [
    [{ url: '/', onclick: 'alert(1)' }, {}, TypeError, /unknown server-clock attribute "onclick"/],
    [{ url: '/', 'time-zone': 7 }, {}, TypeError, /"time-zone" must be a string, got number/],
    [{ 'time-zone': 'UTC' }, {}, TypeError, /needs a url/],
    [{ url: '' }, {}, TypeError, /needs a url/],
    [null, {}, TypeError, /must be an object/],
    [{ url: '/' }, { now: Number.NaN }, RangeError, /now must be epoch milliseconds, got NaN/],
    [{ url: '/', timer: 'a' }, { timer: timerState('running', { endsAt: NOW }) }, RangeError, /"round"'s/],
  ] as const;
  for (const [attributes, options, type, message] of bad) {
    const args = [attributes, options] as unknown as Parameters<typeof renderServerClock>;
    await assert.rejects(
      renderServerClock(...args),
      (error: Error) => error instanceof type && message.test(error.message),
    );
    assert.throws(() => serverClock(...args), type);
  }
});

test("styleHash is the CSP source of the rendered shadow root's <style>", async () => {
  const html = await renderServerClock({ url: '/' }, { now: NOW });
  const styles = [...html.matchAll(/<style>(.*?)<\/style>/gs)].map((m) => m[1] ?? '');
  assert.equal(styles.length, 1);
  const hash = createHash('sha256')
    .update(styles[0] ?? '')
    .digest('base64');
  assert.equal(styleHash(), `'sha256-${hash}'`);
});
