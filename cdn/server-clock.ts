// The CDN entry: defines <server-clock> and exports the SDK (window.ServerClock in the IIFE build).
export * from '../component/define.js';
export * from '../sdk/index.js';
