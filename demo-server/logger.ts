// Structured logs: one JSON line per event on stdout (stderr for warnings and errors).

/** The log levels, least severe first; `silent` logs nothing. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** One of {@link LOG_LEVELS}: a logger writes events at this level and above. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A logger: a method a level, each taking a message and fields to log with it. Any object of
 * this shape will do, e.g. one that forwards to pino or winston.
 */
export type Logger = Record<Exclude<LogLevel, 'silent'>, (msg: string, fields?: Record<string, unknown>) => void>;

/** Whether a value (a command-line option, an environment variable) names a {@link LogLevel}. */
export function isLogLevel(value: unknown): value is LogLevel {
  return LOG_LEVELS.includes(value as LogLevel);
}

/**
 * A logger writing one JSON line an event, `{"time":…,"level":…,"msg":…, ...fields}`: to stdout,
 * or stderr for warnings and errors.
 * @param level - the least severe level written; defaults to `'info'`
 */
export function createLogger(level: LogLevel = 'info'): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const write = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(lvl) < threshold) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }) + '\n';
    (lvl === 'warn' || lvl === 'error' ? process.stderr : process.stdout).write(line);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
