import { createServer, type IncomingMessage, type ServerResponse, type Server as HttpServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { Server } from 'socket.io';
import {
  SYNC_EVENT,
  SYNC_LOAD,
  TICKS_EVENT,
  TIMER_EVENT,
  TIMER_UNWATCH_EVENT,
  TIMER_WATCH_EVENT,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SyncReply,
} from '../sdk/protocol.js';
import { createLogger, type Logger } from './logger.js';
import { preciseNow } from './precise-time.js';
import { DEMO_FILES, demoPage, findCdnBundle } from './demo-page.js';
import { createMetrics, type ServerMetrics } from './metrics.js';
import { TokenBucket } from '../sdk/protocol.js';
import { startTicker, tickedSockets } from './ticker.js';
import { releaseUpgradeRequest, trimConnection } from './internals.js';
import type { ClockIo, ClockSocket, InterServerEvents, SocketData } from './io-types.js';
import { createMemoryStore } from './timers/memory-store.js';
import type { TimerStoreFactory } from './timers/store.js';
import { createTimers, type ClockTimers } from './timers/timers.js';
import { timerRoom, watchCounts, watchHandlers } from './timers/watch.js';
import { createAdminHandler, type AdminHandler } from './timers/admin-api.js';
import { driveDemoRound } from './timers/demo-round.js';
import { joinCluster } from './cluster.js';
import type { RedisOption } from './redis-link.js';

/** Options of {@link createClockServer}; every one may be left out. */
export interface ClockServerOptions {
  /**
   * An HTTP server to attach to, instead of creating one: socket.io answers under `/socket.io/`,
   * every other route stays the caller's, and {@link ClockServer.listen} is the caller's to do.
   * @defaultValue a server of its own, which also answers `/health`, `/ready` and `/metrics`
   */
  httpServer?: HttpServer;
  /**
   * Port for {@link ClockServer.listen} when it is given none; 0 picks a free one.
   * @defaultValue `3000`
   */
  port?: number;
  /**
   * Interface for {@link ClockServer.listen} when it is given none.
   * @defaultValue `'localhost'`
   */
  host?: string;
  /**
   * Browser origins allowed to connect, e.g. `https://example.com`, or `'*'` for any. Checked for
   * every transport, WebSocket included; requests without an `Origin` (not from a browser) pass.
   * @defaultValue the server's own origin, plus any localhost origin unless `NODE_ENV=production`
   */
  allowedOrigins?: readonly string[] | '*';
  /**
   * Broadcast period in ms, at least 10: ticks go out on whole multiples of it on the server clock.
   * @defaultValue `1000`
   */
  tickInterval?: number;
  /**
   * socket.io transports to accept.
   * @defaultValue `['polling', 'websocket']`
   */
  transports?: ('polling' | 'websocket')[];
  /**
   * Serve the demo page at `/` and the CDN bundle at `/cdn/` (on a server of its own only), and
   * drive the timer `demo-round`: a round of a minute, restarted when it ends.
   * @defaultValue `false`
   */
  demo?: boolean;
  /**
   * Sync requests a socket may make at once (`burst`), and per second after that; requests over
   * the limit go unanswered.
   * @defaultValue `{ burst: 20, perSecond: 5 }`
   */
  syncRateLimit?: { burst: number; perSecond: number };
  /**
   * Where the server logs refused requests and failed routes.
   * @defaultValue `createLogger('info')`: JSON lines on stdout and stderr
   */
  logger?: Logger;
  /**
   * The bearer token that writes of the timers' HTTP admin API need
   * (`Authorization: Bearer <token>`). Without one, every write is refused (403); reads stay public.
   * @defaultValue none: writes disabled
   */
  adminToken?: string;
  /**
   * How long ended and cancelled timers are kept, ms; then they read as `idle`.
   * @defaultValue `86_400_000` (a day)
   */
  timerTtl?: number;
  /**
   * The clock the server serves, epoch ms: its ticks, its sync answers and its timers' deadlines
   * (unless the timer store brings a cluster clock, `TimerStore.clock`, measured against
   * this one). Tests inject an offset with it.
   * @defaultValue {@link preciseNow}, the system clock with sub-millisecond precision
   */
  clock?: () => number;
  /**
   * Where timers live: a factory the server calls once with its clock and TTL.
   * @defaultValue `createMemoryStore`: in this process's memory
   */
  timerStore?: TimerStoreFactory;
  /**
   * Redis, for several nodes: a URL (`redis://127.0.0.1:6379`), or an ioredis client you pass in
   * (it stays yours: `close()` does not quit it but takes the server's listeners off it, so give it
   * an `error` listener of your own; subscriptions use duplicates of it). Timers then
   * live in Redis, socket.io's Redis adapter carries each change to the watchers on every node, and
   * the clock served (ticks, sync answers, deadlines) is {@link ClockServerOptions.clock} corrected
   * onto Redis' `TIME`, the cluster's reference: measured before {@link ClockServer.listen} listens,
   * then every 15 s, slewed. While Redis is unreachable the node keeps serving the time, `/ready`
   * answers 503 and watches are refused as `unavailable`; when it is back, watchers get every state again.
   * @defaultValue none: one node, timers in memory ({@link ClockServerOptions.timerStore})
   */
  redis?: RedisOption;
}

/** A running clock server, from {@link createClockServer}. */
export interface ClockServer {
  /**
   * The socket.io server, typed by the protocol's event maps. A `connection` handler added here
   * gets each socket trimmed for memory: `socket.request` is gone and `socket.handshake.headers`
   * empty. Read those in `io.use()` middleware, which runs before.
   */
  io: ClockIo;
  /** The HTTP server socket.io is attached to: {@link ClockServerOptions.httpServer}, or its own. */
  httpServer: HttpServer;
  /** Counters and gauges, served at `GET /metrics` (own server only). */
  metrics: ServerMetrics;
  /** The server-driven timers: actions, state and the `end` event. */
  timers: ClockTimers;
  /**
   * The timers' HTTP admin API (`/timers/{name}`, see the README) as a request handler: returns
   * true when it takes the request. A server of its own routes it; on a caller's `httpServer`,
   * nothing does until the caller calls it from its own request handler.
   */
  adminHandler: AdminHandler;
  /**
   * Starts listening (own server only; rejects otherwise); resolves with the bound port.
   * @param port - defaults to {@link ClockServerOptions.port}, else 3000
   * @param host - defaults to {@link ClockServerOptions.host}, else `localhost`
   */
  listen(port?: number, host?: string): Promise<number>;
  /**
   * Fails readiness, stops the ticker and the timers' scheduler, disconnects clients (they
   * reconnect, to another instance behind a load balancer), closes the servers and then the timer
   * store. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

const LOCALHOST = new Set(['localhost', '127.0.0.1', '[::1]']);

// Two clocks' worth of the load one clock may cause (PROTOCOL.md "Load"): two clocks on one socket
// are never limited; the element shares one clock between all its instances.
const DEFAULT_SYNC_RATE_LIMIT = { burst: 2 * SYNC_LOAD.burst, perSecond: 2 * SYNC_LOAD.perSecond };

/**
 * Whether a packet's argument is its acknowledgement: a client cannot send a function (packets are
 * JSON), so a function there is the one socket.io made for the packet's ack id.
 */
function isAck(value: unknown): value is (reply: SyncReply) => void {
  return typeof value === 'function';
}

/**
 * Creates a server-clock server: socket.io pushing the server's time to every client on each tick
 * (`TIME_EVENT`, unless the client opted out with `TICKS_EVENT`), answering sync requests
 * ({@link SYNC_EVENT}) and serving named timers to their watchers ({@link ClockServer.timers}), on
 * an HTTP server of its own or on the caller's.
 *
 * @param options - all optional; see {@link ClockServerOptions} for each default
 * @returns the server; a server of its own listens once {@link ClockServer.listen} is called
 * @throws RangeError if `tickInterval` is not a number of milliseconds ≥ 10, or `timerTtl` not a
 *   positive number of milliseconds
 *
 * @example A server of its own, with the demo page, closed on SIGTERM:
 * ```ts
 * import { createClockServer } from 'server-clock/server';
 *
 * const clock = createClockServer({ demo: true, allowedOrigins: ['https://www.example.com'] });
 * const port = await clock.listen(3000, '0.0.0.0');
 * process.once('SIGTERM', () => void clock.close());
 * ```
 *
 * @example On an existing HTTP server, whose routes stay its own:
 * ```ts
 * import { createServer } from 'node:http';
 * import { createClockServer } from 'server-clock/server';
 *
 * const httpServer = createServer((req, res) => res.end('my app'));
 * createClockServer({ httpServer, allowedOrigins: ['https://www.example.com'] });
 * httpServer.listen(3000);
 * ```
 */
export function createClockServer(options: ClockServerOptions = {}): ClockServer {
  const tickInterval = options.tickInterval ?? 1000;
  if (!(Number.isFinite(tickInterval) && tickInterval >= 10)) {
    throw new RangeError(`tickInterval must be a number of milliseconds ≥ 10, got ${String(options.tickInterval)}`);
  }
  const timerTtl = options.timerTtl ?? 86_400_000;
  if (!(Number.isFinite(timerTtl) && timerTtl > 0)) {
    throw new RangeError(`timerTtl must be a positive number of milliseconds, got ${String(options.timerTtl)}`);
  }
  const log = options.logger ?? createLogger('info');
  const ownServer = !options.httpServer;
  const httpServer = options.httpServer ?? createServer();
  const allowOrigin = originPolicy(options.allowedOrigins);
  const syncRateLimit = options.syncRateLimit ?? DEFAULT_SYNC_RATE_LIMIT;
  const syncBuckets = new TokenBucket(syncRateLimit.burst, syncRateLimit.perSecond);

  const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(httpServer, {
    serveClient: false,
    perMessageDeflate: false,
    httpCompression: false,
    maxHttpBufferSize: 4 * 1024,
    transports: options.transports ?? ['polling', 'websocket'],
    // allowRequest below has already refused other origins, so CORS may reflect the caller's.
    cors: { origin: true, credentials: false },
    // CORS does not apply to WebSocket upgrades: check the Origin here, for every transport.
    allowRequest: (req, cb) => {
      const origin = req.headers.origin;
      cb(null, !origin || allowOrigin(origin, req.headers.host));
    },
  });
  io.engine.use(releaseUpgradeRequest);
  const metrics = createMetrics(
    () => io.engine.clientsCount,
    () => watchCounts(io),
    () => tickedSockets(io),
  );
  const localClock = options.clock ?? preciseNow;
  const cluster = options.redis
    ? joinCluster(options.redis, { io, clock: localClock, log, registry: metrics.registry })
    : undefined;
  const nodeClock = cluster ? () => cluster.clock.now() : localClock;
  const store = (options.timerStore ?? cluster?.store ?? createMemoryStore)({ clock: nodeClock, ttl: timerTtl });
  // A store with a reference of its own makes that the clock served.
  const clock = store.clock ?? nodeClock;
  // Every refusal: a disallowed origin (Forbidden), an unknown session or transport, a bad request.
  io.engine.on('connection_error', (error: { req: IncomingMessage; message: string }) => {
    metrics.rejectedHandshakes.inc({ reason: error.message });
    log.warn('request refused', { reason: error.message, origin: error.req.headers.origin, url: error.req.url });
  });

  // The handlers below are shared by every socket (socket.io calls them with the socket as
  // `this`), so that a connection costs no closures of its own.

  // A client may only ask for the time, opt in or out of its pushes and watch timers: other events
  // have no handler, and are counted and dropped here.
  const KNOWN_EVENTS: readonly unknown[] = [SYNC_EVENT, TICKS_EVENT, TIMER_WATCH_EVENT, TIMER_UNWATCH_EVENT];
  const dropUnknownEvents = ([event]: unknown[], next: (err?: Error) => void) => {
    if (KNOWN_EVENTS.includes(event)) return next();
    metrics.droppedEvents.inc({ reason: 'unknown_event' });
  };

  // The SDK sends no argument but the acknowledgement. Anything else is not from it: dropped without
  // an answer, like a request over the rate limit, which costs the sender a timeout and us nothing.
  function onSync(this: ClockSocket, ...args: unknown[]) {
    const t1 = clock();
    metrics.syncRequests.inc();
    const ack = args[0];
    if (args.length !== 1 || !isAck(ack)) {
      metrics.droppedEvents.inc({ reason: 'invalid_sync' });
      return;
    }
    if (!syncBuckets.take(this.data, performance.now())) {
      metrics.rateLimited.inc();
      return;
    }
    const reply: SyncReply = { t1, t2: clock() };
    ack(reply);
  }

  const ticker = startTicker(io, tickInterval, clock);

  // One boolean, no acknowledgement: anything else is dropped and counted, and changes nothing.
  function onTicks(this: ClockSocket, ...args: unknown[]) {
    const [on] = args;
    if (args.length !== 1 || typeof on !== 'boolean') {
      metrics.droppedEvents.inc({ reason: 'invalid_ticks' });
      return;
    }
    ticker.setTicks(this, on);
  }

  // Through the adapter: with several nodes, it carries each state to the watchers on all of them.
  const timers = createTimers(store, clock, (state) => io.to(timerRoom(state.name)).emit(TIMER_EVENT, state), log);
  const { onWatch, onUnwatch } = watchHandlers(timers, metrics);
  cluster?.resyncWatchers(timers);
  const adminHandler = createAdminHandler(timers, options.adminToken, log);
  const stopDemoRound = options.demo ? driveDemoRound(timers, log) : undefined;

  io.on('connection', (socket) => {
    ticker.add(socket);
    syncBuckets.fill(socket.data, performance.now());
    socket.use(dropUnknownEvents);
    socket.on(SYNC_EVENT, onSync);
    socket.on(TICKS_EVENT, onTicks);
    socket.on(TIMER_WATCH_EVENT, onWatch);
    socket.on(TIMER_UNWATCH_EVENT, onUnwatch);
    trimConnection(socket);
  });

  let closing: Promise<void> | undefined;

  if (ownServer) {
    const cdnBundle = options.demo ? findCdnBundle() : undefined;
    httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // socket.io answers its own path; everything else is ours.
      if (req.url?.startsWith('/socket.io/') || adminHandler(req, res)) return;
      const unready = closing
        ? 'shutting down'
        : !httpServer.listening
          ? 'not listening'
          : cluster && !cluster.up()
            ? 'redis unavailable'
            : undefined;
      const routeOptions = { demo: options.demo === true, cdnBundle, unready, metrics, clock, timers };
      void route(req, res, routeOptions).catch((error: unknown) => {
        log.error('request failed', { url: req.url, error: String(error) });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  }

  return {
    io,
    httpServer,
    metrics,
    timers,
    adminHandler,
    listen(port = options.port ?? 3000, host = options.host ?? 'localhost') {
      if (!ownServer) return Promise.reject(new Error('listen() is for a server created by createClockServer'));
      // The cluster clock's first measurement steps it: before serving anything.
      return (cluster?.started ?? Promise.resolve(true)).then(
        () =>
          new Promise((resolve, reject) => {
            httpServer.once('error', reject);
            httpServer.listen(port, host, () => {
              httpServer.off('error', reject);
              const address = httpServer.address();
              resolve(typeof address === 'object' && address ? address.port : port);
            });
          }),
      );
    },
    close() {
      // Readiness fails from here on: `closing` is set before anything else happens.
      closing ??= new Promise<void>((resolve) => {
        ticker.stop();
        stopDemoRound?.();
        timers.stop();
        metrics.close();
        // io.close() closes every socket's transport (clients see "transport close" and reconnect)
        // and, when it created nothing itself, closes httpServer.
        const release = () => store.close().then(() => cluster?.close());
        void io.close(() => void release().then(resolve, resolve));
        if (ownServer) httpServer.closeAllConnections();
      });
      return closing;
    },
  };
}

interface RouteOptions {
  demo: boolean;
  cdnBundle?: string;
  /** Why the server is not ready, or undefined when it is. */
  unready: string | undefined;
  metrics: ServerMetrics;
  /** The clock served, and the timers: the demo page renders its clocks with them. */
  clock: () => number;
  timers: ClockTimers;
}

// Everything from this server itself, and connections to any clock server.
const POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss: http: https:";

async function route(req: IncomingMessage, res: ServerResponse, opts: RouteOptions) {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
  if (path === '/health') return send(res, 200, 'text/plain', 'ok');
  if (path === '/ready')
    return opts.unready ? send(res, 503, 'text/plain', opts.unready) : send(res, 200, 'text/plain', 'ready');
  if (path === '/metrics')
    return send(res, 200, opts.metrics.registry.contentType, await opts.metrics.registry.metrics());
  if (opts.demo && path === '/') {
    // Rendered on the server (server-clock/ssr, loaded with the page): the style in each clock's
    // shadow root is inline, allowed by its hash and nothing else.
    const page = await demoPage({ clock: opts.clock, timers: opts.timers });
    const { styleHash } = await import('./render.js');
    const policy = POLICY.replace("style-src 'self'", `style-src 'self' ${styleHash()}`);
    return send(res, 200, 'text/html; charset=utf-8', page, policy);
  }
  const demoFile = opts.demo ? DEMO_FILES.get(path) : undefined;
  if (demoFile) return send(res, 200, demoFile.type, demoFile.body);
  if (opts.demo && path === '/cdn/server-clock.js' && opts.cdnBundle) {
    return send(res, 200, 'text/javascript; charset=utf-8', await readFile(opts.cdnBundle));
  }
  send(res, 404, 'text/plain', 'not found');
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, policy = POLICY) {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': policy,
  });
  res.end(body);
}

/** Decides whether a browser Origin may connect, given the Host the request was sent to. */
function originPolicy(
  allowed: ClockServerOptions['allowedOrigins'],
): (origin: string, host: string | undefined) => boolean {
  if (allowed === '*') return () => true;
  const list = new Set((allowed ?? []).map((o) => o.replace(/\/+$/, '').toLowerCase()));
  const development = process.env.NODE_ENV !== 'production';
  return (origin, host) => {
    const normalised = origin.toLowerCase();
    if (list.has(normalised)) return true;
    let url: URL;
    try {
      url = new URL(normalised);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    if (!allowed && url.host === host?.toLowerCase()) return true;
    return !allowed && development && LOCALHOST.has(url.hostname);
  };
}
