/**
 * The code lens above the service section: the unit's filter count, BPF size and per-syscall
 * cost for the target, and what SystemCallArchitectures=native would save.
 */

import type { CodeLens } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { UnitAnalysis } from './analysis';

export function seccompCodeLenses(_doc: TextDocument, _analysis: UnitAnalysis | undefined): CodeLens[] {
  return [];
}
