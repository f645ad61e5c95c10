/**
 * Repeated assignments across the main file and drop-ins: single-value directives keep the last
 * value, list directives append, and an empty assignment resets a list.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { loadUnit, type FileReader } from '../../server/src/model/unit';
import { effectiveAssignments } from '../../server/src/model/effective';

const files: Record<string, string> = {
  '/u/a.service.d/10-x.conf': '[Service]\nUser=dropin\nReadOnlyPaths=/b\nSupplementaryGroups=\nSupplementaryGroups=wheel\n',
};
const reader: FileReader = {
  listDir: (d) => (d === '/u/a.service.d' ? ['10-x.conf'] : undefined),
  readFile: (f) => files[f],
};
const unit = loadUnit('/u/a.service', '[Service]\nUser=main\nReadOnlyPaths=/a\nSupplementaryGroups=adm\nExecStart=/bin/true\n', reader);

test('a single-value directive: the drop-in overrides the main file', () => {
  const r = effectiveAssignments(unit, 'Service', 'User');
  assert.deepEqual(r.used.map((a) => [a.value, a.file]), [['dropin', '/u/a.service.d/10-x.conf']]);
  assert.deepEqual(r.discarded.map((a) => a.value), ['main']);
});

test('a list directive appends across files', () => {
  assert.deepEqual(effectiveAssignments(unit, 'Service', 'ReadOnlyPaths').used.map((a) => a.value), ['/a', '/b']);
});

test('an empty assignment resets the list, also what the main file set', () => {
  const r = effectiveAssignments(unit, 'Service', 'SupplementaryGroups');
  assert.deepEqual(r.used.map((a) => a.value), ['wheel']);
  assert.deepEqual(r.discarded.map((a) => a.value), ['adm', '']);
});

test('a directive that is not set', () => {
  assert.deepEqual(effectiveAssignments(unit, 'Service', 'Group'), { used: [], discarded: [] });
});
