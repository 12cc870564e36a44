/** Reading the time that servers push: our epoch numbers, and the strings of existing servers. */

/** A pushed time, as {@link parsePushedTime} reads it. */
export interface ParsedTime {
  /** Epoch milliseconds, truncated to `resolution`. */
  time: number;
  /** How coarse `time` is, ms: 1 for whole milliseconds, 1000 for whole seconds, 0 for finer. */
  resolution: number;
}

const DAY = 86_400_000;
const SECOND = 1000;
// Longer strings are no time we read (and not worth a regular expression's time).
const MAX_LENGTH = 200;
// Anything before 2001 is not a plausible epoch-milliseconds clock.
const MIN_EPOCH_MS = 978_307_200_000;
// ISO 8601, as Date#toISOString() writes it: "2026-11-25T18:13:02.345Z" (or with an offset, or
// fewer digits). Date.parse checks the rest.
const ISO_8601 = /^[+-]?\d{4,6}-\d\d-\d\d/;
// Date#toTimeString(): "18:13:02 GMT+0100 (Central European Standard Time)". Strict about the
// ranges: Firefox's Date.parse rolls 25:13 over to the next day.
const TIME_STRING = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d GMT[+-]\d{4}\b/;

/**
 * Parses a pushed time: epoch milliseconds (a number, or a string of one), an ISO 8601 string,
 * the string of `Date#toString()`, or of `Date#toTimeString()`, which has no date: the day is the
 * one that puts it nearest `reference` (the best guess of the server's time we have, epoch ms).
 * Returns undefined for anything else, and for times before 2001.
 */
export function parsePushedTime(value: unknown, reference: number): ParsedTime | undefined {
  // Objects and arrays are no time ([t] would otherwise read as the digits of t), nor is
  // anything else but numbers and strings.
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (text.length > MAX_LENGTH) return undefined;

  // Epoch milliseconds: whatever JavaScript reads as a finite number (digits, in practice).
  // Whole ones are 1 ms coarse; a fraction, if given, makes them exact.
  const epoch = Number(text);
  if (Number.isFinite(epoch)) return plausible(epoch, /\.\d/.test(text) ? 0 : 1);

  // ISO 8601: as coarse as its last digit (whole seconds without a fraction).
  if (ISO_8601.test(text)) {
    const fractionDigits = /\.(\d+)/.exec(text)?.[1].length ?? 0;
    return plausible(Date.parse(text), Math.max(1, SECOND / 10 ** fractionDigits));
  }

  // Date#toTimeString(): whole seconds, on the day nearest the reference.
  if (TIME_STRING.test(text)) {
    if (!Number.isFinite(reference)) return undefined;
    // Read as Date#toString() on the epoch's first day (a form Date.parse must read), then moved
    // by whole days.
    const onFirstDay = Date.parse(`Thu Jan 01 1970 ${text}`);
    return plausible(onFirstDay + Math.round((reference - onFirstDay) / DAY) * DAY, SECOND);
  }

  // Date#toString() (and the other date strings Date.parse reads, such as Date#toUTCString()):
  // whole seconds.
  return plausible(Date.parse(text), SECOND);
}

/** The time, unless it is none (Date.parse's NaN) or too early to be a server's clock. */
function plausible(time: number, resolution: number): ParsedTime | undefined {
  if (Number.isNaN(time) || time < MIN_EPOCH_MS) return undefined;
  return { time, resolution };
}
