import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/** The `redis` option: a URL (`redis://host:port/db`), or an ioredis client the caller owns. */
export type RedisOption = string | Redis;

/** A node's connections to Redis, from {@link openRedisLink}. */
export interface RedisLink {
  /** The command connection: the caller's client, or one opened from the URL. */
  readonly commands: Redis;
  /** A new connection like `commands` (for subscriptions), with an error listener; closed by {@link RedisLink.close}. */
  duplicate(): Redis;
  /** Whether the command connection is ready now. */
  up(): boolean;
  /** Calls `listener` each time the command connection is ready again after a loss. */
  onReconnect(listener: () => void): void;
  /** Quits what it opened (never the caller's client); resolves when they are closed. */
  close(): Promise<void>;
}

/** A listener as ioredis' clients (Node event emitters) take one. */
type Listener = Parameters<Redis['off']>[1];

/** Resolves when `client` is next ready, or after `timeout` ms. */
export function onceReady(client: Redis, timeout: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeout);
    client.once('ready', done);
  });
}

/**
 * Opens (or adopts) the connections to Redis. Every connection gets an `error` listener: without
 * one, ioredis' errors while Redis is away would crash the process. ioredis reconnects by itself;
 * the loss and the return are logged once each.
 */
export function openRedisLink(option: RedisOption, log: Logger): RedisLink {
  const owned: Redis[] = [];
  const commands = typeof option === 'string' ? new Redis(option) : option;
  if (typeof option === 'string') owned.push(commands);
  const listeners: (() => void)[] = [];
  let lost = false;
  // Every listener put on a client, to take off on close: the caller's client outlives the link,
  // and the link's own quit would otherwise be logged as a loss.
  const attached: { client: Redis; event: string; listener: Listener }[] = [];
  const on = (client: Redis, event: string, listener: Listener) => {
    client.on(event, listener);
    attached.push({ client, event, listener });
  };

  const watch = (client: Redis, role: string) => {
    let down = false;
    on(client, 'error', (error: Error) => {
      if (down) return;
      down = true;
      log.warn('redis connection error', { role, error: error.message });
    });
    on(client, 'ready', () => (down = false));
  };
  watch(commands, 'commands');
  on(commands, 'close', () => {
    if (!lost) log.warn('redis connection lost');
    lost = true;
  });
  on(commands, 'ready', () => {
    if (!lost) return;
    lost = false;
    log.info('redis connection back');
    for (const listener of listeners) listener();
  });

  return {
    commands,
    duplicate() {
      const client = commands.duplicate();
      watch(client, 'subscriber');
      owned.push(client);
      return client;
    },
    up: () => commands.status === 'ready',
    onReconnect: (listener) => void listeners.push(listener),
    async close() {
      // quit() waits for Redis; a connection that is down is just disconnected. Without an
      // `error` listener, an error while quitting would crash the process: one that ignores it stays.
      for (const { client, event, listener } of attached.splice(0)) client.off(event, listener);
      await Promise.all(
        owned.map(async (client) => {
          client.on('error', () => undefined);
          if (client.status !== 'ready') return client.disconnect();
          await client.quit().catch(() => client.disconnect());
        }),
      );
    },
  };
}
