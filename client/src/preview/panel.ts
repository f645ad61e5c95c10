/**
 * The "Preview seccomp filters" webview panels: one per unit URI, opened beside the unit, kept
 * live by asking the server (`unitHarden/preview`) again after each edit (debounced), after a
 * settings change and after the server (re)starts. The page itself is built by html.ts from the
 * server's answer. Panels survive a window reload: the page keeps its unit's URI in the webview
 * state and `deserializeWebviewPanel` (registered as the panel serializer) binds the restored
 * panel to that unit again, or explains that the unit is gone (state.ts decides which).
 */

import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CONFIG_SECTION, LANGUAGE_ID, PREVIEW_REQUEST, PREVIEW_VIEW_TYPE } from '../constants';
import { buildPreviewHtml } from './html';
import { planRestore } from './state';
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

/** Webview options of every preview panel, new or restored. */
const WEBVIEW_OPTIONS: vscode.WebviewOptions & vscode.WebviewPanelOptions = { enableScripts: true, localResourceRoots: [], enableFindWidget: true };

/** Whether `uri` can still be opened: an untitled document only while it is open, anything else if it stats. */
async function unitExists(uri: string): Promise<boolean> {
  const u = vscode.Uri.parse(uri);
  if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === u.toString())) return true;
  if (u.scheme === 'untitled') return false;
  try {
    await vscode.workspace.fs.stat(u);
    return true;
  } catch {
    return false;
  }
}

export class PreviewPanels implements vscode.Disposable, vscode.WebviewPanelSerializer {
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
      WEBVIEW_OPTIONS,
    );
    await this.refresh(this.attach(panel, doc.uri));
    return panel;
  }

  /**
   * VS Code calls this after a window reload for each preview panel that was open, with the state
   * the page saved (html.ts). The panel is bound to its unit again and stays live; if the unit is
   * gone, or the state does not name one, the panel says so instead.
   */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    panel.webview.options = WEBVIEW_OPTIONS;
    const plan = await planRestore(state, unitExists);
    if (plan.kind === 'attach') {
      try {
        // The server only knows open documents.
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(plan.uri));
        const existing = this.entries.get(doc.uri.toString());
        if (existing && existing.panel !== panel) {
          // Already previewed (e.g. the command ran before the restore finished): keep one panel.
          panel.dispose();
          existing.panel.reveal(undefined, true);
          return;
        }
        panel.title = `Seccomp: ${path.basename(doc.uri.path)}`;
        await this.refresh(this.attach(panel, doc.uri));
        return;
      } catch (err) {
        this.showStatic(panel, `Seccomp: ${path.basename(vscode.Uri.parse(plan.uri).path)}`, `${plan.uri} cannot be opened: ${err instanceof Error ? err.message : String(err)}`, plan.uri);
        return;
      }
    }
    this.showStatic(panel, plan.title, plan.message, plan.uri);
  }

  /** Asks the server again for every open preview (e.g. once a restarted server is running). */
  refreshAll(delay = 0): void {
    for (const entry of this.entries.values()) this.schedule(entry, delay);
  }

  /** Makes `panel` the live preview of `uri` and shows the "planning" page until the first answer. */
  private attach(panel: vscode.WebviewPanel, uri: vscode.Uri): Entry {
    const key = uri.toString();
    const entry: Entry = { uri, panel, timer: undefined, seq: 0, html: '' };
    this.entries.set(key, entry);
    this.render(entry, null, 'Planning the seccomp filters…');
    panel.onDidDispose(() => {
      if (entry.timer) clearTimeout(entry.timer);
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(entry, m));
    return entry;
  }

  /** A panel that is not bound to a unit: only `message`. It keeps `uri` in its state, so a later reload says the same. */
  private showStatic(panel: vscode.WebviewPanel, title: string, message: string, uri?: string): void {
    panel.title = title;
    panel.webview.html = buildPreviewHtml(null, { nonce: nonce(), cspSource: panel.webview.cspSource, message, ...(uri !== undefined ? { uri } : {}) });
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
    const opts = { cspSource: entry.panel.webview.cspSource, uri: entry.uri.toString(), ...(message !== undefined ? { message } : {}) };
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
