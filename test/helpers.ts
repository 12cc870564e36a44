// Helpers for browser tests: the real servers behind the test runner, and waiting without guessing.
import { executeServerCommand } from '@web/test-runner-commands';

export { nextEvent, waitFor } from './waiting.js';

export interface SpawnedServer {
  id: number;
  url: string;
}

/** The demo server shared by the whole run. */
export async function demoServerUrl(): Promise<string> {
  return (await executeServerCommand<{ url: string }, { action: string }>('demo-server', { action: 'url' })).url;
}

/** A server of this test's own, that it may kill and restart. */
export function spawnServer(kind: 'demo' | 'classic' | 'push' = 'demo', args: string[] = []): Promise<SpawnedServer> {
  return executeServerCommand('demo-server', { action: 'spawn', kind, args });
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

/**
 * Sets the page's wall clock `offset` ms away from the machine's (Playwright's page.clock, which
 * fakes Date and performance.timeOrigin alike). Resolves false where the browser has no such clock.
 */
export async function skewPageClock(offset: number): Promise<boolean> {
  return (await executeServerCommand<{ supported: boolean }, { offset: number }>('page-clock', { offset })).supported;
}

/** The server machine's clock, epoch ms (what the demo server reads). */
export async function serverMachineNow(): Promise<number> {
  return (await executeServerCommand<{ now: number }, { action: string }>('demo-server', { action: 'now' })).now;
}
