import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedPool } from './shared-pool.js';

class Resource {
  closed = 0;
  close() {
    this.closed++;
  }
}

test('one value per key, created once, closed when the last holder lets go', () => {
  const pool = new SharedPool<Resource>();
  let created = 0;
  const create = () => (created++, new Resource());
  const a = pool.acquire('a', create);
  const again = pool.acquire('a', create);
  const b = pool.acquire('b', create);
  assert.equal(again, a);
  assert.notEqual(b, a);
  assert.equal(created, 2);
  assert.equal(pool.size, 2);

  pool.release('a');
  assert.equal(a.closed, 0, 'still held once');
  pool.release('a');
  assert.equal(a.closed, 1);
  assert.equal(pool.size, 1);

  pool.release('a');
  pool.release('nothing');
  assert.equal(a.closed, 1, 'an extra release closes nothing twice');
  assert.equal(pool.size, 1);

  assert.notEqual(pool.acquire('a', create), a, 'a key let go of starts afresh');
  assert.equal(created, 3);
});
