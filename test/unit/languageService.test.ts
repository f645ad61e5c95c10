/**
 * Language-service tests through the façade, with realistic units: diagnostics per rule
 * (positive and negative), hover, completion, code actions applied and compared, symbols and
 * folding. A `|` in the input marks the caret.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-types';
import { getLanguageService } from '../../server/src/languageService';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from '../../server/src/settings';
import type { FileReader } from '../../server/src/model/unit';

function setup(text: string, name = 'test.service', settings: Settings = DEFAULT_SETTINGS, reader?: FileReader) {
  const caret = text.indexOf('|');
  const clean = caret >= 0 ? text.slice(0, caret) + text.slice(caret + 1) : text;
  const doc = TextDocument.create(`file:///units/${name}`, 'systemd-unit', 1, clean);
  const ls = getLanguageService(settings);
  const unit = ls.parseUnit(doc, `/units/${name}`, reader);
  return { ls, doc, unit, position: doc.positionAt(Math.max(caret, 0)) };
}

function codes(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => String(d.code));
}

function applyAction(doc: TextDocument, action: CodeAction): string {
  const edits = (action.edit?.changes?.[doc.uri] ?? []) as TextEdit[];
  return TextDocument.applyEdits(doc, edits);
}

test('a root service hardened without NoNewPrivileges= gets the reviewer note, and not once it is set', () => {
  const text = '[Service]\nExecStart=/bin/true\nSystemCallFilter=@system-service\nSystemCallArchitectures=native\n';
  const bare = setup(text);
  const ds = bare.ls.doValidation(bare.doc, bare.unit);
  assert.deepEqual(codes(ds), ['no-new-privileges-missing']);
  assert.equal(ds[0]!.severity, 3);
  assert.match(ds[0]!.message, /runs as root with CAP_SYS_ADMIN/);
  const set = setup(text.replace('ExecStart=/bin/true\n', 'ExecStart=/bin/true\nNoNewPrivileges=yes\n'));
  assert.deepEqual(set.ls.doValidation(set.doc, set.unit), []);
  const unhardened = setup('[Service]\nExecStart=/bin/true\nUser=nobody\n');
  assert.deepEqual(unhardened.ls.doValidation(unhardened.doc, unhardened.unit), []);
});

test('reviewer notes: RestrictAddressFamilies= without AF_UNIX, MemoryDenyWriteExecute= with a JIT, RestrictFileSystems=, "~ "', () => {
  const { ls, doc, unit } = setup('[Service]\nType=notify\nExecStart=/usr/bin/node /srv/app.js\nNoNewPrivileges=yes\nRestrictAddressFamilies=AF_INET AF_INET6\nMemoryDenyWriteExecute=yes\nRestrictFileSystems=ext4\nSystemCallFilter=~ @clock\n');
  const all = ls.doValidation(doc, unit);
  // The argument checks of both directives also keep socket/mmap/mprotect out of the action cache (hints).
  assert.deepEqual(all.filter((d) => d.code === 'hot-syscalls-uncached').map((d) => doc.getText(d.range)), ['RestrictAddressFamilies', 'MemoryDenyWriteExecute']);
  const ds = all.filter((d) => d.code !== 'hot-syscalls-uncached');
  assert.deepEqual(codes(ds), ['address-families-without-unix', 'mdwe-with-jit', 'restrict-filesystems-not-seccomp', 'tilde-space', 'missing-native-architectures'].sort((a, b) => ds.findIndex((d) => d.code === a) - ds.findIndex((d) => d.code === b)));
  assert.match(ds.find((d) => d.code === 'address-families-without-unix')!.message, /This unit is Type=notify/);
  assert.match(ds.find((d) => d.code === 'mdwe-with-jit')!.message, /JIT runtimes such as node/);
  assert.match(ds.find((d) => d.code === 'tilde-space')!.message, /same as "~@clock"/);
  const fine = setup('[Service]\nExecStart=/usr/bin/python3 app.py\nNoNewPrivileges=yes\nSystemCallArchitectures=native\nRestrictAddressFamilies=AF_UNIX AF_INET\nMemoryDenyWriteExecute=yes\nSystemCallFilter=~@clock\n');
  assert.deepEqual(
    fine.ls.doValidation(fine.doc, fine.unit).map((d) => `${d.code} ${fine.doc.getText(d.range)}`),
    ['hot-syscalls-uncached RestrictAddressFamilies', 'hot-syscalls-uncached MemoryDenyWriteExecute'],
  );
});

test('a clean, hardened service has no diagnostics', () => {
  const { ls, doc, unit } = setup('[Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\nNoNewPrivileges=yes\nSystemCallFilter=@system-service\nSystemCallArchitectures=native\n[Install]\nWantedBy=multi-user.target\n');
  assert.deepEqual(ls.doValidation(doc, unit), []);
});

test('misspelt hardening directives are errors with a fix that applies', () => {
  const { ls, doc, unit } = setup('[Service]\nProtectDevices=yes\nSystemCallArchitecture=native\n');
  const ds = ls.doValidation(doc, unit);
  assert.deepEqual(codes(ds), ['misspelled-hardening-directive', 'misspelled-hardening-directive']);
  assert.ok(ds.every((d) => d.severity === 1));
  const actions = ls.doCodeActions(doc, ds[1]!.range, ds, unit);
  assert.deepEqual(actions.map((a) => a.title), ['Replace with PrivateDevices=', 'Replace with SystemCallArchitectures=']);
  assert.equal(applyAction(doc, actions[0]!), '[Service]\nPrivateDevices=yes\nSystemCallArchitecture=native\n');
  assert.equal(applyAction(doc, actions[1]!), '[Service]\nProtectDevices=yes\nSystemCallArchitectures=native\n');
});

test('ordinary unknown directives are warnings; case typos get the right suggestion', () => {
  const { ls, doc, unit } = setup('[Service]\nexecstart=/bin/true\nFrobnicate=1\nX-Custom=ok\n');
  const ds = ls.doValidation(doc, unit);
  assert.deepEqual(codes(ds), ['unknown-directive', 'unknown-directive']);
  assert.equal(ds[0]!.severity, 2);
  assert.match(ds[0]!.message, /did you mean ExecStart=\?/);
  assert.doesNotMatch(ds[1]!.message, /did you mean/);
});

test('a directive in the wrong section is an error naming the right one', () => {
  const { ls, doc, unit } = setup('[Unit]\nSystemCallFilter=@system-service\n[Service]\nWantedBy=multi-user.target\n');
  const ds = ls.doValidation(doc, unit);
  assert.deepEqual(codes(ds), ['directive-wrong-section', 'directive-wrong-section']);
  assert.match(ds[0]!.message, /SystemCallFilter= belongs in \[Service\]/);
  assert.match(ds[1]!.message, /WantedBy= belongs in \[Install\]/);
});

test('unknown sections for the unit type, and extension sections', () => {
  const { ls, doc, unit } = setup('[Service]\nExecStart=/bin/true\n[Socket]\nListenStream=80\n[X-Vendor]\nAnything=goes\n');
  const ds = ls.doValidation(doc, unit);
  assert.deepEqual(codes(ds), ['unknown-section']);
  assert.equal(doc.getText(ds[0]!.range), 'Socket');
  const sock = setup('[Socket]\nListenStream=80\n', 'x.socket');
  assert.deepEqual(sock.ls.doValidation(sock.doc, sock.unit), []);
});

test('directives newer than the target version are flagged; the same unit is clean on a newer target', () => {
  const text = '[Service]\nExecStart=/bin/true\nNoNewPrivileges=yes\nSystemCallLog=@mount\n';
  const old = setup(text, 'a.service', parseSettings({ target: { systemdVersion: '245' } }));
  const ds = old.ls.doValidation(old.doc, old.unit);
  assert.deepEqual(codes(ds), ['directive-not-in-version']);
  assert.match(ds[0]!.message, /new in systemd 247/);
  const cur = setup(text);
  assert.deepEqual(cur.ls.doValidation(cur.doc, cur.unit), []);
});

test('a single-value directive set twice in one section warns on the overridden line', () => {
  const { ls, doc, unit } = setup('[Service]\nUser=a\nExecStart=/bin/true\nUser=b\nExecStart=/bin/false\n');
  const ds = ls.doValidation(doc, unit);
  // ExecStart= is a list for the parser (it appends), so only User= is reported.
  assert.deepEqual(codes(ds), ['duplicate-directive']);
  assert.equal(ds[0]!.range.start.line, 1);
  const [fix] = ls.doCodeActions(doc, ds[0]!.range, ds, unit);
  assert.equal(applyAction(doc, fix!), '[Service]\nExecStart=/bin/true\nUser=b\nExecStart=/bin/false\n');
});

test('rule severities come from settings; off removes the rule', () => {
  const settings = parseSettings({ rules: { 'unknown-directive': 'off', 'misspelled-hardening-directive': 'hint' } });
  const { ls, doc, unit } = setup('[Service]\nFrobnicate=1\nProtectDevices=yes\n', 'a.service', settings);
  const ds = ls.doValidation(doc, unit);
  assert.deepEqual(codes(ds), ['misspelled-hardening-directive']);
  assert.equal(ds[0]!.severity, 4);
});

test('syntax problems are diagnostics, and the rest of the file is still analysed', () => {
  const { ls, doc, unit } = setup('[Service]\nthis is not an assignment\nProtectDevices=yes\n');
  assert.deepEqual(codes(ls.doValidation(doc, unit)), ['syntax-missing-equals', 'misspelled-hardening-directive']);
});

test('hover on a directive shows its documentation and man page', () => {
  const { ls, doc, unit, position } = setup('[Service]\nSystemCall|Architectures=native\n');
  const hover = ls.doHover(doc, position, unit);
  assert.ok(hover);
  const value = (hover.contents as { value: string }).value;
  assert.match(value, /^\*\*SystemCallArchitectures=\*\*/);
  assert.match(value, /systemd\.exec\.html#SystemCallArchitectures=/);
  assert.equal(doc.getText(hover.range!), 'SystemCallArchitectures');
});

test('hover on an ignored section explains why', () => {
  const { ls, doc, unit, position } = setup('[Sock|et]\nListenStream=1\n');
  const hover = ls.doHover(doc, position, unit);
  assert.match((hover!.contents as { value: string }).value, /not a section of \.service units/);
});

test('completion offers the directives of the current section, version-aware', () => {
  const { ls, doc, unit, position } = setup('[Service]\nSystemCall|\n');
  const labels = ls.doComplete(doc, position, unit).map((i) => i.label);
  assert.ok(labels.includes('SystemCallFilter'));
  assert.ok(labels.includes('SystemCallLog'));
  assert.ok(!labels.includes('WantedBy'));
  const old = setup('[Service]\nSystemCall|\n', 'a.service', parseSettings({ target: { systemdVersion: '245' } }));
  const oldLabels = old.ls.doComplete(old.doc, old.position, old.unit).map((i) => i.label);
  assert.ok(!oldLabels.includes('SystemCallLog'));
});

test('completion of section headers follows the unit type', () => {
  const { ls, doc, unit, position } = setup('[|\n', 'x.timer');
  assert.deepEqual(ls.doComplete(doc, position, unit).map((i) => i.label).sort(), ['[Install]', '[Timer]', '[Unit]']);
});

test('drop-ins are merged after the main file, in lexical order across directories', () => {
  const files: Record<string, string> = {
    '/units/foo-bar@x.service.d/20-b.conf': '[Service]\nUser=b\n',
    '/units/foo-bar@.service.d/10-a.conf': '[Service]\nUser=a\n',
    '/units/foo-bar@.service.d/20-b.conf': '[Service]\nUser=hidden\n',
    '/units/foo-@.service.d/05-prefix.conf': '[Service]\nGroup=p\n',
    // An instance's dash prefix keeps the instance: foo-.service.d is not searched (unit_file_find_dirs()).
    '/units/foo-.service.d/01-not-searched.conf': '[Service]\nGroup=no\n',
    '/units/service.d/99-all.conf': '[Service]\nNice=1\n',
    '/units/service.d/.hidden.conf': '[Service]\nNice=2\n',
  };
  const reader: FileReader = {
    listDir: (dir) => {
      const names = Object.keys(files).filter((f) => f.startsWith(dir + '/')).map((f) => f.slice(dir.length + 1));
      return names.length > 0 ? names : undefined;
    },
    readFile: (f) => files[f],
  };
  const { unit } = setup('[Service]\nExecStart=/bin/true\n', 'foo-bar@x.service', DEFAULT_SETTINGS, reader);
  assert.deepEqual(unit.dropins.map((d) => d.fileName), [
    '/units/foo-@.service.d/05-prefix.conf',
    '/units/foo-bar@.service.d/10-a.conf',
    '/units/foo-bar@x.service.d/20-b.conf',
    '/units/service.d/99-all.conf',
  ]);
  assert.deepEqual(unit.assignments.map((a) => `${a.key}=${a.value}`), ['ExecStart=/bin/true', 'Group=p', 'User=a', 'User=b', 'Nice=1']);
  assert.deepEqual(unit.assignments.map((a) => a.order), [0, 1, 2, 3, 4]);
});

test('a drop-in opened on its own is checked against its unit type', () => {
  const { ls, doc, unit } = setup('[Service]\nProtectDevices=yes\n[Socket]\nListenStream=1\n', 'x.service.d/override.conf');
  assert.equal(unit.unitType, 'service');
  assert.equal(unit.isDropin, true);
  assert.deepEqual(codes(ls.doValidation(doc, unit)), ['misspelled-hardening-directive', 'unknown-section']);
});

test('symbols and folding', () => {
  const { ls, doc, unit } = setup('# a\n# b\n[Unit]\nDescription=x\n\n[Service]\nUser=a\n');
  assert.deepEqual(ls.findDocumentSymbols(doc, unit).map((s) => s.name), ['[Unit]', '[Service]']);
  assert.deepEqual(ls.getFoldingRanges(doc, unit).map((f) => [f.startLine, f.endLine, f.kind]), [
    [2, 3, 'region'],
    [5, 6, 'region'],
    [0, 1, 'comment'],
  ]);
});

test('a line over 1 MiB past the analysis cap still says systemd refuses the file, on that line, and nothing else is judged', () => {
  const text = '[Service]\nExecStart=/bin/x\nSystemCallFilter=@system-service\nEnvironment=A=' + 'x'.repeat(1024 * 1024) + '\nUser=a\n';
  const { ls, doc, unit } = setup(text);
  const ds = ls.doValidation(doc, unit);
  assert.deepEqual(codes(ds), ['file-too-large', 'syntax-line-too-long']);
  assert.equal(ds[1]!.severity, 1);
  assert.equal(ds[1]!.range.start.line, 3);
  assert.match(ds[1]!.message, /^Line 4 is longer than systemd's limit of 1 MiB: systemd refuses to load this file\.$/);
  assert.match(ls.analyze(unit)!.plan.refused ?? '', /refuses to load/);
  assert.equal(ls.analyze(unit)!.plan.filters.length, 0);
  // Long but under the limit in bytes: only the cap is reported.
  const fine = setup('[Service]\nExecStart=/bin/x\n' + 'Environment=A=1\n'.repeat(70000) + 'Environment=B=' + 'x'.repeat(1000) + '\n');
  assert.deepEqual(codes(fine.ls.doValidation(fine.doc, fine.unit)), ['file-too-large']);
});

test('a value continued over 20 000 lines: every word maps to its own line (binary search over the segments, one walk over the words)', () => {
  const n = 20000;
  const text = '[Service]\nExecStart=/bin/x\nSystemCallArchitectures=native\nSystemCallFilter=~@mount \\\n' + '  read \\\n'.repeat(n) + '  chwon \\\n  write\n';
  const { ls, doc, unit } = setup(text);
  const ds = ls.doValidation(doc, unit);
  // The engine's own diagnostic (the editor's list stops at 1000 findings, here duplicates of read).
  const typo = ls.analyze(unit)!.plan.diagnostics.find((d) => d.code === 'seccomp-unknown-syscall')!;
  assert.deepEqual(doc.positionAt(typo.span!.offset), { line: 4 + n, character: 2 });
  assert.equal(text.slice(typo.span!.offset, typo.span!.offset + typo.span!.length), 'chwon');
  // The duplicates point at their own lines (the first `read` is the one kept).
  const dups = ds.filter((d) => d.code === 'duplicate-syscall');
  assert.ok(dups.length > 900);
  assert.deepEqual(dups.slice(0, 2).map((d) => d.range.start), [{ line: 5, character: 2 }, { line: 6, character: 2 }]);
  assert.equal(doc.getText(dups[0]!.range), 'read');
  // A hover on the last word still finds it.
  const hover = ls.doHover(doc, { line: 5 + n, character: 3 }, unit);
  assert.match(JSON.stringify(hover?.contents ?? ''), /write/);
});

test('a huge file is analysed up to the cap with a file-too-large warning, fast', () => {
  const text = '[Service]\nProtectDevices=yes\n' + 'Environment=A=1\n'.repeat(200000) + 'SystemCallFiltr=@system-service\n';
  const started = process.hrtime.bigint();
  const { ls, doc, unit } = setup(text);
  const ds = ls.doValidation(doc, unit);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.deepEqual(codes(ds), ['file-too-large', 'misspelled-hardening-directive']);
  assert.equal(ds[0]!.severity, 2);
  assert.match(ds[0]!.message, /only the first \d+ are analysed/);
  // Not a timing assertion on speed in general (benchmarks do that), only a guard against a hang.
  assert.ok(ms < 30000, `took ${ms} ms`);
});

test('deprecated names, names ignored by the target version, and old-section names', () => {
  const text = '[Unit]\nBindTo=a.service\n[Service]\nExecStart=/bin/true\nMemoryLimit=1G\nStartLimitBurst=3\n';
  const on252 = setup(text);
  const ds = on252.ls.doValidation(on252.doc, on252.unit);
  assert.deepEqual(codes(ds), ['deprecated-directive', 'deprecated-directive', 'deprecated-directive']);
  assert.match(ds[0]!.message, /use BindsTo=/);
  assert.match(ds[1]!.message, /use MemoryMax=/);
  assert.match(ds[2]!.message, /belongs in \[Unit\]/);
  const [fix] = on252.ls.doCodeActions(on252.doc, ds[0]!.range, [ds[0]!], on252.unit);
  assert.equal(applyAction(on252.doc, fix!), text.replace('BindTo=', 'BindsTo='));
  const on258 = setup(text, 'a.service', parseSettings({ target: { systemdVersion: '258' } }));
  const ds258 = on258.ls.doValidation(on258.doc, on258.unit);
  assert.equal(ds258[1]!.code, 'directive-not-in-version');
  assert.match(ds258[1]!.message, /ignored by systemd 258 \(since 258\)/);
});

test('hover on a specifier explains it', () => {
  const { ls, doc, unit, position } = setup('[Service]\nExecStart=/bin/echo %|i\n');
  const hover = ls.doHover(doc, position, unit);
  assert.match((hover!.contents as { value: string }).value, /^\*\*%i\*\*: the instance name/);
  assert.equal(doc.getText(hover!.range!), '%i');
});
