// The real CLI in its own process, as deployed: run `npm run build` first (`npm test` does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startServer } from '../test/servers.mjs';
import { connect } from '../test/node-clients.js';
import { SYNC_EVENT, isSyncReply } from '../sdk/protocol.js';

const built = existsSync(new URL('../dist/demo-server/cli.js', import.meta.url));

test(
  'SIGTERM disconnects every client so that it reconnects, and exits 0 within 5 s',
  { skip: !built && 'dist/ is not built: run `npm run build`' },
  async (t) => {
    const server = await startServer('demo');
    t.after(() => server.child.kill('SIGKILL'));
    const sockets = await Promise.all(Array.from({ length: 50 }, () => connect(server.url)));
    t.after(() => sockets.forEach((s) => s.close()));
    assert.ok(isSyncReply(await sockets[0].timeout(2000).emitWithAck(SYNC_EVENT)));
    assert.equal((await fetch(`${server.url}/ready`)).status, 200);

    const reasons = Promise.all(sockets.map((s) => new Promise<string>((resolve) => s.once('disconnect', resolve))));
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    const signalled = performance.now();
    server.child.kill('SIGTERM');
    const code = await exited;
    const elapsed = performance.now() - signalled;

    assert.equal(code, 0, 'exit code');
    assert.ok(elapsed < 5000, `exited after ${elapsed.toFixed(0)} ms`);
    // Not "io server disconnect": that one reason would keep socket.io clients from reconnecting.
    for (const reason of await reasons) assert.equal(reason, 'transport close');
  },
);

test(
  'the CLI takes --admin-token and --timer-ttl, and drives demo-round',
  { skip: !built && 'dist/ is not built: run `npm run build`' },
  async (t) => {
    const server = await startServer('demo', 0, ['--admin-token', 'cli-token', '--timer-ttl', '60000']);
    t.after(() => server.child.kill('SIGKILL'));
    const write = (authorization: string) =>
      fetch(`${server.url}/timers/cli-test`, {
        method: 'PUT',
        headers: { authorization },
        body: '{"duration": 60000}',
      });
    assert.equal((await write('Bearer wrong')).status, 403);
    const res = await write('Bearer cli-token');
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'running');
    const round = (await (await fetch(`${server.url}/timers/demo-round`)).json()) as { status: string };
    assert.equal(round.status, 'running');
  },
);
