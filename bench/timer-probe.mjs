// An end probe for bench/timers.mjs, one per process: connects to one node, estimates its clock
// against this machine's reference clock (performance.timeOrigin + performance.now(), the same in
// every process) with NTP's bounds over 16 sync round trips, watches the timer, and fires `end` when
// its estimate of the node's time reaches the running timer's endsAt. Answers {type:'end', at} with
// the reference instant it fired. argv: node URL, timer name.
import { io } from 'socket.io-client';

const [url, name] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();
const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
// A probe that cannot connect, or gets no answer, fails (and so does the run) rather than wait.
const ANSWER_MS = 5000;
await new Promise((resolve, reject) => {
  socket.once('connect', resolve);
  socket.once('connect_error', reject);
});

let low = -Infinity;
let high = Infinity;
for (let i = 0; i < 16; i++) {
  const t0 = now();
  const { t1, t2 } = await socket.timeout(ANSWER_MS).emitWithAck('api:time-sync');
  const t3 = now();
  low = Math.max(low, t2 - t3);
  high = Math.min(high, t1 - t0);
  // Spaced out, so that the exchanges do not all fall in one busy moment of the node's (a tick).
  await new Promise((resolve) => setTimeout(resolve, 25));
}
const offset = (low + high) / 2; // node's clock − reference

let armed;
const arm = (state) => {
  // Only a running state sets the end. The node's own push of the end (status `ended`) may come
  // before this probe's timer, late on a busy machine, has fired: it must not cancel that timer, or
  // the probe never ends (the run waited for it until its budget ran out, twice in some 17 runs).
  if (state.status !== 'running') return;
  clearTimeout(armed);
  const at = state.endsAt - offset; // on the reference clock
  // A timer to 1 ms before, then a short spin (setTimeout has whole-millisecond resolution). A long
  // spin would not help: nine probes spinning at once on two cores delay each other.
  armed = setTimeout(
    () => {
      while (now() < at);
      process.send({ type: 'end', at: now(), due: at, halfWidth: (high - low) / 2 });
      socket.close();
      process.exit(0);
    },
    at - now() - 1,
  );
};
socket.on('api:timer', arm);
const ack = await socket.timeout(ANSWER_MS).emitWithAck('api:timer-watch', name);
process.send({ type: 'ready' });
arm(ack);
