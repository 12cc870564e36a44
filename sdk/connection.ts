import { io, type Socket } from 'socket.io-client';
import { TICKS_EVENT, type ClientToServerEvents, type ServerToClientEvents } from './protocol.js';
import { SharedPool } from './shared-pool.js';
import type { SyncMode } from './sync.js';

/**
 * Lifecycle of a connection:
 *
 *   connecting ──connect──▶ connected ──lost──▶ reconnecting ──connect──▶ connected
 *       │                                          ▲    │
 *       └──────────────────failed──────────────────┘    └─refused / attempts used up─▶ error
 *
 * A clock that is closed is `disconnected`, whatever its connection does for the others.
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'error';

/** How a clock's connection reconnects, and over what (part of the clock's options). */
export interface ConnectionOptions {
  /**
   * First reconnection delay bound, ms: each retry waits anywhere below the bound (full jitter),
   * and the bound doubles with each failed attempt.
   * @defaultValue `500`
   */
  reconnectDelay?: number;
  /**
   * Cap on the reconnection delay bound, ms.
   * @defaultValue `30_000`
   */
  reconnectDelayMax?: number;
  /**
   * Reconnection attempts before giving up with state `error`.
   * @defaultValue `Infinity`
   */
  reconnectAttempts?: number;
  /**
   * socket.io transports, tried in order.
   * @defaultValue `['websocket', 'polling']`
   */
  transports?: ('polling' | 'websocket')[];
  /**
   * Node only: the local IP address to connect from, over WebSocket (browsers pick their own).
   * @defaultValue none: the system's choice
   */
  localAddress?: string;
}

/** The options as a connection gets them: the defaults filled in (`localAddress` has none). */
export type ConnectionSettings = Required<Omit<ConnectionOptions, 'localAddress'>> &
  Pick<ConnectionOptions, 'localAddress'>;

/** The lifecycle events, under the names socket.io users know. */
export interface ConnectionEventMap {
  /** The state changed (see {@link ConnectionState}). */
  statechange: CustomEvent<{ state: ConnectionState }>;
  /** Connected; `reconnect` after a lost connection. */
  connect: CustomEvent<{ reconnect: boolean }>;
  /** An attempt to connect failed. */
  connect_error: CustomEvent<{ error: Error }>;
  /** A reconnection attempt starts: the how-manieth since the connection was lost. */
  reconnect_attempt: CustomEvent<{ attempt: number }>;
  /** Connected again, after so many attempts. */
  reconnect: CustomEvent<{ attempts: number }>;
  /** The allowed attempts are used up (state `error` follows). */
  reconnect_failed: CustomEvent<{ attempts: number }>;
  /** The connection was lost (or closed), with socket.io's reason. */
  disconnect: CustomEvent<{ reason: string }>;
  /** The clock is in state `error`, for good: an invalid URL, refused, or out of attempts. */
  error: CustomEvent<{ error: Error }>;
}

/** What holds a connection: a clock, that hears its events and says how it gets the time. */
export interface ConnectionListener extends EventTarget {
  /** `sync` once the clock's server answers sync: then it needs no pushed time. */
  readonly mode: SyncMode | undefined;
}

/** A socket that speaks the server-clock protocol (see protocol.ts). */
export type ClockSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Dispatches one of our events: every one carries its data in `detail`. */
export function fire(target: EventTarget, type: string, detail: object): void {
  target.dispatchEvent(new CustomEvent(type, { detail }));
}

/**
 * Full jitter: uniformly anywhere up to the bound, which doubles from `base` with each failed
 * attempt up to `max`, so that restarts don't bring clients back together.
 */
export function reconnectDelay(failures: number, base: number, max: number, random = Math.random): number {
  return random() * Math.min(max, base * 2 ** failures);
}

/**
 * One socket.io connection and its lifecycle, shared by the clocks on its URL: it dispatches its
 * events to each of its listeners. Reconnection is ours, not the Manager's: its backoff
 * randomises around the bound and then clamps, so past the cap half the clients retry at the
 * same instant; ours draws with full jitter.
 */
export class Connection {
  /** The server URL, as the pool knows the connection. */
  readonly url: string;
  /** The socket, connecting from the start. */
  readonly socket: ClockSocket;
  /** Where the lifecycle events go: the clocks that hold the connection. */
  readonly listeners = new Set<ConnectionListener>();
  readonly #options: ConnectionSettings;
  // Whether the server pushes the time to the socket: it does to every new one (so after each
  // connect) until told otherwise.
  #ticked = true;
  #state: ConnectionState = 'connecting';
  #error: Error | undefined;
  // Reconnection attempts since the last connect.
  #attempts = 0;
  #connectedBefore = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  /** Opens the connection: it starts connecting at once. */
  constructor(url: string, options: ConnectionSettings) {
    this.url = url;
    this.#options = options;
    // What comes of connecting comes later, when the listeners below are on.
    this.socket = io(url, {
      reconnection: false,
      forceNew: true,
      transports: options.transports,
      tryAllTransports: true,
      // (engine.io-client hands it to ws in Node; not in socket.io-client's types.)
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      // No credentials (socket.io's default): the time is nobody's secret, and cookies stay home.
    });
    this.socket
      .on('connect', () => this.#onConnect())
      .on('connect_error', (error) => this.#onConnectError(error))
      .on('disconnect', (reason) => this.#onDisconnect(reason));
    globalThis.addEventListener?.('online', this.#onOnline);
  }

  /** Where the connection is in its lifecycle. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Why the state is `error`, once it is (for good). */
  get error(): Error | undefined {
    return this.#error;
  }

  /**
   * Opts the socket out of the server's pushed time ({@link TICKS_EVENT}) once no clock needs it,
   * and back in when one does: call it when a clock comes, goes or changes mode. A clock needs the
   * pushes until it syncs (then it uses none, whatever their event's name). Not at connect: each
   * clock's sync loop starts over then, needing them, as the new socket on the server gets them.
   */
  updateTicks(): void {
    const ticked = [...this.listeners].some((clock) => clock.mode !== 'sync');
    if (ticked === this.#ticked || !this.socket.connected) return;
    this.#ticked = ticked;
    this.socket.emit(TICKS_EVENT, ticked);
  }

  /** Closes the socket for good, silently: the clocks have let go. */
  close(): void {
    clearTimeout(this.#retryTimer);
    globalThis.removeEventListener?.('online', this.#onOnline);
    this.socket.off().disconnect();
  }

  // (An error is for good: nothing connects again after it, so there is no error to clear here.)
  #onConnect(): void {
    this.#ticked = true;
    this.#setState('connected');
    this.#emit('connect', { reconnect: this.#connectedBefore });
    if (this.#connectedBefore) this.#emit('reconnect', { attempts: this.#attempts });
    this.#connectedBefore = true;
    this.#attempts = 0;
  }

  #onConnectError(error: Error): void {
    this.#emit('connect_error', { error });
    // An inactive socket was refused by the server (a middleware error): retrying won't help.
    if (this.socket.active) this.#retry();
    else this.#fail(error);
  }

  #onDisconnect(reason: string): void {
    this.#emit('disconnect', { reason });
    // Even a server that disconnects us on purpose (say, shutting down) gets another try. (Our
    // own disconnect, in close(), comes after every listener is gone.)
    this.#retry();
  }

  // Back online: a connection waiting to retry tries at once. (A field, to be removable.)
  readonly #onOnline = () => {
    if (this.#state !== 'reconnecting') return;
    clearTimeout(this.#retryTimer);
    this.#attempt();
  };

  #retry(): void {
    clearTimeout(this.#retryTimer);
    const { reconnectAttempts, reconnectDelay: base, reconnectDelayMax: max } = this.#options;
    if (this.#attempts < reconnectAttempts) {
      this.#setState('reconnecting');
      this.#retryTimer = setTimeout(() => this.#attempt(), reconnectDelay(this.#attempts, base, max));
    } else {
      this.#emit('reconnect_failed', { attempts: this.#attempts });
      this.#fail(new Error(`gave up after ${this.#attempts} reconnection attempts`));
    }
  }

  #attempt(): void {
    this.#emit('reconnect_attempt', { attempt: ++this.#attempts });
    this.socket.connect();
  }

  #fail(error: Error): void {
    this.#error = error;
    this.#setState('error');
    this.#emit('error', { error });
  }

  #setState(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#emit('statechange', { state });
  }

  #emit<K extends keyof ConnectionEventMap>(type: K, detail: ConnectionEventMap[K]['detail']): void {
    for (const listener of this.listeners) fire(listener, type, detail);
  }
}

// The open connections by URL: the clocks on a URL share one, and the last to let go closes it.
// (The pool counts a connection's holders; its listeners are who hears its events: the same clocks.)
const connections = new SharedPool<Connection>();

/** Joins a clock to the shared connection for a URL (one socket per URL), opening it if need be. */
export function join(url: string, clock: ConnectionListener, options: ConnectionSettings): Connection {
  const connection = connections.acquire(url, () => new Connection(url, options));
  connection.listeners.add(clock);
  connection.updateTicks();
  return connection;
}

/** Takes a clock off its connection; the last one to leave closes it. */
export function leave(connection: Connection, clock: ConnectionListener): void {
  connection.listeners.delete(clock);
  connections.release(connection.url);
  // The clocks left may do without the pushes. (After the last, the socket is closed: nothing to tell.)
  connection.updateTicks();
}

/** Number of open shared connections. */
export function openConnections(): number {
  return connections.size;
}
