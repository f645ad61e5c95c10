/**
 * Tokenization tests for syntaxes/systemd-unit.tmLanguage.json, run with the same engine VS Code uses
 * (vscode-textmate + vscode-oniguruma): exact scopes for representative lines, snapshots of the fixtures in
 * test/fixtures/grammar, and a speed and sanity run over systemd's own units in ../shared/corpus.
 */

// Scopes the grammar assigns (every one ends in `.systemd-unit`; the helpers below strip that suffix):
//
//   [Section]                      entity.name.section.group-title, brackets add punctuation.definition.entity
//   # comment / ; comment          comment.line.number-sign / comment.line.semicolon (+ punctuation.definition.comment)
//   Key  =                         keyword.other.definition, punctuation.separator.key-value
//   the value                      meta.value (contentName of every assignment; not string.*, on purpose)
//   trailing backslash             constant.character.escape.line-continuation
//   \n \; \\ …                     constant.character.escape
//   %i %n …  /  %c %r %R           constant.other.placeholder.specifier  /  ….specifier.deprecated
//   %%                             constant.character.escape.specifier
//   %x (unknown letter)            invalid.illegal.specifier
//   "…" '…' at the start of a word string.quoted.double / string.quoted.single (+ punctuation.definition.string.*)
//   yes/no/true/false/on/off/1/0   constant.language.boolean (whole value only); infinity: constant.language.infinity
//   5s 1min 512M 80%               constant.numeric + keyword.other.unit
//   Exec* prefixes - @ : + ! !! |  keyword.operator.exec-prefix; a lone `;` between commands: punctuation.separator.command
//   $VAR ${VAR} / $$ (Exec* only)  variable.other.environment (+ punctuation.definition.variable) / constant.character.escape.dollar
//   leading ~ of invertible lists  keyword.operator.negation
//   @system-service                support.constant.group
//   :EPERM :13 / :kill             punctuation.separator.errno + constant.other.errno / constant.language.seccomp-action
//   any other :suffix              invalid.illegal.errno
//   SystemCallErrorNumber= value   constant.other.errno / constant.language.seccomp-action
//   [Header without ] / =value / line without =   invalid.illegal.section-header / .missing-key / .missing-equals

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';

const ROOT = path.resolve(__dirname, '../../..');
const GRAMMAR_PATH = path.join(ROOT, 'syntaxes', 'systemd-unit.tmLanguage.json');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'grammar');
const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus');
const SCOPE = 'source.systemd-unit';
const SUFFIX = '.systemd-unit';
const SNAPSHOT_EXT = '.tokens.json';
const UPDATE = process.env['UPDATE_GRAMMAR_SNAPSHOTS'] === '1';

/** One token: its text and its scopes without the root scope and without the `.systemd-unit` suffix. */
type Tok = [text: string, scopes: string];

let grammarPromise: Promise<vsctm.IGrammar> | undefined;

function loadGrammar(): Promise<vsctm.IGrammar> {
  grammarPromise ??= (async () => {
    // NOTE: loadWASM may run only once per process, hence the memoised promise.
    await oniguruma.loadWASM(fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')));
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (sources: string[]) => oniguruma.createOnigScanner(sources),
        createOnigString: (s: string) => oniguruma.createOnigString(s),
      }),
      loadGrammar: async (scopeName: string) =>
        scopeName === SCOPE ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH) : null,
    });
    const grammar = await registry.loadGrammar(SCOPE);
    assert.ok(grammar, 'grammar failed to load');
    return grammar;
  })();
  return grammarPromise;
}

function simplify(line: string, tokens: vsctm.IToken[]): Tok[] {
  return tokens.map((t) => {
    assert.equal(t.scopes[0], SCOPE);
    const scopes = t.scopes.slice(1).map((s) => {
      assert.ok(s.endsWith(SUFFIX), `scope ${s} lacks the ${SUFFIX} suffix`);
      return s.slice(0, -SUFFIX.length);
    });
    return [line.slice(t.startIndex, t.endIndex), scopes.join(' ')];
  });
}

/** Tokenizes a whole document (lines carry state, as in the editor) and returns simplified tokens per line. */
async function tokenize(text: string): Promise<Tok[][]> {
  const grammar = await loadGrammar();
  let state = vsctm.INITIAL;
  return text.split(/\r?\n/).map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return simplify(line, r.tokens);
  });
}

async function line(text: string): Promise<Tok[]> {
  const lines = await tokenize(text);
  assert.equal(lines.length, 1);
  return lines[0]!;
}

const KEY = 'keyword.other.definition';
const EQ = 'punctuation.separator.key-value';
const V = 'meta.value';
const key = (k: string, sep = '='): Tok[] => [[k, KEY], [sep, EQ]];

test('grammar file: scopeName, and every scope name ends in .systemd-unit', () => {
  const raw = JSON.parse(fs.readFileSync(GRAMMAR_PATH, 'utf8'));
  assert.equal(raw.scopeName, SCOPE);
  const names: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if ((k === 'name' || k === 'contentName') && typeof v === 'string') names.push(v);
        else walk(v);
      }
    }
  };
  walk(raw.repository);
  walk(raw.patterns);
  assert.ok(names.length > 20);
  for (const n of names) assert.ok(n.endsWith(SUFFIX), n);
});

test('section headers, including X- extension sections and surrounding whitespace', async () => {
  const title = 'entity.name.section.group-title';
  const bracket = `${title} punctuation.definition.entity`;
  assert.deepEqual(await line('[Unit]'), [['[', bracket], ['Unit', title], [']', bracket]]);
  assert.deepEqual(await line('[X-Vendor]'), [['[', bracket], ['X-Vendor', title], [']', bracket]]);
  assert.deepEqual(await line('  [Service]  '), [['  ', ''], ['[', bracket], ['Service', title], [']', bracket], ['  ', '']]);
});

test('a header that does not end in ] is invalid (systemd has no inline comments)', async () => {
  assert.deepEqual(await line('[Unit'), [['[Unit', 'invalid.illegal.section-header']]);
  assert.deepEqual(await line('[Unit] # x'), [['[Unit] # x', 'invalid.illegal.section-header']]);
});

test('comments start with # or ; after optional whitespace', async () => {
  assert.deepEqual(await line('# a comment'), [
    ['#', 'comment.line.number-sign punctuation.definition.comment'],
    [' a comment', 'comment.line.number-sign'],
  ]);
  assert.deepEqual(await line('  ; another'), [
    ['  ', ''],
    [';', 'comment.line.semicolon punctuation.definition.comment'],
    [' another', 'comment.line.semicolon'],
  ]);
});

test('Key=value, with optional whitespace around =, and no trailing comments', async () => {
  assert.deepEqual(await line('After=network-online.target'), [...key('After'), ['network-online.target', V]]);
  assert.deepEqual(await line('Description = a # b'), [['Description', KEY], [' ', ''], ['=', EQ], [' ', ''], ['a # b', V]]);
  assert.deepEqual(await line('X-Custom=1 2'), [...key('X-Custom'), ['1', `${V} constant.numeric`], [' ', V], ['2', `${V} constant.numeric`]]);
  assert.deepEqual(await line('SystemCallFilter='), key('SystemCallFilter'));
});

test('lines systemd ignores: no =, or nothing before =', async () => {
  assert.deepEqual(await line('NoEqualsHere'), [['NoEqualsHere', 'invalid.illegal.missing-equals']]);
  assert.deepEqual(await line(' =value'), [[' ', ''], ['=value', 'invalid.illegal.missing-key']]);
});

test('booleans only when they are the whole value', async () => {
  const b = `${V} constant.language.boolean`;
  for (const word of ['yes', 'no', 'true', 'false', 'on', 'off', '1', '0', 'Yes', 'FALSE']) {
    assert.deepEqual(await line(`PrivateTmp=${word}`), [...key('PrivateTmp'), [word, b]], word);
  }
  assert.deepEqual(await line('PrivateTmp= yes  '), [...key('PrivateTmp'), [' ', ''], ['yes', b], ['  ', V]]);
  assert.deepEqual(await line('Description=yes please'), [...key('Description'), ['yes please', V]]);
  assert.deepEqual(await line('LimitNOFILE=infinity'), [...key('LimitNOFILE'), ['infinity', `${V} constant.language.infinity`]]);
});

test('backslash continuation: the next line is value, comment lines inside stay comments, an empty line ends it', async () => {
  const lines = await tokenize(
    ['ExecStart=/usr/bin/foo \\', '    # dropped by systemd \\', '  ; also dropped', '  --bar=1 \\', '', 'After=x'].join('\n'),
  );
  const cont = `${V} constant.character.escape.line-continuation`;
  assert.deepEqual(lines[0], [...key('ExecStart'), ['/usr/bin/foo ', V], ['\\', cont]]);
  assert.deepEqual(lines[1], [
    ['    ', V],
    ['#', `${V} comment.line.number-sign punctuation.definition.comment`],
    [' dropped by systemd \\', `${V} comment.line.number-sign`],
  ]);
  assert.deepEqual(lines[2], [
    ['  ', V],
    [';', `${V} comment.line.semicolon punctuation.definition.comment`],
    [' also dropped', `${V} comment.line.semicolon`],
  ]);
  assert.deepEqual(lines[3], [['  --bar=', V], ['1', `${V} constant.numeric`], [' ', V], ['\\', cont]]);
  assert.deepEqual(lines[4], [['', '']]);
  assert.deepEqual(lines[5], [...key('After'), ['x', V]]);
});

test('a continued line that looks like an assignment or header is still value', async () => {
  const lines = await tokenize('Description=a \\\nAfter=b \\\n[Unit]');
  assert.deepEqual(lines[1], [['After=b ', V], ['\\', `${V} constant.character.escape.line-continuation`]]);
  assert.deepEqual(lines[2], [['[Unit]', V]]);
});

test('an escaped backslash, or whitespace after the backslash, does not continue the line', async () => {
  const lines = await tokenize('Description=a \\\\\nNext=b');
  assert.deepEqual(lines[0], [...key('Description'), ['a ', V], ['\\\\', `${V} constant.character.escape`]]);
  assert.deepEqual(lines[1], [...key('Next'), ['b', V]]);
  const spaced = await tokenize('Description=a \\ \nNext=b');
  assert.deepEqual(spaced[0], [...key('Description'), ['a ', V], ['\\ ', `${V} constant.character.escape`]]);
  assert.deepEqual(spaced[1], [...key('Next'), ['b', V]]);
  const odd = await tokenize('Description=a \\\\\\\n b');
  assert.deepEqual(odd[0], [
    ...key('Description'),
    ['a ', V],
    ['\\\\', `${V} constant.character.escape`],
    ['\\', `${V} constant.character.escape.line-continuation`],
  ]);
  assert.deepEqual(odd[1], [[' b', V]]);
});

test('SystemCallFilter=~@mount @clock:EPERM', async () => {
  assert.deepEqual(await line('SystemCallFilter=~@mount @clock:EPERM'), [
    ...key('SystemCallFilter'),
    ['~', `${V} keyword.operator.negation`],
    ['@mount', `${V} support.constant.group`],
    [' ', V],
    ['@clock', `${V} support.constant.group`],
    [':', `${V} punctuation.separator.errno`],
    ['EPERM', `${V} constant.other.errno`],
  ]);
});

test('syscall filter shapes: ~ with a space, :kill, numeric errno, bad suffix, groups only at word start', async () => {
  assert.deepEqual(await line('SystemCallFilter=~ @raw-io'), [
    ...key('SystemCallFilter'),
    ['~', `${V} keyword.operator.negation`],
    [' ', V],
    ['@raw-io', `${V} support.constant.group`],
  ]);
  assert.deepEqual(await line('SystemCallFilter=uname:kill uname:13 uname:log'), [
    ...key('SystemCallFilter'),
    ['uname', V],
    [':', `${V} punctuation.separator.errno`],
    ['kill', `${V} constant.language.seccomp-action`],
    [' uname', V],
    [':', `${V} punctuation.separator.errno`],
    ['13', `${V} constant.other.errno`],
    [' uname', V],
    [':', `${V} punctuation.separator.errno`],
    ['log', `${V} invalid.illegal.errno`],
  ]);
  assert.deepEqual(await line('SystemCallFilter=@system-service read~write a@b'), [
    ...key('SystemCallFilter'),
    ['@system-service', `${V} support.constant.group`],
    [' read~write a@b', V],
  ]);
  assert.deepEqual(await line('SystemCallErrorNumber=EPERM'), [...key('SystemCallErrorNumber'), ['EPERM', `${V} constant.other.errno`]]);
  assert.deepEqual(await line('SystemCallErrorNumber=kill'), [
    ...key('SystemCallErrorNumber'),
    ['kill', `${V} constant.language.seccomp-action`],
  ]);
});

test('a leading ~ is negation only in lists systemd can invert', async () => {
  const neg = `${V} keyword.operator.negation`;
  assert.deepEqual(await line('RestrictAddressFamilies=~AF_INET6'), [...key('RestrictAddressFamilies'), ['~', neg], ['AF_INET6', V]]);
  assert.deepEqual(await line('CapabilityBoundingSet=~CAP_SYS_ADMIN'), [...key('CapabilityBoundingSet'), ['~', neg], ['CAP_SYS_ADMIN', V]]);
  assert.deepEqual(await line('SystemCallLog=~@system-service'), [
    ...key('SystemCallLog'),
    ['~', neg],
    ['@system-service', `${V} support.constant.group`],
  ]);
  assert.deepEqual(await line('WorkingDirectory=~'), [...key('WorkingDirectory'), ['~', V]]);
});

test('specifiers, %% and unknown or deprecated letters', async () => {
  const known = 'nNpPiIfjJuUhsmbHlvtSCLETVaABMowWdDgGyYq';
  for (const c of known) {
    assert.deepEqual(
      await line(`Description=%${c}`),
      [...key('Description'), [`%${c}`, `${V} constant.other.placeholder.specifier`]],
      `%${c}`,
    );
  }
  assert.deepEqual(await line('Description=100%% %i%%'), [
    ...key('Description'),
    ['100', V],
    ['%%', `${V} constant.character.escape.specifier`],
    [' ', V],
    ['%i', `${V} constant.other.placeholder.specifier`],
    ['%%', `${V} constant.character.escape.specifier`],
  ]);
  assert.deepEqual(await line('Description=%x %c'), [
    ...key('Description'),
    ['%x', `${V} invalid.illegal.specifier`],
    [' ', V],
    ['%c', `${V} constant.other.placeholder.specifier.deprecated`],
  ]);
});

test('Exec lines: prefixes, command separators, $VAR, ${VAR} and $$', async () => {
  const prefix = `${V} keyword.operator.exec-prefix`;
  for (const p of ['-', '@', ':', '+', '!', '!!', '|', '-!!', '@-']) {
    assert.deepEqual(await line(`ExecStart=${p}/bin/true`), [...key('ExecStart'), [p, prefix], ['/bin/true', V]], p);
  }
  assert.deepEqual(await line('ExecStartPre= -/bin/a ; +/bin/b \\; $HOME ${USER} $$x'), [
    ...key('ExecStartPre'),
    [' ', ''],
    ['-', prefix],
    ['/bin/a ', V],
    [';', `${V} punctuation.separator.command`],
    [' ', V],
    ['+', prefix],
    ['/bin/b ', V],
    ['\\;', `${V} constant.character.escape`],
    [' ', V],
    ['$', `${V} variable.other.environment punctuation.definition.variable`],
    ['HOME', `${V} variable.other.environment`],
    [' ', V],
    ['${', `${V} variable.other.environment punctuation.definition.variable`],
    ['USER', `${V} variable.other.environment`],
    ['}', `${V} variable.other.environment punctuation.definition.variable`],
    [' ', V],
    ['$$', `${V} constant.character.escape.dollar`],
    ['x', V],
  ]);
  // ExecSearchPath= is a path list, not a command line; Environment= does not expand variables.
  assert.deepEqual(await line('ExecSearchPath=-/x'), [...key('ExecSearchPath'), ['-/x', V]]);
  assert.deepEqual(await line('Environment=PATH=$PATH'), [...key('Environment'), ['PATH=$PATH', V]]);
});

test('quoted strings with escapes, specifiers and (in Exec lines) variables; quotes only open at word start', async () => {
  const dq = `${V} string.quoted.double`;
  const sq = `${V} string.quoted.single`;
  assert.deepEqual(await line('Environment="A=b \\"c\\"" \'%i\''), [
    ...key('Environment'),
    ['"', `${dq} punctuation.definition.string.begin`],
    ['A=b ', dq],
    ['\\"', `${dq} constant.character.escape`],
    ['c', dq],
    ['\\"', `${dq} constant.character.escape`],
    ['"', `${dq} punctuation.definition.string.end`],
    [' ', V],
    ["'", `${sq} punctuation.definition.string.begin`],
    ['%i', `${sq} constant.other.placeholder.specifier`],
    ["'", `${sq} punctuation.definition.string.end`],
  ]);
  assert.deepEqual(await line("ExecStart=/bin/sh -c 'echo $$HOME $X'"), [
    ...key('ExecStart'),
    ['/bin/sh -c ', V],
    ["'", `${sq} punctuation.definition.string.begin`],
    ['echo ', sq],
    ['$$', `${sq} constant.character.escape.dollar`],
    ['HOME ', sq],
    ['$', `${sq} variable.other.environment punctuation.definition.variable`],
    ['X', `${sq} variable.other.environment`],
    ["'", `${sq} punctuation.definition.string.end`],
  ]);
  assert.deepEqual(await line("Description=It's fine"), [...key('Description'), ["It's fine", V]]);
  const lines = await tokenize('ExecStart=/bin/sh -c "a \\\nb"');
  assert.deepEqual(lines[1], [['b', dq], ['"', `${dq} punctuation.definition.string.end`]]);
});

test('numbers with time, size and percent units; not inside words', async () => {
  const n = `${V} constant.numeric`;
  const u = `${V} keyword.other.unit`;
  assert.deepEqual(await line('TimeoutStartSec=1min 30s'), [...key('TimeoutStartSec'), ['1', n], ['min', u], [' ', V], ['30', n], ['s', u]]);
  assert.deepEqual(await line('RestartSec=5s'), [...key('RestartSec'), ['5', n], ['s', u]]);
  assert.deepEqual(await line('RuntimeMaxSec=1h30min'), [...key('RuntimeMaxSec'), ['1', n], ['h', u], ['30', n], ['min', u]]);
  assert.deepEqual(await line('MemoryMax=512M'), [...key('MemoryMax'), ['512', n], ['M', u]]);
  assert.deepEqual(await line('MemoryHigh=1.5G'), [...key('MemoryHigh'), ['1.5', n], ['G', u]]);
  assert.deepEqual(await line('CPUQuota=80%'), [...key('CPUQuota'), ['80', n], ['%', u]]);
  assert.deepEqual(await line('Nice=-5'), [...key('Nice'), ['-5', n]]);
  assert.deepEqual(await line('SystemCallArchitectures=x86-64 i386'), [...key('SystemCallArchitectures'), ['x86-64 i386', V]]);
  assert.deepEqual(await line('Description=5sec2late'), [...key('Description'), ['5sec2late', V]]);
});

function* walk(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}

function fixtureFiles(): string[] {
  return [...walk(FIXTURES)].filter((f) => !f.endsWith(SNAPSHOT_EXT));
}

function formatSnapshot(lines: string[], tokens: Tok[][]): string {
  const parts = lines.map((l, i) => {
    const toks = tokens[i]!.map((t) => `      ${JSON.stringify(t)}`).join(',\n');
    return `  {\n    "line": ${JSON.stringify(l)},\n    "tokens": [\n${toks}\n    ]\n  }`;
  });
  return `[\n${parts.join(',\n')}\n]\n`;
}

test('fixtures match their token snapshots (UPDATE_GRAMMAR_SNAPSHOTS=1 rewrites them)', async () => {
  const files = fixtureFiles();
  assert.ok(files.length >= 3, 'expected grammar fixtures');
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split(/\r?\n/);
    const actual = formatSnapshot(lines, await tokenize(text));
    const snap = file + SNAPSHOT_EXT;
    if (UPDATE) fs.writeFileSync(snap, actual);
    assert.ok(fs.existsSync(snap), `${path.relative(ROOT, snap)} is missing; run the tests with UPDATE_GRAMMAR_SNAPSHOTS=1`);
    assert.deepEqual(JSON.parse(actual), JSON.parse(fs.readFileSync(snap, 'utf8')), path.relative(ROOT, file));
  }
});

test('the realistic fixtures have no invalid tokens', async () => {
  for (const name of ['hardening.service', 'override.conf']) {
    const tokens = await tokenize(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
    const bad = tokens.flat().filter(([, s]) => s.includes('invalid'));
    assert.deepEqual(bad, [], name);
  }
});

/** Files in the corpus that are unit files (or templates of them), as opposed to its README and manifest. */
const isUnitFile = (f: string): boolean => !/\.(md|json)$/.test(f);
/** Jinja2 lines of systemd's `*.in` templates (`{% if %}`, `{{VAR}}`, `{# … #}`) are not unit syntax. */
const isTemplateLine = (f: string, l: string): boolean => f.endsWith('.in') && /^\s*\{/.test(l);

test(
  'every corpus file tokenizes quickly, covers each line, and has no unexpected invalid scope',
  // Under CI=true the corpus is required: the test runs (and fails) instead of skipping.
  { skip: fs.existsSync(CORPUS) || process.env.CI === 'true' ? false : `corpus not found at ${CORPUS}` },
  async () => {
    const grammar = await loadGrammar();
    const files = [...walk(CORPUS)];
    assert.ok(files.filter(isUnitFile).length > 100, 'corpus looks empty');
    const unexpected: string[] = [];
    let lineCount = 0;
    const started = performance.now();
    for (const file of files) {
      let state = vsctm.INITIAL;
      const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
      lines.forEach((text, i) => {
        const r = grammar.tokenizeLine(text, state, 1000);
        const where = `${path.relative(CORPUS, file)}:${i + 1}`;
        assert.equal(r.stoppedEarly, false, `${where} hit the time limit`);
        state = r.ruleStack;
        lineCount++;
        // Tokens are contiguous and cover the line.
        let pos = 0;
        for (const t of r.tokens) {
          assert.equal(t.startIndex, pos, where);
          pos = t.endIndex;
        }
        assert.ok(pos >= text.length, where);
        if (!isUnitFile(file) || isTemplateLine(file, text)) return;
        for (const t of r.tokens) {
          const bad = t.scopes.find((s) => s.startsWith('invalid'));
          if (bad) unexpected.push(`${where}: ${bad} on ${JSON.stringify(text.slice(t.startIndex, t.endIndex))}`);
        }
      });
    }
    const elapsed = performance.now() - started;
    assert.deepEqual(unexpected, []);
    assert.ok(lineCount > 10_000, `only ${lineCount} lines`);
    // About 3 s for ~32k lines on a laptop; the bound only catches pathological backtracking.
    assert.ok(elapsed < 30_000, `tokenizing ${lineCount} corpus lines took ${Math.round(elapsed)} ms`);
  },
);
