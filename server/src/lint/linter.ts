/**
 * Runs the lint rules over a loaded unit and turns their findings into LSP diagnostics for the
 * file being edited. Findings carry offsets; positions are computed here through the document.
 */

import { type Diagnostic, DiagnosticSeverity, type DiagnosticTag } from 'vscode-languageserver-types';
import type { PositionMapper } from '../lineIndex';
import type { Span } from '../parser/nodes';
import type { UnitDocument } from '../model/unit';
import type { UnitAnalysis } from '../analysis';
import { effectiveSeverity, type SeveritySetting, type Severity } from './rules';
import { directiveRules } from './directiveRules';
import { seccompRules } from './seccompRules';
import { reviewRules } from './reviewRules';

/** What a rule reports: an offset range in the edited file plus machine-readable data for fixes. */
export interface Finding {
  readonly rule: string;
  readonly span: Span;
  readonly message: string;
  /** Data for code actions, e.g. `{ replacement: 'SystemCallArchitectures' }`. */
  readonly data?: Record<string, unknown>;
  readonly tags?: readonly DiagnosticTag[];
  /** Other places that explain the finding (another line, a drop-in). */
  readonly related?: readonly { readonly file: string; readonly span: Span; readonly message: string }[];
}

export interface LintContext {
  readonly unit: UnitDocument;
  /** systemd version the unit is checked against, e.g. 252. */
  readonly systemdVersion: number;
  /** The unit's filter plan and cost for the target (undefined when the target is unusable). */
  readonly analysis: () => UnitAnalysis | undefined;
}

export type Rule = (ctx: LintContext) => Finding[];

export interface LintOptions {
  readonly systemdVersion: number;
  readonly analysis?: () => UnitAnalysis | undefined;
  readonly severities?: Readonly<Record<string, SeveritySetting | undefined>>;
  /** Stop after this many diagnostics (huge or binary files). */
  readonly maxDiagnostics?: number;
}

/** Diagnostic.source for everything we report. */
export const DIAGNOSTIC_SOURCE = 'unit-harden';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** The parser's own problems, as findings. */
function syntaxFindings(ctx: LintContext): Finding[] {
  return ctx.unit.main.problems.map((p) => ({ rule: p.code, span: p.span, message: p.message }));
}

const ALL_RULES: readonly Rule[] = [syntaxFindings, ...directiveRules, ...seccompRules, ...reviewRules];

/** Runs every rule; a rule that throws is reported once and the others still run. */
export function collectFindings(ctx: LintContext, extraRules: readonly Rule[] = []): Finding[] {
  const out: Finding[] = [];
  for (const rule of [...ALL_RULES, ...extraRules]) {
    try {
      out.push(...rule(ctx));
    } catch (err) {
      // NOTE: a bug in one rule must not hide the others' findings; say so at the top of the file.
      out.push({ rule: 'internal-error', span: { offset: 0, length: 0 }, message: `Internal error in a lint rule: ${String(err)}` });
    }
  }
  return out;
}

export function findingsToDiagnostics(findings: readonly Finding[], doc: PositionMapper, options: LintOptions, fileUri?: (file: string) => string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const max = options.maxDiagnostics ?? 1000;
  for (const f of findings) {
    const severity = f.rule === 'internal-error' ? 'error' : effectiveSeverity(f.rule, options.severities ?? {});
    if (!severity) continue;
    const range = { start: doc.positionAt(f.span.offset), end: doc.positionAt(f.span.offset + f.span.length) };
    const d: Diagnostic = { range, severity: SEVERITY[severity], source: DIAGNOSTIC_SOURCE, code: f.rule, message: f.message };
    if (f.data) d.data = f.data;
    if (f.tags && f.tags.length > 0) d.tags = [...f.tags];
    if (f.related && fileUri) {
      d.relatedInformation = f.related.map((r) => ({
        location: { uri: fileUri(r.file), range: { start: doc.positionAt(r.span.offset), end: doc.positionAt(r.span.offset + r.span.length) } },
        message: r.message,
      }));
    }
    diagnostics.push(d);
    if (diagnostics.length >= max) break;
  }
  return diagnostics;
}

/** Lints a unit: findings for the main file only, as LSP diagnostics. */
export function lintUnit(unit: UnitDocument, doc: PositionMapper, options: LintOptions, extraRules: readonly Rule[] = []): Diagnostic[] {
  const findings = collectFindings({ unit, systemdVersion: options.systemdVersion, analysis: options.analysis ?? (() => undefined) }, extraRules);
  // Report in document order, whatever rule found what.
  findings.sort((a, b) => a.span.offset - b.span.offset);
  return findingsToDiagnostics(findings, doc, options);
}
