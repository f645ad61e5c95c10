/**
 * Property tests (fast-check) for the parser and the language service: arbitrary text,
 * unit-like text and mutated corpus files never make them throw, every offset stays inside the
 * text, and re-parsing a document's own rendering gives the same sections and assignments.
 * Seeded; UNIT_HARDEN_PROPERTY_RUNS scales the number of cases (see propertyRuns.ts).
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseUnitFile } from '../../server/src/parser/parser';
import type { UnitFileSyntax } from '../../server/src/parser/nodes';
import { getLanguageService } from '../../server/src/languageService';
import { CaseCounter, propertyRuns, propertySeed, reportCases } from './propertyRuns';

const RUNS = propertyRuns(300);
const CORPUS_RUNS = propertyRuns(100);
const SEED = propertySeed(20261128);
const SERVICE = ['Unit', 'Service', 'Install'];
const CORPUS = path.resolve(__dirname, '../../..', '..', 'shared', 'corpus');

function assertSpansInside(f: UnitFileSyntax, text: string): void {
  const inside = (o: number, l: number): boolean => o >= 0 && l >= 0 && o + l <= text.length;
  for (const s of f.sections) {
    assert.ok(inside(s.headerSpan.offset, s.headerSpan.length));
    assert.ok(inside(s.span.offset, s.span.length));
  }
  for (const a of f.assignments) {
    assert.ok(inside(a.span.offset, a.span.length));
    assert.ok(inside(a.keySpan.offset, a.keySpan.length));
    assert.ok(inside(a.valueSpan.offset, a.valueSpan.length));
    for (const w of a.words) assert.ok(inside(w.span.offset, w.span.length));
    for (const sp of a.specifiers) assert.ok(inside(sp.span.offset, sp.span.length));
  }
  for (const p of f.problems) assert.ok(inside(p.span.offset, p.span.length));
  for (const c of f.comments) assert.ok(inside(c.span.offset, c.span.length));
}

/** Unit-like text: section headers, assignments, comments, continuations, odd bytes. */
const unitLike = fc
  .array(
    fc.oneof(
      fc.constantFrom('[Unit]', '[Service]', '[Install]', '[X-Foo]', '[Bad', '[Se"rv]', '', '   ', '# c', '; c', '\\', 'x\\\\'),
      fc.tuple(fc.constantFrom('SystemCallFilter', 'User', 'ExecStart', 'Frob', ' Key ', ''), fc.string({ maxLength: 20 })).map(([k, v]) => `${k}=${v}`),
      fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\\', '')).map(([v, c]) => `  ${v}${c}`),
      fc.string({ maxLength: 30 }),
    ),
    { maxLength: 30 },
  )
  .chain((lines) => fc.constantFrom('\n', '\r\n', '\r').map((eol) => lines.join(eol)));

test('arbitrary strings: no exception, offsets inside the text', (t) => {
  const cases = new CaseCounter();
  fc.assert(
    fc.property(
      fc.string({ maxLength: 400, unit: 'binary' }),
      cases.wrap((text: string) => {
        assertSpansInside(parseUnitFile(text, { knownSections: SERVICE }), text);
      }),
    ),
    { numRuns: RUNS, seed: SEED },
  );
  reportCases(t, cases.count);
});

test('unit-like text: no exception, offsets inside, keys and words point at their text', (t) => {
  const cases = new CaseCounter();
  fc.assert(
    fc.property(
      unitLike,
      cases.wrap((text: string) => {
        const f = parseUnitFile(text, { knownSections: SERVICE });
        assertSpansInside(f, text);
        for (const a of f.assignments) {
          if (a.line === a.systemdLine) assert.equal(text.slice(a.keySpan.offset, a.keySpan.offset + a.keySpan.length), a.key);
        }
      }),
    ),
    { numRuns: RUNS, seed: SEED },
  );
  reportCases(t, cases.count);
});

/** Renders what the parser understood: headers and `key=value` lines. */
function render(f: UnitFileSyntax): string {
  const lines: string[] = [];
  for (const a of f.assignments.filter((x) => x.section === undefined)) lines.push(`${a.key}=${a.value}`);
  for (const s of f.sections) {
    lines.push(`[${s.name}]`);
    for (const a of s.assignments) lines.push(`${a.key}=${a.value}`);
  }
  return lines.join('\n') + '\n';
}

function shape(f: UnitFileSyntax): unknown {
  return f.sections.map((s) => [s.name, s.ignored, s.assignments.map((a) => [a.key, a.value])]);
}

test("re-parsing a document's own rendering is stable", (t) => {
  const safeText = unitLike.filter((s) => !s.includes('\uFEFF'));
  const cases = new CaseCounter();
  fc.assert(
    fc.property(
      safeText,
      cases.wrap((text: string) => {
        const first = parseUnitFile(text, { knownSections: SERVICE });
        // A value ending in an odd backslash would turn into a continuation when written back.
        fc.pre(!first.assignments.some((a) => /(^|[^\\])(\\\\)*\\$/.test(a.value)) && first.fatal === undefined);
        const second = parseUnitFile(render(first), { knownSections: SERVICE });
        assert.deepEqual(shape(second), shape(first));
        assert.equal(render(second), render(first));
      }),
    ),
    { numRuns: RUNS, seed: SEED },
  );
  reportCases(t, cases.count);
});

test('mutated corpus files: the whole language service answers without an exception', { skip: !fs.existsSync(CORPUS) && process.env['CI'] !== 'true' ? 'corpus not found' : false }, (t) => {
  const dir = path.join(CORPUS, 'systemd-v252', 'rendered');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.service')).slice(0, 40).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
  const ls = getLanguageService();
  const cases = new CaseCounter();
  const mutation = fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('', '\\', '\n', '[', ']', '=', '~', '@', ':', '%', '"', '\0', '\r', '#', 'SystemCallFilter=', 'x'));
  fc.assert(
    fc.property(
      fc.constantFrom(...files),
      fc.array(mutation, { minLength: 1, maxLength: 8 }),
      fc.nat(),
      cases.wrap((base: string, muts: [number, number, string][], probe: number) => {
        let text = base;
        for (const [at, len, ins] of muts) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + ins + text.slice(i + (len % 4));
        }
        const doc = TextDocument.create('file:///m/x.service', 'systemd-unit', 1, text);
        const unit = ls.parseUnit(doc, '/m/x.service');
        assertSpansInside(unit.main, text);
        ls.doValidation(doc, unit);
        const pos = doc.positionAt(probe % (text.length + 1));
        ls.doHover(doc, pos, unit);
        ls.doComplete(doc, pos, unit);
        ls.getCodeLenses(doc, unit);
        ls.findDocumentSymbols(doc, unit);
        ls.getFoldingRanges(doc, unit);
      }),
    ),
    { numRuns: CORPUS_RUNS, seed: SEED },
  );
  reportCases(t, cases.count);
});
