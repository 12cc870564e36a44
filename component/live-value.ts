// A value that changes between an element's renders, and the directive that shows it: the part
// it is bound to takes each new value at once (Lit's AsyncDirective `setValue`), with no render
// of the element. A clock's text changes every second while its element renders only when its
// state or settings change: on a page of a thousand clocks, a Lit update of each element every
// second was most of the page's script.
import { AsyncDirective, directive, type Part } from 'lit/async-directive.js';

/** A value whose changes reach every part that shows it ({@link show}) at once. */
export class LiveValue<T> {
  #value: T;
  readonly #listeners = new Set<(value: T) => void>();

  /** @param value - The value until the first {@link LiveValue.set}. */
  constructor(value: T) {
    this.#value = value;
  }

  /** The value now. */
  get value(): T {
    return this.#value;
  }

  /** Sets the value; the parts that show it take a new one at once (the same one changes nothing). */
  set(value: T): void {
    if (Object.is(value, this.#value)) return;
    this.#value = value;
    for (const listener of this.#listeners) listener(value);
  }

  /** Calls `listener` with each new value, until the returned function is called. */
  listen(listener: (value: T) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** What {@link show} takes: a {@link LiveValue} of any type (its methods, compared as methods are). */
interface Source {
  readonly value: unknown;
  listen(listener: (value: unknown) => void): () => void;
}

/** Shows a {@link LiveValue}: its value now, then each new one, while the part is connected. */
class ShowDirective extends AsyncDirective {
  #source: Source | undefined;
  #unlisten: (() => void) | undefined;

  render(source: Source): unknown {
    return source.value;
  }

  override update(_part: Part, [source]: [Source]): unknown {
    if (source !== this.#source) {
      this.#stop();
      this.#source = source;
    }
    if (this.isConnected && this.#unlisten === undefined) this.#listen(source);
    return source.value;
  }

  // Removed (a new template in its place, or the element left the page): it listens no more.
  protected override disconnected(): void {
    this.#stop();
  }

  // Back on the page: what changed meanwhile shows, and each change after it.
  protected override reconnected(): void {
    const source = this.#source;
    if (source === undefined) return;
    this.#listen(source);
    this.setValue(source.value);
  }

  #listen(source: Source) {
    this.#unlisten = source.listen((value) => this.setValue(value));
  }

  #stop() {
    this.#unlisten?.();
    this.#unlisten = undefined;
  }
}

/**
 * A binding that shows `source`'s value and takes its changes without a render of the element:
 * in a child (`${show(text)}`) or an attribute (`datetime=${show(datetime)}`, with Lit's
 * `nothing` for no attribute). On the server it renders the value.
 */
export const show = directive(ShowDirective);
