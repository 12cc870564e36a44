// A server-rendered <server-clock> (declarative shadow DOM) in real browsers, with the default
// element: see test/hydration.ts.
import './define.js';
import { hydrationTests } from '../test/hydration.js';

describe('<server-clock> rendered on a server', hydrationTests);
