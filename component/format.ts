/** Formatting through Intl, with formatters cached and shared by every clock on the page. */

export type ClockFormat = 'time' | 'date' | 'datetime';
export type HourCycle = 'h12' | 'h23';
export type Precision = 'second' | 'minute';

export interface FormatSettings {
  format: ClockFormat;
  timeZone?: string;
  locale?: string;
  hourCycle?: HourCycle;
  precision: Precision;
}

const cache = new Map<string, Intl.DateTimeFormat>();

export function formatter(settings: FormatSettings): Intl.DateTimeFormat {
  const key = JSON.stringify(settings);
  let f = cache.get(key);
  if (!f) {
    const { format, timeZone, locale, hourCycle, precision } = settings;
    const time: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit', ...(precision === 'second' ? { second: '2-digit' } : {}) };
    const date: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric' };
    f = new Intl.DateTimeFormat(locale, {
      ...(format !== 'date' ? time : {}),
      ...(format !== 'time' ? date : {}),
      ...(hourCycle ? { hourCycle } : {}),
      ...(timeZone ? { timeZone } : {}),
    });
    cache.set(key, f);
  }
  return f;
}

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export function isLocale(value: string): boolean {
  try {
    Intl.DateTimeFormat.supportedLocalesOf(value);
    return true;
  } catch {
    return false;
  }
}

/** A countdown as text: "1d 02:03:04", "02:03:04", "03:04" (hours and days only when needed). */
export function formatDuration(ms: number, precision: Precision): string {
  const total = Math.max(0, precision === 'minute' ? Math.ceil(ms / 60_000) * 60 : Math.ceil(ms / 1000));
  const days = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = precision === 'minute' ? `${two(h)}:${two(m)}` : h > 0 || days > 0 ? `${two(h)}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
  return days > 0 ? `${days}d ${clock}` : clock;
}
