// The benchmarks' child processes (servers, load generators, probes): forked from this folder with
// an IPC channel, asked by message, and all killed if the run outlives its budget or is interrupted.
import { fork } from 'node:child_process';

/**
 * Child processes for one benchmark run, which gives up (exit 1) after `budgetMs`.
 * @param name - the benchmark, for the give-up message
 */
export function childProcesses(name, budgetMs) {
  const children = new Set();
  const killAll = () => {
    for (const child of children) child.kill('SIGKILL');
  };
  const abort = setTimeout(() => {
    console.error(`${name}: still running after ${budgetMs / 1000} s, giving up`);
    killAll();
    process.exit(1);
  }, budgetMs);
  process.on('SIGINT', () => {
    killAll();
    process.exit(130);
  });
  return {
    /** Forks `script` (a path relative to bench/). */
    spawn(script, args = [], execArgv = []) {
      const child = fork(new URL(script, import.meta.url), args, {
        execArgv,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    /** Sends `message` (if any) and resolves with the child's next message of `type`. */
    ask(child, message, type) {
      return new Promise((resolve, reject) => {
        const onMessage = (reply) => {
          if (reply.type !== type) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(reply);
        };
        const onExit = (code) => reject(new Error(`${child.spawnargs.join(' ')} exited (${code}) before "${type}"`));
        child.on('message', onMessage);
        child.once('exit', onExit);
        if (message) child.send(message);
      });
    },
    killAll,
    /** The run is over: no more budget to watch. */
    finished() {
      clearTimeout(abort);
    },
  };
}
