/**
 * Where timers live: the interface both stores implement, in memory (`memory-store.ts`, the
 * default) and in Redis. The server reaches timers only through it.
 *
 * Division of work between the store and the server (`timers.ts`):
 *
 * - **One clock**: the cluster clock ({@link TimerStore.clock} if the store has one, else the
 *   node's) is what the server serves and what every deadline is on.
 * - **Changes are atomic.** {@link TimerStore.update} reads a timer, runs a pure
 *   {@link TimerChange} from `state.ts` on it with the cluster clock's `now`, and writes the
 *   outcome unless it is a refusal, as one atomic step across every node: in Redis, e.g. WATCH /
 *   MULTI retried while the key changed underneath (the change is pure, so running it again is
 *   safe). Two nodes extending one timer at once both count.
 * - **Ending is a change too**: `endIfDue` turns `running` into `ended` and is refused for
 *   anything else, so of all the nodes that try, exactly one wins per run. The winner (the caller
 *   whose `update` resolves with the `ended` state) fires the `end` event.
 * - **Who pushes to watchers**: the node whose `update` committed a change (the winner, for an
 *   end) emits it with `io.to('timer:<name>')`, so socket.io's adapter (the Redis adapter, with
 *   several nodes) carries it to the watchers on every node. A store does not push to sockets.
 * - **Listeners learn of every change** ({@link TimerStore.onChange}), made on any node, this one
 *   included: each node's end scheduler re-arms on them, so that when the node that started a timer
 *   dies, another one ends it.
 * - **Deadlines**: {@link TimerStore.nextDeadline} and {@link TimerStore.due} find the running
 *   timers to end; a node that starts scans for overdue ones first, so a deadline that passed while
 *   no node was up ends (late) on the first node up afterwards.
 * - **Expiry**: `ended` and `cancelled` timers are forgotten `ttl` ms after their last change; a
 *   forgotten timer reads as `idle` (version 0). Versions still grow afterwards: `state.ts` derives
 *   them from the clock.
 * - **Failure**: a store that cannot reach its backend rejects (any `Error`); the server answers
 *   the watch with `unavailable` and an admin request with 503.
 *
 * @see createMemoryStore for the one-process store.
 */
import type { TimerState } from '../../sdk/protocol.js';
import type { Refusal, TimerChange } from './state.js';

/** What a store is made with, by the server ({@link TimerStoreFactory}). */
export interface TimerStoreOptions {
  /**
   * The node's clock, epoch ms (`createClockServer`'s `clock` option). Without a
   * {@link TimerStore.clock} of the store's own, it is the cluster clock: the `now` every change
   * is given, and the clock of expiry.
   */
  clock: () => number;
  /** How long `ended` and `cancelled` timers are kept after their last change, ms. */
  ttl: number;
}

/** Makes the server's store; `createClockServer` calls it once, with its own clock and TTL. */
export type TimerStoreFactory = (options: TimerStoreOptions) => TimerStore;

/** Called with a timer's state after each change, wherever it was made. */
export type TimerChangeListener = (state: TimerState) => void;

/** Timers by name, shared by every node that uses the same backend. */
export interface TimerStore {
  /**
   * The cluster clock, epoch ms, when the store has a reference of its own (Redis: its `TIME`,
   * measured against the node's clock and slewed). The server then serves it (ticks, sync
   * answers) and its timers use it, as the store's changes do.
   * @defaultValue absent: the node's clock ({@link TimerStoreOptions.clock}) is the cluster's
   */
  readonly clock?: () => number;
  /** The timer's current state: `idle` with version 0 for a name never set, or expired. */
  get(name: string): Promise<TimerState>;
  /**
   * Atomically: reads the timer (idle if unset), calls `change(current, now)` with the cluster
   * clock's `now`, and stores the outcome unless it is a {@link Refusal}. May call `change` more
   * than once (a retry after a concurrent write); only the last outcome counts, and is returned.
   * `ended` and `cancelled` outcomes expire after the TTL.
   */
  update(name: string, change: TimerChange): Promise<TimerState | Refusal>;
  /** Adds a listener of every change (this node's and others'); returns its removal. */
  onChange(listener: TimerChangeListener): () => void;
  /** The earliest `endsAt` of any running timer, epoch ms, or null when none runs. */
  nextDeadline(): Promise<number | null>;
  /** The names of the running timers whose `endsAt` is at or before `now`. */
  due(now: number): Promise<string[]>;
  /** Releases what the store holds (connections, timers); resolves when it has. */
  close(): Promise<void>;
}
