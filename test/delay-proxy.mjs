// A loopback TCP proxy that delays every chunk, each direction on its own, to emulate a network
// (for the accuracy benchmark, and tests that need a round trip longer than loopback gives).
import { connect, createServer } from 'node:net';

/**
 * Forwards `from` to `to`, holding each chunk for a delay drawn from `draw()` (ms). A TCP stream
 * must not be reordered, so a chunk leaves no earlier than the one before it: at
 * max(arrival + its own delay, the previous chunk's release).
 */
function delayedPipe(from, to, draw) {
  let lastRelease = 0;
  from.on('data', (chunk) => {
    const release = Math.max(performance.now() + draw(), lastRelease);
    lastRelease = release;
    setTimeout(() => to.writable && to.write(chunk), release - performance.now());
  });
  // Ends and errors pass on after the data in flight.
  from.on('end', () => setTimeout(() => to.end(), Math.max(0, lastRelease - performance.now())));
  from.on('error', () => to.destroy());
}

/**
 * Starts a proxy on 127.0.0.1 to `target` (a port on 127.0.0.1). `delays.up()` and `delays.down()`
 * draw the one-way delay (ms) client → server and server → client. Resolves with { port, close }.
 */
export async function startDelayProxy(target, delays) {
  const sockets = new Set();
  const server = createServer({ noDelay: true }, (client) => {
    const upstream = connect({ host: '127.0.0.1', port: target, noDelay: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    delayedPipe(client, upstream, delays.up);
    delayedPipe(upstream, client, delays.down);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
