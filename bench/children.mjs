// The benchmarks' child processes (servers, load generators, probes): forked from this folder with
// an IPC channel, asked by message, and all killed if the run outlives its budget or is interrupted
// (with whatever else it asked to be stopped then).
import { fork } from 'node:child_process';

// How long a run that gives up waits for what it started to stop (a server's graceful shutdown
// ends within 4 s).
const STOP_MS = 10_000;

/**
 * Child processes for one benchmark run, which gives up (exit 1) after `budgetMs`.
 * @param name - the benchmark, for the give-up message
 */
export function childProcesses(name, budgetMs) {
  const children = new Set();
  // What the run started otherwise (servers, Redis), to stop when it gives up or is interrupted.
  const stops = new Set();
  const killAll = () => {
    for (const child of children) child.kill('SIGKILL');
  };
  /** Kills the children, stops the rest (waiting at most STOP_MS for them), and exits with `code`. */
  const quit = async (code) => {
    killAll();
    const stopped = Promise.allSettled([...stops].map((stop) => stop()));
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, STOP_MS))]);
    process.exit(code);
  };
  const abort = setTimeout(() => {
    console.error(`${name}: still running after ${budgetMs / 1000} s, giving up`);
    void quit(1);
  }, budgetMs);
  process.on('SIGINT', () => void quit(130));
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
    /**
     * Calls `stop` (which stops something the run started other than by `spawn`: a server, Redis)
     * if the run gives up or is interrupted before the returned function is called.
     */
    stopOnQuit(stop) {
      stops.add(stop);
      return () => stops.delete(stop);
    },
    /** The run is over: no more budget to watch. */
    finished() {
      clearTimeout(abort);
    },
  };
}
