/**
 * The preview panel's custom request over stdio: start the bundled server (`unit-harden lsp
 * --stdio`) like lsp.test.ts, open a unit, and ask `unitHarden/preview` for it; the answer is the
 * `preview --json` object plus each filter's disassembly, and it follows edits.
 */

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { PREVIEW_REQUEST } from '../../client/src/constants';
import { PREVIEW_REQUEST as SERVER_PREVIEW_REQUEST } from '../../server/src/server';
import { buildPreviewHtml } from '../../client/src/preview/html';
import type { PreviewData } from '../../client/src/preview/types';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'bin', 'unit-harden.js');
const RESOLVER = path.join(ROOT, 'examples', 'resolver.service');

let child: ChildProcess;
let conn: MessageConnection;

before(async () => {
  child = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  conn.onNotification('textDocument/publishDiagnostics', () => undefined);
  conn.onNotification('window/logMessage', () => undefined);
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { settings: { target: { preset: 'debian-12' } } } });
  await conn.sendNotification('initialized', {});
});

after(async () => {
  try {
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
  } catch {
    // The server may already be gone.
  }
  conn.dispose();
  child.kill();
});

test('client and server agree on the request name', () => {
  assert.equal(PREVIEW_REQUEST, SERVER_PREVIEW_REQUEST);
});

test('unitHarden/preview returns the preview JSON of resolver.service with every filter disassembled', async () => {
  const uri = pathToFileURL(RESOLVER).href;
  const text = fs.readFileSync(RESOLVER, 'utf8');
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'systemd-unit', version: 1, text } });
  const data = await conn.sendRequest<PreviewData & { totals: { filters: number; instructions: number } }>(PREVIEW_REQUEST, { uri });
  assert.ok(data);
  assert.equal(data.unit, 'resolver.service');
  assert.equal(data.uri, uri);
  assert.equal(data.version, 1);
  assert.equal(data.systemd, '252.39');
  assert.equal(data.arch, 'x86-64');
  assert.equal(data.filters?.length, 31);
  assert.equal(data.totals.filters, 31);
  assert.equal(data.totals.instructions, 909);
  assert.deepEqual(data.totals.byAbi, { x86: 9, x32: 9, 'x86-64': 13 });
  const last = data.filters![30]!;
  assert.equal(last.directive, 'SystemCallFilter');
  assert.equal(last.instructions, 306);
  for (const f of data.filters!) {
    assert.equal(typeof f.disasm, 'string', `filter ${f.index} has no disassembly`);
    // One listing line per instruction after the header lines.
    assert.ok(f.disasm!.split('\n').filter((l) => /^\s*\d{4}:/.test(l)).length === f.instructions, `filter ${f.index}: ${f.disasm!.slice(0, 200)}`);
  }
  assert.equal(data.cost?.native?.miss.median, 320);
  assert.equal(data.filters![28]!.effect, 'allow, other ABIs kill-thread');
  assert.equal(data.filters![8]!.effect, 'allow ← errno(EPERM), errno(ENOSYS)');

  // The same filters as the CLI (the JSON contract), minus the disassembly.
  const cli = spawnSync(process.execPath, [CLI, 'preview', RESOLVER, '--preset', 'debian-12', '--json'], { encoding: 'utf8' });
  const json = JSON.parse(cli.stdout) as { filters: Record<string, unknown>[] };
  assert.deepEqual(
    data.filters!.map(({ disasm: _d, effect: _e, ...f }) => f),
    json.filters,
  );

  // The page the panel shows for it: one bar per filter, a lane per ABI.
  const html = buildPreviewHtml(data, { nonce: 'abc' });
  assert.equal(html.match(/class="bar slot /g)?.length, 31);
  assert.equal(html.match(/class="lane"/g)?.length, 3);
});

test('the answer follows edits, and an unknown document gets null', async () => {
  const uri = pathToFileURL(path.join(ROOT, 'examples', 'not-on-disk.service')).href;
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'systemd-unit', version: 1, text: '[Service]\nExecStart=/bin/true\n' } });
  const none = await conn.sendRequest<PreviewData>(PREVIEW_REQUEST, { uri });
  assert.equal(none.filters?.length, 0);
  await conn.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ text: '[Service]\nExecStart=/bin/true\nLockPersonality=yes\n' }],
  });
  const one = await conn.sendRequest<PreviewData>(PREVIEW_REQUEST, { uri });
  assert.equal(one.version, 2);
  assert.deepEqual(
    one.filters?.map((f) => [f.directive, f.abis.join('+')]),
    [
      ['LockPersonality', 'x86'],
      ['LockPersonality', 'x32'],
      ['LockPersonality', 'x86-64'],
    ],
  );
  assert.equal(await conn.sendRequest(PREVIEW_REQUEST, { uri: 'file:///nowhere/closed.service' }), null);
  assert.equal(await conn.sendRequest(PREVIEW_REQUEST, {}), null);
});
