/**
 * The syntax tree of one unit file (or drop-in) as systemd's config parser sees it. Every node
 * keeps offsets into the original text (UTF-16 code units, like LSP positions), so any feature
 * can point at the exact token. No node knows about LSP or directives.
 */

/** A half-open range [offset, offset + length) of the document text. */
export interface Span {
  readonly offset: number;
  readonly length: number;
}

/** Problem codes the parser reports; stable ids (used as Diagnostic.code and in settings). */
export type SyntaxProblemCode =
  | 'syntax-invalid-section-header'
  | 'syntax-bad-section-characters'
  | 'syntax-outside-section'
  | 'syntax-missing-equals'
  | 'syntax-missing-key'
  | 'syntax-invalid-utf8'
  | 'syntax-line-too-long'
  | 'syntax-nul-byte'
  | 'unknown-section'
  | 'file-too-large';

export interface SyntaxProblem {
  readonly code: SyntaxProblemCode;
  readonly message: string;
  readonly span: Span;
  /** 'error' when systemd refuses the whole file; 'warning' when it ignores the line. */
  readonly severity: 'error' | 'warning';
  /** systemd stops reading this file here and the unit fails to load (bad-setting). */
  readonly fatal?: boolean;
}

/** One piece of a logical line: `length` characters starting at `docOffset` in the document appear at `logicalOffset` of the joined line. */
export interface Segment {
  readonly logicalOffset: number;
  readonly docOffset: number;
  readonly length: number;
}

export interface Comment {
  readonly type: 'comment';
  readonly span: Span;
  readonly text: string;
  /** 1-based physical line. */
  readonly line: number;
  /** True when the comment sits inside a backslash continuation (systemd skips it). */
  readonly inContinuation: boolean;
}

export interface Section {
  readonly type: 'section';
  /** Name between the brackets, as systemd reads it. */
  readonly name: string;
  readonly nameSpan: Span;
  /** The whole `[Name]` header. */
  readonly headerSpan: Span;
  /** From the header to the end of the last line that belongs to the section. */
  span: Span;
  /** 1-based line of the header. */
  readonly line: number;
  /** systemd ignores the assignments in this section (unknown section or `X-` extension). */
  readonly ignored: boolean;
  /** Extension section (`X-…`), ignored silently by systemd. */
  readonly extension: boolean;
  readonly assignments: Assignment[];
}

export interface Word {
  /** The word after unquoting/unescaping as systemd would (EXTRACT_UNQUOTE|EXTRACT_RELAX by default). */
  readonly value: string;
  /** Exact text range of the word in the document (for a word split by a continuation, from its first to its last character). */
  readonly span: Span;
  /** Logical offset in the assignment's value. */
  readonly valueOffset: number;
  readonly valueLength: number;
}

export interface Specifier {
  /** The letter after `%` (`%` for a literal percent sign). */
  readonly letter: string;
  readonly span: Span;
}

export interface Assignment {
  readonly type: 'assignment';
  /** The section the assignment belongs to; undefined if it was outside any section (systemd ignores it). */
  readonly section: Section | undefined;
  readonly key: string;
  readonly keySpan: Span;
  /** The value after joining continuations and stripping whitespace, exactly what systemd hands to the directive's parser. */
  readonly value: string;
  /** Where the value starts in the document (just after `=` and whitespace); for an empty value, the position after `=`. */
  readonly valueSpan: Span;
  /** Maps each character of `value` back to the document. */
  readonly segments: readonly Segment[];
  /** Whitespace-separated words of the value with their document ranges. */
  readonly words: readonly Word[];
  /**
   * Specifiers in the value (`%n`, `%i`, `%%`…) with their document ranges. Whether a directive
   * expands them is up to its parser in systemd; this only finds the tokens.
   */
  readonly specifiers: readonly Specifier[];
  /** 1-based physical line where the assignment starts. */
  readonly line: number;
  /** The line number systemd reports in its messages (the last physical line of a continuation). */
  readonly systemdLine: number;
  /** The whole logical line in the document, continuations included. */
  readonly span: Span;
  /** Position of the `=` sign in the document. */
  readonly equalsOffset: number;
  /** The file this assignment came from (for drop-ins); set by the unit loader. */
  readonly file: string;
  /** Order of this assignment in the merged unit (main file first, then drop-ins). */
  readonly order: number;
}

export interface UnitFileSyntax {
  readonly type: 'file';
  readonly fileName: string;
  readonly text: string;
  readonly sections: Section[];
  /** All assignments in file order, including those in ignored sections or outside sections. */
  readonly assignments: Assignment[];
  readonly comments: Comment[];
  readonly problems: SyntaxProblem[];
  /** Offsets where each physical line starts (line 1 at index 0). */
  readonly lineStarts: readonly number[];
  /** systemd refuses to load this file (for example an invalid section header); the first such problem. */
  readonly fatal: SyntaxProblem | undefined;
  /** The text had a byte-order mark that systemd skipped. */
  readonly hasBom: boolean;
}
