/**
 * The code lens above the service section: the unit's filter count, BPF size and per-syscall
 * cost for the target, and what SystemCallArchitectures=native would save.
 */

import type { CodeLens } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { UnitAnalysis } from './analysis';
import { nativeDelta } from './hover/seccompHover';
import { EXEC_SECTIONS } from './seccomp/directiveValues';

/** The command the lens runs; the client shows `unit-harden preview` for the document's uri. */
export const SHOW_PREVIEW_COMMAND = 'unitHarden.showPreview';

/** The syscall whose per-call cost the lens quotes (every service opens files). */
const QUOTED_SYSCALL = 'openat';

/** The lens title, e.g. `31 seccomp filters · 909 BPF insns · openat 396 insns per call · native saves 3 filters, 47 insns`. */
export function codeLensTitle(analysis: UnitAnalysis): string {
  const plan = analysis.plan;
  const n = plan.filters.length;
  const parts: string[] = [];
  if (plan.refused) parts.push('⚠ command fails');
  if (n === 0) parts.push('no seccomp filters');
  else {
    parts.push(`${n} seccomp filter${n === 1 ? '' : 's'}`);
    const insns = plan.filters.every((f) => f.instructions !== null) ? plan.filters.reduce((s, f) => s + f.instructions!, 0) : null;
    if (insns !== null) parts.push(`${insns} BPF insns`);
    const model = analysis.costModel();
    const c = model?.syscall(QUOTED_SYSCALL, analysis.target.host);
    if (c) {
      if (!c.allowed) parts.push(`${QUOTED_SYSCALL} blocked`);
      else if (c.cached && model?.cache) parts.push(`${QUOTED_SYSCALL} cached`);
      else parts.push(`${QUOTED_SYSCALL} ${c.instructions} insns per call`);
    }
  }
  const d = nativeDelta(analysis);
  if (d && !d.already && (d.filters !== 0 || (d.instructions ?? 0) !== 0)) {
    const f = Math.abs(d.filters);
    const i = d.instructions === null ? '' : `, ${Math.abs(d.instructions)} insns`;
    // Without other filters, =native only adds its own architecture filter.
    parts.push(`native ${d.filters >= 0 && (d.instructions ?? 0) >= 0 ? 'saves' : 'adds'} ${f} filter${f === 1 ? '' : 's'}${i}`);
  }
  return parts.join(' · ');
}

export function seccompCodeLenses(doc: TextDocument, analysis: UnitAnalysis | undefined): CodeLens[] {
  if (!analysis) return [];
  const unit = analysis.unit;
  const section = unit.main.sections.find((s) => !s.ignored && EXEC_SECTIONS.has(s.name) && unit.unitType !== undefined && s.name.toLowerCase() === unit.unitType);
  if (!section) return [];
  const start = doc.positionAt(section.headerSpan.offset);
  const end = doc.positionAt(section.headerSpan.offset + section.headerSpan.length);
  let title: string;
  try {
    title = codeLensTitle(analysis);
  } catch {
    // An engine failure must not break the editor: the lens still opens the preview.
    title = 'seccomp filters: preview';
  }
  return [{ range: { start, end }, command: { title, command: SHOW_PREVIEW_COMMAND, arguments: [doc.uri] } }];
}
