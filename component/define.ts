import { ServerClockElement } from './server-clock.js';

export { ServerClockElement };

if (!customElements.get('server-clock')) customElements.define('server-clock', ServerClockElement);
