// Helpers for the node tests: real demo servers and real socket.io clients on loopback.
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { createClockServer, type ClockServer, type ClockServerOptions } from '../demo-server/server.js';
import { createLogger } from '../demo-server/logger.js';

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
