// Types for delay-proxy.mjs, for the Node tests written in TypeScript.
export interface DelayProxy {
  port: number;
  close(): Promise<void>;
}

/** A proxy on 127.0.0.1 to `target`, delaying each chunk by `up()` / `down()` ms each way. */
export function startDelayProxy(target: number, delays: { up: () => number; down: () => number }): Promise<DelayProxy>;
