/**
 * Output formats of `unit-harden check`: compiler-style text (`file:line:col: severity: message
 * [rule-id]`), JSON, and SARIF 2.1.0 for code-scanning upload.
 */

import * as path from 'node:path';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import { RULES } from '../lint/rules';

export interface FileResult {
  readonly file: string;
  readonly doc: TextDocument;
  readonly diagnostics: readonly Diagnostic[];
}

const NAMES: Record<number, string> = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'info',
  [DiagnosticSeverity.Hint]: 'hint',
};

const COLORS: Record<number, string> = {
  [DiagnosticSeverity.Error]: '\x1b[31m',
  [DiagnosticSeverity.Warning]: '\x1b[33m',
  [DiagnosticSeverity.Information]: '\x1b[36m',
  [DiagnosticSeverity.Hint]: '\x1b[2m',
};

function sorted(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

/** `hidden`: findings below --min-severity, counted in the summary so nobody wonders where they went. */
export function formatText(results: readonly FileResult[], color = false, hidden = 0): string {
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  let others = 0;
  for (const r of results) {
    for (const d of sorted(r.diagnostics)) {
      const sev = d.severity ?? DiagnosticSeverity.Error;
      if (sev === DiagnosticSeverity.Error) errors++;
      else if (sev === DiagnosticSeverity.Warning) warnings++;
      else others++;
      const name = NAMES[sev] ?? 'error';
      const label = color ? `${COLORS[sev] ?? ''}${name}\x1b[0m` : name;
      lines.push(`${r.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${label}: ${d.message} [${String(d.code ?? '')}]`);
    }
  }
  const files = results.length;
  const more = hidden > 0 ? ` (${hidden} below --min-severity not shown)` : '';
  lines.push(`${files} file${files === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${others} note${others === 1 ? '' : 's'}${more}.`);
  return lines.join('\n') + '\n';
}

export function formatJson(results: readonly FileResult[]): string {
  const out = results.map((r) => ({
    file: r.file,
    diagnostics: sorted(r.diagnostics).map((d) => ({
      rule: d.code,
      severity: NAMES[d.severity ?? 1],
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      endLine: d.range.end.line + 1,
      endColumn: d.range.end.character + 1,
      ...(d.data !== undefined ? { data: d.data } : {}),
    })),
  }));
  return JSON.stringify(out, null, 2) + '\n';
}

const SARIF_LEVEL: Record<number, string> = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'note',
  [DiagnosticSeverity.Hint]: 'note',
};

const RULE_LEVEL: Record<string, string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

/** SARIF 2.1.0 log with one run; artifact URIs are relative to the current directory. */
export function formatSarif(results: readonly FileResult[], version: string): string {
  const ruleIndex = new Map<string, number>(RULES.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'unit-harden',
            version,
            rules: RULES.map((r) => ({
              id: r.id,
              shortDescription: { text: r.description },
              defaultConfiguration: { level: RULE_LEVEL[r.defaultSeverity] },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: results.flatMap((r) =>
          sorted(r.diagnostics).map((d) => {
            const code = String(d.code ?? '');
            const idx = ruleIndex.get(code);
            return {
              ruleId: code,
              ...(idx !== undefined ? { ruleIndex: idx } : {}),
              level: SARIF_LEVEL[d.severity ?? 1],
              message: { text: d.message },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: path.relative(process.cwd(), path.resolve(r.file)).split(path.sep).join('/') },
                    region: {
                      startLine: d.range.start.line + 1,
                      startColumn: d.range.start.character + 1,
                      endLine: d.range.end.line + 1,
                      endColumn: d.range.end.character + 1,
                    },
                  },
                },
              ],
            };
          }),
        ),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
