// A value that changes between an element's renders, and the directive that shows it: the part
// it is bound to takes each new value at once, written into the DOM by the directive, with no
// render of the element. A clock's text changes every second while its element renders only when
// its state or settings change: on a page of a thousand clocks, a Lit update of each element
// every second was most of the page's script, and Lit's part machinery around each write (its
// `setValue`) more than the write. So the directive writes as Lit's `classMap` does: it gives Lit
// the first value (a child: a text node of its own), then writes the DOM itself and tells Lit
// `noChange`. Public API only: the parts' types and an attribute part's `element` and `name`.
import { noChange, nothing } from 'lit';
import { AsyncDirective, PartType, directive, type Part, type PartInfo } from 'lit/async-directive.js';

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

/** What {@link show} shows: text, or none (`nothing` or undefined: an empty child, no attribute). */
export type Shown = string | typeof nothing | undefined;

/** What {@link show} takes: a {@link LiveValue} of a {@link Shown} type (its methods, compared as methods are). */
interface Source {
  readonly value: Shown;
  listen(listener: (value: Shown) => void): () => void;
}

/** The text to show; undefined for none. */
function asText(value: Shown): string | undefined {
  return value === nothing ? undefined : value;
}

/** Shows a {@link LiveValue}: its value now, then each new one, while the part is connected. */
class ShowDirective extends AsyncDirective {
  #source: Source | undefined;
  #unlisten: (() => void) | undefined;
  readonly #child: boolean;
  // How a value reaches the DOM, once Lit has committed the first: undefined until then.
  #write: ((value: Shown) => void) | undefined;

  constructor(partInfo: PartInfo) {
    super(partInfo);
    // (An attribute of one expression has no strings of its own.)
    const alone = partInfo.type === PartType.ATTRIBUTE && partInfo.strings === undefined;
    if (partInfo.type !== PartType.CHILD && !alone) {
      throw new Error('show() goes in a child part, or alone in an attribute');
    }
    this.#child = partInfo.type === PartType.CHILD;
  }

  // The first value, as Lit renders it (and a server render, where update() is not called).
  render(source: Source): string | typeof nothing {
    return asText(source.value) ?? (this.#child ? '' : nothing);
  }

  override update(part: Part, [source]: [Source]): unknown {
    if (source !== this.#source) {
      this.#stop();
      this.#source = source;
    }
    if (this.isConnected && this.#unlisten === undefined) this.#listen(source);
    if (this.#write) {
      this.#write(source.value);
      return noChange;
    }
    if (part.type === PartType.CHILD) {
      // A text node of our own, which Lit inserts and then leaves to us.
      const text = document.createTextNode(asText(source.value) ?? '');
      this.#write = (value) => {
        const data = asText(value) ?? '';
        if (text.data !== data) text.data = data;
      };
      return text;
    }
    if (part.type === PartType.ATTRIBUTE) {
      const { element, name } = part;
      this.#write = (value) => {
        const text = asText(value);
        if (text === undefined) element.removeAttribute(name);
        else if (element.getAttribute(name) !== text) element.setAttribute(name, text);
      };
    }
    return this.render(source);
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
    this.#write?.(source.value);
  }

  #listen(source: Source) {
    this.#unlisten = source.listen((value) => this.#write?.(value));
  }

  #stop() {
    this.#unlisten?.();
    this.#unlisten = undefined;
  }
}

/**
 * A binding that shows `source`'s value and takes its changes without a render of the element:
 * in a child (`${show(text)}`, as text) or alone in an attribute (`datetime=${show(datetime)}`;
 * `nothing` or undefined for no attribute). On the server it renders the value.
 */
export const show = directive(ShowDirective);
