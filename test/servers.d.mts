import type { ChildProcess } from 'node:child_process';

export interface StartedServer {
  child: ChildProcess;
  port: number;
  url: string;
}

export function startServer(kind?: 'demo' | 'classic', port?: number, extra?: string[]): Promise<StartedServer>;
export function stopServer(server: StartedServer, signal?: NodeJS.Signals): Promise<void>;
