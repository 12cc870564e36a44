import { createAdapter } from '@socket.io/redis-adapter';
import { Gauge, type Registry } from 'prom-client';
import { TIMER_EVENT } from '../sdk/protocol.js';
import { createClusterClock, type ClusterClock } from './cluster-clock.js';
import type { ClockIo } from './io-types.js';
import type { Logger } from './logger.js';
import { openRedisLink, type RedisOption } from './redis-link.js';
import { redisStore } from './timers/redis-store.js';
import type { TimerStoreFactory } from './timers/store.js';
import type { ClockTimers } from './timers/timers.js';
import { TIMER_ROOM_PREFIX } from './timers/watch.js';

/** A node's part in a cluster on Redis, from {@link joinCluster}. */
export interface Cluster {
  /** The cluster clock: this node's clock corrected onto Redis' TIME. */
  readonly clock: ClusterClock;
  /** Settles with the clock's first measurement (true if it succeeded); serve after it. */
  readonly started: Promise<boolean>;
  /** The timers' store, in Redis. */
  readonly store: TimerStoreFactory;
  /** Whether Redis is reachable now (readiness, and `server_clock_redis_up`). */
  up(): boolean;
  /** When Redis is back after a loss: re-reads every timer this node's sockets watch and sends it to them. */
  resyncWatchers(timers: Pick<ClockTimers, 'get'>): void;
  /** Stops the clock's measurements and quits the connections it opened. */
  close(): Promise<void>;
}

/**
 * Puts a server on Redis: its socket.io adapter (so that `io.to(room)` reaches every node's
 * sockets), its timers' store, and its clock (corrected onto Redis' TIME, measured from now
 * on: serve after {@link Cluster.started}). The store's first commands wait for that measurement
 * too, so that no deadline is computed on the uncorrected clock.
 */
export function joinCluster(
  option: RedisOption,
  { io, clock, log, registry }: { io: ClockIo; clock: () => number; log: Logger; registry: Registry },
): Cluster {
  const link = openRedisLink(option, log);
  io.adapter(createAdapter(link.commands, link.duplicate()));
  const clusterClock = createClusterClock({ redis: link.commands, clock, logger: log, registry });
  new Gauge({
    name: 'server_clock_redis_up',
    help: '1 if this node reaches Redis now, else 0 (it serves the time but not timers, and is not ready).',
    registers: [registry],
    collect() {
      this.set(link.up() ? 1 : 0);
    },
  });
  const started = clusterClock.start();
  return {
    clock: clusterClock,
    started,
    store: redisStore(link.commands, link.duplicate(), started),
    up: () => link.up(),
    resyncWatchers(timers) {
      link.onReconnect(() => {
        for (const room of io.of('/').adapter.rooms.keys()) {
          if (!room.startsWith(TIMER_ROOM_PREFIX)) continue;
          timers.get(room.slice(TIMER_ROOM_PREFIX.length)).then(
            (state) => io.local.to(room).emit(TIMER_EVENT, state),
            (error: unknown) => log.warn('timer resync failed', { room, error: String(error) }),
          );
        }
      });
    },
    async close() {
      clusterClock.close();
      await link.close();
    },
  };
}
