/**
 * Named timers that the server runs (PROTOCOL.md, "Timers"): `clock.timer(name)` watches one.
 * Watchers of one name on one connection share one subscription (one watch on the server); each
 * timer times its own `end` against its own clock's estimate of the server's time.
 */
import { TypedEventTarget } from './typed-event-target.js';
import type { ServerClock } from './clock.js';
import { fire, type ClockSocket, type Connection } from './connection.js';
import {
  TIMER_EVENT,
  TIMER_NAME,
  TIMER_UNWATCH_EVENT,
  TIMER_WATCH_EVENT,
  isTimerError,
  isTimerState,
  type TimerErrorCode,
  type TimerState,
  type TimerStatus,
} from './protocol.js';
import { SharedPool } from './shared-pool.js';

/**
 * Why a timer has no state: the server's refusal (`bad-name`, `too-many`, `unavailable`), a name
 * refused here before asking (`bad-name`), a server that does not serve timers (`unsupported`: it
 * did not acknowledge the watch in time, or answered something else), or a clock without a
 * connection (`no-connection`: its URL is invalid, or it is closed).
 */
export type ServerTimerErrorCode = TimerErrorCode | 'unsupported' | 'no-connection';

/** The error of a {@link ServerTimer}, with its {@link ServerTimerErrorCode}. */
export class ServerTimerError extends Error {
  /** What went wrong, as a code. */
  readonly code: ServerTimerErrorCode;

  /** An error with its code; the message says the rest. */
  constructor(code: ServerTimerErrorCode, message: string) {
    super(message);
    this.name = 'ServerTimerError';
    this.code = code;
  }
}

/** The `detail` of a timer's `end` event. */
export interface TimerEndDetail {
  /** The end that was reached, epoch ms on the server's clock. */
  endsAt: number;
}

/** The `detail` of a timer's `error` event. */
export interface TimerErrorDetail {
  /** Why the timer has no (new) state. */
  error: ServerTimerError;
}

/** The events of a {@link ServerTimer}, by name. */
export interface ServerTimerEventMap {
  /** A new state from the server (the first one too); `detail` is the state. */
  change: CustomEvent<TimerState>;
  /** The clock's estimate of the server's time reached `endsAt` while running: once per run. */
  end: CustomEvent<TimerEndDetail>;
  /** The watch was refused, or never acknowledged (see {@link ServerTimerErrorCode}). */
  error: CustomEvent<TimerErrorDetail>;
}

/**
 * Whether a timer takes `incoming` in place of `current`: a watch acknowledgement always (it is
 * the server's state as of the watch), a pushed state only if it is newer, by `version`.
 */
export function acceptState(current: TimerState | undefined, incoming: TimerState, fromAck: boolean): boolean {
  return fromAck || current === undefined || incoming.version > current.version;
}

/** One run of a timer towards its end, as a timer follows it: `ended` once `end` has fired. */
export interface TimerRun {
  endsAt: number;
  ended: boolean;
}

/**
 * Ms left of a timer in `state` at server time `now` (epoch ms): while running, `endsAt` − `now`
 * (never below 0); while paused, the frozen remaining time; once ended, 0. Undefined when there
 * is nothing to count (idle, cancelled, no state) or, while running, no `now`.
 */
export function remainingAt(state: TimerState | undefined, now: number | undefined): number | undefined {
  if (state?.status === 'paused') return state.remaining ?? undefined;
  if (state?.status === 'ended') return 0;
  const endsAt = state?.endsAt ?? undefined;
  return endsAt === undefined || now === undefined ? undefined : Math.max(0, endsAt - now);
}

/**
 * The run a new state leaves a timer in, with the server's time `now` (undefined while the clock
 * has no estimate):
 * - `running`: a run towards the new `endsAt`. A run that has ended stays ended unless the change
 *   moves `endsAt` into the future again (an extend): that starts a new run.
 * - `ended`: the run goes on, so that `end` fires when this clock's estimate reaches `endsAt`,
 *   never earlier, even if the server's word came first; an ended run stays ended.
 * - `paused`, `cancelled`, `idle`: no run, so no `end` (a resume starts a new one).
 */
export function nextRun(run: TimerRun | undefined, state: TimerState, now: number | undefined): TimerRun | undefined {
  if (state.status === 'ended') return run;
  if (state.status !== 'running' || state.endsAt === null) return undefined;
  const intoTheFuture = now !== undefined && state.endsAt > now;
  return { endsAt: state.endsAt, ended: run?.ended === true && !intoTheFuture };
}

// setTimeout's longest delay (about 24.8 days); a longer one would fire at once. The timer wakes
// then, sees the end is not reached and sleeps again.
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * What a clock gives its timers: its connection (none once closed, or for an invalid URL), its
 * `timeout` option, and the set of its timers, whom it tells of each new estimate and of its close.
 * @internal
 */
export interface TimerSource {
  connection: Connection | undefined;
  timeout: number;
  timers: Set<ClockTimer>;
}

/** What a clock tells each of its timers. @internal */
export interface ClockTimer {
  /** A new estimate: the instant `end` is due may have moved. */
  estimated(): void;
  /** The clock is closing: so do its timers. */
  closed(): void;
}

/** What a subscription tells each timer that holds it. */
interface Watcher {
  state(state: TimerState): void;
  error(error: ServerTimerError): void;
}

/**
 * The one watch of a name on a connection: watches on every connect, keeps the newest state and
 * tells its watchers. Closing it (the pool does, when the last watcher lets go) unwatches.
 */
class TimerSubscription {
  readonly watchers = new Set<Watcher>();
  /** The state held: the newest accepted. */
  state: TimerState | undefined;
  /** Why the last watch failed, until a state comes. */
  error: ServerTimerError | undefined;
  readonly #socket: ClockSocket;
  readonly #name: string;
  readonly #timeout: number;
  // Bumped on each disconnect and by close(): an acknowledgement of an earlier generation is dropped.
  #generation = 0;

  constructor(socket: ClockSocket, name: string, timeout: number) {
    this.#socket = socket;
    this.#name = name;
    this.#timeout = timeout;
    socket.on('connect', this.#watch).on('disconnect', this.#interrupt).on(TIMER_EVENT, this.#onPush);
    if (socket.connected) void this.#watch();
  }

  close(): void {
    this.#interrupt();
    this.#socket.off('connect', this.#watch).off('disconnect', this.#interrupt).off(TIMER_EVENT, this.#onPush);
    if (this.#socket.connected) this.#socket.emit(TIMER_UNWATCH_EVENT, this.#name);
  }

  // The listeners are fields, to be removable.

  readonly #interrupt = () => {
    this.#generation++;
  };

  readonly #watch = async () => {
    const generation = this.#generation;
    // With a timeout: a server without timers never acknowledges. (The rejection is its answer.)
    const answer: unknown = await this.#socket
      .timeout(this.#timeout)
      .emitWithAck(TIMER_WATCH_EVENT, this.#name)
      .catch(() => undefined);
    // Disconnected (or closed) meanwhile: the next connect watches again.
    if (generation !== this.#generation) return;
    if (isTimerState(answer) && answer.name === this.#name) this.#take(answer, true);
    else if (isTimerError(answer)) this.#fail(new ServerTimerError(answer.error.code, answer.error.message));
    else this.#fail(new ServerTimerError('unsupported', `the server did not acknowledge the watch of "${this.#name}"`));
  };

  readonly #onPush = (value: unknown) => {
    if (isTimerState(value) && value.name === this.#name) this.#take(value, false);
  };

  #take(state: TimerState, fromAck: boolean): void {
    if (!acceptState(this.state, state, fromAck)) return;
    // Watchers hear of a new version, and of a state after an error (which it clears), even the same one.
    const news = this.state?.version !== state.version || this.error !== undefined;
    this.state = state;
    this.error = undefined;
    if (news) for (const watcher of this.watchers) watcher.state(state);
  }

  #fail(error: ServerTimerError): void {
    this.error = error;
    for (const watcher of this.watchers) watcher.error(error);
  }
}

// The subscriptions by connection and name (a connection outlives the timers on it: a clock
// closes its timers when it closes).
const subscriptions = new SharedPool<TimerSubscription>();

/** Number of live subscriptions (for leak checks). */
export function openSubscriptions(): number {
  return subscriptions.size;
}

/**
 * A named timer that the server runs, as a clock sees it: the server's state, and its end on the
 * clock's estimate of the server's time. Get one with {@link ServerClock.timer}.
 *
 * Until the first state comes, `status`, `endsAt` and `version` are undefined. It watches again
 * after every reconnect; a pushed state that is not newer (by `version`) than the one held is
 * ignored, and a watch acknowledgement always replaces it. A server that does not acknowledge the
 * watch within the clock's `timeout` option (3 s by default) does not serve timers: `error`.
 *
 * @example
 * ```ts
 * const clock = connectClock('https://time.example');
 * const auction = clock.timer('auction-42');
 * auction.addEventListener('change', (event) => console.log(event.detail.status, auction.remaining()));
 * auction.addEventListener('end', () => console.log('sold'));
 * auction.addEventListener('error', (event) => console.error(event.detail.error.code));
 * // later: auction.close();
 * ```
 */
export class ServerTimer extends TypedEventTarget<ServerTimerEventMap> {
  /** The timer's name. */
  readonly name: string;
  /** The clock whose estimate of the server's time the timer follows. */
  readonly clock: ServerClock;
  #state: TimerState | undefined;
  #error: ServerTimerError | undefined;
  #run: TimerRun | undefined;
  #endTimer: ReturnType<typeof setTimeout> | undefined;
  // Until close(): the subscription (and its key in the pool) and what listens to it and to the clock.
  #held:
    | {
        key: string;
        subscription: TimerSubscription;
        watcher: Watcher;
        clockTimers: Set<ClockTimer>;
        hooks: ClockTimer;
      }
    | undefined;

  /**
   * Watches `name` over the clock's connection, sharing the subscription already there. Use
   * {@link ServerClock.timer}, which passes what the timer needs of it.
   * @internal
   */
  constructor(clock: ServerClock, name: string, { connection, timeout, timers }: TimerSource) {
    super();
    this.clock = clock;
    this.name = name;
    if (!TIMER_NAME.test(name)) {
      this.#failLater(new ServerTimerError('bad-name', `not a timer name (${TIMER_NAME.source}): "${name}"`));
      return;
    }
    if (!connection) {
      const why = clock.error?.message ?? 'the clock is closed';
      this.#failLater(new ServerTimerError('no-connection', `no connection for timer "${name}": ${why}`));
      return;
    }
    const key = `${connection.url}\n${name}`;
    const subscription = subscriptions.acquire(key, () => new TimerSubscription(connection.socket, name, timeout));
    const watcher: Watcher = { state: (state) => this.#onState(state), error: (error) => this.#onError(error) };
    subscription.watchers.add(watcher);
    const hooks: ClockTimer = { estimated: () => this.#arm(), closed: () => this.close() };
    timers.add(hooks);
    this.#held = { key, subscription, watcher, clockTimers: timers, hooks };
    // Joining a subscription under way: what it has, as if it had just come (once listeners are on).
    queueMicrotask(() => {
      if (!this.#held) return;
      if (subscription.state) this.#onState(subscription.state);
      else if (subscription.error) this.#onError(subscription.error);
    });
  }

  /** The server's state of the timer, as last received; undefined until the first. */
  get state(): TimerState | undefined {
    return this.#state;
  }

  /** Where the timer is (see {@link TimerStatus}); undefined until the first state. */
  get status(): TimerStatus | undefined {
    return this.#state?.status;
  }

  /** The end, epoch ms on the server's clock, while running; otherwise undefined. */
  get endsAt(): number | undefined {
    return this.#state?.endsAt ?? undefined;
  }

  /** The state's version: it grows with every change of the timer. Undefined until the first state. */
  get version(): number | undefined {
    return this.#state?.version;
  }

  /** Why the timer has no (new) state, if the last watch failed; cleared by the next state. */
  get error(): ServerTimerError | undefined {
    return this.#error;
  }

  /**
   * Ms left on the server's clock: while running, `endsAt` − the clock's `now()` (never below 0);
   * while paused, the frozen remaining time; once ended, 0. Undefined when there is nothing to
   * count: idle, cancelled, before the first state, or while the clock has no estimate.
   */
  remaining(): number | undefined {
    return remainingAt(this.#state, this.#serverNow());
  }

  /** Stops watching (the last watcher of the name on the connection unwatches); nothing fires after. Idempotent. */
  close(): void {
    const held = this.#held;
    if (!held) return;
    this.#held = undefined;
    clearTimeout(this.#endTimer);
    held.clockTimers.delete(held.hooks);
    held.subscription.watchers.delete(held.watcher);
    subscriptions.release(held.key);
  }

  #onState(state: TimerState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#error = undefined;
    this.#run = nextRun(this.#run, state, this.#serverNow());
    fire(this, 'change', state);
    this.#arm();
  }

  #onError(error: ServerTimerError): void {
    this.#error = error;
    fire(this, 'error', { error } satisfies TimerErrorDetail);
  }

  /** An error of the timer's own, dispatched later so that listeners added right after construction hear it. */
  #failLater(error: ServerTimerError): void {
    this.#error = error;
    queueMicrotask(() => fire(this, 'error', { error } satisfies TimerErrorDetail));
  }

  /** Fires `end` if the run's end is reached on the clock's estimate; else wakes when it should be, and looks again. */
  #arm(): void {
    clearTimeout(this.#endTimer);
    const run = this.#run;
    const now = this.#serverNow();
    // No estimate yet: the clock's first sync arms it.
    if (!run || run.ended || now === undefined || !this.#held) return;
    if (now < run.endsAt) {
      this.#endTimer = setTimeout(() => this.#arm(), Math.min(run.endsAt - now, MAX_DELAY_MS));
      return;
    }
    run.ended = true;
    fire(this, 'end', { endsAt: run.endsAt } satisfies TimerEndDetail);
  }

  /** The clock's estimate of the server's time, epoch ms; undefined while it has none (its NaN). */
  #serverNow(): number | undefined {
    const now = this.clock.now();
    return Number.isNaN(now) ? undefined : now;
  }
}
