import { parseArgs } from 'node:util';
import { createClockServer } from './server.js';
import { preciseNow } from './precise-time.js';
import { createLogger, isLogLevel, LOG_LEVELS } from './logger.js';

const USAGE = `Usage: server-clock [options]

Options (environment variable in brackets):
  --port <n>             port to listen on, 0 for any free one [PORT] (default 3000)
  --host <name>          interface to listen on [HOST] (default localhost)
  --origins <list>       comma-separated allowed browser origins, or * [ALLOWED_ORIGINS]
                         (default: the server's own origin, plus localhost outside production)
  --tick <ms>            broadcast period in ms [TICK_INTERVAL] (default 1000)
  --transports <list>    polling,websocket [TRANSPORTS] (default both)
  --admin-token <token>  bearer token for the timers' admin API writes [ADMIN_TOKEN]
                         (default none: writes refused)
  --timer-ttl <ms>       how long ended and cancelled timers are kept [TIMER_TTL] (default 86400000)
  --redis <url>          Redis for several nodes: timers, fan-out and the cluster clock [REDIS_URL]
                         (default none: one node, timers in memory)
  --log-level <level>    ${LOG_LEVELS.join('|')} [LOG_LEVEL] (default info)
  --no-demo              do not serve the demo page at /
  -h, --help             show this help`;

function fail(message: string): never {
  process.stderr.write(`server-clock: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      port: { type: 'string' },
      redis: { type: 'string' },
      // Testing only, so not in the usage: the system clock moved by this many ms.
      'clock-offset': { type: 'string' },
      host: { type: 'string' },
      origins: { type: 'string' },
      tick: { type: 'string' },
      transports: { type: 'string' },
      'admin-token': { type: 'string' },
      'timer-ttl': { type: 'string' },
      'log-level': { type: 'string' },
      'no-demo': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const env = process.env;
const port = Number(args.port ?? env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid port "${args.port ?? env.PORT}"`);
const tick = Number(args.tick ?? env.TICK_INTERVAL ?? 1000);
if (!Number.isFinite(tick) || tick < 10) fail(`invalid tick interval "${args.tick ?? env.TICK_INTERVAL}"`);
const timerTtl = Number(args['timer-ttl'] ?? env.TIMER_TTL ?? 86_400_000);
if (!Number.isFinite(timerTtl) || timerTtl <= 0) fail(`invalid timer TTL "${args['timer-ttl'] ?? env.TIMER_TTL}"`);
const adminToken = args['admin-token'] ?? env.ADMIN_TOKEN;
const redis = args.redis ?? env.REDIS_URL;
const clockOffset = Number(args['clock-offset'] ?? 0);
if (!Number.isFinite(clockOffset)) fail(`invalid clock offset "${args['clock-offset']}"`);
const level = args['log-level'] ?? env.LOG_LEVEL ?? 'info';
if (!isLogLevel(level)) fail(`invalid log level "${level}"`);
const originList = args.origins ?? env.ALLOWED_ORIGINS;
const transportList = (args.transports ?? env.TRANSPORTS)?.split(',').map((t) => t.trim());
if (transportList?.some((t) => t !== 'polling' && t !== 'websocket'))
  fail(`invalid transports "${transportList.join(',')}"`);

const logger = createLogger(level);
const server = createClockServer({
  logger,
  demo: !args['no-demo'],
  tickInterval: tick,
  timerTtl,
  ...(adminToken ? { adminToken } : {}),
  ...(redis ? { redis } : {}),
  ...(clockOffset ? { clock: () => preciseNow() + clockOffset } : {}),
  ...(originList
    ? { allowedOrigins: originList.trim() === '*' ? '*' : originList.split(',').map((o) => o.trim()) }
    : {}),
  ...(transportList ? { transports: transportList as ('polling' | 'websocket')[] } : {}),
});

const host = args.host ?? env.HOST ?? 'localhost';
server.listen(port, host).then(
  (bound) =>
    logger.info('listening', { url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/`, port: bound }),
  (error: Error) => {
    logger.error('cannot listen', { error: error.message, port, host });
    process.exit(1);
  },
);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info('shutting down', { signal, clients: server.io.engine.clientsCount });
  // Orchestrators kill after a grace period (Kubernetes: 30 s, the issue: 5 s); never outlive it.
  const deadline = setTimeout(() => {
    logger.warn('shutdown deadline passed, exiting anyway');
    process.exit(0);
  }, 4000);
  deadline.unref();
  void server.close().then(() => {
    logger.info('stopped');
    process.exit(0);
  });
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
