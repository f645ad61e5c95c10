/**
 * Helpers the extension-host checks share: a scratch folder inside the opened workspace (or a temp
 * folder), copies of the bundled example units, opening documents, reading our diagnostics, the
 * extension's exported API, and the language server's process as the operating system sees it.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { UnitHardenApi } from '../../../client/src/extension';
import { waitFor } from './harness';

/** The repository root, from out/test/e2e/suite/ (the compiled location of this file). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const EXTENSION_ID = 'unit-harden.unit-harden';
export const LANGUAGE_ID = 'systemd-unit';
export const SOURCE = 'unit-harden';

let scratch: string | undefined;

/** A fresh folder for this run: inside the first workspace folder when there is one. */
export function scratchDir(): string {
  if (!scratch) {
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri;
    const base = ws && ws.scheme === 'file' ? ws.fsPath : os.tmpdir();
    scratch = fs.mkdtempSync(path.join(base, 'e2e-'));
  }
  return scratch;
}

/** Writes `text` to `rel` under the scratch folder and returns its URI. */
export function writeFile(rel: string, text: string): vscode.Uri {
  const file = path.join(scratchDir(), rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return vscode.Uri.file(file);
}

/** Copies examples/<name> into the scratch folder (under `subdir`) and returns the copy's URI. */
export function copyExample(name: string, subdir = ''): vscode.Uri {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'examples', name), 'utf8');
  return writeFile(path.join(subdir, name), text);
}

export function exampleText(name: string): string {
  return fs.readFileSync(path.join(REPO_ROOT, 'examples', name), 'utf8');
}

/** Opens and shows a document (the language client only syncs open documents). */
export async function open(uri: vscode.Uri): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

export function codeOf(d: vscode.Diagnostic): string | number | undefined {
  return typeof d.code === 'object' ? d.code.value : d.code;
}

/** Our diagnostics for `uri` (other extensions' are ignored). */
export function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

/** Compact form for assertions and error messages: "line:code" with 0-based lines. */
export function summary(ds: readonly vscode.Diagnostic[]): string[] {
  return ds.map((d) => `${d.range.start.line}:${String(codeOf(d))}`).sort();
}

/** Waits until our diagnostics for `uri` satisfy `pred`, and returns them. */
export function waitForDiagnostics(uri: vscode.Uri, what: string, pred: (ds: vscode.Diagnostic[]) => boolean, timeoutMs = 20_000): Promise<vscode.Diagnostic[]> {
  return waitFor(
    `${what} (${path.basename(uri.fsPath)})`,
    () => {
      const ds = ours(uri);
      return pred(ds) ? ds : undefined;
    },
    { timeoutMs, describe: () => summary(ours(uri)) },
  );
}

/** Text of a hover's contents, whatever shape the provider chose. */
export function hoverText(h: vscode.Hover): string {
  return h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
}

export function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

/** The extension's exported API (what `activate` returned); activates the extension if needed. */
export async function extensionApi(): Promise<UnitHardenApi> {
  const ext = vscode.extensions.getExtension<UnitHardenApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not known to VS Code`);
  const api = ext.isActive ? ext.exports : await ext.activate();
  if (!api || typeof api.previewSerializer?.deserializeWebviewPanel !== 'function') throw new Error(`the extension exports no preview serializer: ${String(api)}`);
  return api;
}

/**
 * PIDs of the live language servers of this extension: the extension host's child processes (the
 * checks run in the extension host itself) whose command line runs this extension's dist/server.js.
 * Read from /proc, so it is what the operating system sees, not what the client believes. Linux only.
 */
export function serverPids(): number[] {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not known to VS Code`);
  if (!fs.existsSync('/proc/self/stat')) throw new Error('no /proc: finding the server process needs Linux');
  const scripts = new Set([path.join(ext.extensionPath, 'dist', 'server.js'), path.join(fs.realpathSync(ext.extensionPath), 'dist', 'server.js')]);
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the parenthesised command name: state, ppid, ...
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z' || Number(rest[1]) !== process.pid) continue;
      const argv = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => scripts.has(a))) pids.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids.sort((a, b) => a - b);
}

/** Waits until exactly one server process runs and, with `not`, it is not that one; returns its pid. */
export function waitForServerPid(what: string, not?: number, timeoutMs = 20_000): Promise<number> {
  return waitFor(
    what,
    () => {
      const pids = serverPids();
      return pids.length === 1 && pids[0] !== not ? pids[0] : undefined;
    },
    { timeoutMs, describe: () => ({ serverPids: serverPids(), extensionHost: process.pid, not }) },
  );
}

/** Whether a process with this pid is alive (and not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
