// Waiting without guessing, for browser and Node tests alike.

/** Polls until `check` returns a truthy value; fails with `what` after `timeout` ms. */
export async function waitFor<T>(check: () => T, what: string, timeout = 15_000): Promise<NonNullable<T>> {
  const start = performance.now();
  for (;;) {
    const value = check();
    if (value) return value;
    if (performance.now() - start > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves with the first event of `type` on `target` (that `accept` accepts, if given). */
export function nextEvent<E extends Event = CustomEvent>(
  target: EventTarget,
  type: string,
  timeout = 15_000,
  accept: (event: E) => boolean = () => true,
): Promise<E> {
  return new Promise((resolve, reject) => {
    const listener = (event: Event) => {
      if (!accept(event as E)) return;
      clearTimeout(timer);
      target.removeEventListener(type, listener);
      resolve(event as E);
    };
    const timer = setTimeout(() => {
      target.removeEventListener(type, listener);
      reject(new Error(`no ${type} event within ${timeout} ms`));
    }, timeout);
    target.addEventListener(type, listener);
  });
}

/**
 * Resolves once `target`, a clock (`sync` events) or an element on one (`server-clock-sync`), has
 * had its first sync burst whole, counting from the call: the first answer's estimate, then the
 * burst's at its end. (How many samples an estimate rests on says less: where the browser's clock
 * is coarse, the estimator may set some aside, and `samples >= 8` may come only with a resync.)
 */
export async function firstBurst(target: EventTarget, type: 'sync' | 'server-clock-sync'): Promise<void> {
  let estimates = 0;
  target.addEventListener(type, () => estimates++);
  await waitFor(() => estimates >= 2, 'the first sync burst');
}

/** Like {@link waitFor}, for a check that must await something (a fetch, a store). */
export async function waitForAsync<T>(
  check: () => Promise<T>,
  what: string,
  timeout = 15_000,
): Promise<NonNullable<T>> {
  const start = performance.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() - start > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
