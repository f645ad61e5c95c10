/**
 * Pathological documents through the real server (JSON-RPC over stdio): a 10 MB file, a
 * 100 000-line file, a single 1 MiB line, binary content and a value continued over 100 000
 * lines. Each gets its diagnostics with a clear "file too large" / "not a unit file" finding where
 * analysis is capped, the server keeps answering other documents, and it never crashes. How long
 * they take is measured by `npm run bench` (BENCHMARKS.md), not here.
 */

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Hover, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { startTestServer, waitFor, type TestServer } from './lspHarness';
import { HEAD, PATHOLOGICAL } from './pathological';

let server: TestServer;

before(async () => {
  server = startTestServer();
  await server.conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { settings: {} } });
  await server.conn.sendNotification('initialized', {});
});

after(async () => {
  await server.stop();
});

async function diagnosticsOf(uri: string, version: number): Promise<PublishDiagnosticsParams> {
  return waitFor(() => server.latest(uri, version), `diagnostics of ${uri}`, 60000);
}

for (const c of PATHOLOGICAL) {
  test(`${c.name}: diagnostics ${c.expect.join(', ')}; the server keeps answering`, async () => {
    const uri = `file:///units/${c.name}`;
    const text = c.text();
    await server.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'systemd-unit', version: 1, text } });
    // A small unit opened right after is answered too (requests queue behind the big one, never lost).
    const small = `file:///units/small-${c.name}`;
    await server.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: small, languageId: 'systemd-unit', version: 1, text: `${HEAD}ProtectSytem=strict\n` } });
    const hover = await server.conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: small }, position: { line: 1, character: 2 } });
    assert.match(JSON.stringify(hover?.contents ?? ''), /ExecStart/);
    const published = await diagnosticsOf(uri, 1);
    const codes = new Set(published.diagnostics.map((d) => String(d.code)));
    for (const code of c.expect) assert.ok(codes.has(code), `${c.name}: ${code} not in ${JSON.stringify([...codes])}`);
    assert.ok(published.diagnostics.length <= 1000);
    const tooLarge = published.diagnostics.find((d) => d.code === 'file-too-large');
    if (tooLarge) assert.match(tooLarge.message, new RegExp(`^This file has ${text.length} characters; only the first \\d+ are analysed\\. Unit files are normally a few kilobytes: is this a unit file\\?$`));
    assert.deepEqual((await diagnosticsOf(small, 1)).diagnostics.map((d) => d.code), ['misspelled-hardening-directive']);
    // An edit at the very end of the big document is taken (incremental sync on a huge text).
    const lines = text.split('\n').length;
    await server.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: lines - 1, character: 0 }, end: { line: lines - 1, character: 0 } }, text: '# end\n' }] });
    await diagnosticsOf(uri, 2);
    await server.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await server.conn.sendNotification('textDocument/didClose', { textDocument: { uri: small } });
    await waitFor(() => server.latest(uri)?.diagnostics.length === 0, `cleared diagnostics of ${uri}`, 60000);
    assert.equal(server.exited(), undefined, server.stderr());
  });
}
