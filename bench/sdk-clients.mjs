// A load generator of real SDK clocks: connectClock() from dist/, in this one process, one
// connection each (the SDK pools connections by URL, so each clock gets a URL of its own:
// `?c=<n>`). Run by load.mjs over IPC (advanced serialization). {type:'start', url, clients, first,
// rampMs | follow, localAddress?} opens clocks first … first + clients − 1 at an even rate (or
// following the crowd's {type:'progress'}, passed on as {type:'pace'}), from that source address,
// and answers {type:'connected'}; {type:'measure', windows: [{ from, to }]} times every sync
// exchange sent in each window (epoch ms) and answers {type:'result'} with the raw figures of each.
import { Socket } from 'socket.io-client';
import { connectClock, SYNC_EVENT } from '../dist/sdk/index.js';
import { SETTLED_DRIFT } from '../dist/sdk/sync.js';
import { evenly, processLoad, ramp, sleep, windowAt } from './generator.mjs';

// The SDK's sync timeout (its default): an exchange sent before a window's end may take that long.
const SYNC_TIMEOUT_MS = 3000;

if (!process.send) {
  console.error('sdk-clients.mjs is run by load.mjs');
  process.exit(2);
}

const clocks = [];
// The clocks whose latest sync event had their drift known to SETTLED_DRIFT: their resyncs back off.
const settled = new Set();
let windows = []; // once measuring
let figures = []; // per window: rtts, timeouts, disconnects
// Why first attempts failed: the error's message (and its cause's), and how many.
const connectErrors = {};

// Every exchange is timed where the SDK makes it: socket.io-client's emitWithAck, which the sync
// loop (sdk/sync.ts) awaits between reading t0 and t3, with the SDK's own timeout. A clock's `sync`
// events would not do: their `rtt` is the best round trip behind the estimate, the least of up to
// 32 exchanges, not what an exchange takes.
const emitWithAck = Socket.prototype.emitWithAck;
Socket.prototype.emitWithAck = function (event, ...args) {
  const sent = performance.now();
  const reply = emitWithAck.call(this, event, ...args);
  const w = event === SYNC_EVENT ? windowAt(windows, Date.now()) : -1;
  if (w >= 0) {
    reply.then(
      () => figures[w].rtts.push(performance.now() - sent),
      () => figures[w].timeouts++,
    );
  }
  return reply;
};

// Probes follow the crowd: the share of the crowd's clocks settled (connected or failed), as the
// orchestrator last told it.
let crowdShare = 0;

/**
 * Opens the clocks: evenly over `rampMs`, or, for probes (`follow`), probe i once i / clients of
 * the crowd has settled, so that their bursts line up with the crowd's however long it takes.
 * A crowd reports how many have settled (`progress`), each 1 % of its clocks and at the end.
 */
async function start({ url, clients, first, rampMs, follow, localAddress }) {
  const options = localAddress ? { localAddress } : {};
  const ready = follow ? (i) => crowdShare >= i / clients : evenly(clients, rampMs);
  const every = Math.ceil(clients / 100);
  const progress = (n) => {
    if (!follow && (n % every === 0 || n === clients)) process.send({ type: 'progress', settled: n });
  };
  const connected = await ramp(
    clients,
    ready,
    (i) => {
      const clock = connectClock(`${url}/?c=${first + i}`, options);
      clocks.push(clock);
      // Only the sync events tell how well a clock knows its drift (in ppm).
      clock.addEventListener('sync', ({ detail }) => {
        if (detail.driftUncertainty <= SETTLED_DRIFT * 1e6) settled.add(clock);
        else settled.delete(clock);
      });
      clock.addEventListener('disconnect', () => {
        const w = windowAt(windows, Date.now());
        if (w >= 0) figures[w].disconnects++;
      });
      return new Promise((resolve) => {
        clock.addEventListener('connect', () => resolve(true), { once: true });
        // The clock keeps retrying; the window's end counts whether it made it.
        clock.addEventListener(
          'connect_error',
          ({ detail: { error } }) => {
            const reason = `${error.message}${error.description?.message ? ` (${error.description.message})` : ''}`;
            connectErrors[reason] = (connectErrors[reason] ?? 0) + 1;
            resolve(false);
          },
          { once: true },
        );
      });
    },
    progress,
  );
  process.send({ ...connected, connectErrors });
}

/**
 * What the clocks are at a window's end: connected, synced (by sync answers), how uncertain, and
 * how many know their drift well enough for their resyncs to back off.
 */
function clockStates() {
  const uncertainties = [];
  let connected = 0;
  let driftKnown = 0;
  for (const clock of clocks) {
    if (clock.state !== 'connected') continue;
    connected++;
    if (!clock.synced || clock.mode !== 'sync') continue;
    uncertainties.push(clock.uncertainty);
    if (settled.has(clock)) driftKnown++;
  }
  return { connected, synced: uncertainties.length, uncertainties: Float64Array.from(uncertainties), driftKnown };
}

async function measure(message) {
  figures = message.windows.map(() => ({ rtts: [], timeouts: 0, disconnects: 0 }));
  windows = message.windows;
  const states = [];
  const load = await processLoad(windows, { end: (i) => (states[i] = clockStates()) });
  await sleep(SYNC_TIMEOUT_MS + 500);
  process.send({
    type: 'result',
    clocks: clocks.length,
    windows: windows.map((_, i) => ({
      rtts: Float64Array.from(figures[i].rtts),
      timeouts: figures[i].timeouts,
      disconnects: figures[i].disconnects,
      ...states[i],
      ...load[i],
    })),
  });
}

process.on('message', (message) => {
  if (message.type === 'pace') crowdShare = message.share;
  else if (message.type === 'start') void start(message);
  else if (message.type === 'measure') void measure(message);
});
process.on('disconnect', () => process.exit(0));
