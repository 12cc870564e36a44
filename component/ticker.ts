/**
 * One timer for every clock on the page. Each subscriber says how long until its next boundary
 * (a whole second of *its server's* clock); the timer sleeps until the nearest one and then
 * updates everybody. Hidden pages do no work and catch up the moment they are visible.
 */
export interface TickSubscriber {
  /** Milliseconds until this subscriber's display must change (NaN: not known). */
  msUntilNextTick(): number;
  tick(): void;
}

const subscribers = new Set<TickSubscriber>();
let timer: ReturnType<typeof setTimeout> | undefined;

const hidden = () => globalThis.document?.visibilityState === 'hidden';

function run() {
  for (const subscriber of subscribers) subscriber.tick();
  schedule();
}

function schedule() {
  clearTimeout(timer);
  timer = undefined;
  if (!subscribers.size || hidden()) return;
  // Never sleep longer than a second, so a clock whose estimate moves is not left behind.
  let delay = 1000;
  for (const subscriber of subscribers) delay = Math.min(delay, subscriber.msUntilNextTick() || delay);
  timer = setTimeout(run, delay);
}

const onVisibility = () => (hidden() ? schedule() : run());

/** Brings a subscriber up to date now and re-arms the timer (its estimate changed); not while hidden. */
export function refresh(subscriber: TickSubscriber): void {
  if (hidden() || !subscribers.has(subscriber)) return;
  subscriber.tick();
  schedule();
}

export function subscribe(subscriber: TickSubscriber): void {
  if (!subscribers.size) globalThis.document?.addEventListener('visibilitychange', onVisibility);
  subscribers.add(subscriber);
  refresh(subscriber);
}

export function unsubscribe(subscriber: TickSubscriber): void {
  if (!subscribers.delete(subscriber) || subscribers.size) return;
  schedule();
  globalThis.document?.removeEventListener('visibilitychange', onVisibility);
}

/** Whether the shared timer is armed and how many clocks it serves (for leak checks). */
export function tickerStatus(): { armed: boolean; subscribers: number } {
  return { armed: timer !== undefined, subscribers: subscribers.size };
}
