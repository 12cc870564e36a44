// A real HAProxy in front of server processes, for tests and benchmarks: one frontend on a free
// loopback port, round robin over the backends, health checks on `/ready` every 200 ms (a server
// that answers 503 or is gone leaves the rotation after one failed check and comes back after one
// good one). WebSocket upgrades pass through (`timeout tunnel`); no sticky sessions are needed with
// the websocket transport. Reusable from any Node test or benchmark:
//
//   import { startHaproxy } from '../test/haproxy.mjs';
//   const lb = await startHaproxy([a.port, b.port]);   // the backends' loopback ports
//   io(lb.url, { transports: ['websocket'] });
//   await lb.close();                                  // stop it, and remove its directory
//
// The executable is /usr/sbin/haproxy (Debian's haproxy, installed by scripts/preflight.mjs), or
// HAPROXY_PATH. Its config is written to a temporary directory.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.mjs';

const HAPROXY = process.env.HAPROXY_PATH || '/usr/sbin/haproxy';
const READY_TIMEOUT_MS = 10_000;

function config(port, backends) {
  return `global
  maxconn 8000

defaults
  mode http
  timeout connect 1s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
  option redispatch
  retries 2

frontend clients
  bind 127.0.0.1:${port}
  default_backend nodes

backend nodes
  balance roundrobin
  option httpchk GET /ready
  default-server inter 200ms fall 1 rise 1
${backends.map((p, i) => `  server node${i} 127.0.0.1:${p} check`).join('\n')}
`;
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts HAProxy on a free loopback port in front of `backends` (ports on 127.0.0.1); resolves
 * once it accepts connections and has had time for a first round of health checks.
 * @param {number[]} backends
 */
export async function startHaproxy(backends) {
  const dir = await mkdtemp(join(tmpdir(), 'server-clock-haproxy-'));
  const port = await freePort();
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, config(port, backends));
  const child = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}) before listening`);
    if (Date.now() > deadline) throw new Error(`haproxy not listening after ${READY_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Servers start "up" and are checked at once; wait one interval so a dead one is already out.
  await new Promise((r) => setTimeout(r, 300));
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    /** Stops HAProxy and removes its directory. */
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
