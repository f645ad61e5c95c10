/**
 * Shared helpers of the tests that talk JSON-RPC to the real bundled server
 * (`unit-harden lsp --stdio`, i.e. dist/ as built by esbuild.mjs): spawning it, recording what it
 * publishes and logs, and waiting for a condition with a generous timeout.
 */

import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

export const ROOT = path.resolve(__dirname, '../../..');
export const CLI = path.join(ROOT, 'bin', 'unit-harden.js');

/** Polls `fn` until it returns something other than undefined or false; throws after `timeoutMs`. */
export async function waitFor<T>(fn: () => T | undefined | false, what: string, timeoutMs = 10000, intervalMs = 20): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface LogMessage {
  readonly type: number;
  readonly message: string;
}

export interface ServerOptions {
  /** Node options placed before the CLI (e.g. `--require` of a preload). */
  readonly nodeArgs?: readonly string[];
  /** Answers `workspace/configuration` requests (one value per requested item). */
  readonly configuration?: (items: readonly { section?: string }[]) => unknown[];
}

/** A running server process and the client side of its connection. */
export interface TestServer {
  readonly child: ChildProcess;
  readonly conn: MessageConnection;
  /** Every publishDiagnostics notification, in arrival order. */
  readonly published: PublishDiagnosticsParams[];
  /** Every window/logMessage notification, in arrival order. */
  readonly logs: LogMessage[];
  /** What the process wrote to stderr so far. */
  stderr(): string;
  /** The exit code or signal once the process has exited. */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** The last publish for `uri` (for `version` when given). */
  latest(uri: string, version?: number): PublishDiagnosticsParams | undefined;
  /** shutdown + exit when possible, then kill; never throws. */
  stop(): Promise<void>;
}

/** Spawns the bundled server over stdio and starts listening (not yet initialized). */
export function startTestServer(options: ServerOptions = {}): TestServer {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => (stderr += s));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.on('exit', (code, signal) => (exit = { code, signal }));
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const published: PublishDiagnosticsParams[] = [];
  const logs: LogMessage[] = [];
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => published.push(p));
  conn.onNotification('window/logMessage', (m: LogMessage) => logs.push(m));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => (options.configuration ? options.configuration(p.items) : p.items.map(() => null)));
  conn.listen();
  return {
    child,
    conn,
    published,
    logs,
    stderr: () => stderr,
    exited: () => exit,
    latest(uri, version) {
      for (let i = published.length - 1; i >= 0; i--) {
        const p = published[i]!;
        if (p.uri === uri && (version === undefined || p.version === version)) return p;
      }
      return undefined;
    },
    async stop() {
      try {
        if (!exit) {
          await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
          await conn.sendNotification('exit');
        }
      } catch {
        // The server may already be gone.
      }
      conn.dispose();
      if (!exit) child.kill();
    },
  };
}
