/**
 * Offset → LSP position for a document's text, with exactly the answers of
 * vscode-languageserver-textdocument's TextDocument.positionAt() (lines end at `\r\n`, `\r` or
 * `\n`; offsets are clamped to the text; an offset inside a line break maps to the end of its
 * line), but built with native `indexOf` scans instead of a JavaScript loop over every character.
 * The library computes its line table one character at a time on the first positionAt(): for a
 * 10 MB document that is most of the time to its first diagnostics (and more under the server's
 * size-optimised V8), although diagnostics only ever point into the analysed part.
 */

import type { Position } from 'vscode-languageserver-types';

export interface PositionMapper {
  positionAt(offset: number): Position;
}

export class LineIndex implements PositionMapper {
  /** Offset of the first character of each line; the first is 0. */
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    const len = text.length;
    let nl = text.indexOf('\n');
    let cr = text.indexOf('\r');
    while (nl !== -1 || cr !== -1) {
      let next: number;
      if (cr !== -1 && (nl === -1 || cr < nl)) next = cr + 1 < len && text.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
      else next = nl + 1;
      this.starts.push(next);
      if (nl !== -1 && nl < next) nl = text.indexOf('\n', next);
      if (cr !== -1 && cr < next) cr = text.indexOf('\r', next);
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  positionAt(offset: number): Position {
    const text = this.text;
    let o = Math.max(Math.min(offset, text.length), 0);
    const starts = this.starts;
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (starts[mid]! > o) high = mid;
      else low = mid + 1;
    }
    const line = low - 1;
    const start = starts[line]!;
    // An offset inside (or right after) the line's break belongs before it.
    while (o > start && (text.charCodeAt(o - 1) === 10 || text.charCodeAt(o - 1) === 13)) o--;
    return { line, character: o - start };
  }
}
