// One timer for every clock on the page. On each run every subscriber brings its display up to
// date and says how long until it must change again (a whole second of *its server's* clock);
// the timer sleeps until the nearest of those. Hidden pages do no work and catch up the moment
// they are visible. What asks for a run (a new estimate, a new element) asks for one soon: a sync
// reaches every element of its clock, and one run must tick them all once, not once each.

/** A display that the shared timer keeps up to date. */
export interface TickSubscriber {
  /**
   * Updates the display if it is due; returns ms until it must change again, or undefined while
   * that is not known (no time to show yet).
   */
  tick(): number | undefined;
}

/** The longest the timer sleeps, ms: a clock whose estimate moves is not left behind for longer. */
const MAX_SLEEP_MS = 1000;

const subscribers = new Set<TickSubscriber>();
let timer: ReturnType<typeof setTimeout> | undefined;
let runQueued = false;

/** Ticks everybody now and re-arms the timer; idles when hidden or unused. */
function run(): void {
  runQueued = false;
  clearTimeout(timer);
  timer = undefined;
  if (subscribers.size === 0 || globalThis.document?.visibilityState === 'hidden') return;
  let delay = MAX_SLEEP_MS;
  for (const subscriber of subscribers) {
    const due = subscriber.tick();
    if (due !== undefined) delay = Math.min(delay, due);
  }
  timer = setTimeout(run, delay);
}

/**
 * Runs once in a microtask, however many ask before it (after an estimate moved, say): still in
 * the task that asked, so the new text shows in the same frame.
 */
export function runSoon(): void {
  if (runQueued) return;
  runQueued = true;
  queueMicrotask(() => {
    if (runQueued) run();
  });
}

/** Adds a subscriber and ticks everybody soon. */
export function subscribe(subscriber: TickSubscriber): void {
  if (subscribers.size === 0) globalThis.document?.addEventListener('visibilitychange', run);
  subscribers.add(subscriber);
  runSoon();
}

/** Removes a subscriber; the timer stops with the last one. */
export function unsubscribe(subscriber: TickSubscriber): void {
  if (!subscribers.delete(subscriber) || subscribers.size > 0) return;
  run();
  globalThis.document?.removeEventListener('visibilitychange', run);
}

/** Whether the shared timer is armed and how many clocks it serves (for leak checks). */
export function tickerStatus(): { armed: boolean; subscribers: number } {
  return { armed: timer !== undefined, subscribers: subscribers.size };
}
