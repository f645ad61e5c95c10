/**
 * SegmentCursor (server/src/parser/segments.ts) maps logical offsets of a continued line to
 * document offsets, remembering where it was. Whatever the order of the questions (increasing as
 * the parser asks, jumping back, far ahead), it must answer as a scan of all segments would.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Segment } from '../../server/src/parser/nodes';
import { SegmentCursor } from '../../server/src/parser/segments';
import { parseUnitFile } from '../../server/src/parser/parser';
import { propertyRuns, propertySeed, reportCases } from './propertyRuns';

const RUNS = propertyRuns(300);
const SEED = propertySeed(0x5e9);

/** Contiguous, non-empty logical pieces at increasing document offsets with gaps (line breaks, comments). */
const segmentsArb = fc.array(fc.record({ length: fc.integer({ min: 1, max: 12 }), gap: fc.integer({ min: 0, max: 9 }) }), { minLength: 1, maxLength: 60 }).map((parts) => {
  const segs: Segment[] = [];
  let logical = 0;
  let doc = 0;
  for (const p of parts) {
    doc += p.gap;
    segs.push({ logicalOffset: logical, docOffset: doc, length: p.length });
    logical += p.length;
    doc += p.length;
  }
  return segs;
});

/** The definition, by a scan: the last segment starting at or before i. */
function naiveToDoc(segs: readonly Segment[], i: number): number {
  let s = segs[0]!;
  for (const x of segs) if (x.logicalOffset <= i) s = x;
  return s.docOffset + Math.min(i - s.logicalOffset, s.length);
}

/**
 * [start, end): from start's document offset to just past the character end − 1 in the segment
 * holding it; past the last segment, to the end of the last segment.
 */
function naiveSpan(segs: readonly Segment[], start: number, end: number): { offset: number; length: number } {
  const offset = naiveToDoc(segs, start);
  if (end <= start) return { offset, length: 0 };
  let s = segs[0]!;
  for (const x of segs) if (x.logicalOffset <= end - 1) s = x;
  return { offset, length: Math.max(0, s.docOffset + Math.min(end - s.logicalOffset, s.length) - offset) };
}

test('answers as a scan of every segment would, in any order of questions', (t) => {
  let cases = 0;
  fc.assert(
    fc.property(
      segmentsArb.chain((segs) => {
        const total = segs[segs.length - 1]!.logicalOffset + segs[segs.length - 1]!.length;
        const range = fc.tuple(fc.integer({ min: 0, max: total + 3 }), fc.integer({ min: 0, max: total + 3 }));
        return fc.tuple(fc.constant(segs), fc.array(range, { maxLength: 40 }), fc.boolean());
      }),
      ([segs, queries, sorted]) => {
        cases++;
        const qs = sorted ? [...queries].sort((a, b) => a[0] - b[0]) : queries;
        const cursor = new SegmentCursor(segs);
        for (const [a, b] of qs) {
          const start = Math.min(a, b);
          const end = Math.max(a, b);
          assert.equal(cursor.toDoc(start), naiveToDoc(segs, start), `toDoc(${start})`);
          assert.deepEqual(cursor.span(start, end), naiveSpan(segs, start, end), `span(${start}, ${end})`);
        }
      },
    ),
    { numRuns: RUNS, seed: SEED },
  );
  reportCases(t, cases);
});

test('no segments: the offset it was given, empty spans', () => {
  const cursor = new SegmentCursor([], 17);
  assert.equal(cursor.toDoc(0), 17);
  assert.deepEqual(cursor.span(0, 5), { offset: 17, length: 0 });
});

test('every word of a value continued over 5 000 lines points at its own text', () => {
  const names = Array.from({ length: 5000 }, (_, i) => `call${i}`);
  const text = `[Service]\nSystemCallFilter=first \\\n${names.map((n, i) => (i % 7 === 3 ? `# a comment\n  ${n} \\\n` : `  ${n} \\\n`)).join('')}  last\n`;
  const unit = parseUnitFile(text, { fileName: 'u.service' });
  const a = unit.assignments[0]!;
  assert.equal(a.words.length, names.length + 2);
  for (const w of a.words) assert.equal(text.slice(w.span.offset, w.span.offset + w.span.length), w.value);
  assert.equal(text.slice(a.valueSpan.offset, a.valueSpan.offset + a.valueSpan.length).startsWith('first'), true);
  assert.equal(text.slice(a.valueSpan.offset, a.valueSpan.offset + a.valueSpan.length).endsWith('last'), true);
});
