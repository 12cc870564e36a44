// `server-clock/jsx`: after `import type {} from 'server-clock/jsx'`, the JSX of React 19,
// Preact and Solid knows <server-clock>, its attributes and its events (`onserver-clock-sync`…).
// The element's types are generated from custom-elements.json at build time (dist/types/).
// An augmentation of a framework that is not installed is ignored: a consumer needs only its own.
import type { CustomElements } from '../dist/types/jsx-elements.js';

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements extends CustomElements {}
  }
}

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements extends CustomElements {}
  }
}

// Solid's JSX namespace is declared in the module of its JSX runtime (and re-exported by 'solid-js'):
// an augmentation reaches it there.
declare module 'solid-js/jsx-runtime' {
  namespace JSX {
    interface IntrinsicElements extends CustomElements {}
  }
}
