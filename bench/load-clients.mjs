// A load generator: plain socket.io listeners over WebSocket in this one process, run by load.mjs
// over IPC (advanced serialization, for the typed arrays). {type:'start', url, clients, rampMs,
// syncStride} opens them at an even rate and answers {type:'connected'};
// {type:'measure', windows: [{ from, to }]} records ticks and sync round trips in each window
// (epoch ms, whole seconds) and answers {type:'result'} with the raw figures of each.
import { io } from 'socket.io-client';
import { evenly, processLoad, ramp, sleep, windowAt } from './generator.mjs';

const TIME_EVENT = 'api:server-time';
const SYNC_EVENT = 'api:time-sync';
// Ticks sent just before a window's end may still be on their way.
const GRACE_MS = 2000;

if (!process.send) {
  console.error('load-clients.mjs is run by load.mjs');
  process.exit(2);
}

const sockets = [];
let windows = []; // once measuring
let figures = []; // per window: lags, arrivals, rtts, syncFailures, ticks (per client)
let disconnects = 0;

function open(url, index) {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 30_000 });
  socket.on(TIME_EVENT, (serverTime) => {
    const now = Date.now();
    const w = windowAt(windows, serverTime);
    if (w < 0) return;
    figures[w].lags.push(now - serverTime);
    figures[w].arrivals.push(now - Math.floor(serverTime / 1000) * 1000);
    figures[w].ticks[index]++;
  });
  socket.on('disconnect', () => {
    if (windows.length) disconnects++;
  });
  return socket;
}

async function start({ url, clients, rampMs, syncStride }) {
  const connected = await ramp(clients, evenly(clients, rampMs), (i) => {
    const socket = open(url, i);
    sockets.push(socket);
    return new Promise((resolve) => {
      socket.once('connect', () => {
        if (i % syncStride === 0) void syncLoop(socket);
        resolve(true);
      });
      socket.once('connect_error', () => resolve(false));
    });
  });
  process.send(connected);
}

/** One sync a second at a random phase, so that some meet the tick's burst and some do not. */
async function syncLoop(socket) {
  await sleep(Math.random() * 1000);
  while (socket.connected) {
    const next = sleep(1000);
    const sent = performance.now();
    const w = windowAt(windows, Date.now());
    try {
      await socket.timeout(5000).emitWithAck(SYNC_EVENT);
      if (w >= 0) figures[w].rtts.push(performance.now() - sent);
    } catch {
      if (w >= 0) figures[w].syncFailures++;
    }
    await next;
  }
}

async function measure(message) {
  figures = message.windows.map(() => ({
    lags: [],
    arrivals: [],
    rtts: [],
    syncFailures: 0,
    ticks: new Uint32Array(sockets.length),
  }));
  windows = message.windows;
  const connectedAtStart = [];
  const load = await processLoad(windows, {
    start: (i) => (connectedAtStart[i] = sockets.map((s) => s.connected)),
  });
  await sleep(GRACE_MS);
  const results = windows.map(({ from, to }, i) => {
    // Every whole second in the window is a tick every client connected at its start should have had.
    const expected = Math.round((to - from) / 1000);
    let missed = 0;
    let clientsMissing = 0;
    connectedAtStart[i].forEach((wasConnected, c) => {
      if (!wasConnected) return;
      const short = Math.max(0, expected - figures[i].ticks[c]);
      missed += short;
      if (short) clientsMissing++;
    });
    const held = connectedAtStart[i].filter(Boolean).length;
    return {
      clients: held,
      expectedTicks: expected * held,
      missed,
      clientsMissing,
      lags: Float64Array.from(figures[i].lags),
      arrivals: Float64Array.from(figures[i].arrivals),
      rtts: Float64Array.from(figures[i].rtts),
      syncFailures: figures[i].syncFailures,
      ...load[i],
    };
  });
  process.send({ type: 'result', disconnects, windows: results });
}

process.on('message', (message) => {
  if (message.type === 'start') void start(message);
  else if (message.type === 'measure') void measure(message);
});
process.on('disconnect', () => process.exit(0));
