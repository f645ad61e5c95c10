/**
 * The LSP adapter: the only engine-side module (with main.ts) that knows the LSP connection. It
 * owns document syncing, the parse cache, debounced validation, settings and cancellation, and
 * forwards every request to the language service through `runSafe`.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Connection,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeResult,
  type CancellationToken,
  type CompletionItem,
  type CompletionList,
  ResponseError,
  ErrorCodes,
  LSPErrorCodes,
  DidChangeConfigurationNotification,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { getLanguageService } from './languageService';
import type { FileReader, UnitDocument } from './model/unit';
import { CONFIG_SECTION, DEFAULT_SETTINGS, parseSettings } from './settings';
import { effect, planToJson } from './cli/preview';
import { disassemble } from './seccomp/disasm';
import { LruCache } from './lru';

/** Custom request of the preview panel: `{ uri }` → the `unit-harden preview --json` object plus each filter's disassembly, or null. */
export const PREVIEW_REQUEST = 'unitHarden/preview';

/**
 * A completion answer with the shared replace range sent once (LSP 3.17 `itemDefaults.editRange`)
 * when the client supports it and every item replaces that range with its label: a value
 * completion lists hundreds of syscalls, and the range was most of each item's bytes. The client
 * rebuilds `textEdit: { range: editRange, newText: label }` for each item, so the edits are the same.
 */
export function withEditRangeDefault(items: CompletionItem[]): CompletionItem[] | CompletionList {
  const first = items[0]?.textEdit;
  if (items.length < 2 || !first || !('range' in first)) return items;
  const r = first.range;
  const same = items.every((i) => {
    const e = i.textEdit;
    return (
      e !== undefined &&
      'range' in e &&
      e.newText === i.label &&
      i.insertText === undefined &&
      i.textEditText === undefined &&
      e.range.start.line === r.start.line &&
      e.range.start.character === r.start.character &&
      e.range.end.line === r.end.line &&
      e.range.end.character === r.end.character
    );
  });
  if (!same) return items;
  return {
    isIncomplete: false,
    itemDefaults: { editRange: r },
    items: items.map((i) => {
      const { textEdit: _edit, ...rest } = i;
      return rest;
    }),
  };
}

/**
 * Runs a request handler: an exception is logged and answers that one request with an
 * InternalError (the server and every other request carry on); cancellation is honoured.
 */
export function runSafe<T>(connection: Pick<Connection, 'console'>, fn: () => T, what: string, token?: CancellationToken): T | ResponseError<void> {
  if (token?.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'Request cancelled');
  try {
    const result = fn();
    if (token?.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'Request cancelled');
    return result;
  } catch (err) {
    connection.console.error(`Error while computing ${what}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return new ResponseError(ErrorCodes.InternalError, `unit-harden: internal error while computing ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function uriToPath(uri: string): string {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const service = getLanguageService(DEFAULT_SETTINGS);
  // The parse cache: uri → the unit parsed from one version of it. Only the most recently used
  // few units are kept: a unit holds its parse tree and (through analysis.ts's WeakMap) its
  // filter plan, BPF programs and cost model, which is most of a document's memory. Any other
  // document is parsed and planned again when a request needs it, with the same result, since
  // parsing and planning are pure functions of the text, the drop-ins and the settings.
  const CACHED_UNITS = 8;
  const cache = new LruCache<string, { version: number; unit: UnitDocument }>(CACHED_UNITS);
  const pending = new Map<string, NodeJS.Timeout>();
  let supportsConfiguration = false;
  let supportsEditRangeDefault = false;
  const VALIDATION_DELAY_MS = 150;

  // Drop-ins are read from disk, but an open editor buffer wins over the file on disk.
  const reader: FileReader = {
    listDir(dir) {
      try {
        // Most units have none of the drop-in directories findDropins() looks for: stat without
        // throwing first, since readdirSync's ENOENT error (with its stack trace) was a few KB
        // of garbage per directory and validation.
        if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return undefined;
        return fs.readdirSync(dir);
      } catch {
        return undefined;
      }
    },
    readFile(file) {
      const open = documents.all().find((d) => uriToPath(d.uri) === file);
      if (open) return open.getText();
      try {
        const stat = fs.statSync(file);
        // Drop-ins are small; a huge or special file is not one.
        if (!stat.isFile() || stat.size > 1024 * 1024) return undefined;
        return fs.readFileSync(file, 'utf8');
      } catch {
        return undefined;
      }
    },
  };

  const unitOf = (doc: TextDocument): UnitDocument => {
    const hit = cache.get(doc.uri);
    if (hit && hit.version === doc.version) return hit.unit;
    const isFile = doc.uri.startsWith('file:');
    const unit = service.parseUnit(doc, uriToPath(doc.uri), isFile ? reader : undefined);
    cache.set(doc.uri, { version: doc.version, unit });
    return unit;
  };

  const validate = (uri: string): void => {
    const doc = documents.get(uri);
    if (!doc) return;
    const version = doc.version;
    let diagnostics;
    try {
      diagnostics = service.doValidation(doc, unitOf(doc));
    } catch (err) {
      connection.console.error(`Validation failed for ${uri}: ${String(err)}`);
      return;
    }
    // Never publish diagnostics for a version that is no longer current.
    const now = documents.get(uri);
    if (!now || now.version !== version) return;
    void connection.sendDiagnostics({ uri, version, diagnostics });
  };

  const schedule = (uri: string, delay = VALIDATION_DELAY_MS): void => {
    const t = pending.get(uri);
    if (t) clearTimeout(t);
    pending.set(
      uri,
      setTimeout(() => {
        pending.delete(uri);
        validate(uri);
      }, delay),
    );
  };

  /**
   * A drop-in was opened, changed or closed: the units beside it see different merged values.
   * Only a `.conf` file in a `*.d` directory can be one (model/unit.ts findDropins), so any other
   * document returns at once: opening or editing a unit must not revalidate every open unit of
   * its directory (with a directory of hundreds of open units, that was hundreds of validations
   * per open or edit, none of which could change).
   */
  const revalidateRelated = (changedUri: string): void => {
    const changed = uriToPath(changedUri);
    if (!changed.endsWith('.conf') || !path.basename(path.dirname(changed)).endsWith('.d')) return;
    for (const d of documents.all()) {
      if (d.uri === changedUri) continue;
      const p = uriToPath(d.uri);
      if (changed.startsWith(path.dirname(p) + path.sep)) {
        cache.delete(d.uri);
        schedule(d.uri);
      }
    }
  };

  const refreshSettings = async (): Promise<void> => {
    if (!supportsConfiguration) return;
    try {
      const raw: unknown = await connection.workspace.getConfiguration(CONFIG_SECTION);
      service.configure(parseSettings(raw, (m) => connection.console.warn(m)));
      for (const m of service.target.messages) if (m.severity !== 'info') connection.console.warn(`Target: ${m.message}`);
    } catch (err) {
      connection.console.error(`Could not read settings: ${String(err)}`);
    }
    for (const d of documents.all()) schedule(d.uri, 0);
  };

  connection.onInitialize((params): InitializeResult => {
    supportsConfiguration = params.capabilities.workspace?.configuration === true;
    supportsEditRangeDefault = params.capabilities.textDocument?.completion?.completionList?.itemDefaults?.includes('editRange') === true;
    const init = params.initializationOptions as { settings?: unknown } | undefined;
    if (init?.settings !== undefined) service.configure(parseSettings(init.settings, (m) => connection.console.warn(m)));
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['=', '[', ' ', '@', '~', ':'] },
        codeActionProvider: { codeActionKinds: ['quickfix', 'refactor.rewrite'] },
        documentSymbolProvider: true,
        codeLensProvider: { resolveProvider: false },
        foldingRangeProvider: true,
      },
      serverInfo: { name: 'unit-harden', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (supportsConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: CONFIG_SECTION }).catch(() => undefined);
      void refreshSettings();
    }
  });

  connection.onDidChangeConfiguration((change) => {
    if (supportsConfiguration) {
      void refreshSettings();
      return;
    }
    const settings = (change.settings as Record<string, unknown> | undefined)?.[CONFIG_SECTION];
    service.configure(parseSettings(settings, (m) => connection.console.warn(m)));
    for (const d of documents.all()) schedule(d.uri, 0);
  });

  // TextDocuments fires onDidChangeContent for an open too (right after onDidOpen): an opened
  // document is validated after the same debounce as an edit, so that a request sent right after
  // the open (a hover, the code lens) is answered before a long validation of a big file starts.
  documents.onDidChangeContent((e) => {
    schedule(e.document.uri);
    revalidateRelated(e.document.uri);
  });
  documents.onDidClose((e) => {
    const t = pending.get(e.document.uri);
    if (t) clearTimeout(t);
    pending.delete(e.document.uri);
    cache.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    revalidateRelated(e.document.uri);
  });

  connection.onHover((params, token) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    return runSafe(connection, () => service.doHover(doc, params.position, unitOf(doc)), 'hover', token);
  });

  connection.onCompletion((params, token) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    return runSafe<CompletionItem[] | CompletionList>(
      connection,
      () => {
        const items = service.doComplete(doc, params.position, unitOf(doc));
        return supportsEditRangeDefault ? withEditRangeDefault(items) : items;
      },
      'completion',
      token,
    );
  });

  connection.onCodeAction((params, token) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    return runSafe(connection, () => service.doCodeActions(doc, params.range, params.context.diagnostics, unitOf(doc)), 'code actions', token);
  });

  connection.onCodeLens((params, token) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    return runSafe(connection, () => service.getCodeLenses(doc, unitOf(doc)), 'code lenses', token);
  });

  connection.onDocumentSymbol((params, token) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    return runSafe(connection, () => service.findDocumentSymbols(doc, unitOf(doc)), 'document symbols', token);
  });

  connection.onFoldingRanges((params, token) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    return runSafe(connection, () => service.getFoldingRanges(doc, unitOf(doc)), 'folding ranges', token);
  });

  connection.onRequest(PREVIEW_REQUEST, (params: { uri?: unknown } | undefined, token: CancellationToken) => {
    const uri = typeof params?.uri === 'string' ? params.uri : undefined;
    const doc = uri !== undefined ? documents.get(uri) : undefined;
    if (!doc) return null;
    return runSafe(
      connection,
      () => {
        const unit = unitOf(doc);
        const analysis = service.analyze(unit);
        if (!analysis) {
          const messages = service.target.messages.map((m) => m.message);
          return { unit: unit.unitName, uri: doc.uri, version: doc.version, error: `No target: ${messages.join('; ') || 'the settings describe no systemd target'}` };
        }
        const json = planToJson(analysis.plan, unit.unitName);
        const filters = (json['filters'] as Record<string, unknown>[]).map((f, i) => {
          const planned = analysis.plan.filters[i];
          // `effect`: the CLI table's "Default ← rules" cell; `disasm`: the BPF program as `preview --disasm` prints it.
          return { ...f, effect: planned ? effect(planned) : null, disasm: planned?.program ? disassemble(planned.program) : null };
        });
        return { ...json, filters, cost: analysis.cost() ?? {}, preset: analysis.target.preset ?? null, uri: doc.uri, version: doc.version };
      },
      'preview',
      token,
    );
  });

  documents.listen(connection);
  connection.listen();
}
