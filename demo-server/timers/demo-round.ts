import type { Logger } from '../logger.js';
import { start, type TimerChange } from './state.js';
import { TimerActionError, type TimerEndEvent, type TimerService } from './timers.js';

/** The demo's timer: a round that restarts when it ends. */
export const DEMO_ROUND = 'demo-round';

/** How long a {@link DEMO_ROUND} runs, ms. */
export const DEMO_ROUND_MS = 60_000;

/** Starts a round, unless one is running or paused (then another node, or an admin, drives it). */
const nextRound: TimerChange = (current, now) =>
  current.status === 'running' || current.status === 'paused'
    ? { refusal: 'conflict', message: `${DEMO_ROUND} is ${current.status}` }
    : start(current, now + DEMO_ROUND_MS, now);

/**
 * Drives {@link DEMO_ROUND}: starts it unless it runs already, and starts the next round on each
 * `end`. An end fires on one node only, so with several nodes one at a time drives it; the start
 * is atomic, so nodes starting together start one round.
 * @returns the way to stop driving it
 */
export function driveDemoRound(timers: TimerService, log: Logger): () => void {
  const startRound = () =>
    void timers.apply(DEMO_ROUND, nextRound).catch((error: unknown) => {
      if (error instanceof TimerActionError && error.code === 'conflict') return;
      log.warn('cannot start the demo round', { error: String(error) });
    });
  const onEnd = (event: TimerEndEvent) => {
    if (event.name === DEMO_ROUND) startRound();
  };
  timers.on('end', onEnd);
  startRound();
  return () => timers.off('end', onEnd);
}
