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
    f = new Intl.DateTimeFormat(locale, {
      ...(format !== 'date' && {
        hour: 'numeric',
        minute: '2-digit',
        ...(precision === 'second' && { second: '2-digit' }),
      }),
      ...(format !== 'time' && { year: 'numeric', month: 'short', day: 'numeric' }),
      hourCycle,
      timeZone,
    });
    cache.set(key, f);
  }
  return f;
}

/** A countdown of whole seconds as text: "1d 02:03:04", "02:03:04", "03:04"; "02:03" for minutes. */
export function formatDuration(seconds: number, precision: Precision): string {
  const days = Math.floor(seconds / 86_400);
  const [h, m, s] = [Math.floor(seconds / 3600) % 24, Math.floor(seconds / 60) % 60, seconds % 60].map((n) =>
    String(n).padStart(2, '0'),
  );
  // Hours only when there are some, seconds only at second precision.
  const clock = precision === 'minute' ? `${h}:${m}` : seconds < 3600 ? `${m}:${s}` : `${h}:${m}:${s}`;
  return days ? `${days}d ${clock}` : clock;
}
