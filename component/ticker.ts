/**
 * One timer for every clock on the page. On each run every subscriber brings its display up to
 * date and says how long until it must change again (a whole second of *its server's* clock);
 * the timer sleeps until the nearest of those. Hidden pages do no work and catch up the moment
 * they are visible.
 */
export interface TickSubscriber {
  /** Updates the display if it is due; returns ms until the next change (NaN: not known). */
  tick(): number;
}

const subscribers = new Set<TickSubscriber>();
let timer: ReturnType<typeof setTimeout> | undefined;

/** Ticks everybody now and re-arms the timer (also after an estimate moved); idles when hidden or unused. */
export function run(): void {
  clearTimeout(timer);
  timer = undefined;
  if (!subscribers.size || globalThis.document?.visibilityState === 'hidden') return;
  // Never sleep longer than a second, so a clock whose estimate moves is not left behind.
  let delay = 1000;
  for (const subscriber of subscribers) delay = Math.min(delay, subscriber.tick() || delay);
  timer = setTimeout(run, delay);
}

export function subscribe(subscriber: TickSubscriber): void {
  if (!subscribers.size) globalThis.document?.addEventListener('visibilitychange', run);
  subscribers.add(subscriber);
  run();
}

export function unsubscribe(subscriber: TickSubscriber): void {
  if (!subscribers.delete(subscriber) || subscribers.size) return;
  run();
  globalThis.document?.removeEventListener('visibilitychange', run);
}

/** Whether the shared timer is armed and how many clocks it serves (for leak checks). */
export function tickerStatus(): { armed: boolean; subscribers: number } {
  return { armed: timer !== undefined, subscribers: subscribers.size };
}
