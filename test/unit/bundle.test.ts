/**
 * The bundles must be pure ASCII. V8 keeps a script's source for lazy compilation for the life of
 * the process, and a single character outside Latin-1 anywhere in it, even in a comment esbuild
 * keeps (esbuild escapes strings, not comments), makes V8 hold the whole source at two bytes per
 * character: 2 MB instead of 1 MB for the development build of the server, in every server and CLI
 * process. `npm test` builds dist/ before the tests run.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const DIST = path.join(__dirname, '..', '..', '..', 'dist');

for (const name of ['server.js', 'cli.js', 'extension.js']) {
  test(`dist/${name} is ASCII only`, () => {
    const text = fs.readFileSync(path.join(DIST, name), 'utf8');
    const lines = text.split('\n');
    const bad = lines.flatMap((l, i) => (/[^\t\n\r\x20-\x7e]/.test(l) ? [`${i + 1}: ${l.trim().slice(0, 120)}`] : []));
    assert.deepEqual(bad, [], `characters outside printable ASCII in dist/${name} (write them as ASCII in the source comment):\n${bad.join('\n')}`);
  });
}
