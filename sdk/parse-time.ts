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
const TIME_STRING = /^(\d{2}):(\d{2}):(\d{2}) GMT([+-])(\d{2})(\d{2})\b/;
// ISO 8601 with a time: its fraction of a second, when given, sets the resolution.
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.(\d+))?)?/;

/**
 * Parses a pushed time: epoch milliseconds (number or digits), an ISO 8601 string, the string of
 * `Date#toString()`, or of `Date#toTimeString()`, which has no date: the day is the one that puts
 * it nearest `reference` (the best guess of the server's time we have, in epoch ms).
 * Returns undefined for anything else.
 */
export function parsePushedTime(value: unknown, reference: number): ParsedTime | undefined {
  if (typeof value === 'number') return epochMs(value);
  if (typeof value !== 'string' || value.length > 200) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return epochMs(Number(text));
  const timeOnly = TIME_STRING.exec(text);
  if (timeOnly) return fromTimeString(timeOnly, reference);
  const iso = ISO.exec(text);
  const time = Date.parse(text);
  if (!Number.isFinite(time) || time < MIN_EPOCH_MS) return undefined;
  if (iso) return { time, resolution: iso[1] ? Math.max(1, 1000 / 10 ** iso[1].length) : 1000 };
  // Date#toString() and other forms Date.parse knows carry whole seconds.
  return { time, resolution: 1000 };
}

function epochMs(n: number): ParsedTime | undefined {
  if (!Number.isFinite(n) || n < MIN_EPOCH_MS) return undefined;
  return { time: n, resolution: Number.isInteger(n) ? 1 : 0 };
}

function fromTimeString(m: RegExpExecArray, reference: number): ParsedTime | undefined {
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (h > 23 || min > 59 || s > 59 || !Number.isFinite(reference)) return undefined;
  const zone = (m[4] === '-' ? -1 : 1) * (Number(m[5]) * 60 + Number(m[6])) * 60_000;
  const utcOfDay = (((h * 3600 + min * 60 + s) * 1000 - zone) % DAY + DAY) % DAY;
  const dayStart = Math.floor(reference / DAY) * DAY;
  const candidates = [dayStart - DAY, dayStart, dayStart + DAY].map((d) => d + utcOfDay);
  const time = candidates.reduce((a, b) => (Math.abs(b - reference) < Math.abs(a - reference) ? b : a));
  return { time, resolution: 1000 };
}
