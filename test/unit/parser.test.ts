/**
 * Parser tests: each case is a behaviour of systemd's config_parse()/parse_line()/read_line()
 * (src/shared/conf-parser.c, src/basic/fileio.c, v252) that the parser must mirror, with offsets.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseUnitFile, splitPhysicalLines } from '../../server/src/parser/parser';
import { extractWords, ExtractFlags } from '../../server/src/parser/extractWord';
import type { Span } from '../../server/src/parser/nodes';

const SERVICE = ['Unit', 'Service', 'Install'];

function text(src: string, span: Span): string {
  return src.slice(span.offset, span.offset + span.length);
}

test('sections, keys and values with whitespace around =', () => {
  const src = '[Unit]\nDescription = Hello world  \n[Service]\n  ExecStart=/bin/true\n';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  assert.deepEqual(f.sections.map((s) => s.name), ['Unit', 'Service']);
  const [d, e] = f.assignments;
  assert.equal(d!.key, 'Description');
  assert.equal(d!.value, 'Hello world');
  assert.equal(text(src, d!.keySpan), 'Description');
  assert.equal(text(src, d!.valueSpan), 'Hello world');
  assert.equal(d!.section?.name, 'Unit');
  assert.equal(e!.key, 'ExecStart');
  assert.equal(e!.line, 4);
  assert.equal(text(src, e!.keySpan), 'ExecStart');
  assert.equal(text(src, f.sections[1]!.headerSpan), '[Service]');
  assert.equal(text(src, f.sections[1]!.nameSpan), 'Service');
  assert.deepEqual(f.problems, []);
});

test('comments start with # or ; after optional whitespace, only at line start', () => {
  const src = '# top\n[Service]\n  ; indented\nUser=a # not a comment\n';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  assert.equal(f.comments.length, 2);
  assert.equal(f.comments[1]!.text, '; indented');
  assert.equal(f.assignments[0]!.value, 'a # not a comment');
});

test('backslash continuation joins lines with a space and keeps word offsets', () => {
  const src = '[Service]\nSystemCallFilter=@system-service \\\n  ~@privileged\\\n@resources\nUser=x\n';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  const a = f.assignments[0]!;
  assert.equal(a.value, '@system-service    ~@privileged @resources');
  assert.equal(a.line, 2);
  assert.equal(a.systemdLine, 4);
  assert.deepEqual(a.words.map((w) => w.value), ['@system-service', '~@privileged', '@resources']);
  assert.deepEqual(a.words.map((w) => text(src, w.span)), ['@system-service', '~@privileged', '@resources']);
  assert.equal(f.assignments[1]!.key, 'User');
  assert.equal(f.assignments[1]!.line, 5);
});

test('comment lines inside a continuation are skipped, not ending it', () => {
  const src = '[Service]\nSystemCallFilter=read \\\n# a comment\n; another\n  write\nUser=x\n';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  assert.equal(f.assignments.length, 2);
  assert.equal(f.assignments[0]!.value, 'read    write');
  assert.equal(f.comments.length, 2);
  assert.ok(f.comments.every((c) => c.inContinuation));
  assert.equal(text(src, f.assignments[0]!.words[1]!.span), 'write');
});

test('an escaped backslash at the end does not continue the line', () => {
  const src = '[Service]\nEnvironment=A=x\\\\\nUser=y\n';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  assert.equal(f.assignments.length, 2);
  assert.equal(f.assignments[0]!.value, 'A=x\\\\');
});

test('a backslash followed by whitespace is not a continuation', () => {
  const src = '[Service]\nUser=a\\ \nGroup=b\n';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  assert.deepEqual(f.assignments.map((a) => a.key), ['User', 'Group']);
});

test('a file ending inside a continuation is still parsed', () => {
  const src = '[Service]\nUser=a \\';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  assert.equal(f.assignments.length, 1);
  assert.equal(f.assignments[0]!.value, 'a');
  assert.equal(f.assignments[0]!.systemdLine, 3);
});

test('CRLF, lone CR and a missing final newline', () => {
  const src = '[Service]\r\nUser=a\r\nGroup=b\rNice=5';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  assert.deepEqual(f.assignments.map((a) => [a.key, a.value, a.line]), [
    ['User', 'a', 2],
    ['Group', 'b', 3],
    ['Nice', '5', 4],
  ]);
  assert.equal(text(src, f.assignments[0]!.valueSpan), 'a');
});

test('read_line(): \\n\\r is one line end, \\n\\n two, NUL ends a line', () => {
  assert.equal(splitPhysicalLines('a\n\rb').length, 2);
  assert.equal(splitPhysicalLines('a\n\nb').length, 3);
  assert.equal(splitPhysicalLines('a\r\n\nb').length, 3);
  assert.equal(splitPhysicalLines('a\0b').length, 2);
  assert.equal(splitPhysicalLines('').length, 0);
  assert.equal(splitPhysicalLines('x').length, 1);
});

test('a UTF-8 byte-order mark is skipped', () => {
  const src = '\uFEFF[Service]\nUser=a\n';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  assert.equal(f.hasBom, true);
  assert.equal(f.sections[0]!.name, 'Service');
  assert.equal(text(src, f.sections[0]!.headerSpan), '[Service]');
  assert.deepEqual(f.problems, []);
});

test('a BOM before a comment makes it a non-comment line, as in systemd', () => {
  const src = '\uFEFF# hi\n[Service]\n';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  assert.equal(f.comments.length, 0);
  assert.equal(f.problems[0]!.code, 'syntax-outside-section');
});

test('invalid section header is fatal; bad characters too', () => {
  const f = parseUnitFile('[Service\nUser=a\n', { knownSections: SERVICE });
  assert.equal(f.fatal?.code, 'syntax-invalid-section-header');
  assert.equal(f.fatal?.severity, 'error');
  const g = parseUnitFile('[Ser"vice]\n', { knownSections: SERVICE });
  assert.equal(g.fatal?.code, 'syntax-bad-section-characters');
});

test('unknown sections are ignored with a warning; X- sections silently', () => {
  const src = '[Service]\nUser=a\n[Servce]\nGroup=b\n[X-Mine]\nFoo=c\n';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  assert.deepEqual(f.problems.map((p) => p.code), ['unknown-section']);
  assert.equal(text(src, f.problems[0]!.span), 'Servce');
  assert.equal(f.sections[1]!.ignored, true);
  assert.equal(f.sections[2]!.ignored, true);
  assert.equal(f.sections[2]!.extension, true);
  assert.equal(f.assignments.length, 3);
});

test('lines systemd ignores become warnings, and parsing goes on', () => {
  const src = 'User=early\n[Service]\njunk line\n=value\nUser=ok\n';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  assert.deepEqual(f.problems.map((p) => [p.code, p.severity]), [
    ['syntax-outside-section', 'warning'],
    ['syntax-missing-equals', 'warning'],
    ['syntax-missing-key', 'warning'],
  ]);
  assert.equal(f.assignments.at(-1)!.value, 'ok');
  assert.equal(f.fatal, undefined);
});

test('empty assignment keeps a zero-length value span after =', () => {
  const src = '[Service]\nSystemCallFilter=\n';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  const a = f.assignments[0]!;
  assert.equal(a.value, '');
  assert.equal(a.valueSpan.length, 0);
  assert.equal(a.valueSpan.offset, src.indexOf('=') + 1);
  assert.deepEqual(a.words, []);
});

test('specifiers and quotes stay inside words with exact offsets', () => {
  const src = '[Service]\nExecStart=/bin/echo "%n and %i" 100%%\n';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  const w = f.assignments[0]!.words;
  assert.deepEqual(w.map((x) => x.value), ['/bin/echo', '%n and %i', '100%%']);
  assert.equal(text(src, w[1]!.span), '"%n and %i"');
});

test('a line over 1 MiB makes systemd refuse the file', () => {
  const src = '[Service]\nEnvironment=A=' + 'x'.repeat(1024 * 1024) + '\nUser=a\n';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  assert.equal(f.fatal?.code, 'syntax-line-too-long');
  assert.equal(f.assignments.at(-1)!.key, 'User');
});

test('never throws on arbitrary input', () => {
  const inputs = ['', '\\', '[', ']', '=', '\0\0\0', '[A]\n\\\n\\\n', '\r\r\r\n\n', '[Service]\nA="unterminated\n', '\uD800', '[Service]\nA=\\'];
  for (const s of inputs) {
    const f = parseUnitFile(s, { knownSections: SERVICE });
    for (const a of f.assignments) {
      assert.ok(a.span.offset >= 0 && a.span.offset + a.span.length <= s.length);
      for (const w of a.words) assert.ok(w.span.offset >= 0 && w.span.offset + w.span.length <= s.length);
    }
  }
});

test('extract_first_word: flags 0 keeps quotes and removes backslashes', () => {
  assert.deepEqual(extractWords('a "b c" d\\ e').words.map((w) => w.value), ['a', '"b', 'c"', 'd e']);
  assert.deepEqual(extractWords('a "b c"', ExtractFlags.Unquote).words.map((w) => w.value), ['a', 'b c']);
  assert.equal(extractWords('a "b', ExtractFlags.Unquote).error?.reason, 'unbalanced-quote');
  assert.deepEqual(extractWords('a "b', ExtractFlags.Unquote | ExtractFlags.Relax).words.map((w) => w.value), ['a', 'b']);
  assert.deepEqual(extractWords('x:y:', ExtractFlags.DontCoalesceSeparators, ':').words.map((w) => w.value), ['x', 'y', '']);
  assert.deepEqual(extractWords('\\x41b', ExtractFlags.CUnescape).words.map((w) => w.value), ['Ab']);
});

test('specifiers are tokens with exact offsets, across continuations too', () => {
  const src = '[Service]\nExecStart=/bin/echo %n 100%% \\\n  %i\n';
  const f = parseUnitFile(src, { knownSections: SERVICE });
  const specs = f.assignments[0]!.specifiers;
  assert.deepEqual(specs.map((s) => s.letter), ['n', '%', 'i']);
  assert.deepEqual(specs.map((s) => text(src, s.span)), ['%n', '%%', '%i']);
});
