/** Reference-counted sharing: one value per key while anyone holds it, closed when the last lets go. */
export class SharedPool<T extends { close(): void }> {
  readonly #entries = new Map<string, { value: T; refs: number }>();

  /** The value for `key`, made by `create` if nobody holds one; hold it until {@link SharedPool.release}. */
  acquire(key: string, create: () => T): T {
    let entry = this.#entries.get(key);
    if (!entry) this.#entries.set(key, (entry = { value: create(), refs: 0 }));
    entry.refs++;
    return entry.value;
  }

  /** Lets go of the value for `key` once; the last holder's release closes it. */
  release(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry || --entry.refs > 0) return;
    this.#entries.delete(key);
    entry.value.close();
  }

  /** How many values are alive (for leak checks). */
  get size(): number {
    return this.#entries.size;
  }
}
