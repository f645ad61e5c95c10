/**
 * Logical offsets of a continued line (or of its value) to document offsets.
 *
 * A logical line is the concatenation of its physical pieces (`Segment`s, contiguous in logical
 * offsets, never empty, in document order). Every word of a line is mapped, in increasing order,
 * so the cursor remembers the segment it found last and walks on from there: a value continued
 * over 100 000 lines has as many segments, and a binary search per word was a quarter of the
 * time to the first diagnostics of such a document (V8 without its optimising compiler).
 */

import type { Segment, Span } from './nodes';

/** Steps walked from the remembered segment before falling back to a binary search. */
const WALK = 8;

export class SegmentCursor {
  private k = 0;

  /** `segments` may still grow (a logical line being read); `empty` is the offset answered while it has none. */
  constructor(
    private readonly segments: readonly Segment[],
    private readonly empty = 0,
  ) {}

  /** Index of the last segment starting at or before logical offset `i` (0 when none does). */
  private find(i: number): number {
    const segs = this.segments;
    let k = this.k < segs.length ? this.k : 0;
    if (segs[k]!.logicalOffset <= i) {
      // Forward: a few steps, then a binary search over the rest.
      let steps = 0;
      while (k + 1 < segs.length && segs[k + 1]!.logicalOffset <= i) {
        if (++steps > WALK) {
          k = lastAtOrBefore(segs, i, k + 1, segs.length - 1);
          break;
        }
        k++;
      }
    } else {
      k = lastAtOrBefore(segs, i, 0, k - 1);
    }
    this.k = k;
    return k;
  }

  /** The document offset of logical offset `i`; past the last character: just after it. */
  toDoc(i: number): number {
    if (this.segments.length === 0) return this.empty;
    const s = this.segments[this.find(i)]!;
    return s.docOffset + Math.min(i - s.logicalOffset, s.length);
  }

  /** The document span of logical [start, end); an empty range is an empty span at `start`. */
  span(start: number, end: number): Span {
    const a = this.toDoc(start);
    if (end <= start || this.segments.length === 0) return { offset: a, length: 0 };
    // The end is just past the segment holding the range's last character, not the start of the
    // next segment (between them lie the backslash-newline and any skipped comment lines).
    const s = this.segments[this.find(end - 1)]!;
    const b = s.docOffset + Math.min(end - s.logicalOffset, s.length);
    return { offset: a, length: Math.max(0, b - a) };
  }
}

/** Binary search in segs[lo..hi] for the last segment starting at or before `i`; `lo` when none does. */
function lastAtOrBefore(segs: readonly Segment[], i: number, lo: number, hi: number): number {
  if (hi < lo) return Math.max(0, hi);
  if (segs[lo]!.logicalOffset > i) return Math.max(0, lo - 1);
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segs[mid]!.logicalOffset <= i) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
