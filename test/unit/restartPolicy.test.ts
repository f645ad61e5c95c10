/**
 * The client's crash restart policy (client/src/restartPolicy.ts): restart up to four times in
 * three minutes like vscode-languageclient's default, notify only once, start afresh after a reset.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RestartPolicy } from '../../client/src/restartPolicy';

const MIN = 60_000;

test('the first crash restarts and notifies; later ones restart quietly', () => {
  const p = new RestartPolicy();
  assert.deepEqual(p.onCrash(0), { action: 'restart', notify: true, crashes: 1 });
  assert.deepEqual(p.onCrash(1000), { action: 'restart', notify: false, crashes: 2 });
});

test('the fifth crash within three minutes gives up; crashes further apart keep restarting', () => {
  const p = new RestartPolicy();
  for (let i = 0; i < 4; i++) assert.equal(p.onCrash(i * 1000).action, 'restart');
  assert.deepEqual(p.onCrash(5000), { action: 'give-up', crashes: 5 });
  const q = new RestartPolicy();
  for (let i = 0; i < 20; i++) assert.equal(q.onCrash(i * MIN).action, 'restart', `crash ${i}`);
});

test('crashes older than the window no longer count', () => {
  const p = new RestartPolicy(4, 3 * MIN);
  for (let i = 0; i < 4; i++) p.onCrash(i);
  assert.deepEqual(p.onCrash(3 * MIN + 10), { action: 'restart', notify: false, crashes: 1 });
});

test('reset (the restart command) clears the count and allows one more notification', () => {
  const p = new RestartPolicy(1, MIN);
  p.onCrash(0);
  assert.equal(p.onCrash(1).action, 'give-up');
  p.reset();
  assert.deepEqual(p.onCrash(2), { action: 'restart', notify: true, crashes: 1 });
});
