// One timer for every clock on the page. On each run a subscriber brings its display up to date
// and says how long until it must change again (a whole second of *its server's* clock); the
// timer sleeps until the nearest of those, and then ticks only those that are due: on a page
// whose clocks change at different moments of the second (the time, and countdowns to an end
// that is not a whole second), each tick is one that changes a text. Hidden pages do no work and
// catch up the moment they are visible. What asks for a run (a new estimate, a new element) asks
// for one soon, for everybody: a sync reaches every element of its clock, and one run must tick
// them all once, not once each.
//
// A run ticks its subscribers in slices of about SLICE_MS, each slice in a task of its own (the
// first in the task that asked for the run): on a page of a thousand clocks, where a tick may
// render a text or fire an event, no task is long, and the last clock shows a new second a few
// tasks (some tens of ms) after the first. A run asked for while one is in progress goes on from
// where it is, then ticks again those it had ticked: nobody waits behind a stream of requests.

/** A display that the shared timer keeps up to date. */
export interface TickSubscriber {
  /**
   * Updates the display if it is due; returns ms until it must change again, or undefined while
   * that is not known (no time to show yet).
   */
  tick(): number | undefined;
}

/**
 * The longest a subscriber waits for its next tick, ms (undefined, from its tick, means this): a
 * clock whose estimate moves is not left behind for longer.
 */
const MAX_SLEEP_MS = 1000;

/** A run's slice, ms: once a slice has taken this long, the run goes on in a new task. */
const SLICE_MS = 8;

const subscribers = new Set<TickSubscriber>();
// When each subscriber is due its next tick (performance.now() ms), as its last tick said.
const dueAt = new Map<TickSubscriber, number>();
// Those the run in progress has yet to tick, in order.
const pending = new Set<TickSubscriber>();
let timer: ReturnType<typeof setTimeout> | undefined;
let runQueued = false;

/**
 * Starts a run in which everybody is due a tick. During a run, those still waiting keep their
 * place and the others join after them; its next slice, already set for a new task, goes on.
 */
function runAll(): void {
  runQueued = false;
  const inProgress = pending.size > 0;
  for (const subscriber of subscribers) pending.add(subscriber);
  if (!inProgress) runSlice();
}

/** The timer's run: those whose tick is due (the timer is not armed during a run). */
function runDue(): void {
  const now = performance.now();
  // (forEach, not for…of over the entries: no [subscriber, at] array for each of a thousand, a
  // few times a second.)
  dueAt.forEach((at, subscriber) => {
    if (at <= now) pending.add(subscriber);
  });
  runSlice();
}

/** Ticks the pending subscribers for a slice, then goes on in a new task, or re-arms the timer when all are done. */
function runSlice(): void {
  clearTimeout(timer);
  timer = undefined;
  if (subscribers.size === 0 || globalThis.document?.visibilityState === 'hidden') {
    pending.clear();
    return;
  }
  const start = performance.now();
  for (const subscriber of pending) {
    pending.delete(subscriber);
    const due = subscriber.tick() ?? MAX_SLEEP_MS;
    const now = performance.now();
    // (Unsubscribed by its own tick: no entry left behind.)
    if (subscribers.has(subscriber)) dueAt.set(subscriber, now + Math.min(due, MAX_SLEEP_MS));
    if (pending.size > 0 && now - start >= SLICE_MS) {
      timer = setTimeout(runSlice);
      return;
    }
  }
  const now = performance.now();
  let wakeAt = now + MAX_SLEEP_MS;
  for (const at of dueAt.values()) wakeAt = Math.min(wakeAt, at);
  timer = setTimeout(runDue, Math.max(0, wakeAt - now));
}

/**
 * Runs once in a microtask, however many ask before it (after an estimate moved, say): its first
 * slice still in the task that asked, so the new text shows in the same frame (everywhere, unless
 * the run takes more than a slice). During a run, the run goes on in its next slice.
 */
export function runSoon(): void {
  if (runQueued) return;
  runQueued = true;
  queueMicrotask(() => {
    if (runQueued) runAll();
  });
}

/** Adds a subscriber and ticks everybody soon. */
export function subscribe(subscriber: TickSubscriber): void {
  if (subscribers.size === 0) globalThis.document?.addEventListener('visibilitychange', runAll);
  subscribers.add(subscriber);
  runSoon();
}

/** Removes a subscriber; the timer stops with the last one. */
export function unsubscribe(subscriber: TickSubscriber): void {
  pending.delete(subscriber);
  dueAt.delete(subscriber);
  if (!subscribers.delete(subscriber) || subscribers.size > 0) return;
  // With nobody left, the slice clears the timer.
  runSlice();
  globalThis.document?.removeEventListener('visibilitychange', runAll);
}

/** Whether the shared timer is armed and how many clocks it serves (for leak checks). */
export function tickerStatus(): { armed: boolean; subscribers: number } {
  return { armed: timer !== undefined, subscribers: subscribers.size };
}
