/**
 * One timer for every clock on the page. Each subscriber says how long until its next boundary
 * (a whole second of *its server's* clock); the timer sleeps until the nearest one and then
 * updates everybody. Hidden pages do no work and catch up the moment they are visible.
 */
export interface TickSubscriber {
  /** Milliseconds until this subscriber's display must change. */
  msUntilNextTick(): number;
  tick(): void;
}

const subscribers = new Set<TickSubscriber>();
let timer: ReturnType<typeof setTimeout> | undefined;
// Never sleep longer than this, so a clock whose estimate moves is not left behind.
const MAX_SLEEP_MS = 1000;

function hidden(): boolean {
  return globalThis.document?.visibilityState === 'hidden';
}

function run() {
  timer = undefined;
  for (const subscriber of subscribers) subscriber.tick();
  schedule();
}

/** Re-arms the timer for the nearest boundary now (after an estimate changed). */
export function reschedule(): void {
  if (subscribers.size > 0) schedule();
}

function schedule() {
  clearTimeout(timer);
  timer = undefined;
  if (subscribers.size === 0 || hidden()) return;
  let delay = MAX_SLEEP_MS;
  for (const subscriber of subscribers) {
    const ms = subscriber.msUntilNextTick();
    if (ms >= 0 && ms < delay) delay = ms;
  }
  timer = setTimeout(run, delay);
}

function onVisibility() {
  if (hidden()) schedule();
  else run();
}

export function subscribe(subscriber: TickSubscriber): void {
  if (subscribers.size === 0) globalThis.document?.addEventListener('visibilitychange', onVisibility);
  subscribers.add(subscriber);
  subscriber.tick();
  schedule();
}

export function unsubscribe(subscriber: TickSubscriber): void {
  if (!subscribers.delete(subscriber)) return;
  if (subscribers.size === 0) {
    clearTimeout(timer);
    timer = undefined;
    globalThis.document?.removeEventListener('visibilitychange', onVisibility);
  }
}

/** Whether the shared timer is armed and how many clocks it serves (for leak checks). */
export function tickerStatus(): { armed: boolean; subscribers: number } {
  return { armed: timer !== undefined, subscribers: subscribers.size };
}
