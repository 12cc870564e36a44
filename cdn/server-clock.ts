// The CDN entry: exports the SDK and defines <server-clock> (window.ServerClock in the IIFE build).
// SDK first: the bundle then runs socket.io-client, the SDK, lit, the element, in that order, so
// each part of our code sits within gzip's 32 KB window of the library it uses most.
export * from '../sdk/index.js';
export * from '../component/define.js';
