// A real redis-server for tests and benchmarks, on a free loopback port with a directory of its own
// (never the system service on 6379). Reusable from any Node test or benchmark:
//
//   import { startRedis } from '../test/redis.mjs';
//   const redis = await startRedis({ persist: true });   // appendonly on, in redis.dir
//   startServer('demo', 0, ['--redis', redis.url]);
//   await redis.stop();                                  // SIGTERM, resolves once it has exited
//   await redis.restart();                               // same port, same dir: persisted data back
//   await redis.close();                                 // stop, and remove the directory
//
// The executable is /usr/bin/redis-server (Debian's redis-server, installed by scripts/preflight.mjs),
// or REDIS_SERVER_PATH.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.mjs';

const REDIS_SERVER = process.env.REDIS_SERVER_PATH || '/usr/bin/redis-server';
const READY_TIMEOUT_MS = 10_000;

/** Sends PING until the server answers PONG (it is loading its data until then). */
async function waitForPong(port, child) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}) before it was ready`);
    const answer = await new Promise((resolve) => {
      const socket = createConnection(port, '127.0.0.1');
      socket.setTimeout(500);
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk;
        if (data.includes('\r\n')) socket.end();
      });
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('timeout', () => socket.destroy());
      socket.on('error', () => resolve(''));
      socket.on('close', () => resolve(data));
    });
    if (answer.startsWith('+PONG')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server on port ${port} not ready after ${READY_TIMEOUT_MS} ms`);
}

/**
 * Starts redis-server on a free loopback port; resolves once it answers PING.
 * @param {{ persist?: boolean }} [options] - `persist`: append-only file on (fsync every write), for
 *   restart tests; otherwise nothing is written to disk
 */
export async function startRedis({ persist = false } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'server-clock-redis-'));
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    persist ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
  let child;
  const launch = async () => {
    child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    await waitForPong(port, child);
  };
  const stop = (signal = 'SIGTERM') => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  };
  await launch();
  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    /** Stops it (SIGTERM: redis-server flushes the append-only file first; SIGKILL: a crash). */
    stop,
    /** Starts it again on the same port and directory; resolves once it answers. */
    restart: async () => {
      await stop();
      await launch();
    },
    /** Stops it and removes its directory. */
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
