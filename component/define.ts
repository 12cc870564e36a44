// The package's main entry: defines <server-clock> on import. Another tag name or a scoped
// registry: import 'server-clock/element' and call ServerClockElement.define() instead.
import { ServerClockElement } from './server-clock.js';

export { ServerClockElement };
export type {
  EndDetail,
  ErrorDetail,
  ServerClockElementEventMap,
  ServerTimerEndDetail,
  StateChangeDetail,
  SyncDetail,
  TimerState,
  UntilEndDetail,
} from './server-clock.js';

ServerClockElement.define();
