/**
 * An `EventTarget` whose `addEventListener` and `removeEventListener` know its events by name, so
 * a listener gets its event's type (and `detail`) without a cast.
 */
export interface TypedEventTarget<EventMap> extends EventTarget {
  /** Listens to one of the target's events, typed by its name. */
  addEventListener<K extends keyof EventMap & string>(
    type: K,
    listener: (this: this, event: EventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Stops listening (see addEventListener). */
  removeEventListener<K extends keyof EventMap & string>(
    type: K,
    listener: (this: this, event: EventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
}

/**
 * `EventTarget` itself, typed as a base class that takes an event map: `class X extends
 * TypedEventTarget<XEventMap>`. The typing is all there is to it: a subclass that overrode both
 * methods only to narrow their types would ship two methods that just call `super`.
 */
export const TypedEventTarget = EventTarget as new <EventMap>() => TypedEventTarget<EventMap>;
