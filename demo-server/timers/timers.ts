import { TIMER_NAME, type TimerState } from '../../sdk/protocol.js';
import type { Logger } from '../logger.js';
import { startEndScheduler, type TimerEnd } from './end-scheduler.js';
import * as machine from './state.js';
import type { RefusalCode, TimerChange } from './state.js';
import type { TimerStore } from './store.js';

/** How {@link ClockTimers.start} is told when a timer ends: a deadline, or a duration from now. */
export type TimerStartOptions =
  /** The deadline: epoch ms, or an ISO 8601 date-time with its offset (`Z` or `±hh:mm`). */
  | { endsAt: number | string }
  /** Ms from now, on the cluster clock (> 0). */
  | { duration: number };

/** The `end` event of {@link ClockTimers}: a run of a timer ended. */
export interface TimerEndEvent {
  /** The timer's name. */
  name: string;
  /** The deadline it ran to, epoch ms on the cluster clock. */
  endsAt: number;
  /** How late the end came, ms: 0 or a few on a live node, more when no node was up at `endsAt`. */
  lateness: number;
  /** Its `ended` state. */
  state: TimerState;
}

/** Why a timer action failed: the state machine's refusals, and `unavailable` (the store failed). */
export type TimerActionErrorCode = RefusalCode | 'unavailable';

const STATUS: Record<TimerActionErrorCode, 400 | 404 | 409 | 503> = {
  'bad-request': 400,
  'not-found': 404,
  conflict: 409,
  unavailable: 503,
};

/** The rejection of every {@link ClockTimers} action: a clear message, a code and its HTTP status. */
export class TimerActionError extends Error {
  override name = 'TimerActionError';
  /** The HTTP status the admin API answers with: 400, 404, 409 or 503 (`unavailable`). */
  readonly status: 400 | 404 | 409 | 503;

  constructor(
    /** What went wrong: a bad request, an action on an idle timer, an impossible transition, or the store. */
    readonly code: TimerActionErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.status = STATUS[code];
  }
}

/**
 * `clockServer.timers`: named countdowns on the cluster clock, the same on every node sharing the
 * store. Each action resolves with the timer's new state (already pushed to its watchers), or
 * rejects with a {@link TimerActionError}.
 */
export interface ClockTimers {
  /** Starts, or restarts, a timer. Rejects (400) a bad name or value, or a deadline not in the future. */
  start(name: string, options: TimerStartOptions): Promise<TimerState>;
  /** Moves a running timer's deadline, or grows a paused one's `remaining`, by `ms` (> 0). 404 on idle, 409 if ended or cancelled. */
  extend(name: string, ms: number): Promise<TimerState>;
  /** Pauses a running timer. 404 on idle, 409 if not running. */
  pause(name: string): Promise<TimerState>;
  /** Resumes a paused timer. 404 on idle, 409 if not paused. */
  resume(name: string): Promise<TimerState>;
  /** Cancels a running or paused timer. 404 on idle, 409 if ended or cancelled. */
  cancel(name: string): Promise<TimerState>;
  /** A timer's state: `idle` for a name never set, or expired. */
  get(name: string): Promise<TimerState>;
  /**
   * Calls `listener` when a run ends: once per run, on the one node that ended it (a deadline that
   * passed while no node was up ends on the first node up, late: add listeners right after
   * `createClockServer`, they hear those ends too).
   */
  on(event: 'end', listener: (event: TimerEndEvent) => void): this;
  /** Removes a listener added with {@link ClockTimers.on}. */
  off(event: 'end', listener: (event: TimerEndEvent) => void): this;
}

/** The server's own handle on its timers: the public API plus what the server wires up. */
export interface TimerService extends ClockTimers {
  /** Applies a change atomically and pushes the outcome; rejects with a {@link TimerActionError}. */
  apply(name: string, change: TimerChange): Promise<TimerState>;
  /** Stops the end scheduler (the store is the server's to close). */
  stop(): void;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The timers on `store`: validates each action, runs it as an atomic change, pushes each new
 * state with `publish` and runs the end scheduler (`end-scheduler.ts`).
 * @param clock - the cluster clock, epoch ms
 * @param publish - sends a new state to the timer's watchers, on every node
 */
export function createTimers(
  store: TimerStore,
  clock: () => number,
  publish: (state: TimerState) => void,
  log: Logger,
): TimerService {
  const listeners = new Set<(event: TimerEndEvent) => void>();

  const onEnded = ({ state, endsAt }: TimerEnd) => {
    publish(state);
    const event: TimerEndEvent = { name: state.name, endsAt, lateness: Math.max(0, state.updatedAt - endsAt), state };
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        log.error('timer end listener threw', { timer: state.name, error: String(error) });
      }
    }
  };

  async function apply(name: string, change: TimerChange): Promise<TimerState> {
    checkName(name);
    let outcome;
    try {
      outcome = await store.update(name, change);
    } catch (error) {
      throw unavailable(error);
    }
    if (machine.isRefusal(outcome)) throw new TimerActionError(outcome.refusal, outcome.message);
    publish(outcome);
    return outcome;
  }

  const scheduler = startEndScheduler(store, clock, onEnded, log);

  const timers: TimerService = {
    apply,
    async start(name, options) {
      checkName(name);
      return apply(name, startChange(options));
    },
    async extend(name, ms) {
      checkName(name);
      if (!isPositive(ms)) {
        throw new TimerActionError('bad-request', `extension must be a positive number of ms, got ${show(ms)}`);
      }
      return apply(name, (current, now) => machine.extend(current, ms, now));
    },
    pause: (name) => apply(name, machine.pause),
    resume: (name) => apply(name, machine.resume),
    cancel: (name) => apply(name, machine.cancel),
    async get(name) {
      checkName(name);
      try {
        return await store.get(name);
      } catch (error) {
        throw unavailable(error);
      }
    },
    on(_event, listener) {
      listeners.add(listener);
      return timers;
    },
    off(_event, listener) {
      listeners.delete(listener);
      return timers;
    },
    stop: () => scheduler.stop(),
  };
  return timers;
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !TIMER_NAME.test(name)) {
    throw new TimerActionError('bad-request', `timer name must match ${String(TIMER_NAME)}, got ${show(name)}`);
  }
}

/** The change that starts a timer as `options` say; throws a TimerActionError for bad options. */
function startChange(options: unknown): TimerChange {
  const { endsAt, duration } = (typeof options === 'object' && options !== null ? options : {}) as Record<
    string,
    unknown
  >;
  if ((endsAt === undefined) === (duration === undefined)) {
    throw new TimerActionError('bad-request', 'give either endsAt (epoch ms or ISO date-time) or duration (ms)');
  }
  if (duration !== undefined) {
    if (!isPositive(duration)) {
      throw new TimerActionError('bad-request', `duration must be a positive number of ms, got ${show(duration)}`);
    }
    return (current, now) => machine.start(current, now + duration, now);
  }
  const deadline = parseDeadline(endsAt);
  return (current, now) => machine.start(current, deadline, now);
}

function parseDeadline(endsAt: unknown): number {
  if (typeof endsAt === 'number' && Number.isFinite(endsAt)) return endsAt;
  const parsed = typeof endsAt === 'string' && ISO_DATE_TIME.test(endsAt) ? Date.parse(endsAt) : NaN;
  if (Number.isNaN(parsed)) {
    throw new TimerActionError(
      'bad-request',
      `endsAt must be epoch ms or an ISO date-time with an offset, got ${show(endsAt)}`,
    );
  }
  return parsed;
}

function unavailable(cause: unknown): TimerActionError {
  return new TimerActionError('unavailable', 'the timer store is unavailable', { cause });
}

function isPositive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/** A value, for a message: JSON, cut to 40 characters. */
function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
