// Types for servers.mjs, for the Node tests written in TypeScript.
import type { ChildProcess } from 'node:child_process';

export interface RunningServer {
  child: ChildProcess;
  port: number;
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
}

export function startServer(kind?: 'demo' | 'classic', port?: number, extra?: string[]): Promise<RunningServer>;
export function stopServer(server: RunningServer, signal?: NodeJS.Signals): Promise<void>;
