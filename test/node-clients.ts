// Helpers for the node tests: real demo servers and real socket.io clients on loopback.
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { createClockServer, type ClockServer, type ClockServerOptions } from '../demo-server/server.js';
import { createLogger } from '../demo-server/logger.js';
import type { ClockSocket } from '../demo-server/io-types.js';
import { TIME_EVENT } from '../sdk/protocol.js';

/** A connected client of its own (no reconnection: a test sees every disconnect). WebSocket unless told. */
export function connect(url: string, opts: Partial<ManagerOptions & SocketOptions> = {}): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...opts });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** A demo server of the test's own, on a free loopback port, logging nothing. */
export async function startClockServer(
  options: ClockServerOptions = {},
  port = 0,
): Promise<{ server: ClockServer; url: string; port: number }> {
  const server = createClockServer({ logger: createLogger('silent'), ...options });
  const bound = await server.listen(port, '127.0.0.1');
  return { server, url: `http://127.0.0.1:${bound}`, port: bound };
}

/** A metric's value in the server's Prometheus text, `name{labels}` as written there; 0 when absent. */
export async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/**
 * Counts the pushed times a server writes to each of its sockets from now on, by socket id (the
 * client's `socket.id` too): the packets engine.io sends, for the sockets connected now and later.
 */
export function countTicks(server: ClockServer): Map<string, number> {
  const counts = new Map<string, number>();
  const tick = `2["${TIME_EVENT}",`;
  const watch = (socket: ClockSocket) => {
    counts.set(socket.id, 0);
    socket.conn.on('packetCreate', (packet: { data?: unknown }) => {
      if (typeof packet.data === 'string' && packet.data.startsWith(tick))
        counts.set(socket.id, (counts.get(socket.id) ?? 0) + 1);
    });
  };
  server.io.of('/').sockets.forEach(watch);
  server.io.on('connection', watch);
  return counts;
}
