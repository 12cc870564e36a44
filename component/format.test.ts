// The element's formatting in Node: Intl options per setting, the countdown text, the value
// predicates, and the formatter cache's bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_FORMATTERS,
  clearFormatters,
  formatCountdown,
  formatDuration,
  formatTime,
  formatter,
  isClockFormat,
  isCountdownStyle,
  isHourCycle,
  isLocale,
  isPrecision,
  isTimeZone,
  isoDuration,
  isoInstant,
  type FormatSettings,
} from './format.js';

// 2024-01-02 03:04:05.678 UTC
const INSTANT = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

const options = (settings: FormatSettings) => formatter(settings).resolvedOptions();

test('format: time has hours, minutes and seconds; date has the date; datetime both', () => {
  const time = options({ format: 'time', precision: 'second' });
  assert.deepEqual([time.hour, time.minute, time.second], ['numeric', '2-digit', '2-digit']);
  assert.deepEqual([time.year, time.month, time.day], [undefined, undefined, undefined]);
  const date = options({ format: 'date', precision: 'second' });
  assert.deepEqual([date.year, date.month, date.day], ['numeric', 'short', 'numeric']);
  assert.deepEqual([date.hour, date.minute, date.second], [undefined, undefined, undefined]);
  const datetime = options({ format: 'datetime', precision: 'second' });
  assert.deepEqual(
    [datetime.year, datetime.month, datetime.day, datetime.hour, datetime.minute, datetime.second],
    ['numeric', 'short', 'numeric', 'numeric', '2-digit', '2-digit'],
  );
});

test('precision minute leaves the seconds out', () => {
  const minute = options({ format: 'datetime', precision: 'minute' });
  assert.equal(minute.second, undefined);
  assert.equal(minute.minute, '2-digit');
  const settings: FormatSettings = {
    format: 'time',
    precision: 'minute',
    timeZone: 'UTC',
    locale: 'en-GB',
    hourCycle: 'h23',
  };
  // (ICU pads the hour or not by locale and options: the point is that no seconds follow.)
  assert.match(formatter(settings).format(INSTANT), /^0?3:04$/);
});

test('formatTime: the formatter’s text, made once per instant for all settings alike, and again after clearFormatters', (t) => {
  const settings: FormatSettings = { format: 'time', precision: 'second', timeZone: 'UTC', locale: 'en-GB' };
  const tokyo: FormatSettings = { ...settings, timeZone: 'Asia/Tokyo' };
  const second = Math.floor(INSTANT / 1000) * 1000;
  const [first, next, inTokyo] = [
    formatter(settings).format(second),
    formatter(settings).format(second + 1000),
    formatter(tokyo).format(second + 1000),
  ];
  assert.match(next, /^0?3:04:06$/);
  assert.equal(formatTime(settings, second), first);
  // Intl's `format` is a getter (of a bound function): each text made reads it once.
  const made = formatter(settings);
  const format = t.mock.getter(made, 'format', () => Reflect.get(Intl.DateTimeFormat.prototype, 'format', made));
  // Another element's settings: equal, not the same object. The same instant: no new text.
  assert.equal(formatTime({ ...settings }, second), first);
  assert.equal(format.mock.callCount(), 0);
  assert.equal(formatTime({ ...settings }, second + 1000), next);
  assert.equal(format.mock.callCount(), 1);
  // Other settings have their own text for the same instant.
  assert.equal(formatTime(tokyo, second + 1000), inTokyo);
  clearFormatters();
  assert.notEqual(formatter(settings), made, 'a new formatter');
  assert.equal(formatTime(settings, second + 1000), next);
  assert.equal(format.mock.callCount(), 1, 'the old formatter is not asked again');
});

test('hourCycle, timeZone and locale reach Intl; left out, they are Intl defaults', () => {
  const base = { format: 'time', precision: 'second', timeZone: 'UTC', locale: 'en-US' } as const;
  assert.equal(options({ ...base, hourCycle: 'h12' }).hourCycle, 'h12');
  assert.equal(formatter({ ...base, hourCycle: 'h12' }).format(INSTANT), '3:04:05 AM');
  assert.equal(options({ ...base, hourCycle: 'h23' }).hourCycle, 'h23');
  assert.equal(formatter({ ...base, hourCycle: 'h23' }).format(INSTANT), '03:04:05');
  const tokyo = { ...base, timeZone: 'Asia/Tokyo', locale: 'de-DE' } as const;
  assert.equal(options(tokyo).timeZone, 'Asia/Tokyo');
  assert.equal(options(tokyo).locale, 'de-DE');
  assert.equal(formatter(tokyo).format(INSTANT), '12:04:05');
  const defaults = options({ format: 'time', precision: 'second' });
  const intl = new Intl.DateTimeFormat().resolvedOptions();
  assert.deepEqual([defaults.locale, defaults.timeZone], [intl.locale, intl.timeZone]);
  assert.equal(
    formatter({ format: 'date', precision: 'second', timeZone: 'UTC', locale: 'en-GB' }).format(INSTANT),
    '2 Jan 2024',
  );
});

test('the same settings share one formatter', () => {
  const settings: FormatSettings = { format: 'time', precision: 'second', timeZone: 'Europe/Paris' };
  assert.equal(formatter({ ...settings }), formatter({ ...settings }));
  assert.notEqual(formatter(settings), formatter({ ...settings, precision: 'minute' }));
});

test(`the cache keeps the ${MAX_FORMATTERS} newest formatters and drops the oldest first`, () => {
  clearFormatters();
  const zones = Intl.supportedValuesOf('timeZone').slice(0, MAX_FORMATTERS + 10);
  assert.equal(zones.length, MAX_FORMATTERS + 10, 'enough time zones to overflow the cache');
  const settings = zones.map((timeZone): FormatSettings => ({ format: 'time', precision: 'second', timeZone }));
  const made = settings.map((s) => formatter(s));
  // Asked with equal settings (another element's), the newest MAX_FORMATTERS are still there (a
  // hit changes nothing), ...
  for (let i = 10; i < settings.length; i++) assert.equal(formatter({ ...settings[i] }), made[i], settings[i].timeZone);
  // ... and the ten before them are gone: asking again makes a new one.
  for (let i = 9; i >= 0; i--) assert.notEqual(formatter({ ...settings[i] }), made[i], settings[i].timeZone);
  // The settings object that a formatter was made for keeps it while it lives (an element's, in use).
  assert.equal(formatter(settings[0]), made[0]);
});

test('clearFormatters forgets every formatter', () => {
  const settings: FormatSettings = { format: 'date', precision: 'second' };
  const before = formatter(settings);
  clearFormatters();
  const after = formatter(settings);
  assert.notEqual(after, before);
  assert.equal(after.format(INSTANT), before.format(INSTANT));
});

test('formatDuration at second precision: minutes and seconds, hours when there are some, then days', () => {
  const cases: [number, string][] = [
    [0, '00:00'],
    [1, '00:01'],
    [59, '00:59'],
    [60, '01:00'],
    [61, '01:01'],
    [3599, '59:59'],
    [3600, '01:00:00'],
    [3661, '01:01:01'],
    [86_399, '23:59:59'],
    [86_400, '1d 00:00:00'],
    [90_061, '1d 01:01:01'],
    [10 * 86_400 + 59, '10d 00:00:59'],
  ];
  for (const [seconds, text] of cases) assert.equal(formatDuration(seconds, 'second'), text, `${seconds} s`);
});

test('formatDuration at minute precision: hours and minutes, then days', () => {
  const cases: [number, string][] = [
    [0, '00:00'],
    [60, '00:01'],
    [3540, '00:59'],
    [3600, '01:00'],
    [86_340, '23:59'],
    [86_400, '1d 00:00'],
    [90_060, '1d 01:01'],
  ];
  for (const [seconds, text] of cases) assert.equal(formatDuration(seconds, 'minute'), text, `${seconds} s`);
});

test('the predicates accept the values of each setting and nothing else', () => {
  for (const value of ['time', 'date', 'datetime']) assert.equal(isClockFormat(value), true, value);
  for (const value of ['weekday', 'Time', '']) assert.equal(isClockFormat(value), false, value);
  for (const value of ['h12', 'h23']) assert.equal(isHourCycle(value), true, value);
  for (const value of ['h11', 'h24', 'h25', '']) assert.equal(isHourCycle(value), false, value);
  for (const value of ['second', 'minute']) assert.equal(isPrecision(value), true, value);
  for (const value of ['nanosecond', 'hour', '']) assert.equal(isPrecision(value), false, value);
  for (const value of ['digital', 'long', 'short', 'relative']) assert.equal(isCountdownStyle(value), true, value);
  for (const value of ['narrow', 'Long', '']) assert.equal(isCountdownStyle(value), false, value);
  for (const value of ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Tokyo'])
    assert.equal(isTimeZone(value), true, value);
  for (const value of ['Mars/Olympus', 'Europe/Nowhere', '']) assert.equal(isTimeZone(value), false, value);
  for (const value of ['en', 'en-GB', 'de-DE', 'zh-Hant-TW']) assert.equal(isLocale(value), true, value);
  for (const value of ['12-invalid!', 'en_GB', '']) assert.equal(isLocale(value), false, value);
});

// 2 h 3 min 4 s; 1 day and 5 s; 12 d 23 h 59 min 1 s.
const TWO_HOURS = 2 * 3600 + 3 * 60 + 4;
const A_DAY = 86_400 + 5;
const TWELVE_DAYS = 12 * 86_400 + 23 * 3600 + 59 * 60 + 1;

test('formatCountdown digital is formatDuration, in any locale', () => {
  for (const seconds of [0, 59, TWO_HOURS, A_DAY])
    for (const precision of ['second', 'minute'] as const)
      assert.equal(
        formatCountdown(seconds, { style: 'digital', precision, locale: 'ja' }),
        formatDuration(seconds, precision),
      );
});

// Node 20 has no Intl.DurationFormat (V8 12.9 brought it): these run the fallback, which the
// browser tests compare with the real one.
test('formatCountdown long and short: the units that are not zero, in the locale', () => {
  const cases: [string, 'long' | 'short', number, string][] = [
    ['en', 'long', TWO_HOURS, '2 hours, 3 minutes, 4 seconds'],
    ['en', 'short', TWO_HOURS, '2 hr, 3 min, 4 sec'],
    ['en', 'long', A_DAY, '1 day, 5 seconds'],
    ['en', 'short', TWELVE_DAYS, '12 days, 23 hr, 59 min, 1 sec'],
    ['en', 'long', 1, '1 second'],
    ['de', 'long', TWO_HOURS, '2 Stunden, 3 Minuten und 4 Sekunden'],
    ['de', 'short', TWO_HOURS, '2 Std., 3 Min. und 4 Sek.'],
    ['de', 'long', A_DAY, '1 Tag, 5 Sekunden'],
    ['ja', 'long', TWO_HOURS, '2 時間 3 分 4 秒'],
    ['ja', 'short', A_DAY, '1 日 5 秒'],
  ];
  for (const [locale, style, seconds, text] of cases)
    assert.equal(
      formatCountdown(seconds, { style, precision: 'second', locale }),
      text,
      `${locale} ${style} ${seconds}`,
    );
});

test("formatCountdown long and short at minute precision: no seconds; zero is the smallest unit's 0", () => {
  const minute = (seconds: number, style: 'long' | 'short', locale: string) =>
    formatCountdown(seconds, { style, precision: 'minute', locale });
  assert.equal(minute(2 * 3600 + 4 * 60, 'long', 'en'), '2 hours, 4 minutes');
  assert.equal(minute(86_400, 'short', 'de'), '1 Tg.');
  assert.equal(minute(0, 'long', 'en'), '0 minutes');
  assert.equal(minute(0, 'short', 'ja'), '0 分');
  const second = (style: 'long' | 'short', locale: string) =>
    formatCountdown(0, { style, precision: 'second', locale });
  assert.deepEqual(
    [second('long', 'en'), second('short', 'en'), second('long', 'de'), second('short', 'de'), second('long', 'ja')],
    ['0 seconds', '0 sec', '0 Sekunden', '0 Sek.', '0 秒'],
  );
});

test('formatCountdown relative: the largest unit that is not zero, whole; "now" at zero', () => {
  const relative = (seconds: number, locale: string, precision: 'second' | 'minute' = 'second') =>
    formatCountdown(seconds, { style: 'relative', precision, locale });
  assert.equal(relative(TWO_HOURS, 'en'), 'in 2 hours');
  assert.equal(relative(3 * 3600 - 1, 'en'), 'in 2 hours', 'rounded down');
  assert.equal(relative(A_DAY, 'en'), 'in 1 day', 'numeric, not "tomorrow"');
  assert.equal(relative(61, 'en'), 'in 1 minute');
  assert.equal(relative(59, 'en'), 'in 59 seconds');
  assert.equal(relative(1, 'en'), 'in 1 second');
  assert.equal(relative(0, 'en'), 'now');
  assert.equal(relative(0, 'en', 'minute'), 'now', 'not "this minute"');
  assert.equal(relative(TWO_HOURS, 'de'), 'in 2 Stunden');
  assert.equal(relative(A_DAY, 'de'), 'in 1 Tag', 'not "morgen"');
  assert.equal(relative(0, 'de'), 'jetzt');
  assert.equal(relative(TWO_HOURS, 'ja'), '2 時間後');
  assert.equal(relative(0, 'ja'), '今');
});

test('formatCountdown makes its formatters once: a countdown of many seconds asks Intl for no new one', () => {
  clearFormatters();
  const made = { NumberFormat: 0, ListFormat: 0, RelativeTimeFormat: 0 };
  const originals = {
    NumberFormat: Intl.NumberFormat,
    ListFormat: Intl.ListFormat,
    RelativeTimeFormat: Intl.RelativeTimeFormat,
  };
  // Counting subclasses of the real ones, for this test only.
  Object.assign(Intl, {
    NumberFormat: class extends originals.NumberFormat {
      constructor(...args: ConstructorParameters<typeof Intl.NumberFormat>) {
        super(...args);
        made.NumberFormat++;
      }
    },
    ListFormat: class extends originals.ListFormat {
      constructor(...args: ConstructorParameters<typeof Intl.ListFormat>) {
        super(...args);
        made.ListFormat++;
      }
    },
    RelativeTimeFormat: class extends originals.RelativeTimeFormat {
      constructor(...args: ConstructorParameters<typeof Intl.RelativeTimeFormat>) {
        super(...args);
        made.RelativeTimeFormat++;
      }
    },
  });
  try {
    for (let seconds = 7 * 25_000; seconds >= 0; seconds -= 7)
      for (const style of ['long', 'short', 'relative'] as const)
        formatCountdown(seconds, { style, precision: 'second', locale: 'de' });
    // Four units and zero's second in two styles; a list of units in two styles; numeric 'always' and 'auto'.
    assert.deepEqual(made, { NumberFormat: 8, ListFormat: 2, RelativeTimeFormat: 2 });
    clearFormatters();
    formatCountdown(TWO_HOURS, { style: 'relative', precision: 'second', locale: 'de' });
    assert.equal(made.RelativeTimeFormat, 3, 'clearFormatters forgets them too');
  } finally {
    Object.assign(Intl, originals);
  }
});

test('formatCountdown: countdowns alike get the same text, made once per second, and again after clearFormatters', (t) => {
  clearFormatters();
  // (TypeScript's lib types the prototype as any.)
  const prototype = Intl.RelativeTimeFormat.prototype as Pick<Intl.RelativeTimeFormat, 'format'>;
  const format = t.mock.method(prototype, 'format');
  const settings = { style: 'relative', precision: 'second', locale: 'en' } as const;
  const first = formatCountdown(90, settings);
  assert.equal(first, 'in 1 minute');
  // Another element's settings, equal: the same text, not made again.
  assert.equal(formatCountdown(90, { ...settings }), first);
  assert.equal(format.mock.callCount(), 1);
  // Other settings, or another second: made.
  assert.equal(formatCountdown(90, { ...settings, locale: 'de' }), 'in 1 Minute');
  assert.equal(formatCountdown(90, settings), first);
  assert.equal(formatCountdown(30, settings), 'in 30 seconds');
  assert.equal(format.mock.callCount(), 4);
  clearFormatters();
  assert.equal(formatCountdown(30, settings), 'in 30 seconds');
  assert.equal(format.mock.callCount(), 5, 'made again: the default locale may have changed');
});

test('isoInstant and isoDuration: the datetime of an instant, and of whole seconds', () => {
  assert.equal(isoInstant(INSTANT), new Date(INSTANT).toISOString());
  assert.equal(isoInstant(0), '1970-01-01T00:00:00.000Z');
  assert.equal(isoDuration(90), 'PT90S');
  assert.equal(isoDuration(0), 'PT0S');
  assert.equal(isoDuration(3600), 'PT3600S');
});
