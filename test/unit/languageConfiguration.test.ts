/**
 * Checks language-configuration.json the way VS Code reads it: strict JSON, comment and bracket settings, a
 * wordPattern that keeps unit-file words whole, and onEnterRules that recognise systemd's backslash continuation.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

interface OnEnterRule {
  beforeText: string;
  afterText?: string;
  previousLineText?: string;
  action: { indent: string; appendText?: string; removeText?: number };
}

interface LanguageConfiguration {
  comments: { lineComment?: string; blockComment?: [string, string] };
  brackets: [string, string][];
  autoClosingPairs: { open: string; close: string; notIn?: string[] }[];
  surroundingPairs: [string, string][];
  wordPattern: string;
  folding?: { markers?: { start: string; end: string } };
  onEnterRules: OnEnterRule[];
}

// NOTE: VS Code tolerates comments in this file, but we keep it strict JSON so plain tools can read it too.
const config = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'language-configuration.json'), 'utf8'),
) as LanguageConfiguration;

/** The word VS Code would pick at `offset`: the wordPattern match that contains or touches the offset. */
function wordAt(text: string, offset: number): string | undefined {
  const re = new RegExp(config.wordPattern, 'g');
  for (const m of text.matchAll(re)) {
    assert.ok(m[0].length > 0, 'wordPattern must not match the empty string');
    if (m.index <= offset && offset <= m.index + m[0].length) return m[0];
  }
  return undefined;
}

test('comments: # toggles line comments (systemd also reads ; but VS Code takes one marker)', () => {
  assert.equal(config.comments.lineComment, '#');
  assert.equal(config.comments.blockComment, undefined);
});

test('brackets and auto-closing pairs', () => {
  assert.deepEqual(config.brackets, [['[', ']']]);
  const opens = config.autoClosingPairs.map((p) => `${p.open}${p.close}`);
  for (const pair of ['[]', '""', "''"]) assert.ok(opens.includes(pair), pair);
  for (const p of config.autoClosingPairs.filter((q) => q.open === '"' || q.open === "'")) {
    assert.deepEqual(p.notIn, ['string', 'comment']);
  }
  for (const [open, close] of config.surroundingPairs) {
    assert.ok(opens.includes(`${open}${close}`), `${open}${close} surrounds but does not auto-close`);
  }
});

test('wordPattern keeps directive names, groups, architectures, families and specifiers whole', () => {
  const samples: [line: string, word: string][] = [
    ['SystemCallFilter=~@system-service @raw-io:EPERM', 'SystemCallFilter'],
    ['SystemCallFilter=~@system-service @raw-io:EPERM', '@system-service'],
    ['SystemCallFilter=~@system-service @raw-io:EPERM', '@raw-io'],
    ['SystemCallFilter=~@system-service @raw-io:EPERM', 'EPERM'],
    ['SystemCallArchitectures=native x86-64', 'x86-64'],
    ['RestrictAddressFamilies=AF_UNIX AF_INET6', 'AF_INET6'],
    ['CapabilityBoundingSet=~CAP_SYS_ADMIN', 'CAP_SYS_ADMIN'],
    ['ExecStart=/usr/bin/foo --id %i', '%i'],
    ['Description=literal %% sign', '%%'],
    ['TimeoutStartSec=1min30s', '1min30s'],
    ['Wants=getty@tty1.service', 'getty@tty1.service'],
  ];
  for (const [text, word] of samples) {
    const start = text.indexOf(word);
    assert.ok(start >= 0, word);
    for (const offset of [start, start + Math.floor(word.length / 2), start + word.length - 1]) {
      assert.equal(wordAt(text, offset), word, `${word} at ${offset} in ${text}`);
    }
  }
  // The = and ~ operators and path separators are not part of words.
  assert.equal(wordAt('SystemCallFilter=~@mount', 'SystemCallFilter=~'.length), '@mount');
  assert.equal(wordAt('ExecStart=-/usr/bin/foo', 'ExecStart=-/usr/'.length), 'bin');
});

test('folding markers compile and match region comments', () => {
  const markers = config.folding?.markers;
  assert.ok(markers);
  assert.match('# region Sandboxing', new RegExp(markers.start));
  assert.match('  ; endregion', new RegExp(markers.end));
  assert.doesNotMatch('[Service]', new RegExp(markers.start));
});

test('onEnterRules recognise a trailing unescaped backslash on a non-comment line', () => {
  const valid = new Set(['none', 'indent', 'outdent', 'indentOutdent']);
  for (const rule of config.onEnterRules) assert.ok(valid.has(rule.action.indent), rule.action.indent);

  const [keep, start, end] = config.onEnterRules;
  assert.ok(keep && start && end);
  const continues = new RegExp(start.beforeText);
  assert.equal(keep.beforeText, start.beforeText);
  assert.equal(keep.previousLineText, start.beforeText);
  assert.equal(end.previousLineText, start.beforeText);
  assert.deepEqual([keep.action.indent, start.action.indent, end.action.indent], ['none', 'indent', 'outdent']);

  const yes = ['ExecStart=/usr/bin/foo \\', '\\', '    --flag \\', 'Description=a \\\\\\'];
  const no = [
    'ExecStart=/usr/bin/foo',
    'Description=a \\\\', // an escaped backslash
    'Description=a \\ ', // whitespace after the backslash: systemd does not continue
    '# comment \\', // comment lines never start a continuation
    '  ; comment \\',
    '',
  ];
  for (const l of yes) assert.match(l, continues, l);
  for (const l of no) assert.doesNotMatch(l, continues, l);

  // The outdent rule fires only once the current line stops continuing.
  const stops = new RegExp(end.beforeText);
  assert.match('    --last-flag', stops);
  assert.doesNotMatch('    --more \\', stops);
});
