// Starts and stops real servers for tests and benchmarks: the demo server (built CLI) and fixtures.
// Every server listens on loopback only and logs a JSON line {"msg":"listening","port":N} when ready.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const COMMANDS = {
  demo: (port, extra = []) => ['bin/server-clock.js', '--host', '127.0.0.1', '--port', String(port), ...extra],
  classic: (port) => ['test/fixtures/classic-server.mjs', String(port)],
  // extra: [event, payload] — see the fixture.
  push: (port, extra = []) => ['test/fixtures/push-server.mjs', String(port), ...extra],
  // Accepts connections and never answers.
  silent: (port) => ['test/fixtures/silent-server.mjs', String(port)],
};

/** Spawns a server and resolves once it listens, with its port. `kind` is one of COMMANDS. */
export function startServer(kind = 'demo', port = 0, extra = []) {
  const args = COMMANDS[kind]?.(port, extra);
  if (!args) return Promise.reject(new Error(`unknown server kind "${kind}"`));
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const onExit = (code) => reject(new Error(`${kind} server exited (${code}) before listening`));
    child.once('exit', onExit);
    lines.on('line', (line) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.msg !== 'listening') return;
      child.off('exit', onExit);
      lines.close();
      child.stdout.resume();
      resolve({ child, port: entry.port, url: `http://127.0.0.1:${entry.port}` });
    });
  });
}

/** Stops a server: SIGTERM (graceful) or SIGKILL (a crash); resolves when it is gone. */
export function stopServer(server, signal = 'SIGKILL') {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
