/**
 * A total parser for systemd unit files that mirrors `config_parse()` and `parse_line()` in
 * src/shared/conf-parser.c (v252; unchanged in the parts mirrored here up to v261) and
 * `read_line_full()` in src/basic/fileio.c. It never throws: on any input it returns the tree plus
 * the problems systemd would log.
 */

import { ExtractFlags, extractWords } from './extractWord';
import type { Assignment, Comment, Section, Segment, Span, Specifier, SyntaxProblem, UnitFileSyntax, Word } from './nodes';
import { SegmentCursor } from './segments';

/** LONG_LINE_MAX in src/basic/def.h (v252) / src/basic/fileio.h (v261): 1 MiB per (joined) line. */
export const LONG_LINE_MAX = 1024 * 1024;

/** COMMENTS from conf-parser.c (WHITESPACE, " \\t\\n\\r", is tested in isWs()). */
const COMMENT_CHARS = '#;';

export interface ParseOptions {
  /** File name, used for drop-in attribution and the unit type. */
  readonly fileName?: string;
  /**
   * The sections systemd accepts for this unit type (the unit vtable's `sections` nulstr, e.g.
   * `Unit Service Install` for services). When given, other sections are ignored like systemd
   * does and reported as `unknown-section` (except `X-` extension sections). When omitted every
   * section is accepted.
   */
  readonly knownSections?: readonly string[];
  /** Offset added to every assignment's `order` (the unit loader numbers drop-ins after the main file). */
  readonly orderBase?: number;
  /**
   * Physical lines (1-based) whose bytes were not valid UTF-8 in the file on disk. The CLI knows
   * this from the raw bytes; an editor buffer is always valid text.
   */
  readonly invalidUtf8Lines?: ReadonlySet<number>;
}

interface PhysicalLine {
  /** 1-based line number. */
  readonly number: number;
  /** Offset of the first character in the text. */
  readonly start: number;
  /** Offset just past the last content character (before the end-of-line marker). */
  readonly end: number;
}

/**
 * Splits the text into physical lines like read_line_full(): a line ends at `\n`, `\r` or NUL,
 * and one end-of-line marker may combine one of each kind (`\r\n`, `\n\r`), but never the same
 * kind twice, and nothing follows a NUL.
 */
export function splitPhysicalLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  const n = text.length;
  let i = 0;
  let number = 0;
  while (i < n) {
    const start = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 10 || c === 13 || c === 0) break;
      i++;
    }
    const end = i;
    let seen = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      const kind = c === 0 ? 1 : c === 10 ? 2 : c === 13 ? 4 : 0;
      if (kind === 0 || (seen & 1) !== 0 || (seen & kind) !== 0) break;
      seen |= kind;
      i++;
    }
    lines.push({ number: ++number, start, end });
  }
  return lines;
}

function isWs(ch: string | undefined): boolean {
  if (ch === undefined || ch.length !== 1) return false;
  const c = ch.charCodeAt(0);
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** string_is_safe() from src/basic/string-util.c: no control characters, no quotes, no backslash. */
function stringIsSafe(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
    if (c === 0x5c || c === 0x22 || c === 0x27) return false;
  }
  return true;
}

/** A logical line: one or more physical pieces joined by continuations. */
class LogicalLine {
  readonly segments: Segment[] = [];
  private pieces: string[] = [];
  private joined: string | undefined = '';
  length = 0;
  add(docOffset: number, piece: string): void {
    if (piece.length === 0) return;
    this.segments.push({ logicalOffset: this.length, docOffset, length: piece.length });
    this.pieces.push(piece);
    this.length += piece.length;
    this.joined = undefined;
  }
  /** Turns the last character (a continuation backslash) into a space, as config_parse() does. */
  replaceLastWithSpace(): void {
    const last = this.pieces.length - 1;
    if (last < 0) return;
    const piece = this.pieces[last]!;
    this.pieces[last] = piece.slice(0, -1) + ' ';
    this.joined = undefined;
  }
  get text(): string {
    if (this.joined === undefined) {
      this.joined = this.pieces.join('');
      this.pieces = [this.joined];
    }
    return this.joined;
  }
  private cursor = new SegmentCursor(this.segments);
  /** Maps a logical index to a document offset (an index at the end maps just past the last character). */
  toDoc(index: number): number {
    return this.cursor.toDoc(index);
  }
  /** Document span covering logical [start, end). */
  spanOf(start: number, end: number): Span {
    return this.cursor.span(start, end);
  }
}

/** Splits `value` into words with document offsets (EXTRACT_UNQUOTE|EXTRACT_RELAX: tolerant, for tokens). */
export function wordsOf(value: string, segments: readonly Segment[], valueBase: number, flags: ExtractFlags = ExtractFlags.Unquote | ExtractFlags.Relax): Word[] {
  const result = extractWords(value, flags);
  if (segments.length === 1 && segments[0]!.logicalOffset === 0) {
    // One physical piece (no continuation): document offsets are a constant shift.
    const base = segments[0]!.docOffset - valueBase;
    return result.words.map((w) => ({
      value: w.value,
      span: { offset: base + valueBase + w.start, length: w.end - w.start },
      valueOffset: w.start,
      valueLength: w.end - w.start,
    }));
  }
  const cursor = new SegmentCursor(segments);
  return result.words.map((w) => ({
    value: w.value,
    span: cursor.span(valueBase + w.start, valueBase + w.end),
    valueOffset: w.start,
    valueLength: w.end - w.start,
  }));
}

/** `%x` tokens of a value with document ranges (unit_full_printf() syntax: `%` and one character). */
export function specifiersOf(value: string, segments: readonly Segment[]): Specifier[] {
  if (!value.includes('%')) return [];
  const cursor = new SegmentCursor(segments);
  const out: Specifier[] = [];
  for (let i = 0; i < value.length - 1; i++) {
    if (value[i] !== '%') continue;
    const letter = value[i + 1]!;
    if (!/[A-Za-z%]/.test(letter)) continue;
    out.push({ letter, span: cursor.span(i, i + 2) });
    i++;
  }
  return out;
}

/**
 * read_line() fails with ENOBUFS past LONG_LINE_MAX bytes and systemd refuses the whole file: the
 * fatal problem for physical line `number` (its text starting at `offset`), or undefined.
 */
export function lineTooLong(lineText: string, offset: number, number: number): SyntaxProblem | undefined {
  if (lineText.length <= LONG_LINE_MAX / 4 || Buffer.byteLength(lineText, 'utf8') < LONG_LINE_MAX) return undefined;
  return {
    code: 'syntax-line-too-long',
    severity: 'error',
    fatal: true,
    span: { offset, length: Math.min(lineText.length, 200) },
    message: `Line ${number} is longer than systemd's limit of 1 MiB: systemd refuses to load this file.`,
  };
}

/** Parses one unit file or drop-in. Never throws. */
export function parseUnitFile(text: string, options: ParseOptions = {}): UnitFileSyntax {
  const fileName = options.fileName ?? '';
  const known = options.knownSections;
  const orderBase = options.orderBase ?? 0;
  const sections: Section[] = [];
  const assignments: Assignment[] = [];
  const comments: Comment[] = [];
  const problems: SyntaxProblem[] = [];
  let fatal: SyntaxProblem | undefined;
  let hasBom = false;

  const physical = splitPhysicalLines(text);
  const lineStarts = physical.map((l) => l.start);
  if (lineStarts.length === 0) lineStarts.push(0);

  const report = (p: SyntaxProblem): void => {
    problems.push(p);
    if (p.fatal && !fatal) fatal = p;
  };

  let current: Section | undefined;
  let currentIgnored = false;
  let continuation: LogicalLine | undefined;
  let continuationFirstLine = 0;
  let bomSeen = false;

  const closeSectionAt = (end: number): void => {
    if (current) current.span = { offset: current.headerSpan.offset, length: Math.max(0, end - current.headerSpan.offset) };
  };

  const handleLogical = (logical: LogicalLine, firstLine: number, lastLine: number, lineEnd: number, prevContentEnd: number): void => {
    // parse_line(): strstrip(), then empty lines are skipped.
    const raw = logical.text;
    let a = 0;
    let b = raw.length;
    while (a < b && isWs(raw[a])) a++;
    while (b > a && isWs(raw[b - 1])) b--;
    if (a >= b) return;
    const l = raw.slice(a, b);
    const fullSpan = logical.spanOf(a, b);

    if (options.invalidUtf8Lines) {
      for (let ln = firstLine; ln <= lastLine; ln++) {
        if (options.invalidUtf8Lines.has(ln)) {
          report({ code: 'syntax-invalid-utf8', severity: 'warning', span: fullSpan, message: 'Line is not valid UTF-8; systemd ignores it.' });
          return;
        }
      }
    }

    if (l[0] === '[') {
      if (l[l.length - 1] !== ']') {
        report({
          code: 'syntax-invalid-section-header',
          severity: 'error',
          fatal: true,
          span: fullSpan,
          message: `Invalid section header '${l}': systemd refuses to load this file.`,
        });
        return;
      }
      const name = l.slice(1, -1);
      const nameSpan = logical.spanOf(a + 1, b - 1);
      if (!stringIsSafe(name)) {
        report({
          code: 'syntax-bad-section-characters',
          severity: 'error',
          fatal: true,
          span: fullSpan,
          message: `Bad characters in section header '${l}': systemd refuses to load this file.`,
        });
        return;
      }
      closeSectionAt(prevContentEnd);
      const extension = name.startsWith('X-');
      const unknown = known !== undefined && !known.includes(name);
      const section: Section = {
        type: 'section',
        name,
        nameSpan,
        headerSpan: fullSpan,
        span: { offset: fullSpan.offset, length: Math.max(0, lineEnd - fullSpan.offset) },
        line: lastLine,
        ignored: unknown,
        extension,
        assignments: [],
      };
      if (unknown && !extension) {
        report({ code: 'unknown-section', severity: 'warning', span: nameSpan, message: `Unknown section '${name}'; systemd ignores it and everything in it.` });
      }
      sections.push(section);
      current = section;
      currentIgnored = unknown;
      return;
    }

    const eq = l.indexOf('=');
    let key = '';
    let keySpan: Span;
    let value = '';
    let valueStart = 0;
    let valueEnd = 0;
    let equalsOffset = -1;
    if (eq >= 0) {
      let ka = 0;
      let kb = eq;
      while (ka < kb && isWs(l[ka])) ka++;
      while (kb > ka && isWs(l[kb - 1])) kb--;
      key = l.slice(ka, kb);
      keySpan = logical.spanOf(a + ka, a + kb);
      let va = eq + 1;
      let vb = l.length;
      while (va < vb && isWs(l[va])) va++;
      while (vb > va && isWs(l[vb - 1])) vb--;
      value = l.slice(va, vb);
      valueStart = a + va;
      valueEnd = a + vb;
      equalsOffset = logical.toDoc(a + eq);
    } else {
      keySpan = fullSpan;
    }

    // parse_line(): with no current section (none yet, or an ignored one) the line is dropped
    // before the '=' checks; systemd warns only when the line is not inside an ignored section.
    if (current === undefined || current.ignored) {
      if (current === undefined && !currentIgnored) {
        report({ code: 'syntax-outside-section', severity: 'warning', span: fullSpan, message: 'Assignment outside of any section; systemd ignores it.' });
      }
      if (eq <= 0) return;
    } else if (eq < 0) {
      report({ code: 'syntax-missing-equals', severity: 'warning', span: fullSpan, message: "Missing '=': systemd ignores this line." });
      return;
    } else if (eq === 0) {
      report({ code: 'syntax-missing-key', severity: 'warning', span: fullSpan, message: "Missing key name before '=': systemd ignores this line." });
      return;
    }

    // Segments of the value, relative to the value's own start.
    const valueSegments: Segment[] = [];
    for (const s of logical.segments) {
      const s0 = Math.max(s.logicalOffset, valueStart);
      const s1 = Math.min(s.logicalOffset + s.length, valueEnd);
      if (s1 > s0) valueSegments.push({ logicalOffset: s0 - valueStart, docOffset: s.docOffset + (s0 - s.logicalOffset), length: s1 - s0 });
    }
    const valueSpan: Span = value.length > 0 ? logical.spanOf(valueStart, valueEnd) : { offset: equalsOffset + 1, length: 0 };
    const words = wordsOf(value, valueSegments, 0);
    const specifiers = specifiersOf(value, valueSegments);
    const assignment: Assignment = {
      type: 'assignment',
      section: current,
      key,
      keySpan,
      value,
      valueSpan,
      segments: valueSegments,
      words,
      specifiers,
      line: firstLine,
      systemdLine: lastLine,
      span: fullSpan,
      equalsOffset,
      file: fileName,
      order: orderBase + assignments.length,
    };
    assignments.push(assignment);
    if (current) current.assignments.push(assignment);
  };

  // End of the last physical line with any content before the logical line being parsed (for section spans).
  let lastContentEnd = 0;
  let contentEndBeforeLogical = 0;

  for (const pl of physical) {
    const lineText = text.slice(pl.start, pl.end);

    const tooLong = lineTooLong(lineText, pl.start, pl.number);
    if (tooLong) {
      report(tooLong);
      continuation = undefined;
      continue;
    }

    // Comment lines are skipped before anything else, even inside a continuation.
    let k = 0;
    while (k < lineText.length && isWs(lineText[k])) k++;
    if (k < lineText.length && COMMENT_CHARS.includes(lineText[k]!)) {
      lastContentEnd = pl.end;
      comments.push({
        type: 'comment',
        span: { offset: pl.start + k, length: pl.end - pl.start - k },
        text: lineText.slice(k),
        line: pl.number,
        inContinuation: continuation !== undefined,
      });
      continue;
    }

    // A UTF-8 byte-order mark is skipped at the start of the first line that has one.
    let startInLine = 0;
    if (!bomSeen && lineText.charCodeAt(0) === 0xfeff) {
      startInLine = 1;
      bomSeen = true;
      hasBom = true;
    }

    const logical = continuation ?? new LogicalLine();
    if (!continuation) {
      continuationFirstLine = pl.number;
      contentEndBeforeLogical = lastContentEnd;
    }
    const piece = lineText.slice(startInLine);
    if (continuation && logical.length + piece.length > LONG_LINE_MAX) {
      report({
        code: 'syntax-line-too-long',
        severity: 'error',
        fatal: true,
        span: { offset: pl.start, length: Math.min(pl.end - pl.start, 200) },
        message: `Continuation line ${pl.number} makes the line longer than systemd's 1 MiB limit: systemd refuses to load this file.`,
      });
      continuation = undefined;
      continue;
    }
    logical.add(pl.start + startInLine, piece);

    // Is the last character an unescaped backslash? config_parse() rescans the whole joined line,
    // but the previous piece always ends in the space that replaced its backslash, so scanning
    // the new piece alone gives the same answer without the quadratic cost.
    let escaped = false;
    for (let i = 0; i < piece.length; i++) {
      if (escaped) escaped = false;
      else if (piece.charCodeAt(i) === 92) escaped = true;
    }
    if (escaped) {
      // The backslash becomes a space and the next line is appended.
      logical.replaceLastWithSpace();
      continuation = logical;
      continue;
    }

    handleLogical(logical, continuationFirstLine, pl.number, pl.end, contentEndBeforeLogical);
    continuation = undefined;
    if (logical.text.trim().length > 0) lastContentEnd = pl.end;
  }
  if (continuation) {
    // A file that ends inside a continuation is still parsed (config_parse() after the loop).
    const lastLine = physical.length + 1;
    handleLogical(continuation, continuationFirstLine, lastLine, text.length, contentEndBeforeLogical);
    lastContentEnd = text.length;
  }
  closeSectionAt(lastContentEnd);
  // NUL bytes end a line for systemd; in an editor they are almost certainly binary content.
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    report({ code: 'syntax-nul-byte', severity: 'warning', span: { offset: nul, length: 1 }, message: 'The file contains a NUL byte: systemd treats it as a line break. Is this a unit file?' });
  }

  return { type: 'file', fileName, text, sections, assignments, comments, problems, lineStarts, fatal, hasBom };
}
