// A load generator: socket.io clients over WebSocket in this one process, run by load.mjs over IPC
// (advanced serialization, for the typed arrays). {type:'start', url, clients, rampMs, syncStride}
// opens them at an even rate and answers {type:'connected'}; {type:'measure', from, to} records
// ticks and sync round trips in [from, to) and answers {type:'result'} with the raw figures.
import { io } from 'socket.io-client';

const TIME_EVENT = 'api:server-time';
const SYNC_EVENT = 'api:time-sync';
// Connections being set up at once, at most: past the listen backlog, SYNs would be dropped and retried.
const MAX_PENDING = 256;
// Ticks sent just before `to` may still be on their way.
const GRACE_MS = 2000;

if (!process.send) {
  console.error('load-clients.mjs is run by load.mjs');
  process.exit(2);
}

const sockets = [];
let window; // { from, to } in epoch ms, once measuring
const lags = [];
const arrivals = [];
let ticksInWindow; // per client
const rtts = [];
let syncFailures = 0;
let disconnects = 0;

function open(url, index) {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 30_000 });
  socket.on(TIME_EVENT, (serverTime) => {
    const now = Date.now();
    if (!window || serverTime < window.from || serverTime >= window.to) return;
    lags.push(now - serverTime);
    arrivals.push(now - Math.floor(serverTime / 1000) * 1000);
    ticksInWindow[index]++;
  });
  socket.on('disconnect', () => {
    if (window) disconnects++;
  });
  return socket;
}

async function start({ url, clients, rampMs, syncStride }) {
  const connectTimes = [];
  let failed = 0;
  let pending = 0;
  const started = performance.now();
  for (let i = 0; i < clients; i++) {
    // Even ramp: client i opens at i / clients of the ramp, or later if too many are pending.
    const due = started + (rampMs * i) / clients;
    while (performance.now() < due || pending >= MAX_PENDING) await sleep(1);
    pending++;
    const opened = performance.now();
    const socket = open(url, i);
    sockets.push(socket);
    socket.once('connect', () => {
      pending--;
      connectTimes.push(performance.now() - opened);
      if (i % syncStride === 0) void syncLoop(socket);
    });
    socket.once('connect_error', () => {
      pending--;
      failed++;
    });
  }
  while (pending > 0) await sleep(10);
  process.send({
    type: 'connected',
    failed,
    rampMs: performance.now() - started,
    connectTimes: Float64Array.from(connectTimes),
  });
}

/** One sync a second at a random phase, so that some meet the tick's burst and some do not. */
async function syncLoop(socket) {
  await sleep(Math.random() * 1000);
  while (socket.connected) {
    const next = sleep(1000);
    const sent = performance.now();
    const inWindow = window && Date.now() >= window.from && Date.now() < window.to;
    try {
      await socket.timeout(5000).emitWithAck(SYNC_EVENT);
      if (inWindow) rtts.push(performance.now() - sent);
    } catch {
      if (inWindow) syncFailures++;
    }
    await next;
  }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

async function measure({ from, to }) {
  ticksInWindow = new Uint32Array(sockets.length);
  const connected = sockets.map((s) => s.connected);
  window = { from, to };
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await sleep(to + GRACE_MS - Date.now());
  const cpu = process.cpuUsage(cpuBefore);
  const wall = performance.now() - wallBefore;
  // Every whole second in the window is a tick every client connected at its start should have had.
  const expected = Math.round((to - from) / 1000);
  let missed = 0;
  let clientsMissing = 0;
  connected.forEach((wasConnected, i) => {
    if (!wasConnected) return;
    const short = Math.max(0, expected - ticksInWindow[i]);
    missed += short;
    if (short) clientsMissing++;
  });
  process.send({
    type: 'result',
    clients: connected.filter(Boolean).length,
    expectedTicks: expected * connected.filter(Boolean).length,
    missed,
    clientsMissing,
    disconnects,
    lags: Float64Array.from(lags),
    arrivals: Float64Array.from(arrivals),
    rtts: Float64Array.from(rtts),
    syncFailures,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100,
  });
}

process.on('message', (message) => {
  if (message.type === 'start') void start(message);
  else if (message.type === 'measure') void measure(message);
});
process.on('disconnect', () => process.exit(0));
