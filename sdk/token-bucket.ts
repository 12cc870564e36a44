/** The state of one token bucket: two numbers, kept in an object of the caller's (e.g. a socket's data). */
export interface TokenBucketState {
  /** Tokens left at `updated`. */
  tokens: number;
  /** When `tokens` was last brought up to date, in ms. */
  updated: number;
}

/**
 * Token buckets: up to `capacity` requests at once, refilled at `refillPerSecond`. One instance holds
 * the rules for any number of buckets, whose state (two numbers) lives with their owner, so that a
 * bucket a socket costs no object of its own; time comes from the caller.
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #refillPerMs: number;

  constructor(capacity: number, refillPerSecond: number) {
    if (!(capacity >= 1) || !(refillPerSecond > 0)) {
      throw new RangeError(`a token bucket needs capacity ≥ 1 and refill > 0, got ${capacity} and ${refillPerSecond}`);
    }
    this.#capacity = capacity;
    this.#refillPerMs = refillPerSecond / 1000;
  }

  /** Makes `state` a full bucket as of `now`, and returns it. */
  fill<T extends object>(state: T, now: number): T & TokenBucketState {
    return Object.assign(state, { tokens: this.#capacity, updated: now });
  }

  /** Takes one token from `state`'s bucket if there is one; `now` in ms on any clock that does not go back. */
  take(state: TokenBucketState, now: number): boolean {
    // max(): a clock step backwards refills nothing rather than draining the bucket.
    const elapsed = Math.max(0, now - state.updated);
    state.tokens = Math.min(this.#capacity, state.tokens + elapsed * this.#refillPerMs);
    state.updated = now;
    if (state.tokens < 1) return false;
    state.tokens -= 1;
    return true;
  }
}
