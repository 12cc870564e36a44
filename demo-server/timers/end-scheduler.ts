import type { TimerState } from '../../sdk/protocol.js';
import type { Logger } from '../logger.js';
import { endIfDue, isRefusal } from './state.js';
import type { TimerStore } from './store.js';

/** A run's end, as the one node that ended it tells it. */
export interface TimerEnd {
  /** The `ended` state, as stored. */
  state: TimerState;
  /** The deadline the timer ran to, epoch ms on the cluster clock. */
  endsAt: number;
}

/** The running scheduler of {@link startEndScheduler}. */
export interface EndScheduler {
  /** Disarms it, and stops listening to the store. */
  stop(): void;
}

// Node's timers hold at most 2^31 − 1 ms; the wake-up also re-reads the store once in a while.
const MAX_DELAY_MS = 60_000;
// After the store fails, try again this much later.
const RETRY_MS = 1_000;

/**
 * Ends the timers whose deadline comes, on the cluster clock: one Node timer for the store's
 * nearest deadline, re-armed after every change the store reports (made on any node). Node's
 * timers can fire early, and the clock can be corrected, so each wake-up ends only what
 * {@link TimerStore.due} says is due, and re-arms. Each end is the atomic `endIfDue` change:
 * `ended` is called only when this node won it, so once per run across every node. It starts
 * with a scan (on the event loop's next turn), which ends any deadline that passed while no node
 * was up.
 */
export function startEndScheduler(
  store: TimerStore,
  clock: () => number,
  ended: (end: TimerEnd) => void,
  log: Logger,
): EndScheduler {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  // Wake-ups run one at a time; a change during one asks for another after it.
  let busy = false;
  let again = false;

  const arm = (delay: number) => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(() => void wake(), Math.min(Math.max(0, delay), MAX_DELAY_MS));
  };

  async function endOne(name: string) {
    let endsAt = 0;
    const outcome = await store.update(name, (current, now) => {
      endsAt = current.endsAt ?? now;
      return endIfDue(current, now);
    });
    // Refused: another node ended it first, or it changed since it was found due.
    if (!isRefusal(outcome)) ended({ state: outcome, endsAt });
  }

  async function wake() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        for (const name of await store.due(clock())) await endOne(name);
        const next = await store.nextDeadline();
        if (next === null) clearTimeout(timer);
        else arm(next - clock());
      } while (again && !stopped);
    } catch (error) {
      log.warn('timer store failed; ending timers later', { error: String(error) });
      arm(RETRY_MS);
    } finally {
      busy = false;
    }
  }

  const unlisten = store.onChange(() => void wake());
  // The first scan on the next turn of the event loop: `end` listeners added right after the
  // server is created hear the ends of overdue timers.
  arm(0);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      unlisten();
    },
  };
}
