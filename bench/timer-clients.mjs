// Timer watchers for bench/timers.mjs, run over IPC: {type:'start', urls, clients, name} opens
// `clients` socket.io connections (WebSocket, one each, dealt round the node URLs), each watching
// timer `name` with the protocol's events (api:timer-watch, then api:timer pushes), and answers
// {type:'watching'}; {type:'report'} answers {type:'result', arrivals}: for each version pushed,
// the reference times (performance.timeOrigin + performance.now()) at which each client got it.
import { io } from 'socket.io-client';

const MAX_PENDING = 200;
const now = () => performance.timeOrigin + performance.now();
const arrivals = new Map(); // version -> reference times
const sockets = [];

function open(url, name) {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 30_000 });
  socket.on('api:timer', (state) => {
    const t = now();
    let list = arrivals.get(state.version);
    if (!list) arrivals.set(state.version, (list = []));
    list.push(t);
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () =>
      socket.timeout(10_000).emit('api:timer-watch', name, (error) => (error ? reject(error) : resolve(socket))),
    );
    socket.once('connect_error', reject);
  });
}

process.on('message', async (message) => {
  if (message.type === 'start') {
    const { urls, clients, name } = message;
    let next = 0;
    const worker = async () => {
      while (next < clients) {
        const i = next++;
        sockets.push(await open(urls[i % urls.length], name));
      }
    };
    await Promise.all(Array.from({ length: MAX_PENDING }, worker));
    process.send({ type: 'watching', clients: sockets.length });
  } else if (message.type === 'report') {
    for (const socket of sockets) socket.close();
    // Exit once the (large) answer has left.
    process.send({ type: 'result', arrivals: [...arrivals] }, () => process.exit(0));
  }
});
