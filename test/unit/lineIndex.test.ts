/**
 * LineIndex (server/src/lineIndex.ts) must answer positionAt() exactly as
 * vscode-languageserver-textdocument does, for any text and any offset (line breaks \r\n, \r, \n
 * in any mix, offsets inside a \r\n, past the end, negative).
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LineIndex } from '../../server/src/lineIndex';
import { propertyRuns, propertySeed, reportCases } from './propertyRuns';

const RUNS = propertyRuns(500);
const SEED = propertySeed(0x11e1de);

const textArb = fc
  .array(fc.constantFrom('a', 'Key=value', ' ', '\n', '\r', '\r\n', '\n\r', 'é', '😀', '\\', '[Service]'), { maxLength: 80 })
  .map((parts) => parts.join(''));

test('positionAt equals TextDocument.positionAt for every offset of random texts', (t) => {
  let cases = 0;
  fc.assert(
    fc.property(textArb, (text) => {
      cases++; // one case per generated text (each checks every offset of it)
      const doc = TextDocument.create('file:///u.service', 'systemd-unit', 1, text);
      const index = new LineIndex(text);
      assert.equal(index.lineCount, doc.lineCount);
      for (let o = -2; o <= text.length + 2; o++) {
        assert.deepEqual(index.positionAt(o), doc.positionAt(o), `offset ${o} of ${JSON.stringify(text)}`);
      }
    }),
    { numRuns: RUNS, seed: SEED },
  );
  reportCases(t, cases);
});

test('fixed cases: empty text, lone breaks, a break at the very end', () => {
  assert.deepEqual(new LineIndex('').positionAt(0), { line: 0, character: 0 });
  const crlf = new LineIndex('a\r\nb');
  assert.deepEqual([1, 2, 3, 4].map((o) => crlf.positionAt(o)), [{ line: 0, character: 1 }, { line: 0, character: 1 }, { line: 1, character: 0 }, { line: 1, character: 1 }]);
  assert.deepEqual(new LineIndex('a\rb\n').positionAt(4), { line: 2, character: 0 });
  assert.equal(new LineIndex('x\n'.repeat(100000)).lineCount, 100001);
});
