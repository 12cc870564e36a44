/** Reference-counted sharing: one value per key while anyone holds it, closed when the last lets go. */
export class SharedPool<T extends { close(): void }> {
  readonly #entries = new Map<string, { value: T; refs: number }>();

  acquire(key: string, create: () => T): T {
    let entry = this.#entries.get(key);
    if (!entry) this.#entries.set(key, (entry = { value: create(), refs: 0 }));
    entry.refs++;
    return entry.value;
  }

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
