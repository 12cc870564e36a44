// The element's formatting in Node: Intl options per setting, the countdown text, the value
// predicates, and the formatter cache's bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_FORMATTERS,
  clearFormatters,
  formatDuration,
  formatter,
  isClockFormat,
  isHourCycle,
  isLocale,
  isPrecision,
  isTimeZone,
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
  // The newest MAX_FORMATTERS are still there (a hit changes nothing), ...
  for (let i = 10; i < settings.length; i++) assert.equal(formatter(settings[i]), made[i], settings[i].timeZone);
  // ... and the ten before them are gone: asking again makes a new one.
  for (let i = 9; i >= 0; i--) assert.notEqual(formatter(settings[i]), made[i], settings[i].timeZone);
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
  for (const value of ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Tokyo'])
    assert.equal(isTimeZone(value), true, value);
  for (const value of ['Mars/Olympus', 'Europe/Nowhere', '']) assert.equal(isTimeZone(value), false, value);
  for (const value of ['en', 'en-GB', 'de-DE', 'zh-Hant-TW']) assert.equal(isLocale(value), true, value);
  for (const value of ['12-invalid!', 'en_GB', '']) assert.equal(isLocale(value), false, value);
});
