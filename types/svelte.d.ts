// `server-clock/svelte`: after `import type {} from 'server-clock/svelte'`, Svelte knows
// <server-clock> (its `svelteHTML.IntrinsicElements`), with its attributes and `on:` events.
// The element's types are generated from custom-elements.json at build time (dist/types/).
import type { CustomElements } from '../dist/types/svelte-elements.js';

declare global {
  namespace svelteHTML {
    interface IntrinsicElements extends CustomElements {}
  }
}
