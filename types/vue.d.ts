// `server-clock/vue`: after `import type {} from 'server-clock/vue'`, Vue's templates know
// <server-clock> (Vue's GlobalComponents), with its attributes and events. Generated from
// custom-elements.json at build time (dist/types/vue.d.ts, which augments the 'vue' module).
export type { CustomElements } from '../dist/types/vue.js';
