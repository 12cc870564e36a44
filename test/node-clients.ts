// Helpers for the node tests: real socket.io clients, and waiting without guessing.
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';

/** A connected client of its own (no reconnection: a test sees every disconnect). WebSocket unless told. */
export function connect(url: string, opts: Partial<ManagerOptions & SocketOptions> = {}): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...opts });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Polls until `check` holds; fails with `what` after `timeout` ms. */
export async function waitUntil(check: () => boolean, what: string, timeout = 5000): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
