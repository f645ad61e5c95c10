/** LruCache (server/src/lru.ts): bounded, least recently used entry forgotten first. */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { LruCache } from '../../server/src/lru';

test('keeps at most max entries and forgets the least recently used; get and set refresh', () => {
  const c = new LruCache<string, number>(2);
  c.set('a', 1);
  c.set('b', 2);
  assert.equal(c.get('a'), 1); // a is now newer than b
  c.set('c', 3); // evicts b
  assert.deepEqual([c.get('a'), c.get('b'), c.get('c'), c.size], [1, undefined, 3, 2]);
  c.set('a', 10); // overwrite refreshes a; c is now oldest
  c.set('d', 4); // evicts c
  assert.deepEqual([c.get('a'), c.get('c'), c.get('d'), c.size], [10, undefined, 4, 2]);
  c.delete('a');
  assert.deepEqual([c.get('a'), c.size], [undefined, 1]);
  c.clear();
  assert.equal(c.size, 0);
});
