/**
 * Architecture guards: the engine never imports VS Code or the LSP connection (only
 * server/src/server.ts and main.ts may), and every source file opens with a module comment.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const ADAPTER = new Set(['server.ts', 'main.ts'].map((f) => path.join(ROOT, 'server', 'src', f)));
const FORBIDDEN = /from\s+'(vscode|vscode-languageserver(\/[^']*)?|vscode-languageclient(\/[^']*)?|vscode-jsonrpc(\/[^']*)?)'/;

test('the engine imports only LSP types, never the connection or VS Code', () => {
  const offenders: string[] = [];
  for (const file of tsFiles(path.join(ROOT, 'server', 'src'))) {
    if (ADAPTER.has(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const line of text.split('\n')) {
      if (FORBIDDEN.test(line)) offenders.push(`${path.relative(ROOT, file)}: ${line.trim()}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('every hand-written source file starts with a module comment', () => {
  const missing: string[] = [];
  for (const dir of ['server/src', 'client/src', 'test']) {
    for (const file of tsFiles(path.join(ROOT, dir))) {
      const head = fs.readFileSync(file, 'utf8').trimStart();
      if (!head.startsWith('/**') && !head.startsWith('//')) missing.push(path.relative(ROOT, file));
    }
  }
  assert.deepEqual(missing, []);
});
