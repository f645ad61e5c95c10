/**
 * Finding the syntax node at an offset, for hover, completion and code actions.
 */

import type { Assignment, Comment, Section, Span, UnitFileSyntax, Word } from './nodes';

export type NodeAt =
  | { readonly kind: 'section-header'; readonly section: Section }
  | { readonly kind: 'key'; readonly assignment: Assignment }
  | { readonly kind: 'value'; readonly assignment: Assignment; readonly word: Word | undefined }
  | { readonly kind: 'comment'; readonly comment: Comment }
  | { readonly kind: 'none'; readonly section: Section | undefined };

/** True when `offset` lies inside `span`, end inclusive (a caret right after a word is on it). */
export function contains(span: Span, offset: number): boolean {
  return offset >= span.offset && offset <= span.offset + span.length;
}

/** The section whose span contains the offset, or the last section that starts before it. */
export function sectionAt(file: UnitFileSyntax, offset: number): Section | undefined {
  let found: Section | undefined;
  for (const s of file.sections) {
    if (s.headerSpan.offset <= offset) found = s;
    else break;
  }
  return found;
}

export function nodeAt(file: UnitFileSyntax, offset: number): NodeAt {
  for (const s of file.sections) {
    if (contains(s.headerSpan, offset)) return { kind: 'section-header', section: s };
  }
  for (const c of file.comments) {
    if (offset >= c.span.offset && offset < c.span.offset + c.span.length) return { kind: 'comment', comment: c };
  }
  for (const a of file.assignments) {
    if (!contains(a.span, offset) && !(a.value === '' && offset === a.equalsOffset + 1)) continue;
    if (contains(a.keySpan, offset) && offset <= a.equalsOffset) return { kind: 'key', assignment: a };
    if (offset > a.equalsOffset) {
      const word = a.words.find((w) => contains(w.span, offset));
      return { kind: 'value', assignment: a, word };
    }
  }
  return { kind: 'none', section: sectionAt(file, offset) };
}
