import type { TimerState } from '../../sdk/protocol.js';
import { idleState, isRefusal, type Refusal, type TimerChange } from './state.js';
import type { TimerChangeListener, TimerStore, TimerStoreOptions } from './store.js';

/**
 * The default {@link TimerStore}: timers in this process's memory, gone when it exits (versions
 * still grow across a restart: they come from the clock). Each update is atomic by being
 * synchronous. Expired timers are dropped when read, and by a sweep every `min(ttl, 1 min)`.
 *
 * @param options - the cluster clock and the TTL of ended and cancelled timers
 */
export function createMemoryStore({ clock, ttl }: TimerStoreOptions): TimerStore {
  const timers = new Map<string, TimerState>();
  const listeners = new Set<TimerChangeListener>();

  const expired = (state: TimerState, now: number) =>
    (state.status === 'ended' || state.status === 'cancelled') && state.updatedAt + ttl <= now;
  const read = (name: string, now: number): TimerState => {
    const state = timers.get(name);
    if (!state) return idleState(name);
    if (!expired(state, now)) return state;
    timers.delete(name);
    return idleState(name);
  };
  const sweep = setInterval(
    () => {
      const now = clock();
      for (const [name, state] of timers) if (expired(state, now)) timers.delete(name);
    },
    Math.min(ttl, 60_000),
  );
  sweep.unref();

  const running = () => [...timers.values()].filter((state) => state.status === 'running');

  return {
    get: (name) => Promise.resolve(read(name, clock())),
    update(name: string, change: TimerChange): Promise<TimerState | Refusal> {
      const now = clock();
      const next = change(read(name, now), now);
      if (isRefusal(next)) return Promise.resolve(next);
      timers.set(name, next);
      for (const listener of listeners) listener(next);
      return Promise.resolve(next);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    nextDeadline() {
      const deadlines = running().map((state) => state.endsAt ?? Infinity);
      return Promise.resolve(deadlines.length ? Math.min(...deadlines) : null);
    },
    due: (now) => Promise.resolve(running().flatMap((s) => ((s.endsAt ?? Infinity) <= now ? [s.name] : []))),
    close() {
      clearInterval(sweep);
      listeners.clear();
      return Promise.resolve();
    },
  };
}
