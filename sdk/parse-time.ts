/** Reading the time that servers push: our epoch numbers, and the strings of existing servers. */

export interface ParsedTime {
  /** Epoch milliseconds, truncated to `resolution`. */
  time: number;
  /** How coarse the value is, ms: 1 for whole milliseconds, 1000 for whole seconds, 0 for finer. */
  resolution: number;
}

const DAY = 86_400_000;
// Anything before 2001 is not a plausible epoch-milliseconds clock.
const MIN_EPOCH_MS = 978_307_200_000;
// Date#toTimeString(): "18:13:02 GMT+0100 (Central European Standard Time)".
const TIME_STRING = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d GMT[+-]\d{4}\b/;
// The fraction of a second of an ISO 8601 time, when it has one.
const ISO_FRACTION = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(\.\d+)?)?/;

/**
 * Parses a pushed time: epoch milliseconds (number or digits), an ISO 8601 string, the string of
 * `Date#toString()`, or of `Date#toTimeString()`, which has no date: the day is the one that puts
 * it nearest `reference` (the best guess of the server's time we have, in epoch ms).
 * Returns undefined for anything else.
 */
export function parsePushedTime(value: unknown, reference: number): ParsedTime | undefined {
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) value = Number(value);
  if (typeof value === 'number') {
    return value >= MIN_EPOCH_MS && value < Infinity ? { time: value, resolution: Number.isInteger(value) ? 1 : 0 } : undefined;
  }
  if (typeof value !== 'string' || value.length > 200) return undefined;
  const text = value.trim();
  const timeOnly = TIME_STRING.test(text);
  if (timeOnly && !Number.isFinite(reference)) return undefined;
  // A time of day on the reference's date reads like Date#toString(), which Date.parse must read.
  let time = Date.parse(timeOnly ? `${new Date(reference).toDateString()} ${text}` : text);
  if (timeOnly) time += Math.round((reference - time) / DAY) * DAY;
  if (!(time >= MIN_EPOCH_MS)) return undefined;
  const fraction = ISO_FRACTION.exec(text)?.[1];
  // ISO times resolve to their last digit; everything else Date.parse reads carries whole seconds.
  return { time, resolution: fraction ? Math.max(1, 10 ** (4 - fraction.length)) : 1000 };
}
