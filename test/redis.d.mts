// Types for redis.mjs, for the Node tests written in TypeScript.
export interface RunningRedis {
  port: number;
  /** Its own temporary directory (the append-only file lives here). */
  dir: string;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export function startRedis(options?: { persist?: boolean }): Promise<RunningRedis>;
