import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Registry } from 'prom-client';

/** What the server counts, exposed at `GET /metrics` in Prometheus text format. */
export interface ServerMetrics {
  readonly registry: Registry;
  /** Sync requests received, whatever became of them. */
  readonly syncRequests: Counter;
  /** Sync requests dropped by the per-socket rate limit. */
  readonly rateLimited: Counter;
  /** Handshakes and requests engine.io refused, by its reason (e.g. `Forbidden` for an origin). */
  readonly rejectedHandshakes: Counter<'reason'>;
  /**
   * Inbound packets dropped unanswered: `unknown_event`, `invalid_sync` (a malformed sync request),
   * `invalid_ticks` (not a single boolean),
   * `invalid_timer_watch` (no acknowledgement), `invalid_timer_unwatch` (no valid name).
   */
  readonly droppedEvents: Counter<'reason'>;
  /** Timer watches refused, by code: `bad-name`, `too-many`, `unavailable`. */
  readonly timerWatchErrors: Counter<'code'>;
  /** Stops measuring the event loop. */
  close(): void;
}

const PREFIX = 'server_clock_';

// Quantiles of the event loop's delay since the previous scrape; 1 is the maximum.
const LAG_QUANTILES = [0.5, 0.99, 1] as const;
// The monitor's timer fires every RESOLUTION_MS and records the whole interval: the lag is the excess.
const RESOLUTION_MS = 10;

/**
 * The server's metrics, in a registry of their own.
 * @param connectedClients - read at each scrape, for the `connected_clients` gauge
 * @param watchCounts - read at each scrape, for the `watched_timers` and `timer_watches` gauges:
 *   the distinct timers this node's sockets watch, and the (socket, timer) pairs
 * @param tickedSockets - read at each scrape, for the `ticked_sockets` gauge: the sockets that get
 *   the pushed time (the others opted out)
 */
export function createMetrics(
  connectedClients: () => number,
  watchCounts: () => { timers: number; watches: number },
  tickedSockets: () => number,
): ServerMetrics {
  // A registry per server, not prom-client's global one: several servers may share a process.
  const registry = new Registry();
  const registers = [registry];
  new Gauge({
    name: `${PREFIX}connected_clients`,
    help: 'Clients connected now.',
    registers,
    collect() {
      this.set(connectedClients());
    },
  });
  new Gauge({
    name: `${PREFIX}ticked_sockets`,
    help: 'Sockets that get the pushed time now (the others opted out of it).',
    registers,
    collect() {
      this.set(tickedSockets());
    },
  });
  new Gauge({
    name: `${PREFIX}watched_timers`,
    help: 'Distinct timers watched by the clients of this node.',
    registers,
    collect() {
      this.set(watchCounts().timers);
    },
  });
  new Gauge({
    name: `${PREFIX}timer_watches`,
    help: 'Timer watches by the clients of this node: (connection, timer) pairs.',
    registers,
    collect() {
      this.set(watchCounts().watches);
    },
  });
  const loopDelay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  loopDelay.enable();
  new Gauge({
    name: `${PREFIX}event_loop_lag_seconds`,
    help: 'Event loop delay since the previous scrape, by quantile (1 = the maximum).',
    labelNames: ['quantile'],
    registers,
    collect() {
      for (const q of LAG_QUANTILES) {
        // An empty histogram (no sample since the last scrape) reads nonsense: report no lag.
        const ns = loopDelay.count === 0 ? 0 : Math.max(0, loopDelay.percentile(q * 100) - RESOLUTION_MS * 1e6);
        this.set({ quantile: String(q) }, ns / 1e9);
      }
      loopDelay.reset();
    },
  });
  return {
    registry,
    syncRequests: new Counter({ name: `${PREFIX}sync_requests_total`, help: 'Sync requests received.', registers }),
    rateLimited: new Counter({
      name: `${PREFIX}sync_rate_limited_total`,
      help: 'Sync requests dropped by the per-socket rate limit.',
      registers,
    }),
    rejectedHandshakes: new Counter({
      name: `${PREFIX}rejected_handshakes_total`,
      help: 'Handshakes and requests refused, by reason (Forbidden = origin not allowed).',
      labelNames: ['reason'],
      registers,
    }),
    droppedEvents: new Counter({
      name: `${PREFIX}dropped_events_total`,
      help: 'Inbound packets dropped without an answer, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    timerWatchErrors: new Counter({
      name: `${PREFIX}timer_watch_errors_total`,
      help: 'Timer watches refused, by code (bad-name, too-many, unavailable).',
      labelNames: ['code'],
      registers,
    }),
    close: () => loopDelay.disable(),
  };
}
