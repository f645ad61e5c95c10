/**
 * Helpers the extension-host checks share: a scratch folder inside the opened workspace (or a temp
 * folder), copies of the bundled example units, opening documents, reading our diagnostics, and the
 * extension's exported API.
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
