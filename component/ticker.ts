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
// A slice ticks its subscribers in batches, each followed by the batch's writes of what its ticks
// made ready, in a loop of their own: the DOM's writes cost less together than each beside its
// tick's script (bench/PAGE.md, 6 Dec: a tenth of a steady second's script, for 0.05 KB gzip).
// The time is read once every few ticks, and handed to those ticks as their instant: a clock read
// (native calls into `performance`) in every tick, and another for the slice's budget, cost a
// page of a thousand clocks more script than the ticks' own work (bench/PAGE.md, 6 Dec).

import { monotonicNow } from '../sdk/monotonic.js';

/** A display that the shared timer keeps up to date. */
export interface TickSubscriber {
  /**
   * Brings the display up to date for the instant `at` if it is due (or makes the change ready
   * for its `write`); returns ms until it must change again, or undefined while that is not known
   * (no time to show yet).
   * @param at - The instant of the tick: a reading of `monotonicNow()` (`performance.timeOrigin +
   * performance.now()`, the SDK's local clock by default) that the ticker took for a few ticks.
   */
  tick(at: number): number | undefined;
  /** Writes into the DOM what its tick made ready, if anything: after its batch of ticks. */
  write?(): void;
}

/**
 * The longest a subscriber waits for its next tick, ms (undefined, from its tick, means this): a
 * clock whose estimate moves is not left behind for longer.
 */
const MAX_SLEEP_MS = 1000;

/** A run's slice, ms: once a slice has taken this long, the run goes on in a new task. */
const SLICE_MS = 8;

/**
 * Ticks before their writes, at most: enough to keep the DOM's writes together, few enough that
 * the writes after the tick that ends a slice overrun SLICE_MS by little (64 ticks and writes of
 * a steady second: about 0.2 ms on a page of a thousand clocks).
 */
const WRITE_BATCH = 64;

/**
 * Ticks at one reading of the time: few enough that a slice overruns SLICE_MS by little (eight
 * slow ticks, each rendering, at most), and their instant is at most eight ticks old.
 */
const TICKS_PER_READING = 8;

// Each subscriber's place in the ticker. On a page of a thousand clocks a run ticks hundreds of
// them a few times a second: an entry's fields, read and set in place, cost the ticks less than
// the Map and Sets they replaced (each lookup hashed; bench/PAGE.md, 6 Dec), for 0.11 KB gzip more.
interface Entry {
  readonly subscriber: TickSubscriber;
  /** When its next tick is due, `monotonicNow()` ms, as its last tick said (0 before it: at once). */
  dueAt: number;
  /** Whether it waits in the run in progress. */
  queued: boolean;
  /** False once unsubscribed: a queued entry is then passed over. */
  subscribed: boolean;
}

// Each subscriber's entry, for subscribe and unsubscribe: a walk of `all` to find it instead took
// 12 ms for a thousand subscribes (in Node here).
const entries = new Map<TickSubscriber, Entry>();
// The same entries, in the order they subscribed, for the runs' loops over everybody.
const all: Entry[] = [];
// Those the run in progress ticks, in order: those before `next` have had their tick.
const queue: Entry[] = [];
let next = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let runQueued = false;

/** Puts `entry` in the run's queue, unless it waits there already (it keeps its place). */
function enqueue(entry: Entry): void {
  if (entry.queued) return;
  entry.queued = true;
  queue.push(entry);
}

/**
 * Starts a run in which everybody is due a tick. During a run, those still waiting keep their
 * place and the others join after them; its next slice, already set for a new task, goes on.
 */
function runAll(): void {
  runQueued = false;
  const inProgress = next < queue.length;
  for (const entry of all) enqueue(entry);
  if (!inProgress) runSlice();
}

/** The timer's run: those whose tick is due (the timer is not armed during a run). */
function runDue(): void {
  const now = monotonicNow();
  for (const entry of all) if (entry.dueAt <= now) enqueue(entry);
  runSlice();
}

/** Ticks the queued subscribers for a slice, then goes on in a new task, or re-arms the timer when all are done. */
function runSlice(): void {
  clearTimeout(timer);
  timer = undefined;
  if (all.length === 0 || globalThis.document?.visibilityState === 'hidden') {
    endRun();
    return;
  }
  const start = monotonicNow();
  let now = start;
  while (next < queue.length && now - start < SLICE_MS) {
    // A batch of ticks, then their writes; the slice's time counts both.
    const batch = next;
    while (next < queue.length && next - batch < WRITE_BATCH && now - start < SLICE_MS) {
      const entry = queue[next++];
      entry.queued = false;
      if (!entry.subscribed) continue;
      const due = entry.subscriber.tick(now) ?? MAX_SLEEP_MS;
      entry.dueAt = now + Math.min(due, MAX_SLEEP_MS);
      if ((next - batch) % TICKS_PER_READING === 0) now = monotonicNow();
    }
    writeBatch(batch);
    now = monotonicNow();
  }
  if (next < queue.length) {
    timer = setTimeout(runSlice);
    return;
  }
  endRun();
  // (Nobody left: the last unsubscribed in its own tick.)
  if (all.length === 0) return;
  let wakeAt = now + MAX_SLEEP_MS;
  for (const entry of all) wakeAt = Math.min(wakeAt, entry.dueAt);
  timer = setTimeout(runDue, Math.max(0, wakeAt - now));
}

/** The writes of those ticked since the queue's `first`. */
function writeBatch(first: number): void {
  for (let i = first; i < next; i++) if (queue[i].subscribed) queue[i].subscriber.write?.();
}

/** Empties the queue: the run is over (or given up, on a hidden page). */
function endRun(): void {
  for (let i = next; i < queue.length; i++) queue[i].queued = false;
  queue.length = 0;
  next = 0;
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
  if (all.length === 0) globalThis.document?.addEventListener('visibilitychange', runAll);
  if (!entries.has(subscriber)) {
    const entry: Entry = { subscriber, dueAt: 0, queued: false, subscribed: true };
    entries.set(subscriber, entry);
    all.push(entry);
  }
  runSoon();
}

/** Removes a subscriber; the timer stops with the last one. */
export function unsubscribe(subscriber: TickSubscriber): void {
  const entry = entries.get(subscriber);
  if (!entry) return;
  entry.subscribed = false;
  entries.delete(subscriber);
  all.splice(all.indexOf(entry), 1);
  if (all.length > 0) return;
  // With nobody left, the slice clears the timer.
  runSlice();
  globalThis.document?.removeEventListener('visibilitychange', runAll);
}

/** Whether the shared timer is armed and how many clocks it serves (for leak checks). */
export function tickerStatus(): { armed: boolean; subscribers: number } {
  return { armed: timer !== undefined, subscribers: all.length };
}
