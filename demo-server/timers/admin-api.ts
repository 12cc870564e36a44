/**
 * The HTTP admin API of the timers (see the README):
 *
 * | request                       | body                                       | action          |
 * | ----------------------------- | ------------------------------------------ | --------------- |
 * | `PUT /timers/{name}`          | `{"endsAt": <epoch ms or ISO>}` or `{"duration": <ms>}` | start, restart |
 * | `POST /timers/{name}/extend`  | `{"by": <ms, positive>}`                   | extend          |
 * | `POST /timers/{name}/pause`   |                                            | pause           |
 * | `POST /timers/{name}/resume`  |                                            | resume          |
 * | `DELETE /timers/{name}`       |                                            | cancel          |
 * | `GET /timers/{name}`          |                                            | read (public)   |
 *
 * Writes need `Authorization: Bearer <token>`: 401 without one, 403 with a wrong one or when the
 * server has no token (writes are never open by default). A success answers 200 with the state;
 * a refusal `{"error": "<message>"}` with 400 (bad JSON, name or value, a deadline in the past),
 * 404 (an action on an idle timer), 409 (an impossible transition), 413 (a body over 4 KB), 405
 * (another method), or 503 (the store is unavailable).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TimerState } from '../../sdk/protocol.js';
import type { Logger } from '../logger.js';
import { TimerActionError, type ClockTimers } from './timers.js';

/**
 * Answers the admin API's requests: returns true when `req` is one (its path is under
 * `/timers/`) and it will answer it, false to leave the request to the caller.
 */
export type AdminHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The largest body the admin API reads, bytes. */
export const MAX_ADMIN_BODY = 4 * 1024;

const PATH = /^\/timers\/([^/]*)(?:\/(extend|pause|resume))?$/;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The admin API over `timers`, guarded by `token` (none: every write is refused with 403).
 * @param token - the bearer token writes need; compared in constant time
 */
export function createAdminHandler(timers: ClockTimers, token: string | undefined, log: Logger): AdminHandler {
  const expected = token ? digest(token) : undefined;
  const authorize = (req: IncomingMessage) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer +(\S+) *$/i.exec(header) : null;
    if (!match) throw new HttpError(401, 'writes need an Authorization: Bearer <token> header');
    // Both sides hashed: equal lengths for timingSafeEqual, and no length leaked.
    if (!expected || !timingSafeEqual(digest(match[1]), expected)) {
      throw new HttpError(403, expected ? 'wrong token' : 'no admin token is configured: writes are disabled');
    }
  };

  async function handle(req: IncomingMessage, res: ServerResponse, segment: string, action: string | undefined) {
    const name = decodeName(segment);
    const method = req.method ?? 'GET';
    if (!action && (method === 'GET' || method === 'HEAD')) return timers.get(name);
    const allowed = action ? ['POST'] : ['GET', 'HEAD', 'PUT', 'DELETE'];
    if (!allowed.includes(method)) {
      res.setHeader('allow', allowed.join(', '));
      throw new HttpError(405, `${method} is not allowed here`);
    }
    authorize(req);
    const body = await readBody(req);
    if (method === 'DELETE') return timers.cancel(name);
    if (action === 'pause') return timers.pause(name);
    if (action === 'resume') return timers.resume(name);
    const fields = parseObject(body);
    if (action === 'extend') return timers.extend(name, fields.by as number);
    return timers.start(name, fields as { endsAt: number });
  }

  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!path.startsWith('/timers/')) return false;
    const match = PATH.exec(path);
    const reply = match
      ? handle(req, res, match[1], match[2])
      : Promise.reject(new HttpError(404, 'no such route: /timers/{name}[/extend|/pause|/resume]'));
    reply.then(
      (state) => sendJson(res, 200, state),
      (error: unknown) => {
        if (error instanceof TimerActionError || error instanceof HttpError) {
          if (error.status >= 500) log.warn('admin request failed', { url: req.url, error: String(error.cause) });
          sendJson(res, error.status, { error: error.message });
        } else {
          log.error('admin request failed', { url: req.url, error: String(error) });
          sendJson(res, 500, { error: 'internal error' });
        }
      },
    );
    return true;
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The path's name segment, percent-decoded (the name's own check follows in the action). */
function decodeName(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'bad percent-encoding in the timer name');
  }
}

/** The request's body as text, refusing one over {@link MAX_ADMIN_BODY} with 413. */
function readBody(req: IncomingMessage): Promise<string> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_ADMIN_BODY) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ADMIN_BODY) {
        req.off('data', onData);
        reject(tooLarge());
      } else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function tooLarge(): HttpError {
  return new HttpError(413, `the body is over ${MAX_ADMIN_BODY} bytes`);
}

function parseObject(body: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function sendJson(res: ServerResponse, status: number, body: TimerState | { error: string }) {
  if (res.headersSent) return;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  // A body left unread (too large) is not worth reading to keep the connection.
  if (status === 413) headers.connection = 'close';
  res.writeHead(status, headers);
  // A line of its own, for curl.
  res.end(`${JSON.stringify(body)}\n`);
}
