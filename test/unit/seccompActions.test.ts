/**
 * Quick fixes for the seccomp rules: each one is applied, the result re-parsed and re-planned,
 * and the change the engine sees must be exactly the delta its title promised.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-types';
import { getLanguageService } from '../../server/src/languageService';
import { DEFAULT_SETTINGS, type Settings } from '../../server/src/settings';
import { planTotals, type PlanTotals } from '../../server/src/lint/seccompRules';
import { programHex } from '../../server/src/seccomp/bpf';

function setup(text: string, settings: Settings = DEFAULT_SETTINGS) {
  const doc = TextDocument.create('file:///units/test.service', 'systemd-unit', 1, text);
  const ls = getLanguageService(settings);
  const unit = ls.parseUnit(doc, '/units/test.service');
  const ds = ls.doValidation(doc, unit);
  const totals = (): PlanTotals => planTotals(ls.analyze(unit)!.plan);
  return { ls, doc, unit, ds, totals };
}

function apply(doc: TextDocument, action: CodeAction): string {
  const edits = (action.edit?.changes?.[doc.uri] ?? []) as TextEdit[];
  return TextDocument.applyEdits(doc, edits);
}

function actionsFor(text: string, code: string): { doc: TextDocument; actions: CodeAction[]; before: PlanTotals; d: Diagnostic } {
  const s = setup(text);
  const d = s.ds.find((x) => x.code === code);
  assert.ok(d, `no ${code} in ${JSON.stringify(s.ds.map((x) => x.code))}`);
  // Context actions (refactor.rewrite, e.g. the SystemCallErrorNumber= one) are not fixes for `d`.
  const actions = s.ls.doCodeActions(s.doc, d.range, [d], s.unit).filter((a) => a.kind === 'quickfix');
  return { doc: s.doc, actions, before: s.totals(), d };
}

/** The signed numbers of "(−3 filters, −677 BPF insns)". */
function titleDelta(title: string): { filters: number; instructions: number } {
  const m = /\(([−+±])(\d+) filters, ([−+±])(\d+) BPF insns\)$/.exec(title);
  assert.ok(m, title);
  const n = (sign: string, v: string) => (sign === '−' ? -Number(v) : Number(v));
  return { filters: n(m[1]!, m[2]!), instructions: n(m[3]!, m[4]!) };
}

/** Applies the fix and checks that re-planning gives exactly the promised delta; returns the new state. */
function applyAndCheck(doc: TextDocument, action: CodeAction, before: PlanTotals) {
  const text = apply(doc, action);
  const after = setup(text);
  const got = after.totals();
  assert.deepEqual({ filters: got.filters - before.filters, instructions: got.instructions - before.instructions }, titleDelta(action.title), action.title);
  return { text, after };
}

test('Add SystemCallArchitectures=native: inserted at the end of [Service], delta as promised, finding gone', () => {
  const text = '[Unit]\nDescription=x\n[Service]\nExecStart=/usr/bin/x\nSystemCallFilter=@system-service\nRestrictNamespaces=yes\n\n[Install]\nWantedBy=multi-user.target\n';
  const { doc, actions, before } = actionsFor(text, 'missing-native-architectures');
  assert.equal(actions.length, 1);
  assert.match(actions[0]!.title, /^Add SystemCallArchitectures=native \(−\d+ filters, −\d+ BPF insns\)$/);
  assert.equal(actions[0]!.isPreferred, true);
  const { text: fixed, after } = applyAndCheck(doc, actions[0]!, before);
  assert.equal(fixed, text.replace('RestrictNamespaces=yes\n', 'RestrictNamespaces=yes\nSystemCallArchitectures=native\n'));
  assert.deepEqual(after.ds.filter((d) => d.code === 'missing-native-architectures'), []);
});

test('Set SystemCallArchitectures=native replaces an explicit list with x86/x32', () => {
  const text = '[Service]\nExecStart=/usr/bin/x\nSystemCallFilter=@system-service\nSystemCallArchitectures=native x86 x32\nSystemCallArchitectures=x86';
  const { doc, actions, before } = actionsFor(text, 'missing-native-architectures');
  assert.match(actions[0]!.title, /^Set SystemCallArchitectures=native \(−\d+ filters, −\d+ BPF insns\)$/);
  const { text: fixed } = applyAndCheck(doc, actions[0]!, before);
  assert.equal(fixed, '[Service]\nExecStart=/usr/bin/x\nSystemCallFilter=@system-service\nSystemCallArchitectures=native\n');
});

test('Add native at the end of a file without a final newline', () => {
  const text = '[Service]\nExecStart=/usr/bin/x\nSystemCallFilter=~@mount';
  const { doc, actions, before } = actionsFor(text, 'missing-native-architectures');
  const { text: fixed } = applyAndCheck(doc, actions[0]!, before);
  assert.equal(fixed, `${text}\nSystemCallArchitectures=native`);
});

test('replace a misspelt syscall, group, errno, family, ABI and namespace with the suggestion', () => {
  const cases: [string, string, string, string][] = [
    ['SystemCallFilter=@system-service gettpid', 'unknown-syscall', 'getpid', 'SystemCallFilter=@system-service getpid'],
    ['SystemCallFilter=@system-servce', 'unknown-syscall-group', '@system-service', 'SystemCallFilter=@system-service'],
    ['SystemCallFilter=~ptrace:EACESS', 'unknown-errno', 'EACCES', 'SystemCallFilter=~ptrace:EACCES'],
    ['SystemCallFilter=@system-service\nSystemCallErrorNumber=EPERN', 'unknown-errno', 'EPERM', 'SystemCallFilter=@system-service\nSystemCallErrorNumber=EPERM'],
    ['RestrictAddressFamilies=AF_UNIX AF_INTE', 'unknown-address-family', 'AF_INET', 'RestrictAddressFamilies=AF_UNIX AF_INET'],
    ['RestrictNamespaces=~net mntt', 'unknown-namespace', 'mnt', 'RestrictNamespaces=~net mnt'],
  ];
  for (const [line, code, word, expected] of cases) {
    const head = '[Service]\nExecStart=/usr/bin/x\nSystemCallArchitectures=native\n';
    const { doc, actions, before } = actionsFor(`${head}${line}\n`, code);
    assert.equal(actions.length, 1, code);
    assert.ok(actions[0]!.title.startsWith(`Replace with ${word} (`), actions[0]!.title);
    const { text, after } = applyAndCheck(doc, actions[0]!, before);
    assert.equal(text, `${head}${expected}\n`);
    assert.deepEqual(after.ds.filter((d) => d.code === code), [], code);
  }
  // The misspelt deny-list entry is filtered once fixed: the fix adds a rule, and says so.
  const { actions } = actionsFor('[Service]\nExecStart=/usr/bin/x\nSystemCallArchitectures=native\nSystemCallFilter=~ptracee\n', 'unknown-syscall');
  assert.ok(titleDelta(actions[0]!.title).instructions > 0, actions[0]!.title);
});

test('SystemCallArchitectures= misspelling gets the ABI suggestion', () => {
  const { doc, actions, before } = actionsFor('[Service]\nExecStart=/usr/bin/x\nSystemCallFilter=@system-service\nSystemCallArchitectures=native x33\n', 'unknown-architecture');
  assert.ok(actions[0]!.title.startsWith('Replace with x32 ('));
  applyAndCheck(doc, actions[0]!, before);
});

test('remove a duplicate entry: same plan, the line keeps its other entries', () => {
  const { doc, actions, before } = actionsFor('[Service]\nExecStart=/usr/bin/x\nSystemCallArchitectures=native\nSystemCallFilter=~ptrace @mount ptrace\n', 'duplicate-syscall');
  assert.equal(actions[0]!.title, 'Remove the duplicate ptrace (±0 filters, ±0 BPF insns)');
  const { text } = applyAndCheck(doc, actions[0]!, before);
  assert.equal(text, '[Service]\nExecStart=/usr/bin/x\nSystemCallArchitectures=native\nSystemCallFilter=~ptrace @mount\n');
});

test('remove an entry a group covers; a lone entry takes its line (an empty value would reset)', () => {
  const inline = actionsFor('[Service]\nExecStart=/usr/bin/x\nSystemCallArchitectures=native\nSystemCallFilter=@system-service getpid ptrace\n', 'syscall-covered-by-group');
  assert.ok(inline.actions[0]!.title.startsWith('Remove getpid, already in @system-service ('), inline.actions[0]!.title);
  assert.equal(applyAndCheck(inline.doc, inline.actions[0]!, inline.before).text, '[Service]\nExecStart=/usr/bin/x\nSystemCallArchitectures=native\nSystemCallFilter=@system-service ptrace\n');
  const lone = actionsFor('[Service]\nExecStart=/usr/bin/x\nSystemCallArchitectures=native\nSystemCallFilter=@system-service\nSystemCallFilter=getpid\nUser=x\n', 'syscall-covered-by-group');
  assert.equal(applyAndCheck(lone.doc, lone.actions[0]!, lone.before).text, '[Service]\nExecStart=/usr/bin/x\nSystemCallArchitectures=native\nSystemCallFilter=@system-service\nUser=x\n');
});

test('no seccomp fix for other diagnostics, nor for a stale document', () => {
  const s = setup('[Service]\nExecStart=/usr/bin/x\nSystemCallFilter=@system-service gettpid\n');
  const d = s.ds.find((x) => x.code === 'unknown-syscall')!;
  const stale = TextDocument.create(s.doc.uri, 'systemd-unit', 2, `${s.doc.getText()}\n`);
  const fixes = (acts: CodeAction[]) => acts.filter((a) => a.kind === 'quickfix');
  assert.deepEqual(fixes(s.ls.doCodeActions(stale, d.range, [d], s.unit)), []);
  const other: Diagnostic = { ...d, code: 'unknown-directive', data: {} };
  assert.deepEqual(fixes(s.ls.doCodeActions(s.doc, d.range, [other], s.unit)), []);
});

test('context action on an allow-list that kills: add SystemCallErrorNumber=EPERM, measured, and the result uses EPERM', () => {
  const text = '[Service]\nExecStart=/bin/true\nNoNewPrivileges=yes\nSystemCallArchitectures=native\nSystemCallFilter=@system-service\n[Install]\nWantedBy=multi-user.target\n';
  const doc = TextDocument.create('file:///units/kill.service', 'systemd-unit', 1, text);
  const ls = getLanguageService();
  const unit = ls.parseUnit(doc, '/units/kill.service');
  const before = ls.analyze(unit)!.plan;
  assert.equal(before.filters.at(-1)!.spec.defaultAction.kind, 'kill-process');
  const actions = ls.doCodeActions(doc, { start: { line: 4, character: 3 }, end: { line: 4, character: 3 } }, [], unit);
  const add = actions.find((a) => a.title.startsWith('Add SystemCallErrorNumber=EPERM'));
  assert.ok(add, actions.map((a) => a.title).join('; '));
  const totals = `${before.filters.length} filters, ${before.filters.reduce((n, f) => n + (f.instructions ?? 0), 0)} BPF insns`;
  assert.equal(add.title, `Add SystemCallErrorNumber=EPERM: calls outside the allow-list fail with EPERM instead of killing the service (same ${totals})`);
  const edited = TextDocument.applyEdits(doc, add.edit!.changes![doc.uri]!);
  assert.equal(edited, text.replace('SystemCallFilter=@system-service\n', 'SystemCallFilter=@system-service\nSystemCallErrorNumber=EPERM\n'));
  const doc2 = TextDocument.create(doc.uri, 'systemd-unit', 2, edited);
  const after = ls.analyze(ls.parseUnit(doc2, '/units/kill.service'))!.plan;
  assert.deepEqual(after.filters.at(-1)!.spec.defaultAction, { kind: 'errno', errno: 1 });
  // Not offered once an errno is set, nor away from SystemCallFilter= lines.
  assert.ok(!ls.doCodeActions(doc2, { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, [], ls.parseUnit(doc2, '/units/kill.service')).some((a) => a.title.startsWith('Add SystemCallErrorNumber')));
  assert.ok(!ls.doCodeActions(doc, { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, [], unit).some((a) => a.title.startsWith('Add SystemCallErrorNumber')));
});

/** The programs of a unit's plan, as hex, to compare two texts byte for byte. */
function programs(text: string): string[] {
  const s = setup(text);
  return s.ls.analyze(s.unit)!.plan.filters.map((f) => `${f.directive}/${f.abis.join('+')}/${f.program ? programHex(f.program) : 'none'}`);
}

test('filter-removes-nothing: remove the entry, and the plan stays byte-identical', () => {
  const text = '[Service]\nExecStart=/usr/bin/x\nSystemCallArchitectures=native\nSystemCallFilter=@system-service\nSystemCallFilter=~@privileged @mount\n';
  const { doc, actions, before } = actionsFor(text, 'filter-removes-nothing');
  assert.equal(actions.length, 1);
  assert.equal(actions[0]!.title, 'Remove ~@mount, which removes nothing (±0 filters, ±0 BPF insns)');
  const { text: fixed } = applyAndCheck(doc, actions[0]!, before);
  assert.equal(fixed, text.replace('~@privileged @mount', '~@privileged'));
  assert.deepEqual(programs(fixed), programs(text));
  // The first word carries the '~': it stays on the line when that word goes.
  const first = actionsFor(text.replace('~@privileged @mount', '~@mount @privileged'), 'filter-removes-nothing');
  assert.equal(apply(first.doc, first.actions[0]!), text.replace('~@privileged @mount', '~@privileged'));
});

test('filter-mode-fixed: prefix ~ (deny-list) or move the allow-list first, each measured', () => {
  const text = '[Service]\nExecStart=/usr/bin/x\nSystemCallArchitectures=native\nSystemCallFilter=~@mount\nSystemCallFilter=@system-service\n';
  const { doc, actions, before } = actionsFor(text, 'filter-mode-fixed');
  assert.deepEqual(actions.map((a) => a.title.replace(/ \(.*\)$/, '')), ["Prefix '~' so line 5 adds to the deny-list", 'Move line 5 above line 4, making SystemCallFilter= an allow-list']);
  const deny = applyAndCheck(doc, actions[0]!, before);
  assert.equal(deny.text, text.replace('=@system-service', '=~@system-service'));
  const denyValues = deny.after.ls.analyze(deny.after.unit)!.plan.values.systemCallFilter;
  assert.equal(denyValues.allowList, false);
  assert.ok(denyValues.entries.has('mount') && denyValues.entries.has('read'));
  assert.deepEqual(deny.after.ds.filter((d) => d.code === 'filter-mode-fixed'), []);
  const moved = applyAndCheck(doc, actions[1]!, before);
  assert.equal(moved.text, '[Service]\nExecStart=/usr/bin/x\nSystemCallArchitectures=native\nSystemCallFilter=@system-service\nSystemCallFilter=~@mount\n');
  const allow = moved.after.ls.analyze(moved.after.unit)!.plan.values.systemCallFilter;
  assert.equal(allow.allowList, true);
  assert.ok(allow.entries.has('read') && !allow.entries.has('mount'));
});

test('filter-reset-discards: remove the reset, so the lines above count again', () => {
  const text = '[Service]\nExecStart=/usr/bin/x\nSystemCallArchitectures=native\nSystemCallFilter=~@mount\nSystemCallFilter=~@swap\nSystemCallFilter=\nSystemCallFilter=~@clock\n';
  const { doc, actions, before } = actionsFor(text, 'filter-reset-discards');
  assert.equal(actions.length, 1);
  assert.match(actions[0]!.title, /^Remove the empty SystemCallFilter= so lines 4, 5 count \(±0 filters, \+\d+ BPF insns\)$/);
  const { text: fixed, after } = applyAndCheck(doc, actions[0]!, before);
  assert.equal(fixed, text.replace('SystemCallFilter=\n', ''));
  const entries = after.ls.analyze(after.unit)!.plan.values.systemCallFilter.entries;
  assert.ok(entries.has('mount') && entries.has('swapon') && entries.has('settimeofday'));
});

test('syscall-log-inverted: remove SystemCallLog=, measured', () => {
  const text = '[Service]\nExecStart=/usr/bin/x\nSystemCallArchitectures=native\nSystemCallFilter=@system-service\nSystemCallLog=~@mount\n';
  const { doc, actions, before } = actionsFor(text, 'syscall-log-inverted');
  assert.equal(actions.length, 1);
  assert.match(actions[0]!.title, /^Remove SystemCallLog= \(line 5\): log nothing \(−1 filters, −\d+ BPF insns\)$/);
  const { text: fixed, after } = applyAndCheck(doc, actions[0]!, before);
  assert.equal(fixed, text.replace('SystemCallLog=~@mount\n', ''));
  assert.ok(!after.ls.analyze(after.unit)!.plan.filters.some((f) => f.directive === 'SystemCallLog'));
});

test('an explicit list with x32: Set native (preferred) or remove x32 only, both measured', () => {
  const text = '[Service]\nExecStart=/usr/bin/x\nSystemCallFilter=@system-service\nSystemCallArchitectures=native x86 x32\n';
  const { doc, actions, before } = actionsFor(text, 'missing-native-architectures');
  assert.deepEqual(actions.map((a) => a.title.replace(/ \(.*\)$/, '')), ['Set SystemCallArchitectures=native', 'Remove x32 from SystemCallArchitectures=']);
  const { text: fixed, after } = applyAndCheck(doc, actions[1]!, before);
  assert.equal(fixed, text.replace('native x86 x32', 'native x86'));
  assert.deepEqual(after.ls.analyze(after.unit)!.plan.values.systemCallArchitectures.value, ['native', 'x86']);
  assert.ok(titleDelta(actions[1]!.title).instructions < 0);
  // Nothing to remove without x32; a lone x32 is left to "Set native".
  assert.deepEqual(actionsFor(text.replace(' x32', ''), 'missing-native-architectures').actions.map((a) => a.title.replace(/ \(.*\)$/, '')), ['Set SystemCallArchitectures=native']);
  assert.deepEqual(actionsFor(text.replace('native x86 x32', 'x32'), 'missing-native-architectures').actions.map((a) => a.title.replace(/ \(.*\)$/, '')), ['Set SystemCallArchitectures=native']);
});

test('merge scattered SystemCallFilter= lines: runs of one polarity, byte-identical programs', () => {
  const text = '[Service]\nExecStart=/usr/bin/x\nSystemCallFilter=@system-service\n# more\nSystemCallFilter=@mount bpf\nSystemCallArchitectures=native\nSystemCallFilter=~@privileged\nSystemCallFilter=~@resources ptrace:EPERM\nSystemCallErrorNumber=EPERM\n';
  const s = setup(text);
  const at = (line: number) => s.ls.doCodeActions(s.doc, { start: { line, character: 0 }, end: { line, character: 0 } }, [], s.unit).filter((a) => a.title.startsWith('Merge'));
  const totals = s.totals();
  const allow = at(2);
  assert.deepEqual(allow.map((a) => a.title), [`Merge SystemCallFilter= lines 3, 5 into one (same ${totals.filters} filters, ${totals.instructions} BPF insns)`]);
  assert.equal(allow[0]!.kind, 'refactor.rewrite');
  const merged = apply(s.doc, allow[0]!);
  assert.equal(merged, text.replace('SystemCallFilter=@system-service\n', 'SystemCallFilter=@system-service @mount bpf\n').replace('SystemCallFilter=@mount bpf\n', ''));
  assert.deepEqual(programs(merged), programs(text));
  const deny = at(7);
  assert.deepEqual(deny.map((a) => a.title.replace(/ \(.*\)$/, '')), ['Merge SystemCallFilter= lines 7, 8 into one']);
  const merged2 = apply(s.doc, deny[0]!);
  assert.equal(merged2, text.replace('SystemCallFilter=~@privileged\nSystemCallFilter=~@resources ptrace:EPERM\n', 'SystemCallFilter=~@privileged @resources ptrace:EPERM\n'));
  assert.deepEqual(programs(merged2), programs(text));
  // Not on other lines, not for a lone line, never across a reset.
  assert.deepEqual(at(5 - 4), []);
  const lone = setup('[Service]\nExecStart=/usr/bin/x\nSystemCallFilter=@system-service\nSystemCallFilter=~@mount\n');
  assert.deepEqual(lone.ls.doCodeActions(lone.doc, { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } }, [], lone.unit).filter((a) => a.title.startsWith('Merge')), []);
  const reset = setup('[Service]\nExecStart=/usr/bin/x\nSystemCallFilter=~@mount\nSystemCallFilter=\nSystemCallFilter=~@swap\n');
  assert.deepEqual(reset.ls.doCodeActions(reset.doc, { start: { line: 2, character: 0 }, end: { line: 4, character: 0 } }, [], reset.unit).filter((a) => a.title.startsWith('Merge')), []);
});
