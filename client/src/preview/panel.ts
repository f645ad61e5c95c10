/**
 * The "Preview seccomp filters" webview panels: one per unit URI, opened beside the unit, kept
 * live by asking the server (`unitHarden/preview`) again after each edit (debounced) and after a
 * settings change. The page itself is built by html.ts from the server's answer.
 */

import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CONFIG_SECTION, LANGUAGE_ID, PREVIEW_REQUEST, PREVIEW_VIEW_TYPE } from '../constants';
import { buildPreviewHtml } from './html';
import type { PreviewData } from './types';

const EDIT_DELAY_MS = 300;
/** The server re-reads its settings when they change; give it a moment before asking again. */
const SETTINGS_DELAY_MS = 500;

interface Entry {
  readonly uri: vscode.Uri;
  readonly panel: vscode.WebviewPanel;
  timer: NodeJS.Timeout | undefined;
  /** Sequence number of the newest request; older answers are dropped. */
  seq: number;
  /** The last page shown, so an identical answer does not reload the webview. */
  html: string;
}

function nonce(): string {
  return crypto.randomBytes(16).toString('hex');
}

export class PreviewPanels implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly client: () => LanguageClient | undefined) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0 || this.entries.size === 0) return;
        const key = e.document.uri.toString();
        const own = this.entries.get(key);
        if (own) this.schedule(own, EDIT_DELAY_MS);
        else if (e.document.languageId === LANGUAGE_ID) {
          // A drop-in (or another unit) changed: the merged values of the previewed units may have too.
          for (const entry of this.entries.values()) this.schedule(entry, EDIT_DELAY_MS);
        }
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(CONFIG_SECTION)) return;
        for (const entry of this.entries.values()) this.schedule(entry, SETTINGS_DELAY_MS);
      }),
    );
  }

  /** Opens (or reveals) the preview of `arg` (a URI or its string), else of the active editor's unit. */
  async show(arg?: unknown): Promise<vscode.WebviewPanel | undefined> {
    let uri: vscode.Uri | undefined;
    if (arg instanceof vscode.Uri) uri = arg;
    else if (typeof arg === 'string' && arg.length > 0) uri = vscode.Uri.parse(arg);
    else uri = vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void vscode.window.showInformationMessage('Unit Harden: open a systemd unit file to preview its seccomp filters.');
      return undefined;
    }
    // The server only knows open documents.
    const doc = await vscode.workspace.openTextDocument(uri);
    const key = doc.uri.toString();
    const existing = this.entries.get(key);
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      this.schedule(existing, 0);
      return existing.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      PREVIEW_VIEW_TYPE,
      `Seccomp: ${path.basename(doc.uri.path)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [], enableFindWidget: true },
    );
    const entry: Entry = { uri: doc.uri, panel, timer: undefined, seq: 0, html: '' };
    this.entries.set(key, entry);
    this.render(entry, null, 'Planning the seccomp filters…');
    panel.onDidDispose(() => {
      if (entry.timer) clearTimeout(entry.timer);
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(entry, m));
    await this.refresh(entry);
    return panel;
  }

  /** The open preview panels' document URIs (for tests and the code lens). */
  get uris(): string[] {
    return [...this.entries.keys()];
  }

  private schedule(entry: Entry, delay: number): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void this.refresh(entry);
    }, delay);
  }

  private async refresh(entry: Entry): Promise<void> {
    const seq = ++entry.seq;
    const client = this.client();
    let data: PreviewData | null = null;
    let message: string | undefined;
    if (!client || !client.isRunning()) {
      message = 'The Unit Harden language server is not running; the preview updates when it is.';
      // Try again shortly: the server may still be starting.
      if (this.entries.get(entry.uri.toString()) === entry) this.schedule(entry, 1000);
    } else {
      try {
        data = await client.sendRequest<PreviewData | null>(PREVIEW_REQUEST, { uri: entry.uri.toString() });
        if (data === null) message = `${path.basename(entry.uri.path)} is not open as a systemd unit file (language ${LANGUAGE_ID}).`;
      } catch (err) {
        message = `The preview request failed: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    if (seq !== entry.seq || this.entries.get(entry.uri.toString()) !== entry) return;
    this.render(entry, data, message);
  }

  private render(entry: Entry, data: PreviewData | null, message: string | undefined): void {
    const opts = { cspSource: entry.panel.webview.cspSource, ...(message !== undefined ? { message } : {}) };
    // Compare with a fixed nonce so an unchanged answer does not reload the page (and lose its scroll position).
    const page = buildPreviewHtml(data, { ...opts, nonce: '0' });
    if (page === entry.html) return;
    entry.html = page;
    entry.panel.webview.html = buildPreviewHtml(data, { ...opts, nonce: nonce() });
  }

  private async onMessage(entry: Entry, m: unknown): Promise<void> {
    if (typeof m !== 'object' || m === null) return;
    const msg = m as { type?: unknown; line?: unknown; file?: unknown };
    if (msg.type !== 'reveal' || typeof msg.line !== 'number' || !Number.isInteger(msg.line) || msg.line < 1) return;
    let target = entry.uri;
    if (typeof msg.file === 'string' && msg.file.length > 0 && entry.uri.scheme === 'file') {
      const file = path.isAbsolute(msg.file) ? msg.file : path.resolve(path.dirname(entry.uri.fsPath), msg.file);
      if (file !== entry.uri.fsPath) target = vscode.Uri.file(file);
    }
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === target.toString());
    const pos = new vscode.Position(msg.line - 1, 0);
    try {
      await vscode.window.showTextDocument(target, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection: new vscode.Range(pos, pos) });
    } catch (err) {
      void vscode.window.showWarningMessage(`Unit Harden: cannot open ${target.fsPath || target.toString()}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  dispose(): void {
    for (const e of [...this.entries.values()]) e.panel.dispose();
    this.entries.clear();
    for (const d of this.disposables) d.dispose();
  }
}
