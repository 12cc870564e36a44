import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { Server, type Socket } from 'socket.io';
import { SYNC_EVENT, TIME_EVENT, type SyncReply } from '../sdk/protocol.js';
import { createLogger, type Logger } from './logger.js';
import { preciseNow } from './precise-time.js';
import { DEMO_FILES, demoPage, findCdnBundle } from './demo-page.js';

export interface ClockServerOptions {
  /** Attach to this server instead of creating one; its routes stay the caller's. */
  httpServer?: HttpServer;
  /** Port for {@link ClockServer.listen} (default 3000; 0 picks a free one). */
  port?: number;
  /** Interface for {@link ClockServer.listen} (default `localhost`). */
  host?: string;
  /**
   * Browser origins allowed to connect, e.g. `https://example.com`, or `'*'` for any.
   * Default: the server's own origin, plus any localhost origin unless NODE_ENV=production.
   */
  allowedOrigins?: readonly string[] | '*';
  /** Broadcast period in ms, aligned to whole multiples of it on the server clock (default 1000). */
  tickInterval?: number;
  /** socket.io transports to accept (default both). */
  transports?: ('polling' | 'websocket')[];
  /** Serve the demo page at `/` and the CDN bundle at `/cdn/` (default false). */
  demo?: boolean;
  logger?: Logger;
}

export interface ClockServer {
  io: Server;
  httpServer: HttpServer;
  /** Starts listening (own server only); resolves with the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  /** Stops the timer, disconnects clients and closes the servers. */
  close(): Promise<void>;
}

const LOCALHOST = new Set(['localhost', '127.0.0.1', '[::1]']);

export function createClockServer(options: ClockServerOptions = {}): ClockServer {
  const tickInterval = options.tickInterval ?? 1000;
  if (!(Number.isFinite(tickInterval) && tickInterval >= 10)) {
    throw new RangeError(`tickInterval must be a number of milliseconds ≥ 10, got ${String(options.tickInterval)}`);
  }
  const log = options.logger ?? createLogger('info');
  const ownServer = !options.httpServer;
  const httpServer = options.httpServer ?? createServer();
  const allowOrigin = originPolicy(options.allowedOrigins);

  const io = new Server(httpServer, {
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
      const ok = !origin || allowOrigin(origin, req.headers.host);
      if (!ok) log.warn('handshake refused', { origin });
      cb(null, ok);
    },
  });

  io.on('connection', (socket: Socket) => {
    // The handshake's request object holds headers and buffers we never read again.
    (socket.conn as unknown as { request?: unknown }).request = undefined;
    socket.on(SYNC_EVENT, (...args: unknown[]) => {
      const t1 = preciseNow();
      const ack = args[args.length - 1];
      if (typeof ack !== 'function') return;
      const reply: SyncReply = { t1, t2: preciseNow() };
      ack(reply);
    });
  });

  // One timer for every socket, re-armed on each whole tick of the server clock.
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    timer = setTimeout(tick, tickInterval - (preciseNow() % tickInterval));
  };
  const tick = () => {
    const now = preciseNow();
    // Timers may fire a fraction of a millisecond early: then wait for the boundary itself.
    if (now % tickInterval > tickInterval / 2) return schedule();
    io.local.volatile.emit(TIME_EVENT, now);
    schedule();
  };
  schedule();

  if (ownServer) {
    const cdnBundle = options.demo ? findCdnBundle() : undefined;
    httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // socket.io answers its own path; everything else is ours.
      if (req.url?.startsWith('/socket.io/')) return;
      void route(req, res, { demo: options.demo === true, cdnBundle }).catch((error: unknown) => {
        log.error('request failed', { url: req.url, error: String(error) });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  }

  let closing: Promise<void> | undefined;
  return {
    io,
    httpServer,
    listen(port = options.port ?? 3000, host = options.host ?? 'localhost') {
      if (!ownServer) return Promise.reject(new Error('listen() is for a server created by createClockServer'));
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const address = httpServer.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearTimeout(timer);
        // io.close() disconnects every socket and, when it created nothing itself, closes httpServer.
        void io.close(() => resolve());
        if (ownServer) httpServer.closeAllConnections();
      });
      return closing;
    },
  };
}

async function route(req: IncomingMessage, res: ServerResponse, opts: { demo: boolean; cdnBundle?: string }) {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
  if (path === '/health') return send(res, 200, 'text/plain', 'ok');
  if (opts.demo && path === '/') return send(res, 200, 'text/html; charset=utf-8', demoPage());
  const demoFile = opts.demo ? DEMO_FILES.get(path) : undefined;
  if (demoFile) return send(res, 200, demoFile.type, demoFile.body);
  if (opts.demo && path === '/cdn/server-clock.js' && opts.cdnBundle) {
    return send(res, 200, 'text/javascript; charset=utf-8', await readFile(opts.cdnBundle));
  }
  send(res, 404, 'text/plain', 'not found');
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer) {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss: http: https:",
  });
  res.end(body);
}

/** Decides whether a browser Origin may connect, given the Host the request was sent to. */
function originPolicy(allowed: ClockServerOptions['allowedOrigins']): (origin: string, host: string | undefined) => boolean {
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
    if (!allowed && host !== undefined && url.host === host.toLowerCase()) return true;
    return !allowed && development && LOCALHOST.has(url.hostname);
  };
}
