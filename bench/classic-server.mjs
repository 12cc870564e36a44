// The classic socket.io time server, for comparison: a timer per connection, started on connect
// and never cleared (socket.io's old "time" example, emitting `new Date().toTimeString()` every
// 5 s). Adapted so that its figures compare with server-clock's: it emits Date.now() every 1 s on
// the same event, and answers sync requests naively. Its Server options are socket.io's defaults.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

export function createClassicServer() {
  const httpServer = createServer();
  const io = new Server(httpServer);
  io.on('connection', (socket) => {
    setInterval(() => socket.emit('api:server-time', Date.now()), 1000);
    socket.on('api:time-sync', (ack) => ack({ t1: Date.now(), t2: Date.now() }));
  });
  return { io, httpServer };
}
