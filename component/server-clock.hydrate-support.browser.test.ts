// The same, with lit's hydration support loaded before lit (as a page that hydrates other Lit
// elements would): the element takes its server-rendered shadow root as it does without it.
import '@lit-labs/ssr-client/lit-element-hydrate-support.js';
import './define.js';
import { hydrationTests } from '../test/hydration.js';

describe('<server-clock> rendered on a server, with lit-element-hydrate-support loaded', hydrationTests);
