/**
 * Quick fixes for the seccomp lint rules. Each fix is applied to a copy of the unit and planned
 * again, so its title states the measured change (e.g. "−3 filters, −677 BPF insns").
 */

import { CodeActionKind, TextEdit, type CodeAction, type Diagnostic } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { UnitAnalysis } from '../analysis';
import { ERRNO_KILL } from '../seccomp/directiveValues';
import { programHex } from '../seccomp/bpf';
import type { FilterPlan } from '../seccomp/planner';
import type { Assignment } from '../parser/nodes';
import { applyOffsetEdits, execLines, formatDelta, lineDeletion, lineInsertionAfter, measureNative, planTotals, replanWithText, sinceLastReset, type OffsetEdit } from '../lint/seccompRules';

/** Rules whose `data.replacement` names the word to put in place of the diagnostic's range. */
const REPLACEABLE = new Set(['unknown-syscall', 'unknown-syscall-group', 'unknown-architecture', 'unknown-errno', 'unknown-address-family', 'unknown-namespace']);

/** Rules whose range is a list entry that can be deleted. */
const REMOVABLE = new Set(['duplicate-syscall', 'syscall-covered-by-group', 'filter-removes-nothing']);

/** The line break the file uses. */
function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Byte-for-byte equality of two plans' programs (and the same filters in the same order). */
function samePrograms(a: FilterPlan, b: FilterPlan): boolean {
  if (a.filters.length !== b.filters.length) return false;
  return a.filters.every((f, i) => {
    const g = b.filters[i]!;
    if (f.directive !== g.directive || f.abis.join() !== g.abis.join()) return false;
    if (!f.program || !g.program) return f.program === g.program && f.instructions === g.instructions;
    return programHex(f.program) === programHex(g.program);
  });
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/**
 * Deletes one entry of a list value with the blank that separates it from its neighbour. When it
 * is the only entry, the whole line goes: an empty value would reset the directive instead.
 */
function entryDeletion(analysis: UnitAnalysis, offset: number, length: number): OffsetEdit | undefined {
  const main = analysis.unit.main;
  const text = main.text;
  const a = main.assignments.find((x) => offset >= x.valueSpan.offset && offset + length <= x.valueSpan.offset + x.valueSpan.length);
  if (!a) return undefined;
  const others = a.words.filter((w) => w.span.offset + w.span.length <= offset || w.span.offset >= offset + length);
  if (others.length === 0) return lineDeletion(text, a.span);
  let start = offset;
  let end = offset + length;
  if (isBlank(text[start - 1]) && start - 1 >= a.valueSpan.offset) {
    while (start - 1 >= a.valueSpan.offset && isBlank(text[start - 1])) start--;
  } else {
    while (end < a.valueSpan.offset + a.valueSpan.length && isBlank(text[end])) end++;
  }
  return { offset: start, length: end - start, newText: '' };
}

/** A quick fix whose title ends with the change the edit makes to the plan, measured by planning the edited text. */
function measuredFix(doc: TextDocument, analysis: UnitAnalysis, d: Diagnostic, title: string, edits: readonly OffsetEdit[], preferred: boolean): CodeAction {
  const text = doc.getText();
  const after = replanWithText(analysis, applyOffsetEdits(text, edits));
  const delta = formatDelta(planTotals(analysis.plan), planTotals(after.plan));
  const action: CodeAction = {
    title: `${title} (${delta})`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [d],
    edit: { changes: { [doc.uri]: edits.map((e) => TextEdit.replace({ start: doc.positionAt(e.offset), end: doc.positionAt(e.offset + e.length) }, e.newText)) } },
  };
  if (preferred) action.isPreferred = true;
  return action;
}

/** Code actions for the diagnostics this module knows; others are ignored. */
export function seccompCodeActions(doc: TextDocument, diagnostics: readonly Diagnostic[], analysis: UnitAnalysis | undefined): CodeAction[] {
  if (!analysis || analysis.unit.main.text !== doc.getText()) return [];
  const actions: CodeAction[] = [];
  for (const d of diagnostics) {
    const code = typeof d.code === 'string' ? d.code : undefined;
    if (!code) continue;
    const data = (d.data ?? {}) as Record<string, unknown>;
    const offset = doc.offsetAt(d.range.start);
    const length = doc.offsetAt(d.range.end) - offset;
    const assignment = analysis.unit.main.assignments.find((a) => offset >= a.span.offset && offset + length <= a.span.offset + a.span.length);
    if (REPLACEABLE.has(code) && typeof data['replacement'] === 'string') {
      const replacement = data['replacement'];
      actions.push(measuredFix(doc, analysis, d, `Replace with ${replacement}`, [{ offset, length, newText: replacement }], true));
    } else if (REMOVABLE.has(code)) {
      const edit = entryDeletion(analysis, offset, length);
      if (!edit) continue;
      const word = doc.getText(d.range);
      const title =
        code === 'duplicate-syscall'
          ? `Remove the duplicate ${word}`
          : code === 'filter-removes-nothing'
            ? `Remove ~${word}, which removes nothing`
            : `Remove ${word}, already in ${typeof data['group'] === 'string' ? data['group'] : 'a listed group'}`;
      actions.push(measuredFix(doc, analysis, d, title, [edit], false));
    } else if (code === 'missing-native-architectures') {
      const delta = measureNative(analysis);
      if (!delta) continue;
      const replacing = delta.edits.some((e) => e.newText === 'native');
      const title = replacing ? 'Set SystemCallArchitectures=native' : 'Add SystemCallArchitectures=native';
      actions.push(measuredFix(doc, analysis, d, title, delta.edits, true));
      if (replacing) {
        const x32 = removeAbiEdits(analysis, 'x32');
        if (x32) actions.push(measuredFix(doc, analysis, d, 'Remove x32 from SystemCallArchitectures=', x32, false));
      }
    } else if (code === 'filter-mode-fixed' && assignment) {
      // Two readings of what was meant: one more deny-list line, or an allow-list written second.
      actions.push(measuredFix(doc, analysis, d, `Prefix '~' so line ${assignment.line} adds to the deny-list`, [{ offset: assignment.valueSpan.offset, length: 0, newText: '~' }], false));
      const modeLine = execLines(analysis, 'SystemCallFilter').find((a) => a.line === data['modeLine']);
      if (modeLine && modeLine.section === assignment.section) {
        const text = doc.getText();
        const lineText = text.slice(assignment.span.offset, assignment.span.offset + assignment.span.length);
        const edits: OffsetEdit[] = [lineDeletion(text, assignment.span), { offset: modeLine.span.offset, length: 0, newText: `${lineText}${eolOf(text)}` }];
        actions.push(measuredFix(doc, analysis, d, `Move line ${assignment.line} above line ${modeLine.line}, making SystemCallFilter= an allow-list`, edits, false));
      }
    } else if (code === 'filter-reset-discards' && assignment) {
      const lines = Array.isArray(data['lines']) ? (data['lines'] as number[]) : [];
      actions.push(measuredFix(doc, analysis, d, `Remove the empty SystemCallFilter= so line${lines.length === 1 ? '' : 's'} ${lines.join(', ')} count${lines.length === 1 ? 's' : ''}`, [lineDeletion(doc.getText(), assignment.span)], false));
    } else if (code === 'syscall-log-inverted') {
      const text = doc.getText();
      const logLines = execLines(analysis, 'SystemCallLog');
      if (logLines.length === 0) continue;
      actions.push(measuredFix(doc, analysis, d, `Remove SystemCallLog= (line${logLines.length === 1 ? '' : 's'} ${logLines.map((a) => a.line).join(', ')}): log nothing`, logLines.map((a) => lineDeletion(text, a.span)), false));
    }
  }
  return actions;
}

/**
 * Actions offered on a `SystemCallFilter=` line without a diagnostic: an allow-list whose refused
 * calls kill the process gets "Add SystemCallErrorNumber=EPERM", so a call the list forgot fails
 * with EPERM instead of killing the service. The title states the measured effect on the chain.
 */
export function seccompContextActions(doc: TextDocument, range: { start: { line: number }; end: { line: number } }, analysis: UnitAnalysis | undefined): CodeAction[] {
  if (!analysis || analysis.unit.main.text !== doc.getText()) return [];
  const v = analysis.plan.values;
  const main = analysis.unit.main;
  const onFilterLine = main.assignments.some((a) => {
    if (a.key !== 'SystemCallFilter' || a.section?.name !== 'Service') return false;
    const first = doc.positionAt(a.span.offset).line;
    const last = doc.positionAt(a.span.offset + a.span.length).line;
    return range.start.line <= last && range.end.line >= first;
  });
  if (!onFilterLine || !v.systemCallFilter.active || !v.systemCallFilter.allowList || v.systemCallErrorNumber.value !== ERRNO_KILL) return [];
  if (v.systemCallErrorNumber.sources.length > 0) return [];
  const filterLine = main.assignments.filter((a) => a.key === 'SystemCallFilter' && a.section?.name === 'Service').at(-1)!;
  const text = doc.getText();
  const insert = lineInsertionAfter(text, filterLine.span.offset + filterLine.span.length, 'SystemCallErrorNumber=EPERM');
  const after = replanWithText(analysis, applyOffsetEdits(text, [insert]));
  const before = planTotals(analysis.plan);
  const now = planTotals(after.plan);
  const effect = before.filters === now.filters && before.instructions === now.instructions ? `same ${now.filters} filters, ${now.instructions} BPF insns` : formatDelta(before, now);
  return [
    {
      title: `Add SystemCallErrorNumber=EPERM: calls outside the allow-list fail with EPERM instead of killing the service (${effect})`,
      kind: CodeActionKind.RefactorRewrite,
      edit: { changes: { [doc.uri]: [TextEdit.insert(doc.positionAt(insert.offset), insert.newText)] } },
    },
  ];
}

/**
 * Deletes the `abi` words from the main file's effective SystemCallArchitectures= lines; undefined
 * when there are none, or when nothing else would be left (an empty list is a reset, not `native`).
 */
function removeAbiEdits(analysis: UnitAnalysis, abi: string): OffsetEdit[] | undefined {
  const effective = sinceLastReset(execLines(analysis, 'SystemCallArchitectures'));
  const edits: OffsetEdit[] = [];
  let kept = 0;
  for (const a of effective) {
    const hits = a.words.filter((w) => w.value === abi);
    kept += a.words.length - hits.length;
    for (const w of hits) {
      const e = entryDeletion(analysis, w.span.offset, w.span.length);
      if (e) edits.push(e);
    }
  }
  return edits.length > 0 && kept > 0 ? edits : undefined;
}

/**
 * "Merge SystemCallFilter= lines": consecutive main-file lines of one section with the same
 * polarity (all `~`, or none) are the same sequence of additions or removals as one line with all
 * their words, so they merge into the first of them. The merged unit is planned again and the
 * action is offered only when every filter program is byte-identical to the current one.
 */
export function mergeFilterLinesAction(doc: TextDocument, range: { start: { line: number }; end: { line: number } }, analysis: UnitAnalysis | undefined): CodeAction[] {
  if (!analysis || analysis.unit.main.text !== doc.getText()) return [];
  const lines = execLines(analysis, 'SystemCallFilter');
  const runs: Assignment[][] = [];
  let run: Assignment[] = [];
  for (const a of lines) {
    const prev = run[run.length - 1];
    if (a.value === '' || !prev || prev.section !== a.section || prev.value.startsWith('~') !== a.value.startsWith('~')) {
      if (run.length > 1) runs.push(run);
      run = a.value === '' ? [] : [a];
      continue;
    }
    run.push(a);
  }
  if (run.length > 1) runs.push(run);
  const touched = runs.find((r) =>
    r.some((a) => {
      const first = doc.positionAt(a.span.offset).line;
      const last = doc.positionAt(a.span.offset + a.span.length).line;
      return range.start.line <= last && range.end.line >= first;
    }),
  );
  if (!touched) return [];
  const invert = touched[0]!.value.startsWith('~');
  const merged = `${invert ? '~' : ''}${touched.map((a) => a.value.slice(invert ? 1 : 0).trim()).filter((v) => v !== '').join(' ')}`;
  const text = doc.getText();
  const [head, ...rest] = touched;
  const edits: OffsetEdit[] = [{ offset: head!.valueSpan.offset, length: head!.valueSpan.length, newText: merged }, ...rest.map((a) => lineDeletion(text, a.span))];
  const after = replanWithText(analysis, applyOffsetEdits(text, edits));
  if (!samePrograms(analysis.plan, after.plan)) return [];
  const totals = planTotals(after.plan);
  return [
    {
      title: `Merge SystemCallFilter= lines ${touched.map((a) => a.line).join(', ')} into one (same ${totals.filters} filters, ${totals.instructions} BPF insns)`,
      kind: CodeActionKind.RefactorRewrite,
      edit: { changes: { [doc.uri]: edits.map((e) => TextEdit.replace({ start: doc.positionAt(e.offset), end: doc.positionAt(e.offset + e.length) }, e.newText)) } },
    },
  ];
}
