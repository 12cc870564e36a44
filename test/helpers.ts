// Helpers for browser tests: the real servers behind the test runner, and waiting without guessing.
import { executeServerCommand } from '@web/test-runner-commands';

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
  return (await executeServerCommand<{ clients: number }, { action: string; id: number }>('demo-server', { action: 'clients', id: server.id })).clients;
}

/** The server machine's clock, epoch ms (what the demo server reads). */
export async function serverMachineNow(): Promise<number> {
  return (await executeServerCommand<{ now: number }, { action: string }>('demo-server', { action: 'now' })).now;
}

/** Polls until `check` returns a truthy value; fails with `what` after `timeout` ms. */
export async function waitFor<T>(check: () => T, what: string, timeout = 15_000): Promise<NonNullable<T>> {
  const start = performance.now();
  for (;;) {
    const value = check();
    if (value) return value as NonNullable<T>;
    if (performance.now() - start > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves with the first event of `type` on `target`. */
export function nextEvent<E extends Event = CustomEvent>(target: EventTarget, type: string, timeout = 15_000): Promise<E> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeout} ms`)), timeout);
    target.addEventListener(type, (event) => {
      clearTimeout(timer);
      resolve(event as E);
    }, { once: true });
  });
}
