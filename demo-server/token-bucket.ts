/**
 * A token bucket: up to `capacity` requests at once, refilled at `refillPerSecond`.
 * Holds two numbers, so one per socket costs next to nothing; time comes from the caller.
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  #tokens: number;
  #updated: number;

  constructor(capacity: number, refillPerSecond: number, now: number) {
    if (!(capacity >= 1) || !(refillPerSecond > 0)) {
      throw new RangeError(`a token bucket needs capacity ≥ 1 and refill > 0, got ${capacity} and ${refillPerSecond}`);
    }
    this.#capacity = capacity;
    this.#refillPerMs = refillPerSecond / 1000;
    this.#tokens = capacity;
    this.#updated = now;
  }

  /** Takes one token if there is one; `now` in ms on any clock that does not go back. */
  take(now: number): boolean {
    // max(): a clock step backwards refills nothing rather than draining the bucket.
    const elapsed = Math.max(0, now - this.#updated);
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#refillPerMs);
    this.#updated = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
