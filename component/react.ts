// `server-clock/react`: <server-clock> as a React component, made by @lit/react. Importing it
// defines <server-clock>, as the package's main entry does (that entry is what it imports).
import * as React from 'react';
import { createComponent, type EventName } from '@lit/react';
import { ServerClockElement, type ServerClockElementEventMap } from './define.js';

/** The element's events as React props: the prop's name, and the event it listens to, typed. */
const events = {
  onStateChange: 'server-clock-statechange' as EventName<ServerClockElementEventMap['server-clock-statechange']>,
  onSync: 'server-clock-sync' as EventName<ServerClockElementEventMap['server-clock-sync']>,
  onError: 'server-clock-error' as EventName<ServerClockElementEventMap['server-clock-error']>,
  onEnd: 'server-clock-end' as EventName<ServerClockElementEventMap['server-clock-end']>,
  onTimer: 'server-clock-timer' as EventName<ServerClockElementEventMap['server-clock-timer']>,
};

/**
 * `<server-clock>` for React (17 to 19): its properties as props (`url`, `format`, `timeZone`,
 * `locale`, `hourCycle`, `precision`, `until`, `timer`, `event`; the defaults are the element's),
 * and its events as `onStateChange`, `onSync`, `onError`, `onEnd` and `onTimer`, each handler
 * given the element's `CustomEvent` with its `detail` typed. A `ref` is the element itself.
 * Children are the element's slot: the text shown until the time is known.
 *
 * Needs `react` and `@lit/react` (optional peer dependencies of this package).
 *
 * @example
 * ```tsx
 * import { ServerClock } from 'server-clock/react';
 *
 * export function Header() {
 *   return (
 *     <ServerClock
 *       url="https://time.example"
 *       timeZone="Europe/Paris"
 *       onSync={(e) => console.log(`± ${e.detail.uncertainty.toFixed(1)} ms`)}
 *     />
 *   );
 * }
 * ```
 */
export const ServerClock = createComponent({
  react: React,
  tagName: 'server-clock',
  elementClass: ServerClockElement,
  events,
  displayName: 'ServerClock',
});

/** The props of {@link ServerClock}. */
export type ServerClockProps = React.ComponentProps<typeof ServerClock>;
