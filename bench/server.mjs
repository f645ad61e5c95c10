// @ts-check
// Server benchmarks for `npm run bench`: start the real bundled server over stdio and measure what
// an editor user feels: start-up to the first diagnostics, diagnostics latency after an edit,
// hover and completion latency on a 300-line unit (median and p99 after warm-up), RSS after
// opening the whole corpus (and after going idle), and how latency grows with unit size and with the number of open files.
// The server is started the way the VS Code extension starts it (see serverCommand()).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))];
};
const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * The completion capabilities vscode-languageclient 9 (the VS Code extension's client) declares:
 * with `itemDefaults`, the server sends a value completion's shared replace range once.
 */
const VSCODE_CAPABILITIES = { textDocument: { completion: { completionList: { itemDefaults: ['commitCharacters', 'editRange', 'insertTextFormat', 'insertTextMode', 'data'] } } } };

/**
 * The server bundle the VS Code mode runs (serverBench's `vscodeServer` option: the one inside the
 * packaged .vsix, as users install it); this checkout's dist/server.js when unset.
 */
let vscodeServer;

/**
 * How the server process is started: as the VS Code extension does (its server bundle with the
 * client's SERVER_EXEC_ARGV Node options), or as `unit-harden lsp --stdio` (Neovim and others,
 * from this checkout's dist/).
 */
function serverCommand(root, mode) {
  if (mode === 'lsp') return [path.join(root, 'bin', 'unit-harden.js'), 'lsp', '--stdio'];
  const { SERVER_EXEC_ARGV } = require(path.join(root, 'out', 'client', 'src', 'constants.js'));
  return [...SERVER_EXEC_ARGV, vscodeServer ?? path.join(root, 'dist', 'server.js'), '--stdio'];
}

/** Starts the server; returns helpers bound to it. */
async function startServer(root, capabilities = VSCODE_CAPABILITIES, mode = 'vscode') {
  const t0 = now();
  const child = spawn(process.execPath, serverCommand(root, mode), { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiters = new Map();
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    const w = waiters.get(`${p.uri}@${p.version}`);
    if (w) {
      waiters.delete(`${p.uri}@${p.version}`);
      w();
    }
  });
  conn.onNotification('window/logMessage', () => undefined);
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities });
  await conn.sendNotification('initialized', {});
  const diagnosticsFor = (uri, version) => new Promise((resolve) => waiters.set(`${uri}@${version}`, resolve));
  return {
    child,
    conn,
    startedIn: now() - t0,
    async open(uri, text, version = 1) {
      const done = diagnosticsFor(uri, version);
      await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'systemd-unit', version, text } });
      await done;
    },
    async change(uri, text, version) {
      const done = diagnosticsFor(uri, version);
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
      await done;
    },
    rss() {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const m = /VmRSS:\s+(\d+) kB/.exec(status);
        return m ? Number(m[1]) / 1024 : NaN;
      } catch {
        return NaN;
      }
    },
    async stop() {
      try {
        await conn.sendRequest('shutdown');
        await conn.sendNotification('exit');
      } catch {
        // already gone
      }
      conn.dispose();
      child.kill();
    },
  };
}

/** A realistic unit of about `lines` lines: the resolver example plus environment and paths. */
function unitOfSize(base, lines) {
  const extra = [];
  for (let i = 0; extra.length + base.split('\n').length < lines; i++) {
    extra.push(i % 3 === 0 ? `Environment=VAR${i}=value${i}` : i % 3 === 1 ? `ReadWritePaths=/var/lib/app${i}` : `# comment ${i}`);
  }
  return base.replace('[Install]', `${extra.join('\n')}\n\n[Install]`);
}

/** How long the server is left idle before the second RSS reading: V8's memory reducer starts about 8 s after a burst. */
const IDLE_MS = 10000;

/**
 * RSS after opening every file at once (without waiting for each file's diagnostics), per start
 * mode, and again after IDLE_MS without requests (once V8 has shrunk the heap).
 */
async function rssBurstAndIdle(root, files, mode) {
  const server = await startServer(root, VSCODE_CAPABILITIES, mode);
  try {
    await Promise.all(files.map((f) => server.open(`file://${f}`, fs.readFileSync(f, 'utf8'))));
    const burst = server.rss();
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    return { burst, idle: server.rss() };
  } finally {
    await server.stop();
  }
}

/** RSS at start and after opening the files one by one (each waiting for its diagnostics), per start mode. */
async function rssOneByOne(root, files, mode) {
  const server = await startServer(root, VSCODE_CAPABILITIES, mode);
  try {
    const start = server.rss();
    for (const f of files) await server.open(`file://${f}`, fs.readFileSync(f, 'utf8'));
    return { start, corpus: server.rss() };
  } finally {
    await server.stop();
  }
}

/** Completion latency for a client that declares no capabilities (every item carries its range). */
async function plainClientCompletion(root, text, rounds) {
  const server = await startServer(root, {});
  try {
    const uri = 'file:///bench/plain.service';
    await server.open(uri, text);
    const line = text.split('\n').findIndex((l) => l.startsWith('SystemCallFilter='));
    const times = [];
    for (let i = 0; i < rounds + 10; i++) {
      const t = now();
      await server.conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line, character: 17 } });
      if (i >= 10) times.push(now() - t);
    }
    return { median: percentile(times, 0.5), p99: percentile(times, 0.99) };
  } finally {
    await server.stop();
  }
}

/**
 * For each pathological document, in a fresh server: time from didOpen to its diagnostics
 * (including the 150 ms debounce), and how long a hover on a small unit sent right after the open
 * waits (the server is single-threaded: this is how long it is busy), and the RSS afterwards.
 */
async function sizeLimits(root) {
  const { PATHOLOGICAL } = require(path.join(root, 'out', 'test', 'unit', 'pathological.js'));
  const out = [];
  for (const doc of PATHOLOGICAL) {
    const what = doc.what;
    const text = doc.text();
    const server = await startServer(root);
    try {
      const small = 'file:///bench/small.service';
      await server.open(small, '[Service]\nExecStart=/usr/bin/x\nProtectSytem=strict\n');
      const t = now();
      const done = server.open('file:///bench/big.service', text);
      await server.conn.sendRequest('textDocument/hover', { textDocument: { uri: small }, position: { line: 1, character: 2 } });
      const hoverMs = now() - t;
      await done;
      out.push({ what, chars: text.length, diagnosticsMs: now() - t, hoverMs, rssMb: server.rss() });
    } finally {
      await server.stop();
    }
  }
  return out;
}

export async function serverBench(root, corpusFiles, rounds = 50, options = {}) {
  vscodeServer = options.vscodeServer;
  const base = fs.readFileSync(path.join(root, 'examples', 'resolver.service'), 'utf8');
  const server = await startServer(root);
  const results = { activationMs: 0, firstDiagnosticsMs: 0, edit: {}, hover: {}, completion: {}, growth: [], rssBaseline: 0, rssCorpus: 0, openFiles: [] };
  try {
    results.activationMs = server.startedIn;
    results.rssBaseline = server.rss();
    const uri = 'file:///bench/unit.service';
    const text = unitOfSize(base, 300);
    const t0 = now();
    await server.open(uri, text);
    results.firstDiagnosticsMs = now() - t0;
    // Edits: toggle a hardening line; each waits for the diagnostics of that exact version.
    const edits = [];
    let version = 1;
    for (let i = 0; i < rounds + 10; i++) {
      const t = now();
      await server.change(uri, i % 2 ? text : text.replace('RestrictRealtime=yes', 'RestrictRealtime=no'), ++version);
      if (i >= 10) edits.push(now() - t);
    }
    const lines = text.split('\n');
    const hoverLine = lines.findIndex((l) => l.startsWith('SystemCallFilter='));
    const hovers = [];
    const completions = [];
    for (let i = 0; i < rounds + 10; i++) {
      let t = now();
      await server.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: hoverLine, character: 20 } });
      if (i >= 10) hovers.push(now() - t);
      t = now();
      await server.conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: hoverLine, character: 17 } });
      if (i >= 10) completions.push(now() - t);
    }
    results.edit = { median: percentile(edits, 0.5), p99: percentile(edits, 0.99) };
    results.hover = { median: percentile(hovers, 0.5), p99: percentile(hovers, 0.99) };
    results.completion = { median: percentile(completions, 0.5), p99: percentile(completions, 0.99) };
    // Growth with unit size.
    for (const size of [50, 300, 1000, 3000]) {
      const u = `file:///bench/size-${size}.service`;
      const body = unitOfSize(base, size);
      await server.open(u, body);
      const times = [];
      for (let i = 0; i < 12; i++) {
        const t = now();
        await server.change(u, i % 2 ? body : body.replace('RestrictRealtime=yes', 'RestrictRealtime=no'), i + 2);
        if (i >= 2) times.push(now() - t);
      }
      results.growth.push({ lines: size, median: percentile(times, 0.5) });
    }
    // Open the whole corpus; RSS and edit latency as files accumulate.
    let opened = 0;
    for (const f of corpusFiles) {
      await server.open(`file://${f}`, fs.readFileSync(f, 'utf8'));
      opened++;
      if ([100, 500, corpusFiles.length].includes(opened)) {
        const t = now();
        await server.change(uri, text.replace('LockPersonality=yes', 'LockPersonality=no'), ++version);
        results.openFiles.push({ files: opened, rssMb: server.rss(), editMs: now() - t });
      }
    }
    results.rssCorpus = server.rss();
  } finally {
    await server.stop();
  }
  results.completionPlain = await plainClientCompletion(root, unitOfSize(base, 300), rounds);
  results.sizeLimits = await sizeLimits(root);
  const burst = { vscode: await rssBurstAndIdle(root, corpusFiles, 'vscode'), lsp: await rssBurstAndIdle(root, corpusFiles, 'lsp') };
  results.rssBurst = { vscode: burst.vscode.burst, lsp: burst.lsp.burst };
  results.rssBurstIdle = { vscode: burst.vscode.idle, lsp: burst.lsp.idle, idleMs: IDLE_MS };
  // The same start and one-by-one readings as rssBaseline / rssCorpus, for `unit-harden lsp --stdio`.
  results.rssLsp = await rssOneByOne(root, corpusFiles, 'lsp');
  return results;
}
