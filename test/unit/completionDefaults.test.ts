/**
 * The server's completion answer for clients with `completionList.itemDefaults`: the shared
 * replace range is sent once, and expanding the defaults gives back exactly the items the
 * language service computed; anything else is passed through unchanged.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CompletionItem, CompletionList, TextEdit } from 'vscode-languageserver-types';
import { getLanguageService } from '../../server/src/languageService';
import { withEditRangeDefault } from '../../server/src/server';

function completeAt(text: string): CompletionItem[] {
  const caret = text.indexOf('|');
  const doc = TextDocument.create('file:///units/test.service', 'systemd-unit', 1, text.slice(0, caret) + text.slice(caret + 1));
  const ls = getLanguageService();
  return ls.doComplete(doc, doc.positionAt(caret), ls.parseUnit(doc, '/units/test.service'));
}

/** What a client does with itemDefaults.editRange (LSP 3.17). */
function expand(list: CompletionList): CompletionItem[] {
  const range = list.itemDefaults?.editRange;
  assert.ok(range && 'start' in range);
  return list.items.map((i) => ({ ...i, textEdit: { range, newText: i.textEditText ?? i.label } as TextEdit }));
}

test('a value completion sends its range once and expands to the same items', () => {
  const items = completeAt('[Service]\nSystemCallFilter=@system-service ch|\n');
  assert.ok(items.length > 100);
  const answer = withEditRangeDefault(items);
  assert.ok(!Array.isArray(answer));
  assert.equal(answer.isIncomplete, false);
  assert.ok(answer.items.every((i) => i.textEdit === undefined));
  const sortByKey = (xs: CompletionItem[]): string[] => xs.map((i) => JSON.stringify(i, Object.keys(i).sort())).sort();
  assert.deepEqual(sortByKey(expand(answer)), sortByKey(items));
  assert.ok(JSON.stringify(answer).length < JSON.stringify(items).length * 0.7);
});

test('items with different ranges or edits are passed through', () => {
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
  const other = { start: { line: 0, character: 0 }, end: { line: 0, character: 2 } };
  const a: CompletionItem[] = [
    { label: 'a', textEdit: { range, newText: 'a' } },
    { label: 'b', textEdit: { range: other, newText: 'b' } },
  ];
  assert.equal(withEditRangeDefault(a), a);
  const b: CompletionItem[] = [
    { label: 'a', textEdit: { range, newText: 'a=' } },
    { label: 'b', textEdit: { range, newText: 'b' } },
  ];
  assert.equal(withEditRangeDefault(b), b);
  const c: CompletionItem[] = [{ label: 'a' }, { label: 'b' }];
  assert.equal(withEditRangeDefault(c), c);
});
