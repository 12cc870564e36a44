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
/**
 * How a countdown reads: `digital` "1d 02:03:04"; `long` "2 hours, 3 minutes, 4 seconds" and
 * `short` "2 hr, 3 min, 4 sec" (`Intl.DurationFormat`'s styles); `relative` "in 2 hours"
 * (`Intl.RelativeTimeFormat`, the largest whole unit). See {@link formatCountdown}.
 */
export type CountdownStyle = 'digital' | 'long' | 'short' | 'relative';

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
const COUNTDOWN_STYLES: readonly string[] = ['digital', 'long', 'short', 'relative'];

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

/** Whether `value` is a {@link CountdownStyle}. */
export function isCountdownStyle(value: string): boolean {
  return COUNTDOWN_STYLES.includes(value);
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
 * At most this many formatters of each kind are kept: a page has a few settings, but one that
 * keeps changing them (a time zone picker, say) must not grow a cache without bound.
 */
export const MAX_FORMATTERS = 64;

// Every cache, for clearFormatters.
const caches: FormatterCache<unknown>[] = [];

/** Intl formatters of one kind by their options, made once: at most {@link MAX_FORMATTERS}, the oldest evicted first. */
class FormatterCache<T> {
  // By options, oldest first (a Map keeps insertion order).
  readonly #made = new Map<string, T>();

  constructor() {
    caches.push(this);
  }

  /** The formatter for `options`: the cached one, or `make()`'s, cached. */
  get(options: object, make: () => T): T {
    const key = JSON.stringify(options);
    const cached = this.#made.get(key);
    if (cached) return cached;
    const made = make();
    if (this.#made.size >= MAX_FORMATTERS) {
      const oldest = this.#made.keys().next();
      if (!oldest.done) this.#made.delete(oldest.value);
    }
    this.#made.set(key, made);
    return made;
  }

  clear(): void {
    this.#made.clear();
  }
}

const dateTimeFormats = new FormatterCache<Intl.DateTimeFormat>();
// The same, by the settings object itself (a lookup without the cache's JSON key). A new map on clearFormatters.
let formattersBySettings = new WeakMap<FormatSettings, Intl.DateTimeFormat>();

/**
 * The formatter for `settings`, made once and cached: at most {@link MAX_FORMATTERS}, the oldest
 * evicted first; and the settings object keeps the formatter it was given while it lives (an
 * element holds its settings in one object, and asks each second). Settings objects are taken as
 * they are when first asked: not to be changed after.
 */
export function formatter(settings: FormatSettings): Intl.DateTimeFormat {
  const known = formattersBySettings.get(settings);
  if (known) return known;
  const made = makeFormatter(settings);
  formattersBySettings.set(settings, made);
  return made;
}

function makeFormatter(settings: FormatSettings): Intl.DateTimeFormat {
  return dateTimeFormats.get(settings, () => {
    const { format, timeZone, locale, hourCycle, precision } = settings;
    return new Intl.DateTimeFormat(locale, {
      ...(format !== 'date' && {
        hour: 'numeric',
        minute: '2-digit',
        ...(precision === 'second' && { second: '2-digit' }),
      }),
      ...(format !== 'time' && { year: 'numeric', month: 'short', day: 'numeric' }),
      hourCycle,
      timeZone,
    });
  });
}

// Each formatter's last text, by the instant it was made for: clocks with the same settings share
// a formatter, so on a page of many the same second is formatted once, not once by each.
const lastTexts = new WeakMap<Intl.DateTimeFormat, { at: number; text: string }>();

/**
 * The time at `at` (epoch ms) as text in `settings`, from {@link formatter}'s formatter; the
 * caller gives the start of the shown unit, so that all within it ask with the same instant.
 */
export function formatTime(settings: FormatSettings, at: number): string {
  const format = formatter(settings);
  const last = lastTexts.get(format);
  if (last?.at === at) return last.text;
  const text = format.format(at);
  lastTexts.set(format, { at, text });
  return text;
}

// The last countdown's text and what it was made of: countdowns alike to the same end ask in turn.
let lastCountdown: (CountdownSettings & { seconds: number; text: string }) | undefined;

/**
 * Forgets every cached formatter (the countdowns' too): the next call makes a new one. For when
 * the browser's default locale may have changed (the window's `languagechange` event).
 */
export function clearFormatters(): void {
  for (const cache of caches) cache.clear();
  formattersBySettings = new WeakMap();
  lastCountdown = undefined;
}

/**
 * The function `make`, remembering its last answer: many clocks alike ask in turn for the same,
 * and get the same string (made once; and in Chromium, writing into the DOM a string it has taken
 * before costs less than an equal new one).
 */
function rememberingLast(make: (n: number) => string): (n: number) => string {
  let last: { n: number; text: string } | undefined;
  return (n) => {
    if (last?.n !== n) last = { n, text: make(n) };
    return last.text;
  };
}

/** An instant (epoch ms) as ISO 8601 text, `2026-12-02T10:00:00.000Z`: a `<time>`'s `datetime`. */
export const isoInstant = rememberingLast((at) => new Date(at).toISOString());

/** Whole seconds as an ISO 8601 duration, `PT90S`: a countdown's `datetime`. */
export const isoDuration = rememberingLast((seconds) => `PT${seconds}S`);

/** A duration's whole days, hours (0–23), minutes (0–59) and seconds (0–59). */
interface DurationFields {
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** `seconds` (whole) as days, hours, minutes and seconds. */
function durationFields(seconds: number): DurationFields {
  return {
    days: Math.floor(seconds / 86_400),
    hours: Math.floor(seconds / 3600) % 24,
    minutes: Math.floor(seconds / 60) % 60,
    seconds: seconds % 60,
  };
}

/**
 * A countdown of whole seconds as text: "1d 02:03:04", "02:03:04", "03:04" at second precision;
 * "1d 02:03", "02:03" at minute precision (the caller rounds `seconds` to the minute).
 */
export function formatDuration(seconds: number, precision: Precision): string {
  const fields = durationFields(seconds);
  const [h, m, s] = [fields.hours, fields.minutes, fields.seconds].map((n) => String(n).padStart(2, '0'));
  // Hours only when there are some, seconds only at second precision.
  const clock = precision === 'minute' ? `${h}:${m}` : seconds < 3600 ? `${m}:${s}` : `${h}:${m}:${s}`;
  return fields.days > 0 ? `${fields.days}d ${clock}` : clock;
}

/** What a countdown's text depends on: checked values, undefined for a default. */
export interface CountdownSettings {
  /** How it reads. */
  style: CountdownStyle;
  /** The shown unit: `minute` leaves the seconds out. */
  precision: Precision;
  /**
   * BCP 47 locale (`digital` has none).
   * @defaultValue the browser's locale
   */
  locale?: string;
}

/** A unit of a countdown, as `Intl.NumberFormat` and `Intl.RelativeTimeFormat` name it. */
type CountdownUnit = 'day' | 'hour' | 'minute' | 'second';

/** So many of a unit: "3 minutes". */
interface UnitAmount {
  unit: CountdownUnit;
  amount: number;
}

/** The units of `seconds` that are not zero, largest first; no seconds at minute precision. */
function nonzeroUnits(seconds: number, precision: Precision): UnitAmount[] {
  const fields = durationFields(seconds);
  const units: UnitAmount[] = [
    { unit: 'day', amount: fields.days },
    { unit: 'hour', amount: fields.hours },
    { unit: 'minute', amount: fields.minutes },
    { unit: 'second', amount: precision === 'second' ? fields.seconds : 0 },
  ];
  return units.filter(({ amount }) => amount > 0);
}

/**
 * A countdown of whole seconds (`seconds`, rounded by the caller to the shown unit) as text in
 * `settings.style`, from cached formatters:
 * - `digital`: {@link formatDuration}'s "1d 02:03:04", in every locale;
 * - `long`, `short`: the units that are not zero, largest first, as `Intl.DurationFormat` writes
 *   them ("1 day, 5 seconds"; "2 Std., 3 Min. und 4 Sek."); at zero, the smallest shown unit's 0
 *   ("0 seconds", "0 min"), which DurationFormat would leave empty. Where the browser lacks
 *   `Intl.DurationFormat`, the same text from `Intl.NumberFormat` and `Intl.ListFormat`
 *   ({@link joinUnits});
 * - `relative`: the largest unit that is not zero, whole (rounded down), as
 *   `Intl.RelativeTimeFormat` writes it ("in 2 hours" for 2 h 59 min); at zero, and so after
 *   the end, the locale's word for now ("now", "jetzt", "今").
 */
export function formatCountdown(seconds: number, settings: CountdownSettings): string {
  const last = lastCountdown;
  if (
    last?.seconds === seconds &&
    last.style === settings.style &&
    last.precision === settings.precision &&
    last.locale === settings.locale
  )
    return last.text;
  const text = countdownText(seconds, settings);
  lastCountdown = { seconds, ...settings, text };
  return text;
}

/** {@link formatCountdown}'s text, made. */
function countdownText(seconds: number, settings: CountdownSettings): string {
  const { style, precision, locale } = settings;
  if (style === 'digital') return formatDuration(seconds, precision);
  const units = nonzeroUnits(seconds, precision);
  const largest = units.at(0);
  if (style === 'relative') {
    // numeric 'auto' says "now" for 0 seconds, but "tomorrow" for 1 day: only for zero.
    const numeric = largest === undefined ? 'auto' : 'always';
    const format = relativeTimeFormats.get({ locale, numeric }, () => new Intl.RelativeTimeFormat(locale, { numeric }));
    return largest === undefined ? format.format(0, 'second') : format.format(largest.amount, largest.unit);
  }
  // Zero, which DurationFormat (leaving zero units out) would write as nothing: the smallest shown unit's 0.
  if (largest === undefined) return unitFormat(locale, style, precision).format(0);
  const DurationFormat = intlDurationFormat();
  if (DurationFormat === undefined) return joinUnits(units, locale, style);
  const format = durationFormats.get({ locale, style }, () => new DurationFormat(locale, { style }));
  return format.format(Object.fromEntries(units.map(({ unit, amount }) => [`${unit}s`, amount])));
}

/** The part of `Intl.DurationFormat` (ES2025) used here: TypeScript's lib here does not declare it yet. */
interface DurationFormat {
  format(duration: Partial<DurationFields>): string;
}
type DurationFormatConstructor = new (
  locale: string | undefined,
  options: { style: 'long' | 'short' },
) => DurationFormat;

/** This browser's `Intl.DurationFormat`, looked up on each call (a test takes it away); undefined where it has none. */
function intlDurationFormat(): DurationFormatConstructor | undefined {
  return (Intl as { DurationFormat?: DurationFormatConstructor }).DurationFormat;
}

const durationFormats = new FormatterCache<DurationFormat>();
const relativeTimeFormats = new FormatterCache<Intl.RelativeTimeFormat>();
const unitFormats = new FormatterCache<Intl.NumberFormat>();
const listFormats = new FormatterCache<Intl.ListFormat>();

/** "3 minutes" (`long`), "3 min" (`short`): `Intl.NumberFormat`'s unit style, as DurationFormat writes each unit. */
function unitFormat(locale: string | undefined, style: 'long' | 'short', unit: CountdownUnit): Intl.NumberFormat {
  return unitFormats.get(
    { locale, style, unit },
    () => new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: style }),
  );
}

/**
 * The fallback for `Intl.DurationFormat` (which Chromium 129 and Firefox 136 brought): each unit
 * as `Intl.NumberFormat` writes it, joined as a list of units by `Intl.ListFormat` in the same
 * style, which is how DurationFormat builds its `long` and `short` text.
 */
function joinUnits(units: UnitAmount[], locale: string | undefined, style: 'long' | 'short'): string {
  const list = listFormats.get({ locale, style }, () => new Intl.ListFormat(locale, { type: 'unit', style }));
  return list.format(units.map(({ unit, amount }) => unitFormat(locale, style, unit).format(amount)));
}
