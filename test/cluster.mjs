// A cluster for tests and benchmarks: a real redis-server (test/redis.mjs) and N demo servers on it
// (the built CLI, test/servers.mjs), every one on loopback, with an admin token. Put HAProxy in front
// with test/haproxy.mjs if a test needs a load balancer:
//
//   import { startCluster, admin } from '../test/cluster.mjs';
//   const cluster = await startCluster({ nodes: 2, persist: true });
//   await admin(cluster.nodes[0].url, 'PUT', 'round-1', { duration: 60_000 });   // → the state
//   const lb = await startHaproxy(cluster.nodes.map((n) => n.port));
//   await cluster.close();                                                         // nodes, then Redis
//
// Needs `npm run build` first (the CLI runs from dist/).
import { startRedis } from './redis.mjs';
import { startServer, stopServer } from './servers.mjs';

/** The admin token every node of {@link startCluster} accepts. */
export const ADMIN_TOKEN = 'cluster-test-token';

/**
 * Starts Redis and `nodes` server processes on it.
 * @param {{ nodes?: number, persist?: boolean, extra?: (i: number) => string[] }} [options] -
 *   `extra`: more CLI arguments for node i (e.g. `['--clock-offset', '250']`)
 */
export async function startCluster({ nodes = 2, persist = false, extra = () => [] } = {}) {
  const redis = await startRedis({ persist });
  const args = (i) => ['--redis', redis.url, '--admin-token', ADMIN_TOKEN, '--no-demo', ...extra(i)];
  const running = await Promise.all(Array.from({ length: nodes }, (_, i) => startServer('demo', 0, args(i))));
  return {
    redis,
    nodes: running,
    /** Starts one more node on the same Redis. */
    addNode: async (i = running.length) => {
      const node = await startServer('demo', 0, args(i));
      running.push(node);
      return node;
    },
    /** Stops every node (SIGTERM), then Redis, and removes Redis' directory. */
    close: async () => {
      await Promise.all(running.map((node) => stopServer(node, 'SIGTERM')));
      await redis.close();
    },
  };
}

/**
 * Calls a node's admin API: `PUT` (start; body `{ duration }` or `{ endsAt }`), `POST` with an
 * action (`extend` with `{ by }`, `pause`, `resume`), `DELETE`, `GET`. Resolves with the status and
 * the JSON answer.
 * @param {string} url - the node's `http://127.0.0.1:<port>`
 * @param {string} method
 * @param {string} name - the timer's name, or `name/action`
 * @param {object} [body]
 */
export async function admin(url, method, name, body) {
  const response = await fetch(`${url}/timers/${name}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}
