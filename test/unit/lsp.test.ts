/**
 * LSP protocol tests: start the real bundled server (`unit-harden lsp --stdio`) as a child
 * process, speak JSON-RPC to it like an editor does, and check diagnostics, hover, code actions
 * (applying the edit), symbols, folding and robustness against bad requests.
 */

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, DocumentSymbol, FoldingRange, Hover, TextEdit } from 'vscode-languageserver-types';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { startTestServer, waitFor, type TestServer } from './lspHarness';

let server: TestServer;
let conn: MessageConnection;
let tmp: string;

function latest(uri: string, version?: number): PublishDiagnosticsParams | undefined {
  return server.latest(uri, version);
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'unit-harden-lsp-'));
  server = startTestServer();
  conn = server.conn;
  const init = await conn.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
    initializationOptions: { settings: { target: { systemdVersion: '252' } } },
  });
  assert.equal(init.capabilities['hoverProvider'], true);
  await conn.sendNotification('initialized', {});
});

after(async () => {
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function open(name: string, text: string, version = 1): string {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  void conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'systemd-unit', version, text } });
  return uri;
}

test('diagnostics for a misspelt hardening directive, and the quick fix edit', async () => {
  const text = '[Service]\nExecStart=/bin/true\nSystemCallArchitecture=native\n';
  const uri = open('typo.service', text);
  const diags = await waitFor(() => latest(uri), 'diagnostics');
  const d = diags.diagnostics.find((x) => x.code === 'misspelled-hardening-directive');
  assert.ok(d, JSON.stringify(diags.diagnostics));
  assert.equal(d.severity, 1);
  assert.deepEqual(d.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 22 } });
  const actions = await conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: d.range,
    context: { diagnostics: [d] },
  });
  const fix = actions.find((a) => a.title === 'Replace with SystemCallArchitectures=');
  assert.ok(fix?.edit?.changes);
  const edits = fix.edit.changes[uri] as TextEdit[];
  const doc = TextDocument.create(uri, 'systemd-unit', 1, text);
  const fixed = TextDocument.applyEdits(doc, edits);
  assert.equal(fixed, '[Service]\nExecStart=/bin/true\nSystemCallArchitectures=native\n');
});

test('hover on a directive shows its documentation', async () => {
  const uri = open('hover.service', '[Service]\nSystemCallFilter=@system-service\n');
  await waitFor(() => latest(uri), 'diagnostics');
  const hover = await conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 3 } });
  assert.ok(hover);
  const value = (hover.contents as { value: string }).value;
  assert.match(value, /\*\*SystemCallFilter=\*\*/);
  assert.match(value, /freedesktop\.org\/software\/systemd\/man/);
});

test('edits republish diagnostics for the new version only', async () => {
  const uri = open('edit.service', '[Service]\nProtectDevices=yes\nNoNewPrivileges=yes\n');
  const first = await waitFor(() => latest(uri, 1), 'v1 diagnostics');
  assert.equal(first.diagnostics.length, 1);
  await conn.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 14 } }, text: 'PrivateDevices' }],
  });
  const second = await waitFor(() => latest(uri, 2), 'v2 diagnostics');
  assert.deepEqual(second.diagnostics, []);
});

test('document symbols and folding ranges follow the sections', async () => {
  const uri = open('symbols.service', '[Unit]\nDescription=x\n\n[Service]\nUser=a\nGroup=b\n');
  const symbols = await conn.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual(symbols.map((s) => [s.name, s.children?.map((c) => c.name)]), [
    ['[Unit]', ['Description']],
    ['[Service]', ['User', 'Group']],
  ]);
  const folds = await conn.sendRequest<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
  assert.deepEqual(folds.map((f) => [f.startLine, f.endLine]), [
    [0, 1],
    [3, 5],
  ]);
});

test('requests for unknown documents and garbage text do not crash the server', async () => {
  const hover = await conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: 'file:///nope.service' }, position: { line: 0, character: 0 } });
  assert.equal(hover, null);
  const uri = open('garbage.service', '\0\0[[[\n\\\n=\n\uFFFF'.repeat(50));
  const diags = await waitFor(() => latest(uri), 'diagnostics');
  assert.ok(Array.isArray(diags.diagnostics));
  const again = await conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 1 } });
  assert.ok(again === null || typeof again === 'object');
  const d: Diagnostic[] = diags.diagnostics;
  assert.ok(d.length > 0);
});

test('drop-ins on disk and open drop-in buffers change the unit beside them; edits and closes revalidate it', async () => {
  const dir = path.join(tmp, 'hardened.service.d');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '10-arch.conf'), '[Service]\nSystemCallArchitectures=native\n');
  const unit = open('hardened.service', '[Service]\nExecStart=/bin/true\nNoNewPrivileges=yes\nSystemCallFilter=@system-service\n');
  const codes = (p: PublishDiagnosticsParams | undefined) => (p?.diagnostics ?? []).map((d) => d.code);
  // The drop-in on disk sets native: no missing-native warning.
  assert.deepEqual(codes(await waitFor(() => latest(unit, 1), 'unit diagnostics')), []);
  // An open buffer of the drop-in wins over the disk: without native there, the warning is back.
  const dropin = pathToFileURL(path.join(dir, '10-arch.conf')).href;
  const before = server.published.length;
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: dropin, languageId: 'systemd-unit', version: 1, text: '[Service]\nUser=x\n' } });
  await waitFor(() => server.published.slice(before).some((p) => p.uri === unit && codes(p).includes('missing-native-architectures')), 'the unit revalidated with the open drop-in');
  // Editing the drop-in back to native clears it again; closing it falls back to the disk (native).
  const mark = server.published.length;
  await conn.sendNotification('textDocument/didChange', { textDocument: { uri: dropin, version: 2 }, contentChanges: [{ text: '[Service]\nSystemCallArchitectures=native\n' }] });
  await waitFor(() => server.published.slice(mark).some((p) => p.uri === unit && codes(p).length === 0), 'the unit revalidated after the drop-in edit');
  const again = server.published.length;
  await conn.sendNotification('textDocument/didChange', { textDocument: { uri: dropin, version: 3 }, contentChanges: [{ text: '[Service]\nUser=x\n' }] });
  await waitFor(() => server.published.slice(again).some((p) => p.uri === unit && codes(p).includes('missing-native-architectures')), 'the warning back after the second edit');
  const closing = server.published.length;
  await conn.sendNotification('textDocument/didClose', { textDocument: { uri: dropin } });
  await waitFor(() => server.published.slice(closing).some((p) => p.uri === unit && codes(p).length === 0), 'the unit revalidated against the disk after the close');
});

test('opening or editing a unit does not revalidate the other units of its directory (only a drop-in can change them)', async () => {
  const text = '[Service]\nExecStart=/bin/true\n';
  const a = open('siblings/a.service', text);
  await waitFor(() => latest(a, 1), 'diagnostics of a.service');
  const b = open('siblings/b.service', text);
  await waitFor(() => latest(b, 1), 'diagnostics of b.service');
  await conn.sendNotification('textDocument/didChange', { textDocument: { uri: b, version: 2 }, contentChanges: [{ text: `${text}User=x\n` }] });
  await waitFor(() => latest(b, 2), 'diagnostics of the edit of b.service');
  // A revalidation of a.service would be due with b's debounced one: a request answered after it
  // was queued behind it.
  await conn.sendRequest('textDocument/hover', { textDocument: { uri: b }, position: { line: 0, character: 1 } });
  assert.equal(server.published.filter((p) => p.uri === a).length, 1);
  assert.equal(server.published.filter((p) => p.uri === b).length, 2);
});

test('more open documents than the parse cache holds: an evicted one still answers and revalidates correctly', async () => {
  const uris: string[] = [];
  for (let i = 0; i < 12; i++) uris.push(open(`many-${i}.service`, `[Service]\nExecStart=/bin/true\nNoNewPrivileges=yes\nProtectSytem=strict\nEnvironment=N=${i}\n`));
  for (const uri of uris) assert.deepEqual((await waitFor(() => latest(uri, 1), `diagnostics of ${uri}`)).diagnostics.map((d) => d.code), ['misspelled-hardening-directive']);
  // The first ones were parsed longest ago: hover and an edit must still see their own text.
  const hover = await conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: uris[0] }, position: { line: 4, character: 1 } });
  assert.match(JSON.stringify(hover?.contents ?? ''), /Environment/);
  await conn.sendNotification('textDocument/didChange', { textDocument: { uri: uris[0], version: 2 }, contentChanges: [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 12 } }, text: 'ProtectSystem' }] });
  assert.deepEqual((await waitFor(() => latest(uris[0]!, 2), 'diagnostics of the edit')).diagnostics, []);
  const symbols = await conn.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: uris[1] } });
  assert.deepEqual(symbols[0]!.children!.map((s) => s.name), ['ExecStart', 'NoNewPrivileges', 'ProtectSytem', 'Environment']);
  for (const uri of uris) await conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
});
