/**
 * The façade of the engine: everything the LSP adapter and the CLI call. It parses units, lints
 * them, and answers hover, completion, code actions, symbols and folding. Pure: no IO (a reader
 * for drop-ins is passed in), no LSP connection; only LSP *types* cross this boundary.
 */

import {
  type CodeAction,
  type CodeLens,
  CodeActionKind,
  type CompletionItem,
  CompletionItemKind,
  type Diagnostic,
  type DocumentSymbol,
  type FoldingRange,
  FoldingRangeKind,
  type Hover,
  InsertTextFormat,
  MarkupKind,
  type Position,
  type Range,
  SymbolKind,
  TextEdit,
} from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { directivesInSection, isAvailableIn, lookupDirective, manPageUrl, sectionsForUnitType } from './model/directives';
import { docsFor } from './model/directiveDocs';
import { SPECIFIERS } from './model/specifiers';
import { loadUnit, type FileReader, type LoadOptions, type UnitDocument } from './model/unit';
import { nodeAt, sectionAt } from './parser/query';
import type { Span } from './parser/nodes';
import { lintUnit } from './lint/linter';
import { LineIndex } from './lineIndex';
import { seccompHover } from './hover/seccompHover';
import { valueCompletions } from './completion/valueCompletion';
import { mergeFilterLinesAction, seccompCodeActions, seccompContextActions } from './actions/seccompActions';
import { seccompCodeLenses } from './codeLens';
import { DEFAULT_SETTINGS, type Settings } from './settings';
import { analyzeUnit, targetFromSettings, type TargetResolution, type UnitAnalysis } from './analysis';

export interface LanguageService {
  /** Parses a document (and its drop-ins when a reader is given). */
  parseUnit(doc: TextDocument, path: string, reader?: FileReader, options?: LoadOptions): UnitDocument;
  doValidation(doc: TextDocument, unit: UnitDocument): Diagnostic[];
  doHover(doc: TextDocument, position: Position, unit: UnitDocument): Hover | null;
  doComplete(doc: TextDocument, position: Position, unit: UnitDocument): CompletionItem[];
  doCodeActions(doc: TextDocument, range: Range, diagnostics: readonly Diagnostic[], unit: UnitDocument): CodeAction[];
  findDocumentSymbols(doc: TextDocument, unit: UnitDocument): DocumentSymbol[];
  getCodeLenses(doc: TextDocument, unit: UnitDocument): CodeLens[];
  getFoldingRanges(doc: TextDocument, unit: UnitDocument): FoldingRange[];
  configure(settings: Settings): void;
  readonly settings: Settings;
  /** The target the settings describe, with any problem resolving it. */
  readonly target: TargetResolution;
  /** The filter plan and cost of a unit for the configured target (memoised per unit object). */
  analyze(unit: UnitDocument): UnitAnalysis | undefined;
}

function rangeOf(doc: TextDocument, span: Span): Range {
  return { start: doc.positionAt(span.offset), end: doc.positionAt(span.offset + span.length) };
}

/**
 * Files larger than this are analysed only up to the last line break before the limit, with a
 * `file-too-large` diagnostic: real unit files are a few kilobytes, and an editor must stay
 * responsive on a log or binary opened by mistake.
 */
export const MAX_ANALYSED_LENGTH = 256 * 1024;

export function getLanguageService(initial: Settings = DEFAULT_SETTINGS): LanguageService {
  let settings = initial;
  let resolution: TargetResolution = targetFromSettings(settings);
  // NOTE: a target the settings cannot describe falls back to Debian 12's systemd for name checks.
  const version = (): number => resolution.target?.major ?? 252;
  const analysisOf = (unit: UnitDocument): UnitAnalysis | undefined => (resolution.target ? analyzeUnit(unit, resolution.target) : undefined);

  const service: LanguageService = {
    get settings() {
      return settings;
    },
    configure(next) {
      settings = next;
      resolution = targetFromSettings(next);
    },
    get target() {
      return resolution;
    },
    analyze(unit) {
      return analysisOf(unit);
    },

    parseUnit(doc, path, reader, options) {
      return loadUnit(path, doc.getText(), reader, { maxLength: MAX_ANALYSED_LENGTH, ...options });
    },

    doValidation(doc, unit) {
      // Positions from a LineIndex of the text: the same answers as doc.positionAt(), without
      // the document's character-by-character line table (seconds for a 10 MB file).
      return lintUnit(unit, new LineIndex(doc.getText()), { systemdVersion: version(), severities: settings.rules, analysis: () => analysisOf(unit) });
    },

    doHover(doc, position, unit) {
      const seccomp = seccompHover(doc, position, analysisOf(unit));
      if (seccomp) return seccomp;
      const offset = doc.offsetAt(position);
      const node = nodeAt(unit.main, offset);
      if (node.kind === 'key') {
        const a = node.assignment;
        const section = a.section?.name;
        const info = section ? lookupDirective(section, a.key) : undefined;
        if (!info) return null;
        const lines: string[] = [];
        const since = info.since !== undefined ? ` · since systemd ${info.since}` : '';
        lines.push(`**${info.name}=** · [${info.sections.join('], [')}]${since}`);
        lines.push('');
        lines.push(info.description);
        if (!isAvailableIn(info, version())) {
          lines.push('');
          lines.push(`⚠ systemd ${resolution.target?.systemd ?? version()} does not know this directive and ignores it.`);
        }
        if (info.replacedBy) {
          lines.push('');
          lines.push(`Deprecated: use \`${info.replacedBy}=\`.`);
        }
        const docs = docsFor(info.name);
        if (docs) {
          lines.push('');
          lines.push(docs);
        }
        lines.push('');
        lines.push(`[systemd documentation](${manPageUrl(info)})`);
        return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, range: rangeOf(doc, a.keySpan) };
      }
      if (node.kind === 'value') {
        const spec = node.assignment.specifiers.find((sp) => offset >= sp.span.offset && offset <= sp.span.offset + sp.span.length);
        if (spec) {
          const meaning = SPECIFIERS[spec.letter];
          const text = meaning
            ? `**%${spec.letter}**: ${meaning}. Expanded where the directive's parser expands specifiers.`
            : `**%${spec.letter}** is not a specifier systemd knows: where specifiers are expanded, systemd rejects the value.`;
          return { contents: { kind: MarkupKind.Markdown, value: text }, range: rangeOf(doc, spec.span) };
        }
      }
      if (node.kind === 'section-header') {
        const s = node.section;
        const allowed = sectionsForUnitType(unit.unitType);
        const text = s.extension
          ? `**[${s.name}]**: an extension section; systemd ignores it.`
          : s.ignored
            ? `**[${s.name}]**: not a section of ${unit.unitType ? `.${unit.unitType}` : 'this'} units (${allowed.map((x) => `[${x}]`).join(', ')}); systemd ignores it.`
            : `**[${s.name}]**: ${s.assignments.length} assignment${s.assignments.length === 1 ? '' : 's'}.`;
        return { contents: { kind: MarkupKind.Markdown, value: text }, range: rangeOf(doc, s.headerSpan) };
      }
      return null;
    },

    doComplete(doc, position, unit) {
      const values = valueCompletions(doc, position, unit, resolution.target);
      if (values) return values;
      const offset = doc.offsetAt(position);
      const lineStart = doc.offsetAt({ line: position.line, character: 0 });
      const before = doc.getText().slice(lineStart, offset);
      const items: CompletionItem[] = [];
      if (/^\s*\[?[A-Za-z-]*$/.test(before) && before.trimStart().startsWith('[')) {
        for (const s of sectionsForUnitType(unit.unitType)) {
          items.push({ label: `[${s}]`, kind: CompletionItemKind.Module, insertText: `${s}]`, filterText: `[${s}]` });
        }
        return items;
      }
      if (/^\s*[A-Za-z0-9-]*$/.test(before)) {
        const section = sectionAt(unit.main, offset);
        if (!section) return items;
        const replaceStart = lineStart + (before.length - before.trimStart().length);
        const range: Range = { start: doc.positionAt(replaceStart), end: position };
        for (const info of directivesInSection(section.name)) {
          if (!isAvailableIn(info, version()) || info.replacedBy) continue;
          items.push({
            label: info.name,
            kind: CompletionItemKind.Property,
            detail: info.since !== undefined ? `since systemd ${info.since}` : undefined,
            documentation: { kind: MarkupKind.Markdown, value: info.description },
            textEdit: TextEdit.replace(range, `${info.name}=$0`),
            insertTextFormat: InsertTextFormat.Snippet,
            filterText: info.name,
          } as CompletionItem);
        }
        return items;
      }
      const node = nodeAt(unit.main, offset);
      if (node.kind === 'value' || node.kind === 'none') {
        const a = node.kind === 'value' ? node.assignment : undefined;
        const info = a?.section ? lookupDirective(a.section.name, a.key) : undefined;
        if (info?.values) {
          for (const v of info.values) items.push({ label: v, kind: CompletionItemKind.EnumMember });
        }
      }
      return items;
    },

    doCodeActions(doc, range, diagnostics, unit) {
      const actions: CodeAction[] = [...seccompCodeActions(doc, diagnostics, analysisOf(unit)), ...seccompContextActions(doc, range, analysisOf(unit)), ...mergeFilterLinesAction(doc, range, analysisOf(unit))];
      for (const d of diagnostics) {
        const data = (d.data ?? {}) as Record<string, unknown>;
        const replacement = typeof data['replacement'] === 'string' ? data['replacement'] : undefined;
        switch (d.code) {
          case 'unknown-directive':
          case 'misspelled-hardening-directive':
          case 'deprecated-directive':
          case 'directive-not-in-version':
            if (replacement) {
              actions.push({
                title: `Replace with ${replacement}=`,
                kind: CodeActionKind.QuickFix,
                diagnostics: [d],
                isPreferred: true,
                edit: { changes: { [doc.uri]: [TextEdit.replace(d.range, replacement)] } },
              });
            }
            break;
          case 'duplicate-directive': {
            const offset = doc.offsetAt(d.range.start);
            const a = unit.main.assignments.find((x) => x.keySpan.offset === offset);
            if (a) {
              const start = doc.positionAt(a.span.offset);
              const endLine = doc.positionAt(a.span.offset + a.span.length).line;
              actions.push({
                title: `Remove the overridden ${a.key}= line`,
                kind: CodeActionKind.QuickFix,
                diagnostics: [d],
                edit: { changes: { [doc.uri]: [TextEdit.del({ start: { line: start.line, character: 0 }, end: { line: endLine + 1, character: 0 } })] } },
              });
            }
            break;
          }
          default:
            break;
        }
      }
      return actions;
    },

    getCodeLenses(doc, unit) {
      if (!settings.codeLens.enable) return [];
      return seccompCodeLenses(doc, analysisOf(unit));
    },

    findDocumentSymbols(doc, unit) {
      return unit.main.sections.map((s) => ({
        name: `[${s.name}]`,
        kind: SymbolKind.Namespace,
        range: rangeOf(doc, s.span),
        selectionRange: rangeOf(doc, s.headerSpan),
        children: s.assignments.map((a) => ({
          name: a.key,
          detail: a.value.length > 60 ? `${a.value.slice(0, 57)}…` : a.value,
          kind: SymbolKind.Property,
          range: rangeOf(doc, a.span),
          selectionRange: rangeOf(doc, a.keySpan),
        })),
      }));
    },

    getFoldingRanges(doc, unit) {
      const ranges: FoldingRange[] = [];
      for (const s of unit.main.sections) {
        const start = doc.positionAt(s.headerSpan.offset).line;
        const end = doc.positionAt(s.span.offset + s.span.length).line;
        if (end > start) ranges.push({ startLine: start, endLine: end, kind: FoldingRangeKind.Region });
      }
      // Runs of consecutive comment lines fold too.
      let runStart = -1;
      let prev = -2;
      const flush = (): void => {
        if (runStart >= 0 && prev > runStart) ranges.push({ startLine: runStart, endLine: prev, kind: FoldingRangeKind.Comment });
      };
      for (const c of unit.main.comments) {
        const line = doc.positionAt(c.span.offset).line;
        if (line !== prev + 1) {
          flush();
          runStart = line;
        }
        prev = line;
      }
      flush();
      return ranges;
    },
  };
  return service;
}
