// A free TCP port on loopback, for a child process that must be told its port up front
// (redis-server, haproxy). The port is released before it is returned, so bind it soon.
import { createServer } from 'node:net';

/** Resolves with a port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
