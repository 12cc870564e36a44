// web-test-runner plugin: a real demo server for the browser tests, started with the test run,
// plus servers that a test may spawn, kill and restart itself (through executeServerCommand).
import { randomUUID } from 'node:crypto';
import { admin as clusterAdmin, startCluster } from './cluster.mjs';
import { startServer, stopServer } from './servers.mjs';

export function demoServerPlugin() {
  let shared;
  const spawned = new Map();
  // Clusters by id: a redis-server and demo servers on it (test/cluster.mjs), their token kept here.
  const clusters = new Map();
  let nextId = 1;

  const actions = {
    // The shared demo server, up for the whole run.
    url: () => ({ url: shared.url }),
    // A server of the test's own: { kind: 'demo' | 'classic', args?: string[], admin?: boolean } →
    // { id, url }. With `admin`, a demo server gets an admin token of the plugin's own, which
    // only the `admin` action uses: the page never holds it.
    spawn: async ({ kind = 'demo', args = [], admin = false }) => {
      const adminToken = admin ? randomUUID() : undefined;
      const all = adminToken ? [...args, '--admin-token', adminToken] : args;
      const server = await startServer(kind, 0, all);
      const id = nextId++;
      spawned.set(id, { ...server, kind, args: all, adminToken });
      return { id, url: server.url };
    },
    // An admin request to a server spawned with `admin`: { id, method, path, body? } → { status, body }.
    admin: async ({ id, method, path, body }) => {
      const { url, adminToken } = spawned.get(id);
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    },
    kill: async ({ id, signal = 'SIGKILL' }) => {
      await stopServer(spawned.get(id), signal);
      return { ok: true };
    },
    // Starts a killed server again on the same port.
    restart: async ({ id }) => {
      const old = spawned.get(id);
      await stopServer(old);
      const server = await startServer(old.kind, old.port, old.args);
      spawned.set(id, { ...old, ...server });
      return { id, url: server.url };
    },
    // A cluster of the test's own: { nodes? } → { id, urls }, one per node.
    cluster: async ({ nodes = 2 }) => {
      const cluster = await startCluster({ nodes });
      const id = nextId++;
      clusters.set(id, cluster);
      return { id, urls: cluster.nodes.map((node) => node.url) };
    },
    // An admin request through one node of a cluster: { id, node, method, path, body? } → { status, body }.
    'cluster-admin': ({ id, node, method, path, body }) =>
      clusterAdmin(clusters.get(id).nodes[node].url, method, path.replace(/^\/timers\//, ''), body),
    'cluster-close': async ({ id }) => {
      await clusters.get(id).close();
      clusters.delete(id);
      return { ok: true };
    },
    // How many clients a spawned demo server has connected now, from its /metrics.
    clients: async ({ id }) => {
      const text = await (await fetch(`${spawned.get(id).url}/metrics`)).text();
      const match = /^server_clock_connected_clients (\d+)$/m.exec(text);
      if (!match) throw new Error('demo-server: no server_clock_connected_clients in /metrics');
      return { clients: Number(match[1]) };
    },
    // The server machine's clock (the demo server reads the same one), epoch ms.
    now: () => ({ now: Date.now() }),
  };

  return {
    name: 'demo-server',
    async serverStart() {
      shared = await startServer('demo');
    },
    async serverStop() {
      await Promise.all([shared, ...spawned.values()].filter(Boolean).map((s) => stopServer(s)));
      await Promise.all([...clusters.values()].map((cluster) => cluster.close()));
    },
    async executeCommand({ command, payload = {} }) {
      if (command !== 'demo-server') return undefined;
      const action = actions[payload.action];
      if (!action) throw new Error(`demo-server: unknown action "${payload.action}"`);
      return action(payload);
    },
  };
}
