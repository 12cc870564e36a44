// The delay proxy that emulates a network for the accuracy bench and the delayed-link tests: no
// chunk leaves before its delay, even when the proxy's event loop is busy, and none is reordered.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { startDelayProxy } from './delay-proxy.mjs';
import { waitFor } from './waiting.js';

/** Has `server` listen on 127.0.0.1; resolves with its port. */
async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  assert(address && typeof address === 'object');
  return address.port;
}

async function connectTo(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  await once(socket, 'connect');
  return socket;
}

const busyFor = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

test('no chunk leaves before its delay, however late in a busy turn of the event loop it came', async (t) => {
  const DELAY = 20;
  // Each chunk is the instant it was sent; the target notes how long each took to come.
  const legs: number[] = [];
  const target = createServer({ noDelay: true }, (socket) => {
    socket.on('data', (chunk) => {
      for (let i = 0; i + 8 <= chunk.length; i += 8) legs.push(performance.now() - chunk.readDoubleLE(i));
    });
  });
  const proxy = await startDelayProxy(await listen(target), { up: () => DELAY, down: () => DELAY });
  const client = await connectTo(proxy.port);
  const send = () => {
    const chunk = Buffer.alloc(8);
    chunk.writeDoubleLE(performance.now());
    client.write(chunk);
  };
  // A neighbour in the same process that holds the event loop 3 ms, then sends a second chunk: the
  // proxy, readable since before that turn began, reads both at once, in a turn whose time
  // (Node's timers count from it) is 3 ms older than the second chunk.
  const busy = createServer((socket) =>
    socket.on('data', (data) =>
      // (Once a byte: on a busy machine two of them may come together.)
      data.forEach(() => {
        busyFor(3);
        send();
      }),
    ),
  );
  const neighbour = await connectTo(await listen(busy));
  t.after(async () => {
    neighbour.destroy();
    client.destroy();
    await proxy.close();
    target.close();
    busy.close();
  });

  for (let i = 0; i < 20; i++) {
    neighbour.write('x');
    send();
    await new Promise((resolve) => setTimeout(resolve, 5 + 5 * Math.random()));
  }
  await waitFor(() => legs.length === 40, 'the 40 chunks');
  const fastest = Math.min(...legs);
  assert(fastest >= DELAY, `a chunk came ${(DELAY - fastest).toFixed(2)} ms before its delay of ${DELAY} ms`);
});

test('chunks keep their order whatever their delays', async (t) => {
  const received: Buffer[] = [];
  const target = createServer({ noDelay: true }, (socket) => socket.on('data', (chunk) => received.push(chunk)));
  // Each delay drawn afresh, from 0 to 20 ms: a later chunk often draws a shorter one.
  const proxy = await startDelayProxy(await listen(target), { up: () => 20 * Math.random(), down: () => 0 });
  t.after(async () => {
    await proxy.close();
    target.close();
  });
  const client = await connectTo(proxy.port);
  const sent = Buffer.from(Array.from({ length: 200 }, (_, i) => i % 256));
  for (let i = 0; i < sent.length; i += 10) {
    client.write(sent.subarray(i, i + 10));
    await new Promise((resolve) => setImmediate(resolve));
  }
  await waitFor(() => Buffer.concat(received).length >= sent.length, 'every byte');
  client.destroy();
  assert.deepEqual(Buffer.concat(received), sent);
});
