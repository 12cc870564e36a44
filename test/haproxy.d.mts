// Types for haproxy.mjs, for the Node tests written in TypeScript.
export interface RunningHaproxy {
  port: number;
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

export function startHaproxy(backends: number[]): Promise<RunningHaproxy>;
