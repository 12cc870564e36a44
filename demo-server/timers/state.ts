/**
 * The timers' state machine: pure functions from a timer's current {@link TimerState} and the
 * cluster clock's `now` (epoch ms) to its next state, or a {@link Refusal}. Both stores run them
 * inside their atomic read-modify-write ({@link TimerStore.update}), so a Redis store may run
 * them again on a retry: they read nothing but their arguments.
 *
 * Transitions (anything else is refused):
 *
 * | action      | from                              | to          | refusal otherwise                  |
 * | ----------- | --------------------------------- | ----------- | ---------------------------------- |
 * | `start`     | any                               | `running`   | `bad-request`: deadline not ahead  |
 * | `extend`    | `running` (not due), `paused`     | same status | `not-found` on idle, else conflict |
 * | `pause`     | `running` (not due)               | `paused`    | `not-found` on idle, else conflict |
 * | `resume`    | `paused`                          | `running`   | `not-found` on idle, else conflict |
 * | `cancel`    | `running` (not due), `paused`     | `cancelled` | `not-found` on idle, else conflict |
 * | `endIfDue`  | `running` with `endsAt` ≤ now     | `ended`     | `conflict`                         |
 *
 * A running timer whose deadline has passed has ended, even before the end scheduler has written
 * so: actions on it are refused as on an ended one.
 */
import type { TimerState } from '../../sdk/protocol.js';

/** Why an action was refused: `bad-request` (HTTP 400), `not-found` (404: an action on an idle timer), `conflict` (409). */
export type RefusalCode = 'bad-request' | 'not-found' | 'conflict';

/** An action refused by the state machine: nothing changes. */
export interface Refusal {
  refusal: RefusalCode;
  /** For people: what was wrong, e.g. `timer "a" is paused`. */
  message: string;
}

/** What a change of one timer's state gives: its next state, or a refusal. */
export type TimerChange = (current: TimerState, now: number) => TimerState | Refusal;

/** The latest instant a deadline may be: the end of JavaScript's `Date` range, epoch ms. */
export const MAX_TIME = 8.64e15;

/** Whether a change's outcome is a {@link Refusal}. */
export function isRefusal(value: TimerState | Refusal): value is Refusal {
  return 'refusal' in value;
}

/** The state of a name never set, or expired: `idle`, version 0. */
export function idleState(name: string): TimerState {
  return { name, status: 'idle', endsAt: null, remaining: null, version: 0, updatedAt: 0 };
}

/**
 * The version after `previous` at `now`: the clock's microseconds, or one more than before if
 * that is larger. It grows with every change and, being the clock's, also across expiry (when
 * the previous version is forgotten) and restarts.
 */
export function nextVersion(previous: number, now: number): number {
  return Math.max(previous + 1, Math.floor(now * 1000));
}

/** Starts, or restarts, a timer that ends at `endsAt` (epoch ms on the cluster clock, after `now`). */
export function start(current: TimerState, endsAt: number, now: number): TimerState | Refusal {
  if (!Number.isFinite(endsAt) || endsAt > MAX_TIME) return refuse('bad-request', `deadline ${endsAt} is not a time`);
  if (endsAt <= now) return refuse('bad-request', `deadline ${new Date(endsAt).toISOString()} is in the past`);
  return running(current, endsAt, now);
}

/** Moves a running timer's deadline, or adds to a paused timer's remaining time, by `by` ms (> 0). */
export function extend(current: TimerState, by: number, now: number): TimerState | Refusal {
  if (!(Number.isFinite(by) && by > 0)) return refuse('bad-request', `extension ${by} is not a positive number of ms`);
  const status = effectiveStatus(current, now);
  if (status === 'running') {
    const endsAt = (current.endsAt ?? 0) + by;
    if (endsAt > MAX_TIME) return refuse('bad-request', `extension ${by} ms is too long`);
    return running(current, endsAt, now);
  }
  if (status === 'paused') return paused(current, (current.remaining ?? 0) + by, now);
  return refuseFrom(current, status, 'extend');
}

/** Pauses a running timer, keeping the time it has left. */
export function pause(current: TimerState, now: number): TimerState | Refusal {
  const status = effectiveStatus(current, now);
  if (status !== 'running') return refuseFrom(current, status, 'pause');
  return paused(current, (current.endsAt ?? now) - now, now);
}

/** Resumes a paused timer: it ends its remaining time after `now`. */
export function resume(current: TimerState, now: number): TimerState | Refusal {
  if (current.status !== 'paused') return refuseFrom(current, effectiveStatus(current, now), 'resume');
  return running(current, now + (current.remaining ?? 0), now);
}

/** Cancels a running or paused timer. */
export function cancel(current: TimerState, now: number): TimerState | Refusal {
  const status = effectiveStatus(current, now);
  if (status !== 'running' && status !== 'paused') return refuseFrom(current, status, 'cancel');
  return settled(current, 'cancelled', now);
}

/**
 * Ends a running timer whose deadline has come: the transition that only one caller wins, and
 * whose winner fires the `end` event. Refused (`conflict`) for any other timer.
 */
export function endIfDue(current: TimerState, now: number): TimerState | Refusal {
  if (current.status !== 'running' || (current.endsAt ?? Infinity) > now) {
    return refuse('conflict', `timer "${current.name}" is not due to end`);
  }
  return settled(current, 'ended', now);
}

function running(current: TimerState, endsAt: number, now: number): TimerState {
  return { name: current.name, status: 'running', endsAt, remaining: null, ...stamp(current, now) };
}

function paused(current: TimerState, remaining: number, now: number): TimerState {
  return { name: current.name, status: 'paused', endsAt: null, remaining, ...stamp(current, now) };
}

function settled(current: TimerState, status: 'ended' | 'cancelled', now: number): TimerState {
  return { name: current.name, status, endsAt: null, remaining: null, ...stamp(current, now) };
}

function stamp(current: TimerState, now: number) {
  return { version: nextVersion(current.version, now), updatedAt: now };
}

/** A running timer past its deadline counts as ended. */
function effectiveStatus(current: TimerState, now: number): TimerState['status'] {
  return current.status === 'running' && (current.endsAt ?? Infinity) <= now ? 'ended' : current.status;
}

function refuseFrom(current: TimerState, status: TimerState['status'], action: string): Refusal {
  if (status === 'idle') return refuse('not-found', `timer "${current.name}" is not set`);
  return refuse('conflict', `cannot ${action} timer "${current.name}": it is ${status}`);
}

function refuse(refusal: RefusalCode, message: string): Refusal {
  return { refusal, message };
}
