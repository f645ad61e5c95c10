/**
 * Process-level guarantees of the server and the CLI: the server exits when the editor that
 * started it goes away, survives a burst of edits, cancellations and closes without publishing
 * stale diagnostics, and neither the server nor the CLI opens a network socket.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { ErrorCodes, LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol';
import { runSafe } from '../../server/src/server';
import { CLI, ROOT, startTestServer, waitFor } from './lspHarness';

/** A preload that makes any attempt to open a socket or resolve a name fail loudly and be recorded. */
function noNetworkPreload(dir: string, log: string): string {
  const file = path.join(dir, 'no-network.js');
  fs.writeFileSync(
    file,
    `const fs = require('fs');
const net = require('net');
const dns = require('dns');
const record = (what) => { fs.appendFileSync(${JSON.stringify(log)}, what + '\\n'); };
const origConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect() hands the normalised [options, callback] array over as one argument.
  const o = Array.isArray(args[0]) ? args[0][0] : args[0];
  // Local IPC (pipes, the LSP stdio streams) is fine; TCP/UDP to any host is not.
  if (o && typeof o === 'object' && (o.port !== undefined || o.host !== undefined)) record('connect ' + JSON.stringify(o));
  if (typeof o === 'number') record('connect ' + o);
  return origConnect.apply(this, args);
};
for (const k of ['lookup', 'resolve', 'resolve4', 'resolve6']) {
  const orig = dns[k];
  dns[k] = function (...args) { record('dns ' + k + ' ' + args[0]); return orig.apply(this, args); };
}
`,
  );
  return file;
}

test('the server exits when its parent process goes away', async () => {
  const parent = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  const server = startTestServer();
  const conn = server.conn;
  try {
    await conn.sendRequest('initialize', { processId: parent.pid, rootUri: null, capabilities: {} });
    await conn.sendNotification('initialized', {});
    assert.equal(server.exited(), undefined);
    parent.kill('SIGKILL');
    // vscode-languageserver checks the parent every few seconds.
    await waitFor(() => server.exited() !== undefined, 'the server to exit after its parent died', 20000);
  } finally {
    conn.dispose();
    parent.kill('SIGKILL');
    server.child.kill('SIGKILL');
  }
});

test('a burst of edits, cancelled requests and closes: no crash, only current diagnostics', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uh-burst-'));
  const log = path.join(dir, 'network.log');
  const preload = noNetworkPreload(dir, log);
  const server = startTestServer({ nodeArgs: ['--require', preload] });
  const { conn, published } = server;
  try {
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await conn.sendNotification('initialized', {});
    const uri = 'file:///burst/a.service';
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'systemd-unit', version: 1, text: '[Service]\n' } });
    let text = '[Service]\n';
    for (let v = 2; v <= 60; v++) {
      const line = v % 7 === 0 ? 'ProtectDevices=yes\n' : v % 5 === 0 ? '\\\n' : `SystemCallFilter=@system-service read${v}\n`;
      text += line;
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ text }] });
      if (v % 3 === 0) {
        // A hover request that is cancelled right away must not break anything.
        const p = conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: v % 10, character: 3 } });
        void conn.sendNotification('$/cancelRequest', { id: -1 });
        await p.catch(() => undefined);
      }
    }
    // The last version has ProtectDevices= typos in it; only version 60 may be reported last.
    await waitFor(() => published.some((p) => p.uri === uri && p.version === 60), 'diagnostics for version 60', 15000);
    const forUri = published.filter((p) => p.uri === uri && p.version !== undefined);
    assert.ok(forUri.every((p, i) => i === 0 || p.version! >= forUri[i - 1]!.version!), 'versions never go backwards');
    assert.ok(forUri.at(-1)!.diagnostics.some((d) => d.code === 'misspelled-hardening-directive'));
    await conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await waitFor(() => published.at(-1)?.uri === uri && published.at(-1)!.diagnostics.length === 0, 'diagnostics cleared on close', 15000);
    const hover = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    assert.equal(hover, null);
    assert.equal(server.exited(), undefined);
    assert.equal(fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '', '', 'the server opened a network connection');
  } finally {
    conn.dispose();
    server.child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the network guard itself records a connection attempt (so the tests above can fail)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uh-net-'));
  try {
    const log = path.join(dir, 'network.log');
    const preload = noNetworkPreload(dir, log);
    spawnSync(process.execPath, ['--require', preload, '-e', "require('net').connect(9, '127.0.0.1').on('error', () => {})"], { encoding: 'utf8', timeout: 10000 });
    assert.match(fs.readFileSync(log, 'utf8'), /^connect \{"port":9,"host":"127\.0\.0\.1"\}/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI opens no network connection', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uh-net-'));
  try {
    const log = path.join(dir, 'network.log');
    const preload = noNetworkPreload(dir, log);
    for (const args of [['check', 'examples/webapp.service'], ['preview', '--json', 'examples/resolver.service']]) {
      const r = spawnSync(process.execPath, ['--require', preload, CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30000 });
      assert.ok(r.status === 0 || r.status === 1, r.stderr);
    }
    assert.equal(fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '', '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a request handler that throws answers that request with an InternalError, logged; cancellation wins', () => {
  const logged: string[] = [];
  const connection = { console: { error: (m: string) => logged.push(m) } } as unknown as Parameters<typeof runSafe>[0];
  const failed = runSafe(connection, () => { throw new Error('boom'); }, 'hover');
  assert.ok(failed instanceof ResponseError);
  assert.equal(failed.code, ErrorCodes.InternalError);
  assert.match(failed.message, /internal error while computing hover: boom/);
  assert.equal(logged.length, 1);
  assert.match(logged[0]!, /^Error while computing hover: Error: boom/);
  assert.deepEqual(runSafe(connection, () => [1, 2], 'completion'), [1, 2]);
  const cancelled = runSafe(connection, () => 1, 'hover', { isCancellationRequested: true, onCancellationRequested: () => ({ dispose() {} }) });
  assert.ok(cancelled instanceof ResponseError);
  assert.equal(cancelled.code, LSPErrorCodes.RequestCancelled);
  assert.equal(logged.length, 1);
});

/**
 * A preload that reports, at exit, the largest young generation seen after a GC, how many
 * scavenges ran, and whether TurboFan still optimises: a function of its own, forced to optimise
 * (V8 natives syntax, `--allow-natives-syntax`), has the optimised bit (16) of its status only if
 * it does.
 */
function heapReportPreload(dir: string): string {
  const file = path.join(dir, 'heap-report.js');
  fs.writeFileSync(
    file,
    `const fs = require('fs');
const v8 = require('v8');
const { PerformanceObserver, constants } = require('perf_hooks');
let maxNewSpace = 0;
let scavenges = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail && e.detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
  const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  if (s) maxNewSpace = Math.max(maxNewSpace, s.space_size);
}).observe({ entryTypes: ['gc'] });
function hot(x) { return x * 2 + 1; }
function optimised() {
  %PrepareFunctionForOptimization(hot);
  hot(1);
  hot(2);
  %OptimizeFunctionOnNextCall(hot);
  hot(3);
  return (%GetOptimizationStatus(hot) & 16) !== 0;
}
process.on('exit', () => fs.writeSync(2, '\\nHEAP ' + JSON.stringify({ maxNewSpace, scavenges, optimised: optimised() }) + '\\n'));
`,
  );
  return file;
}

test('`unit-harden lsp --stdio` runs with the small young generation of the VS Code start and without TurboFan (server/src/v8Settings.ts)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uh-heap-'));
  const server = startTestServer({ nodeArgs: ['--allow-natives-syntax', '--require', heapReportPreload(dir)] });
  try {
    await server.conn.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
    await server.conn.sendNotification('initialized', {});
    // A burst of validations: without the settings V8 grows the young generation to 16-32 MB here.
    const text = fs.readFileSync(path.join(ROOT, 'examples', 'resolver.service'), 'utf8');
    const uris = Array.from({ length: 400 }, (_, i) => `untitled:heap-${i}.service`);
    for (const uri of uris) await server.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'systemd-unit', version: 1, text } });
    await waitFor(() => uris.every((u) => server.latest(u, 1)), 'diagnostics for every document', 60000);
    await server.conn.sendRequest('shutdown');
    await server.conn.sendNotification('exit');
    await waitFor(() => server.exited(), 'the server to exit');
    const m = /HEAP (\{.*\})/.exec(server.stderr());
    assert.ok(m, `no heap report in: ${server.stderr()}`);
    const report = JSON.parse(m[1]!) as { maxNewSpace: number; scavenges: number; optimised: boolean };
    assert.ok(report.scavenges >= 20, `the workload should exercise the young generation: ${JSON.stringify(report)}`);
    // --max-semi-space-size=1 (VS Code's start) gives a 2 MiB new space; V8's default grows it to 32 MiB.
    assert.ok(report.maxNewSpace <= 2 * 1024 * 1024, `young generation grew: ${JSON.stringify(report)}`);
    // --no-opt: no TurboFan code (and no TurboFan compiler memory) in a long-lived server.
    assert.equal(report.optimised, false, `TurboFan still optimises: ${JSON.stringify(report)}`);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
