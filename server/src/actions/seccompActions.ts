/**
 * Quick fixes for the seccomp lint rules. Each fix is applied to a copy of the unit and planned
 * again, so its title states the measured change (e.g. "−3 filters, −677 BPF insns").
 */

import { CodeActionKind, TextEdit, type CodeAction, type Diagnostic } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { UnitAnalysis } from '../analysis';
import { ERRNO_KILL } from '../seccomp/directiveValues';
import { applyOffsetEdits, formatDelta, measureNative, planTotals, replanWithText, type OffsetEdit } from '../lint/seccompRules';

/** Rules whose `data.replacement` names the word to put in place of the diagnostic's range. */
const REPLACEABLE = new Set(['unknown-syscall', 'unknown-syscall-group', 'unknown-architecture', 'unknown-errno', 'unknown-address-family', 'unknown-namespace']);

/** Rules whose range is a list entry that can be deleted. */
const REMOVABLE = new Set(['duplicate-syscall', 'syscall-covered-by-group']);

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
  if (others.length === 0) {
    let end = a.span.offset + a.span.length;
    if (text.startsWith('\r\n', end)) end += 2;
    else if (text[end] === '\n') end += 1;
    return { offset: a.span.offset, length: end - a.span.offset, newText: '' };
  }
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
    if (REPLACEABLE.has(code) && typeof data['replacement'] === 'string') {
      const replacement = data['replacement'];
      actions.push(measuredFix(doc, analysis, d, `Replace with ${replacement}`, [{ offset, length, newText: replacement }], true));
    } else if (REMOVABLE.has(code)) {
      const edit = entryDeletion(analysis, offset, length);
      if (!edit) continue;
      const word = doc.getText(d.range);
      const title = code === 'duplicate-syscall' ? `Remove the duplicate ${word}` : `Remove ${word}, already in ${typeof data['group'] === 'string' ? data['group'] : 'a listed group'}`;
      actions.push(measuredFix(doc, analysis, d, title, [edit], false));
    } else if (code === 'missing-native-architectures') {
      const delta = measureNative(analysis);
      if (!delta) continue;
      const replacing = delta.edits.some((e) => e.newText === 'native');
      const title = replacing ? 'Set SystemCallArchitectures=native' : 'Add SystemCallArchitectures=native';
      actions.push(measuredFix(doc, analysis, d, title, delta.edits, true));
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
  let at = filterLine.span.offset + filterLine.span.length;
  const text = doc.getText();
  let insert = '\nSystemCallErrorNumber=EPERM';
  if (text.startsWith('\r\n', at)) {
    at += 2;
    insert = 'SystemCallErrorNumber=EPERM\r\n';
  } else if (text[at] === '\n') {
    at += 1;
    insert = 'SystemCallErrorNumber=EPERM\n';
  }
  const edits: OffsetEdit[] = [{ offset: at, length: 0, newText: insert }];
  const after = replanWithText(analysis, applyOffsetEdits(text, edits));
  const before = planTotals(analysis.plan);
  const now = planTotals(after.plan);
  const effect = before.filters === now.filters && before.instructions === now.instructions ? `same ${now.filters} filters, ${now.instructions} BPF insns` : formatDelta(before, now);
  return [
    {
      title: `Add SystemCallErrorNumber=EPERM: calls outside the allow-list fail with EPERM instead of killing the service (${effect})`,
      kind: CodeActionKind.RefactorRewrite,
      edit: { changes: { [doc.uri]: [TextEdit.insert(doc.positionAt(at), insert)] } },
    },
  ];
}
