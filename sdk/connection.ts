import { io, type Socket } from 'socket.io-client';
import { SharedPool } from './shared-pool.js';

/**
 * Lifecycle of a connection:
 *
 *   connecting ──connect──▶ connected ──lost──▶ reconnecting ──connect──▶ connected
 *       │                                          ▲    │
 *       └──────────────────failed──────────────────┘    └─refused / attempts used up─▶ error
 *   any ──close()──▶ disconnected
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'error';

export interface ConnectionOptions {
  /** First reconnection delay bound, ms (default 500). */
  reconnectDelay?: number;
  /** Cap on the reconnection delay bound, ms (default 30 000). */
  reconnectDelayMax?: number;
  /** Attempts before giving up with state `error` (default Infinity). */
  reconnectAttempts?: number;
  /** socket.io transports, tried in order (default WebSocket, then polling). */
  transports?: ('polling' | 'websocket')[];
}

/** The lifecycle events, under the names socket.io users know. */
export interface ConnectionEventMap {
  statechange: CustomEvent<{ state: ConnectionState }>;
  connect: CustomEvent<{ reconnect: boolean }>;
  connect_error: CustomEvent<{ error: Error }>;
  reconnect_attempt: CustomEvent<{ attempt: number }>;
  reconnect: CustomEvent<{ attempts: number }>;
  reconnect_failed: CustomEvent<{ attempts: number }>;
  disconnect: CustomEvent<{ reason: string }>;
  error: CustomEvent<{ error: Error }>;
}

/** Checks a numeric option: a clear error beats a clock that silently never syncs. */
export function positive(name: string, value: number, max = Number.MAX_VALUE): number {
  if (!(value > 0 && value <= max)) throw new RangeError(`server-clock: option ${name} must be a positive number, not ${value}`);
  return value;
}

/** Full jitter: uniformly anywhere up to the exponential bound, so restarts don't bring clients back together. */
export function reconnectDelay(attempt: number, base: number, max: number, random = Math.random): number {
  return random() * Math.min(max, base * 2 ** Math.max(0, attempt - 1));
}

/**
 * One socket.io connection and its lifecycle, shared by the clocks on its URL: it dispatches
 * its events to each of them. Reconnection is ours, not the Manager's: its backoff randomises
 * around the bound and then clamps, so past the cap half the clients retry at the same instant;
 * ours draws with full jitter.
 */
export class Connection {
  readonly url: string;
  readonly socket: Socket;
  /** Where the lifecycle events go. */
  readonly listeners = new Set<EventTarget>();
  /** Why the state is `error`, when it is. */
  error: Error | undefined;
  #state: ConnectionState = 'connecting';
  #attempts = 0;
  #connectedBefore = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #options: Required<Omit<ConnectionOptions, 'transports'>>;

  constructor(url: string, options: ConnectionOptions = {}) {
    this.url = url;
    this.#options = {
      reconnectDelay: positive('reconnectDelay', options.reconnectDelay ?? 500),
      reconnectDelayMax: positive('reconnectDelayMax', options.reconnectDelayMax ?? 30_000),
      reconnectAttempts: positive('reconnectAttempts', options.reconnectAttempts ?? Infinity, Infinity),
    };
    this.socket = io(url, {
      reconnection: false,
      autoConnect: false,
      forceNew: true,
      withCredentials: false,
      // WebSocket first: sync samples over it are fast from the first one, and a socket closed
      // while connecting closes at once on the server too (a polling handshake would linger
      // there until its ping timeout). Polling remains for networks that block WebSocket.
      transports: options.transports ?? ['websocket', 'polling'],
      tryAllTransports: true,
    });
    this.socket.on('connect', this.#onConnect);
    this.socket.on('connect_error', this.#onConnectError);
    this.socket.on('disconnect', this.#onDisconnect);
    globalThis.addEventListener?.('online', this.#onOnline);
    this.socket.connect();
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Closes the socket for good; state becomes `disconnected`. */
  close(): void {
    clearTimeout(this.#retryTimer);
    globalThis.removeEventListener?.('online', this.#onOnline);
    this.socket.off();
    this.socket.disconnect();
    this.#state = 'disconnected';
  }

  #onConnect = () => {
    clearTimeout(this.#retryTimer);
    const attempts = this.#attempts;
    this.#attempts = 0;
    this.error = undefined;
    this.#setState('connected');
    this.#emit('connect', { reconnect: this.#connectedBefore });
    if (this.#connectedBefore) this.#emit('reconnect', { attempts });
    this.#connectedBefore = true;
  };

  #onConnectError = (error: Error) => {
    this.#emit('connect_error', { error });
    // An inactive socket was refused by the server (a middleware error): retrying won't help.
    if (this.socket.active) this.#retry();
    else this.#fail(error);
  };

  #onDisconnect = (reason: string) => {
    this.#emit('disconnect', { reason });
    // Even a server that disconnects us on purpose (say, shutting down) gets another try.
    if (reason !== 'io client disconnect') this.#retry();
  };

  #onOnline = () => {
    if (this.#state !== 'reconnecting') return;
    clearTimeout(this.#retryTimer);
    this.#attempt();
  };

  #retry() {
    clearTimeout(this.#retryTimer);
    if (this.#attempts >= this.#options.reconnectAttempts) {
      this.#emit('reconnect_failed', { attempts: this.#attempts });
      this.#fail(new Error(`gave up after ${this.#attempts} reconnection attempts`));
      return;
    }
    this.#setState('reconnecting');
    const delay = reconnectDelay(this.#attempts + 1, this.#options.reconnectDelay, this.#options.reconnectDelayMax);
    this.#retryTimer = setTimeout(() => this.#attempt(), delay);
  }

  #attempt() {
    this.#attempts++;
    this.#emit('reconnect_attempt', { attempt: this.#attempts });
    this.socket.connect();
  }

  #fail(error: Error) {
    this.error = error;
    this.#setState('error');
    this.#emit('error', { error });
  }

  #setState(state: ConnectionState) {
    if (state === this.#state) return;
    this.#state = state;
    this.#emit('statechange', { state });
  }

  #emit<K extends keyof ConnectionEventMap>(type: K, detail: ConnectionEventMap[K]['detail']) {
    for (const listener of this.listeners) listener.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

const connections = new SharedPool<Connection>();

/** The shared connection for a URL (one socket per URL); give it back with {@link releaseConnection}. */
export function acquireConnection(url: string, options?: ConnectionOptions): Connection {
  return connections.acquire(url, () => new Connection(url, options));
}

export function releaseConnection(connection: Connection): void {
  connections.release(connection.url);
}

/** Number of open shared connections. */
export function openConnections(): number {
  return connections.size;
}
