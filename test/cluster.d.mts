// Types for cluster.mjs, for the Node tests written in TypeScript.
import type { TimerState } from '../sdk/protocol.js';
import type { RunningRedis } from './redis.mjs';
import type { RunningServer } from './servers.mjs';

export const ADMIN_TOKEN: string;

export interface RunningCluster {
  redis: RunningRedis;
  nodes: RunningServer[];
  addNode(i?: number): Promise<RunningServer>;
  close(): Promise<void>;
}

export function startCluster(options?: {
  nodes?: number;
  persist?: boolean;
  extra?: (i: number) => string[];
}): Promise<RunningCluster>;

export function admin(
  url: string,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  name: string,
  body?: object,
): Promise<{ status: number; body: TimerState & { error?: string } }>;
