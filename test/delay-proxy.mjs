// A loopback TCP proxy that delays every chunk, each direction on its own, to emulate a network
// (for the accuracy benchmark, and tests that need a round trip longer than loopback gives).
import { connect, createServer } from 'node:net';

/**
 * Forwards `from` to `to`, holding each chunk for a delay drawn from `draw()` (ms). A TCP stream
 * must not be reordered, so a chunk leaves no earlier than the one before it: at
 * max(arrival + its own delay, the previous chunk's release). The held chunks leave in order from
 * one queue (a timer each let two chunks due within a millisecond leave in either order).
 *
 * No chunk leaves before its release, as on a real link, whose fastest legs set an NTP-style
 * estimate. Node's timers count from the time the event loop read as its turn began, so a chunk
 * that comes late in a busy turn (the accuracy bench's process holds servers, proxies and
 * Playwright) would leave as much too early (up to 1.8 ms in the bench): a timer that fires early
 * waits again, for the last millisecond in setImmediate's turns. A chunk may leave up to about a
 * millisecond late.
 */
function delayedPipe(from, to, draw) {
  /** The chunks held, in the order they came, each with its release (a `performance.now()`). */
  const held = [];
  let lastRelease = 0;
  let waiting = false;
  let ended = false;
  const releaseDue = () => {
    waiting = false;
    const now = performance.now();
    while (held.length > 0 && held[0].release <= now) {
      const { chunk } = held.shift();
      if (to.writable) to.write(chunk);
    }
    if (held.length > 0) releaseAfter(held[0].release - now);
    // Ends pass on after the data in flight.
    else if (ended) to.end();
  };
  const releaseAfter = (ms) => {
    waiting = true;
    if (ms >= 1) setTimeout(releaseDue, ms);
    else setImmediate(releaseDue);
  };
  from.on('data', (chunk) => {
    const now = performance.now();
    const release = Math.max(now + draw(), lastRelease);
    lastRelease = release;
    held.push({ chunk, release });
    if (!waiting) releaseAfter(release - now);
  });
  from.on('end', () => {
    ended = true;
    if (!waiting) releaseDue();
  });
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
