/**
 * Seccomp lint rules through the language service, with realistic units: unknown names (with
 * "did you mean" and spans on the exact word), SystemCallFilter= semantics, and the measured cost
 * of a missing SystemCallArchitectures=native. Each rule has positive and negative cases; figures
 * are checked against the engine, never hard-coded.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-types';
import { getLanguageService } from '../../server/src/languageService';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from '../../server/src/settings';
import type { FileReader } from '../../server/src/model/unit';
import { filterOverLimit, planTotals } from '../../server/src/lint/seccompRules';
import { chainLimits } from '../../server/src/seccomp/cost';
import type { UnitAnalysis } from '../../server/src/analysis';
import { ruleInfo } from '../../server/src/lint/rules';
import { expandGroup } from '../../server/src/seccomp/groups';

const ROOT = path.resolve(__dirname, '../../..');

function setup(text: string, settings: Settings = DEFAULT_SETTINGS, reader?: FileReader, name = 'test.service') {
  const doc = TextDocument.create(`file:///units/${name}`, 'systemd-unit', 1, text);
  const ls = getLanguageService(settings);
  const unit = ls.parseUnit(doc, `/units/${name}`, reader);
  const ds = ls.doValidation(doc, unit);
  return { ls, doc, unit, ds };
}

function only(ds: readonly Diagnostic[], code: string): Diagnostic[] {
  return ds.filter((d) => d.code === code);
}

const SERVICE = '[Unit]\nDescription=x\n[Service]\nExecStart=/usr/bin/x\nSystemCallArchitectures=native\n';

test('every seccomp rule is registered with a severity and a description', () => {
  for (const id of ['unknown-syscall', 'unknown-syscall-group', 'unknown-architecture', 'unknown-errno', 'unknown-address-family', 'unknown-namespace', 'filter-mode-fixed', 'duplicate-syscall', 'syscall-covered-by-group', 'filter-reset-discards', 'missing-native-architectures', 'syscall-log-inverted', 'filter-over-limit']) {
    const info = ruleInfo(id);
    assert.ok(info, id);
    assert.ok(info.description.length > 20, id);
  }
  assert.equal(ruleInfo('unknown-syscall')!.defaultSeverity, 'warning');
  assert.equal(ruleInfo('missing-native-architectures')!.defaultSeverity, 'warning');
});

test('unknown syscall: warning on the exact word with a suggestion, also before :errno', () => {
  const { doc, ds } = setup(`${SERVICE}SystemCallFilter=@system-service gettpid\nSystemCallFilter=~ptracee:EPERM\n`);
  const found = only(ds, 'unknown-syscall');
  assert.equal(found.length, 2);
  assert.equal(doc.getText(found[0]!.range), 'gettpid');
  assert.deepEqual(found[0]!.data, { replacement: 'getpid' });
  assert.equal(found[0]!.severity, 2);
  assert.match(found[0]!.message, /drops it from SystemCallFilter=.*Did you mean getpid\?/);
  assert.equal(doc.getText(found[1]!.range), 'ptracee');
  assert.deepEqual(found[1]!.data, { replacement: 'ptrace' });
});

test('known syscalls and groups are not reported', () => {
  const { ds } = setup(`${SERVICE}NoNewPrivileges=yes\nSystemCallFilter=@system-service\nSystemCallFilter=~@privileged @resources ptrace:EPERM\nSystemCallErrorNumber=EPERM\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\nRestrictNamespaces=~user net\n`);
  // What ~@privileged/@resources take from @system-service, and the argument-checked hot calls, are hints, not naming problems.
  assert.deepEqual(ds.filter((d) => d.code !== 'filter-removes-group-calls' && d.code !== 'hot-syscalls-uncached'), []);
  assert.deepEqual(only(ds, 'filter-removes-group-calls').length, 2);
});

test('unknown group: misspelling suggested; a group newer than the target names its release', () => {
  const { doc, ds } = setup(`${SERVICE}SystemCallFilter=@system-servce @sandbox\n`);
  const found = only(ds, 'unknown-syscall-group');
  assert.equal(found.length, 2);
  assert.equal(doc.getText(found[0]!.range), '@system-servce');
  assert.deepEqual(found[0]!.data, { replacement: '@system-service' });
  assert.equal(doc.getText(found[1]!.range), '@sandbox');
  assert.match(found[1]!.message, /@sandbox is new in systemd 254/);
  assert.equal(found[1]!.data, undefined);
  const newer = setup(`${SERVICE}SystemCallFilter=@system-service @sandbox\n`, parseSettings({ target: { systemdVersion: '254' } }));
  assert.deepEqual(only(newer.ds, 'unknown-syscall-group'), []);
});

test('unknown architecture: word span and suggestion; known ABIs are fine', () => {
  const { doc, ds } = setup('[Service]\nExecStart=/usr/bin/x\nSystemCallFilter=@system-service\nSystemCallArchitectures=native x33\n');
  const found = only(ds, 'unknown-architecture');
  assert.equal(found.length, 1);
  assert.equal(doc.getText(found[0]!.range), 'x33');
  assert.deepEqual(found[0]!.data, { replacement: 'x32' });
  const ok = setup('[Service]\nExecStart=/usr/bin/x\nSystemCallArchitectures=native x86\n');
  assert.deepEqual(only(ok.ds, 'unknown-architecture'), []);
});

test('unknown errno in SystemCallErrorNumber= and in syscall:errno, span on the errno', () => {
  const { doc, ds } = setup(`${SERVICE}SystemCallFilter=~ptrace:EACESS\nSystemCallErrorNumber=EPERN\n`);
  const found = only(ds, 'unknown-errno');
  assert.equal(found.length, 2);
  assert.equal(doc.getText(found[0]!.range), 'EACESS');
  assert.deepEqual(found[0]!.data, { replacement: 'EACCES' });
  assert.equal(doc.getText(found[1]!.range), 'EPERN');
  assert.deepEqual(found[1]!.data, { replacement: 'EPERM' });
  assert.match(found[1]!.message, /still kill the process/);
  const ok = setup(`${SERVICE}SystemCallFilter=~ptrace:EACCES mount:13\nSystemCallErrorNumber=EPERM\n`);
  assert.deepEqual(only(ok.ds, 'unknown-errno'), []);
  const range = setup(`${SERVICE}SystemCallFilter=~ptrace:5000\n`);
  const r = only(range.ds, 'unknown-errno');
  assert.equal(r.length, 1);
  assert.equal(range.doc.getText(r[0]!.range), '5000');
  assert.equal(r[0]!.data, undefined);
  // SystemCallLog= takes no errno: a different problem, not an unknown name.
  assert.deepEqual(only(setup(`${SERVICE}SystemCallLog=ptrace:EPERM\n`, parseSettings({ target: { systemdVersion: '247' } })).ds, 'unknown-errno'), []);
});

test('unknown address family with suggestion', () => {
  const { doc, ds } = setup(`${SERVICE}RestrictAddressFamilies=AF_UNIX AF_INTE\n`);
  const found = only(ds, 'unknown-address-family');
  assert.equal(found.length, 1);
  assert.equal(doc.getText(found[0]!.range), 'AF_INTE');
  assert.deepEqual(found[0]!.data, { replacement: 'AF_INET' });
  assert.deepEqual(only(setup(`${SERVICE}RestrictAddressFamilies=AF_UNIX AF_INET\n`).ds, 'unknown-address-family'), []);
});

test('unknown namespace type: the bad word, and time before systemd 252', () => {
  const { doc, ds } = setup(`${SERVICE}RestrictNamespaces=~net mntt\n`);
  const found = only(ds, 'unknown-namespace');
  assert.equal(found.length, 1);
  assert.equal(doc.getText(found[0]!.range), 'mntt');
  assert.deepEqual(found[0]!.data, { replacement: 'mnt' });
  const old = setup(`${SERVICE}RestrictNamespaces=~time\n`, parseSettings({ target: { systemdVersion: '250' } }));
  const t = only(old.ds, 'unknown-namespace');
  assert.equal(t.length, 1);
  assert.equal(old.doc.getText(t[0]!.range), 'time');
  assert.match(t[0]!.message, /accepted from systemd 252/);
  assert.deepEqual(only(setup(`${SERVICE}RestrictNamespaces=~time\n`).ds, 'unknown-namespace'), []);
});

test('problems in a drop-in are not reported on the main file', () => {
  const reader: FileReader = {
    listDir: (p) => (p === '/units/test.service.d' ? ['10-extra.conf'] : undefined),
    readFile: (p) => (p === '/units/test.service.d/10-extra.conf' ? '[Service]\nSystemCallFilter=gettpid\n' : undefined),
  };
  const { ds, unit } = setup(`${SERVICE}SystemCallFilter=@system-service\n`, DEFAULT_SETTINGS, reader);
  assert.equal(unit.dropins.length, 1);
  assert.deepEqual(only(ds, 'unknown-syscall'), []);
});

test('filter-mode-fixed: an allow-list line after a deny-list; the allow-then-subtract idiom is fine', () => {
  const { doc, ds } = setup(`${SERVICE}SystemCallFilter=~@mount\nSystemCallFilter=@system-service\n`);
  const found = only(ds, 'filter-mode-fixed');
  assert.equal(found.length, 1);
  assert.equal(doc.getText(found[0]!.range), '@system-service');
  assert.match(found[0]!.message, /Line 6 made SystemCallFilter= a deny-list/);
  const idiom = setup(`${SERVICE}SystemCallFilter=@system-service\nSystemCallFilter=~@privileged @resources\n`);
  assert.deepEqual(only(idiom.ds, 'filter-mode-fixed'), []);
  // After a reset the next line decides the mode again.
  const reset = setup(`${SERVICE}SystemCallFilter=~@mount\nSystemCallFilter=\nSystemCallFilter=@system-service\n`);
  assert.deepEqual(only(reset.ds, 'filter-mode-fixed'), []);
});

test('duplicate-syscall: the second occurrence, on the same line or a later one', () => {
  const { doc, ds } = setup(`${SERVICE}SystemCallFilter=~ptrace @mount ptrace\nSystemCallFilter=~@mount\n`);
  const found = only(ds, 'duplicate-syscall');
  assert.equal(found.length, 2);
  assert.equal(doc.getText(found[0]!.range), 'ptrace');
  assert.equal(found[0]!.range.start.line, 5);
  assert.equal(found[0]!.range.start.character, 'SystemCallFilter=~ptrace @mount '.length);
  assert.equal(doc.getText(found[1]!.range), '@mount');
  assert.equal(found[1]!.range.start.line, 6);
  assert.equal(found[1]!.severity, 3);
  // Different polarity or errno is not a duplicate.
  const ok = setup(`${SERVICE}SystemCallFilter=@system-service\nSystemCallFilter=~ptrace:EPERM\nSystemCallFilter=~ptrace\n`);
  assert.deepEqual(only(ok.ds, 'duplicate-syscall'), []);
});

test('syscall-covered-by-group: an entry a listed group already includes', () => {
  const { doc, ds } = setup(`${SERVICE}SystemCallFilter=@system-service getpid ptrace\n`);
  const found = only(ds, 'syscall-covered-by-group');
  assert.equal(found.length, 1);
  assert.equal(doc.getText(found[0]!.range), 'getpid');
  assert.deepEqual(found[0]!.data, { remove: true, group: '@system-service' });
  // ptrace is not in @system-service; an entry with an errno changes the action, so it counts.
  const ok = setup(`${SERVICE}SystemCallFilter=~@mount umount2:EPERM\n`);
  assert.deepEqual(only(ok.ds, 'syscall-covered-by-group'), []);
});

test('filter-reset-discards: an empty assignment after lines of the same file', () => {
  const { doc, ds } = setup(`${SERVICE}SystemCallFilter=@system-service\nSystemCallFilter=~@privileged\nSystemCallFilter=\nSystemCallFilter=@basic-io\n`);
  const found = only(ds, 'filter-reset-discards');
  assert.equal(found.length, 1);
  assert.equal(doc.getText(found[0]!.range), 'SystemCallFilter=');
  assert.match(found[0]!.message, /discards lines 6, 7/);
  const first = setup(`${SERVICE}SystemCallFilter=\nSystemCallFilter=@system-service\n`);
  assert.deepEqual(only(first.ds, 'filter-reset-discards'), []);
});

test('missing-native-architectures: the figures are the engine\'s own for the target', () => {
  const base = '[Unit]\nDescription=x\n[Service]\nExecStart=/usr/bin/x\nSystemCallFilter=@system-service\nRestrictNamespaces=yes\n[Install]\nWantedBy=multi-user.target\n';
  const { ls, doc, unit, ds } = setup(base);
  const found = only(ds, 'missing-native-architectures');
  assert.equal(found.length, 1);
  assert.equal(doc.getText(found[0]!.range), '[Service]');
  const before = planTotals(ls.analyze(unit)!.plan);
  const fixed = setup(base.replace('RestrictNamespaces=yes\n', 'RestrictNamespaces=yes\nSystemCallArchitectures=native\n'));
  const after = planTotals(fixed.ls.analyze(fixed.unit)!.plan);
  assert.ok(after.filters < before.filters);
  const data = found[0]!.data as { filters: number; instructions: number; remaining: string[] };
  assert.equal(data.filters, before.filters - after.filters);
  assert.equal(data.instructions, before.instructions - after.instructions);
  assert.ok(found[0]!.message.includes(`install ${before.filters} filters (${before.instructions} BPF instructions)`), found[0]!.message);
  assert.ok(found[0]!.message.includes(`would be ${after.filters} (${after.instructions})`), found[0]!.message);
  // On systemd 252 RestrictNamespaces= is installed before the architecture filter, so its x86/x32 filters stay.
  assert.ok(data.remaining.some((r) => r.startsWith('RestrictNamespaces (')), data.remaining.join());
  assert.deepEqual(only(fixed.ds, 'missing-native-architectures'), []);
});

test('missing-native-architectures: an explicit list with x86 is reported on its value', () => {
  const { doc, ds } = setup('[Service]\nExecStart=/usr/bin/x\nSystemCallFilter=@system-service\nSystemCallArchitectures=native x86\n');
  const found = only(ds, 'missing-native-architectures');
  assert.equal(found.length, 1);
  assert.equal(doc.getText(found[0]!.range), 'native x86');
  assert.match(found[0]!.message, /allows more than the native ABI/);
});

test('missing-native-architectures: not for units without filters, SystemCallLog= alone, or single-ABI hosts', () => {
  assert.deepEqual(only(setup('[Service]\nExecStart=/usr/bin/x\nProtectSystem=strict\n').ds, 'missing-native-architectures'), []);
  assert.deepEqual(only(setup('[Service]\nExecStart=/usr/bin/x\nSystemCallLog=@mount\n').ds, 'missing-native-architectures'), []);
  const riscv = setup('[Service]\nExecStart=/usr/bin/x\nSystemCallFilter=@system-service\n', parseSettings({ target: { arch: 'riscv64' } }));
  assert.deepEqual(only(riscv.ds, 'missing-native-architectures'), []);
});

test('the example units: webapp\'s misspelt SystemCallArchitecture= is reported once; resolver is clean', () => {
  const read = (f: string) => fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8');
  const web = setup(read('webapp.service'), DEFAULT_SETTINGS, undefined, 'webapp.service');
  // The misspelling is an error with its own fix, so the missing native is not reported again.
  assert.deepEqual(only(web.ds, 'missing-native-architectures'), []);
  assert.equal(web.ds.filter((d) => d.code === 'misspelled-hardening-directive' && (d.data as { replacement: string }).replacement === 'SystemCallArchitectures').length, 1);
  const without = setup(read('webapp.service').replace('SystemCallArchitecture=native\n', ''), DEFAULT_SETTINGS, undefined, 'webapp.service');
  assert.equal(only(without.ds, 'missing-native-architectures').length, 1);
  const resolver = setup(read('resolver.service'), DEFAULT_SETTINGS, undefined, 'resolver.service');
  const mine = new Set(['unknown-syscall', 'unknown-syscall-group', 'unknown-architecture', 'unknown-errno', 'unknown-address-family', 'unknown-namespace', 'filter-mode-fixed', 'duplicate-syscall', 'syscall-covered-by-group', 'filter-reset-discards', 'missing-native-architectures']);
  assert.deepEqual(resolver.ds.filter((d) => mine.has(String(d.code))), []);
});

test('syscall-log-inverted: SystemCallLog=~… keeps allowed calls out of the action cache, counted by the engine', () => {
  const text = `${SERVICE}SystemCallFilter=@system-service\nSystemCallLog=~@default @basic-io\n`;
  const { ls, doc, unit, ds } = setup(text);
  const found = only(ds, 'syscall-log-inverted');
  assert.equal(found.length, 1);
  assert.equal(doc.getText(found[0]!.range), '~@default @basic-io');
  const uncached = ls.analyze(unit)!.cost()!.allowedUncached.length;
  const plain = setup(`${SERVICE}SystemCallFilter=@system-service\n`);
  const base = plain.ls.analyze(plain.unit)!.cost()!.allowedUncached.length;
  assert.deepEqual(found[0]!.data, { uncached, uncachedWithout: base });
  assert.ok(uncached > base);
  assert.ok(found[0]!.message.includes(`${uncached} allowed system calls run the whole filter chain`), found[0]!.message);
  // A plain list, or a kernel without the action cache, is not reported.
  assert.deepEqual(only(setup(`${SERVICE}SystemCallFilter=@system-service\nSystemCallLog=@mount\n`).ds, 'syscall-log-inverted'), []);
  assert.deepEqual(only(setup(text, parseSettings({ target: { kernel: '5.10' } })).ds, 'syscall-log-inverted'), []);
});

test('filter-over-limit: measures the programs of the plan against the kernel limits; real units stay far below them', () => {
  const { ls, unit } = setup(`${SERVICE}SystemCallFilter=@system-service\nRestrictNamespaces=yes\n`);
  const real = ls.analyze(unit)!;
  const ctx = (analysis: UnitAnalysis) => ({ unit, systemdVersion: real.target.major, analysis: () => analysis });
  assert.deepEqual(filterOverLimit(ctx(real)), []);
  // The same plan with a longer SystemCallFilter= program: over BPF_MAXINSNS, and long enough for
  // the chain to pass MAX_INSNS_PER_PATH when it is attached.
  assert.deepEqual(real.plan.filters.map((f) => `${f.directive} ${f.abis.join('+')}`), ['RestrictNamespaces x86', 'RestrictNamespaces x32', 'RestrictNamespaces x86-64', 'SystemCallArchitectures x86-64', 'SystemCallFilter x86-64']);
  const program = (n: number) => ({ instructions: Array.from({ length: n }, () => ({ code: 0x06, jt: 0, jf: 0, k: 0x7fff0000 })) });
  const lengths = [10, 10, 10, 10, 33000];
  const programs = lengths.map(program);
  const over: UnitAnalysis = { ...real, plan: { ...real.plan, filters: real.plan.filters.map((f, i) => ({ ...f, program: programs[i]!, instructions: lengths[i]! })) } };
  const limits = chainLimits(programs);
  assert.deepEqual([limits.tooLong, limits.firstOverPath], [[4], 4]);
  const found = filterOverLimit(ctx(over));
  assert.deepEqual(found.map((f) => [f.rule, unit.main.text.slice(f.span.offset, f.span.offset + f.span.length)]), Array(2).fill(['filter-over-limit', 'SystemCallFilter=@system-service']));
  assert.equal(found[0]!.message, "The SystemCallFilter filter for x86-64 has 33000 BPF instructions, over the kernel's limit of 4096: loading it fails and the command does not start.");
  assert.equal(found[1]!.message, `The filter chain adds up to ${limits.pathTotal} instructions as the kernel counts them, over its limit of 32768 per path: loading the SystemCallFilter filter for x86-64 fails and the command does not start.`);
  assert.equal(ruleInfo('filter-over-limit')!.defaultSeverity, 'error');
});

test('filter-removes-group-calls: names exactly what a ~group takes from the allow-list on the target version', () => {
  const text = `${SERVICE}SystemCallFilter=@system-service\nSystemCallFilter=~@privileged chown\n`;
  const { ds, doc, ls, unit } = setup(text);
  const found = only(ds, 'filter-removes-group-calls');
  assert.deepEqual(found.map((d) => doc.getText(d.range)), ['@privileged']);
  assert.equal(found[0]!.severity, 4);
  const t = ls.analyze(unit)!.target;
  const version = `${t.major}.${t.patch}`;
  // Independently: the allow-list is @default plus @system-service; ~@privileged removes their intersection with it.
  const allowed = new Set([...expandGroup('@default', version, t.host), ...expandGroup('@system-service', version, t.host)]);
  const removed = [...expandGroup('@privileged', version, t.host)].filter((n) => allowed.has(n));
  assert.ok(removed.length > 5);
  assert.equal(found[0]!.data && (found[0]!.data as { removed: number }).removed, removed.length);
  assert.match(found[0]!.message, new RegExp(`^~@privileged takes ${removed.length} allowed system calls out of the allow-list on systemd ${t.systemd.replace(/\./g, '\\.')} \\(${removed.length} calls from @system-service \\(line 6\\): `));
  // chown was already taken by @privileged: it removes nothing.
  assert.deepEqual(only(ds, 'filter-removes-nothing').map((d) => doc.getText(d.range)), ['chown']);
  // An entry that removes an explicitly listed name says from which line; deny-lists are filter-mode-fixed's.
  const explicit = setup(`${SERVICE}SystemCallFilter=@system-service bpf\nSystemCallFilter=~bpf\n`);
  assert.match(only(explicit.ds, 'filter-removes-group-calls')[0]!.message, /1 call from line 6: bpf\)/);
  assert.deepEqual(only(setup(`${SERVICE}SystemCallFilter=~@mount\nSystemCallFilter=~@privileged\n`).ds, 'filter-removes-group-calls'), []);
});

test('filter-removes-nothing: a ~ entry whose calls the allow-list does not hold; version-aware', () => {
  const text = `${SERVICE}SystemCallFilter=@system-service\nSystemCallFilter=~@mount\n`;
  const { ds, doc } = setup(text);
  const found = only(ds, 'filter-removes-nothing');
  assert.deepEqual(found.map((d) => doc.getText(d.range)), ['@mount']);
  assert.match(found[0]!.message, /^~@mount \(\d+ system calls on systemd [\d.]+\) removes nothing: the allow-list does not contain any of them at this point, so they are refused already\.$/);
  assert.deepEqual(found[0]!.tags, [1]);
  // A later line that allows @mount again does not make the removal useful: it ran before.
  assert.equal(only(setup(`${text}SystemCallFilter=@mount\n`).ds, 'filter-removes-nothing').length, 1);
  // Removing what the list holds is not reported; neither are deny-lists.
  assert.deepEqual(only(setup(`${SERVICE}SystemCallFilter=@system-service @mount\nSystemCallFilter=~@mount\n`).ds, 'filter-removes-nothing'), []);
  assert.deepEqual(only(setup(`${SERVICE}SystemCallFilter=~@mount\nSystemCallFilter=~@mount\n`).ds, 'filter-removes-nothing'), []);
  // A removal in a drop-in is the drop-in's business.
  const reader = { listDir: (d: string) => (d === '/units/test.service.d' ? ['x.conf'] : undefined), readFile: () => '[Service]\nSystemCallFilter=~@mount\n' };
  const withDropin = setup(`${SERVICE}SystemCallFilter=@system-service\n`, DEFAULT_SETTINGS, reader);
  assert.deepEqual(withDropin.ls.analyze(withDropin.unit)!.plan.values.systemCallFilter.removals.map((r) => [r.source.file, r.name, r.removed.length]), [['/units/test.service.d/x.conf', '@mount', 0]]);
  assert.deepEqual(only(withDropin.ds, 'filter-removes-nothing'), []);
});

test('hot-syscalls-uncached: per directive, the hot calls it keeps out of the action cache, with the engine\'s counts', () => {
  const text = `${SERVICE}SystemCallFilter=@system-service\nMemoryDenyWriteExecute=yes\nRestrictAddressFamilies=AF_UNIX AF_INET\nRestrictSUIDSGID=yes\nLockPersonality=yes\n`;
  const { ds, doc, ls, unit } = setup(text);
  const found = only(ds, 'hot-syscalls-uncached');
  assert.deepEqual(found.map((d) => doc.getText(d.range)), ['MemoryDenyWriteExecute', 'RestrictAddressFamilies', 'RestrictSUIDSGID']);
  const cost = ls.analyze(unit)!.cost()!;
  const insns = (name: string) => cost.hot.find((h) => h.name === name)!.instructions;
  assert.match(found[0]!.message, new RegExp(`cannot serve mmap, mprotect: each call runs the whole chain on x86-64, mmap ${insns('mmap')}, mprotect ${insns('mprotect')} BPF instructions`));
  assert.match(found[1]!.message, new RegExp(`socket ${insns('socket')} BPF instructions`));
  assert.match(found[2]!.message, new RegExp(`cannot serve openat: .* openat ${insns('openat')} BPF`));
  assert.equal(found[0]!.severity, 4);
  // Without the action cache (Linux < 5.11) every call runs the chain: nothing specific to say.
  assert.deepEqual(only(setup(text, parseSettings({ target: { kernel: '5.10' } })).ds, 'hot-syscalls-uncached'), []);
  // Constant-action filters (LockPersonality= checks personality, not a hot call) are not reported.
  assert.deepEqual(only(setup(`${SERVICE}SystemCallFilter=@system-service\nLockPersonality=yes\n`).ds, 'hot-syscalls-uncached'), []);
});
