// Helpers for browser tests: the real servers behind the test runner, and waiting without guessing.
import { executeServerCommand } from '@web/test-runner-commands';

export { firstBurst, nextEvent, waitFor } from './waiting.js';

export interface SpawnedServer {
  id: number;
  url: string;
}

/** The demo server shared by the whole run. */
export async function demoServerUrl(): Promise<string> {
  return (await executeServerCommand<{ url: string }, { action: string }>('demo-server', { action: 'url' })).url;
}

/** A server of this test's own, that it may kill and restart. */
export function spawnServer(
  kind: 'demo' | 'classic' | 'push' | 'silent' = 'demo',
  args: string[] = [],
): Promise<SpawnedServer> {
  return executeServerCommand('demo-server', { action: 'spawn', kind, args });
}

/** A demo server of this test's own with the admin API on, its token kept by the runner. */
export function spawnAdminServer(args: string[] = []): Promise<SpawnedServer> {
  return executeServerCommand('demo-server', { action: 'spawn', kind: 'demo', args, admin: true });
}

/** An admin request to a server from {@link spawnAdminServer}: its status and JSON body (a timer's state, or `{ error }`). */
export function adminRequest(
  server: SpawnedServer,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  path: string,
  body?: object,
): Promise<{ status: number; body: unknown }> {
  return executeServerCommand('demo-server', { action: 'admin', id: server.id, method, path, body });
}

/** A cluster of this test's own: a redis-server and `nodes` demo servers on it, with the admin API on. */
export interface SpawnedCluster {
  id: number;
  /** Each node's URL, in order. */
  urls: string[];
}

export function spawnCluster(nodes = 2): Promise<SpawnedCluster> {
  return executeServerCommand('demo-server', { action: 'cluster', nodes });
}

/** An admin request through node `node` (an index into `urls`) of a cluster; as {@link adminRequest}. */
export function clusterAdminRequest(
  cluster: SpawnedCluster,
  node: number,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  path: string,
  body?: object,
): Promise<{ status: number; body: unknown }> {
  return executeServerCommand('demo-server', { action: 'cluster-admin', id: cluster.id, node, method, path, body });
}

/** Stops a cluster's nodes and its Redis. */
export async function closeCluster(cluster: SpawnedCluster): Promise<void> {
  await executeServerCommand('demo-server', { action: 'cluster-close', id: cluster.id });
}

export async function killServer(server: SpawnedServer): Promise<void> {
  await executeServerCommand('demo-server', { action: 'kill', id: server.id });
}

export function restartServer(server: SpawnedServer): Promise<SpawnedServer> {
  return executeServerCommand('demo-server', { action: 'restart', id: server.id });
}

/** How many clients a spawned demo server has connected now (its /metrics). */
export async function connectedClients(server: SpawnedServer): Promise<number> {
  return (
    await executeServerCommand<{ clients: number }, { action: string; id: number }>('demo-server', {
      action: 'clients',
      id: server.id,
    })
  ).clients;
}

type PageClockAction =
  { action: 'skew'; offset: number } | { action: 'install' | 'pause' | 'resume' } | { action: 'run'; ms: number };

/** Asks the runner to act on the page's clock (Playwright's page.clock); false where there is none. */
async function pageClock(payload: PageClockAction): Promise<boolean> {
  return (await executeServerCommand<{ supported: boolean }, PageClockAction>('page-clock', payload)).supported;
}

/**
 * Sets the page's wall clock `offset` ms away from the machine's (Playwright's page.clock, which
 * fakes Date and performance.timeOrigin alike). Resolves false where the browser has no such clock.
 */
export function skewPageClock(offset: number): Promise<boolean> {
  return pageClock({ action: 'skew', offset });
}

/**
 * Fakes the page's time and timers from now on (Playwright's page.clock), in step with real time
 * until {@link pausePageClock}. Resolves false where the browser has no such clock.
 */
export function installPageClock(): Promise<boolean> {
  return pageClock({ action: 'install' });
}

/** Stops the page's time (a moment ahead): from now on it moves only by {@link runPageClock}. */
export async function pausePageClock(): Promise<void> {
  await pageClock({ action: 'pause' });
}

// The test runner's own command timeout (20 s) is a page timer too, faked with the rest: a
// command that moved time past it would time itself out. So time moves in steps well short of it.
const RUN_STEP_MS = 10_000;

/** Moves the page's paused time `ms` on, firing its timers on the way. */
export async function runPageClock(ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= RUN_STEP_MS)
    await pageClock({ action: 'run', ms: Math.min(left, RUN_STEP_MS) });
}

/** Lets the page's time run in step with real time again, from where it stood. */
export async function resumePageClock(): Promise<void> {
  await pageClock({ action: 'resume' });
}

/** The server machine's clock, epoch ms (what the demo server reads). */
export async function serverMachineNow(): Promise<number> {
  return (await executeServerCommand<{ now: number }, { action: string }>('demo-server', { action: 'now' })).now;
}
