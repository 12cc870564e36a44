/** Reading the time that servers push: our epoch numbers, and the strings of existing servers. */

/**
 * A pushed time: epoch milliseconds, truncated to `resolution`, and how coarse it is, ms (1 for
 * whole milliseconds, 1000 for whole seconds, 0 for finer).
 */
export interface ParsedTime {
  time: number;
  resolution: number;
}

const DAY = 86_400_000;
// Anything before 2001 is not a plausible epoch-milliseconds clock.
const MIN_EPOCH_MS = 978_307_200_000;
// Date#toTimeString(): "18:13:02 GMT+0100 (Central European Standard Time)". Strict about the
// ranges: Firefox's Date.parse rolls 25:13 over to the next day.
const TIME_STRING = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d GMT[+-]\d{4}\b/;

/**
 * Parses a pushed time: epoch milliseconds (number or digits), an ISO 8601 string, the string of
 * `Date#toString()`, or of `Date#toTimeString()`, which has no date: the day is the one that puts
 * it nearest `reference` (the best guess of the server's time we have, in epoch ms).
 * Returns undefined for anything else.
 */
export function parsePushedTime(value: unknown, reference: number): ParsedTime | undefined {
  // Numbers read as their digits (NaN, Infinity and negative ones as no time); objects and
  // arrays as nothing.
  const text = typeof value === 'object' ? '' : `${value}`.trim();
  if (text.length > 200) return undefined;
  // Epoch milliseconds: whatever JavaScript reads as a finite number (digits, in practice).
  let time = +text;
  const epoch = time < Infinity;
  const timeOnly = TIME_STRING.test(text);
  // A time of day reads like Date#toString() on any date (Date.parse must read that), then
  // moves to the day nearest the reference (a reference that is not a time leaves NaN).
  if (!epoch) time = Date.parse(timeOnly ? `Thu Jan 01 1970 ${text}` : text);
  if (timeOnly) time += Math.round((reference - time) / DAY) * DAY;
  // Epoch numbers: whole ones are 1 ms coarse, finer ones exact. ISO times resolve to their last
  // digit; everything else Date.parse reads carries whole seconds.
  const digits = /\.(\d+)/.exec(text)?.[1].length ?? 0;
  const resolution = epoch ? (digits ? 0 : 1) : Math.max(1, 10 ** (3 - digits));
  return time >= MIN_EPOCH_MS ? { time, resolution } : undefined;
}
