import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import { onceReady, openRedisLink } from './redis-link.js';
import { startRedis, type RunningRedis } from '../test/redis.mjs';

/** A logger that keeps what it is told, as `level message` lines. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (msg: string) => void lines.push(`${level} ${msg}`);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Resolves when `client` has closed its connection. */
const closed = (client: Redis) => new Promise((resolve) => client.once('end', resolve));

let redis: RunningRedis;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis.close();
});

test('a link that quits its own connections does not log them as lost', async () => {
  const log = recordingLogger();
  const link = openRedisLink(redis.url, log);
  const subscriber = link.duplicate();
  await onceReady(link.commands, 5000);
  const ended = Promise.all([closed(link.commands), closed(subscriber)]);
  await link.close();
  await ended;
  assert.equal(link.commands.status, 'end');
  assert.deepEqual(log.lines, []);
});

test("the caller's client stays the caller's: open, and without the link's listeners once it closes", async () => {
  const client = new Redis(redis.url);
  client.on('error', () => undefined);
  try {
    await onceReady(client, 5000);
    const events = ['error', 'ready', 'close'] as const;
    const counts = () => events.map((event) => `${event} ${client.listenerCount(event)}`);
    const before = counts();
    const log = recordingLogger();
    const link = openRedisLink(client, log);
    assert.notDeepEqual(counts(), before);
    await link.close();
    assert.equal(client.status, 'ready');
    assert.deepEqual(counts(), before);
    await client.quit();
    assert.deepEqual(log.lines, []);
  } finally {
    client.disconnect();
  }
});

test('a loss of Redis is logged once, and its return once, with the reconnect listeners called', async () => {
  const log = recordingLogger();
  const link = openRedisLink(redis.url, log);
  try {
    await onceReady(link.commands, 5000);
    let reconnects = 0;
    link.onReconnect(() => reconnects++);
    await redis.stop();
    await new Promise((resolve) => link.commands.once('close', resolve));
    assert.equal(link.up(), false);
    await redis.restart();
    await onceReady(link.commands, 10_000);
    assert.equal(link.up(), true);
    assert.equal(reconnects, 1);
    assert.equal(log.lines.filter((line) => line === 'warn redis connection lost').length, 1);
    assert.equal(log.lines.filter((line) => line === 'info redis connection back').length, 1);
  } finally {
    await link.close();
  }
});
