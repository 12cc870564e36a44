/**
 * The clock's display settings, the values each accepts, and formatting through Intl, with
 * formatters cached and shared by every clock on the page.
 */

/** What the clock shows: the time of day, the date, or both. */
export type ClockFormat = 'time' | 'date' | 'datetime';
/** 12-hour (`h12`) or 24-hour (`h23`) time. */
export type HourCycle = 'h12' | 'h23';
/** The unit of the shown time and countdown. */
export type Precision = 'second' | 'minute';

/** How to show the time: checked values (see the `is…` predicates), undefined for a default. */
export interface FormatSettings {
  /** What to show. */
  format: ClockFormat;
  /**
   * IANA time zone.
   * @defaultValue the browser's time zone
   */
  timeZone?: string;
  /**
   * BCP 47 locale.
   * @defaultValue the browser's locale
   */
  locale?: string;
  /**
   * 12- or 24-hour time.
   * @defaultValue the locale's
   */
  hourCycle?: HourCycle;
  /** The shown unit. */
  precision: Precision;
}

const CLOCK_FORMATS: readonly string[] = ['time', 'date', 'datetime'];
const HOUR_CYCLES: readonly string[] = ['h12', 'h23'];
const PRECISIONS: readonly string[] = ['second', 'minute'];

/** Whether `value` is a {@link ClockFormat}. */
export function isClockFormat(value: string): boolean {
  return CLOCK_FORMATS.includes(value);
}

/** Whether `value` is a {@link HourCycle}. */
export function isHourCycle(value: string): boolean {
  return HOUR_CYCLES.includes(value);
}

/** Whether `value` is a {@link Precision}. */
export function isPrecision(value: string): boolean {
  return PRECISIONS.includes(value);
}

// The time zones found good so far: asking Intl means making a formatter (a fraction of a ms),
// and a page of many clocks asks about the same few zones each time their properties change.
const knownTimeZones = new Set<string>();

/** Whether this browser knows `value` as a time zone (an IANA name such as `Europe/Paris`, or `UTC`). */
export function isTimeZone(value: string): boolean {
  if (knownTimeZones.has(value)) return true;
  // Intl has no question for it: a time zone it does not know is a RangeError.
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
  } catch {
    return false;
  }
  knownTimeZones.add(value);
  return true;
}

/** Whether `value` is a well-formed BCP 47 locale tag (such as `en-GB`). */
export function isLocale(value: string): boolean {
  // Likewise, a malformed tag is a RangeError.
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

/**
 * At most this many formatters are kept: a page has a few settings, but one that keeps changing
 * them (a time zone picker, say) must not grow the cache without bound.
 */
export const MAX_FORMATTERS = 64;

// By settings, oldest first (a Map keeps insertion order).
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The formatter for `settings`, made once and cached: at most {@link MAX_FORMATTERS}, the oldest
 * evicted first.
 */
export function formatter(settings: FormatSettings): Intl.DateTimeFormat {
  const key = JSON.stringify(settings);
  const cached = formatters.get(key);
  if (cached) return cached;
  const { format, timeZone, locale, hourCycle, precision } = settings;
  const made = new Intl.DateTimeFormat(locale, {
    ...(format !== 'date' && {
      hour: 'numeric',
      minute: '2-digit',
      ...(precision === 'second' && { second: '2-digit' }),
    }),
    ...(format !== 'time' && { year: 'numeric', month: 'short', day: 'numeric' }),
    hourCycle,
    timeZone,
  });
  if (formatters.size >= MAX_FORMATTERS) {
    const oldest = formatters.keys().next();
    if (!oldest.done) formatters.delete(oldest.value);
  }
  formatters.set(key, made);
  return made;
}

/**
 * Forgets every cached formatter: the next {@link formatter} call makes a new one. For when the
 * browser's default locale may have changed (the window's `languagechange` event).
 */
export function clearFormatters(): void {
  formatters.clear();
}

/**
 * A countdown of whole seconds as text: "1d 02:03:04", "02:03:04", "03:04" at second precision;
 * "1d 02:03", "02:03" at minute precision (the caller rounds `seconds` to the minute).
 */
export function formatDuration(seconds: number, precision: Precision): string {
  const days = Math.floor(seconds / 86_400);
  const [h, m, s] = [Math.floor(seconds / 3600) % 24, Math.floor(seconds / 60) % 60, seconds % 60].map((n) =>
    String(n).padStart(2, '0'),
  );
  // Hours only when there are some, seconds only at second precision.
  const clock = precision === 'minute' ? `${h}:${m}` : seconds < 3600 ? `${m}:${s}` : `${h}:${m}:${s}`;
  return days > 0 ? `${days}d ${clock}` : clock;
}
