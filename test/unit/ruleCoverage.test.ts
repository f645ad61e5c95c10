/**
 * Every lint rule in RULES has a positive case (the rule reports, on the expected word) and a
 * negative case (a close variant, usually the fixed unit, where it does not), run through the
 * language service as an editor would. A rule added without cases fails the first test. The
 * detailed messages and figures are asserted in the rule suites (seccompRules, languageService,
 * parser); this table guarantees that nothing is untested.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-types';
import { getLanguageService } from '../../server/src/languageService';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from '../../server/src/settings';
import { allRuleIds, ruleInfo } from '../../server/src/lint/rules';
import { filterOverLimit } from '../../server/src/lint/seccompRules';
import type { UnitAnalysis } from '../../server/src/analysis';
import type { LoadOptions } from '../../server/src/model/unit';

interface Case {
  readonly text: string;
  readonly settings?: Settings;
  readonly name?: string;
  readonly options?: LoadOptions;
}

interface Entry {
  readonly rule: string;
  readonly positive: Case;
  /** The text of the reported range in the positive case. */
  readonly at: string;
  readonly negative: Case;
}

function run(c: Case): { ds: Diagnostic[]; doc: TextDocument } {
  const name = c.name ?? 'test.service';
  const doc = TextDocument.create(`file:///units/${name}`, 'systemd-unit', 1, c.text);
  const ls = getLanguageService(c.settings ?? DEFAULT_SETTINGS);
  const unit = ls.parseUnit(doc, `/units/${name}`, undefined, c.options);
  return { ds: ls.doValidation(doc, unit), doc };
}

/** A hardened service that triggers no rule at all (checked below). */
const CLEAN = '[Unit]\nDescription=x\n[Service]\nExecStart=/usr/bin/x\nNoNewPrivileges=yes\nSystemCallArchitectures=native\n';
const svc = (extra: string): Case => ({ text: `${CLEAN}${extra}` });
const on = (version: string, c: Case): Case => ({ ...c, settings: parseSettings({ target: { systemdVersion: version } }) });
const BIG = `${CLEAN}${'Environment=A=1\n'.repeat(70000)}`;

const TABLE: readonly Entry[] = [
  { rule: 'syntax-invalid-section-header', positive: { text: '[Service\nExecStart=/bin/true\n' }, at: '[Service', negative: { text: CLEAN } },
  { rule: 'syntax-bad-section-characters', positive: { text: '[Ser"vice]\nExecStart=/bin/true\n' }, at: '[Ser"vice]', negative: { text: CLEAN } },
  { rule: 'syntax-line-too-long', positive: { text: `${CLEAN}Environment=A=${'x'.repeat(1024 * 1024)}\n` }, at: '', negative: { text: `${CLEAN}Environment=A=${'x'.repeat(1000)}\n` } },
  { rule: 'syntax-outside-section', positive: { text: `Description=x\n${CLEAN}` }, at: 'Description=x', negative: { text: CLEAN } },
  { rule: 'syntax-missing-equals', positive: svc('PrivateTmp\n'), at: 'PrivateTmp', negative: svc('PrivateTmp=yes\n') },
  { rule: 'syntax-missing-key', positive: svc('=yes\n'), at: '=yes', negative: svc('PrivateTmp=yes\n') },
  { rule: 'syntax-invalid-utf8', positive: { text: `${CLEAN}Environment=A=\ufffd\n`, options: { invalidUtf8Lines: new Set([7]) } }, at: 'Environment=A=\ufffd', negative: { text: `${CLEAN}Environment=A=\u00e9\n` } },
  { rule: 'syntax-nul-byte', positive: svc('Environment=A=\0B\n'), at: '\0', negative: svc('Environment=A=B\n') },
  { rule: 'file-too-large', positive: { text: `${BIG}${'#'.repeat(200)}\n` }, at: '', negative: { text: `${CLEAN}${'Environment=A=1\n'.repeat(1000)}` } },
  { rule: 'unknown-section', positive: { text: `${CLEAN}[Servce]\nUser=x\n` }, at: 'Servce', negative: { text: `${CLEAN}[Install]\nWantedBy=multi-user.target\n` } },
  { rule: 'unknown-directive', positive: svc('FooBar=1\n'), at: 'FooBar', negative: svc('User=x\n') },
  { rule: 'misspelled-hardening-directive', positive: svc('ProtectSytem=strict\n'), at: 'ProtectSytem', negative: svc('ProtectSystem=strict\n') },
  { rule: 'directive-wrong-section', positive: { text: `[Unit]\nExecStart=/bin/true\n${CLEAN.slice('[Unit]\n'.length)}` }, at: 'ExecStart', negative: { text: CLEAN } },
  { rule: 'directive-not-in-version', positive: on('245', svc('SystemCallLog=@mount\n')), at: 'SystemCallLog', negative: svc('SystemCallLog=@mount\n') },
  { rule: 'deprecated-directive', positive: svc('MemoryLimit=1G\n'), at: 'MemoryLimit', negative: svc('MemoryMax=1G\n') },
  { rule: 'duplicate-directive', positive: svc('Type=simple\nType=notify\n'), at: 'Type', negative: svc('Type=notify\n') },
  { rule: 'unknown-syscall', positive: svc('SystemCallFilter=~chwon\n'), at: 'chwon', negative: svc('SystemCallFilter=~chown\n') },
  { rule: 'unknown-syscall-group', positive: svc('SystemCallFilter=@system-service\nSystemCallFilter=~@sandbox\n'), at: '@sandbox', negative: on('254', svc('SystemCallFilter=@system-service\nSystemCallFilter=~@sandbox\n')) },
  { rule: 'unknown-architecture', positive: svc('SystemCallArchitectures=x86_64\n'), at: 'x86_64', negative: svc('SystemCallArchitectures=x86-64\n') },
  { rule: 'unknown-errno', positive: svc('SystemCallFilter=~@mount\nSystemCallErrorNumber=EPREM\n'), at: 'EPREM', negative: svc('SystemCallFilter=~@mount\nSystemCallErrorNumber=EPERM\n') },
  { rule: 'unknown-address-family', positive: svc('RestrictAddressFamilies=AF_UNIX AF_INTE\n'), at: 'AF_INTE', negative: svc('RestrictAddressFamilies=AF_UNIX AF_INET\n') },
  { rule: 'unknown-namespace', positive: svc('RestrictNamespaces=nett\n'), at: 'nett', negative: svc('RestrictNamespaces=net\n') },
  { rule: 'filter-mode-fixed', positive: svc('SystemCallFilter=~@mount\nSystemCallFilter=@system-service\n'), at: '@system-service', negative: svc('SystemCallFilter=@system-service\nSystemCallFilter=~@mount\n') },
  { rule: 'duplicate-syscall', positive: svc('SystemCallFilter=~ptrace @mount ptrace\n'), at: 'ptrace', negative: svc('SystemCallFilter=~ptrace @mount\n') },
  { rule: 'syscall-covered-by-group', positive: svc('SystemCallFilter=@system-service getpid\n'), at: 'getpid', negative: svc('SystemCallFilter=@system-service bpf\n') },
  { rule: 'filter-removes-nothing', positive: svc('SystemCallFilter=@system-service\nSystemCallFilter=~@mount\n'), at: '@mount', negative: svc('SystemCallFilter=@system-service @mount\nSystemCallFilter=~@mount\n') },
  { rule: 'filter-removes-group-calls', positive: svc('SystemCallFilter=@system-service\nSystemCallFilter=~@privileged\n'), at: '@privileged', negative: svc('SystemCallFilter=@system-service\n') },
  { rule: 'filter-reset-discards', positive: svc('SystemCallFilter=~@mount\nSystemCallFilter=\nSystemCallFilter=~@swap\n'), at: 'SystemCallFilter=', negative: svc('SystemCallFilter=\nSystemCallFilter=~@mount\nSystemCallFilter=~@swap\n') },
  { rule: 'missing-native-architectures', positive: { text: CLEAN.replace('SystemCallArchitectures=native\n', 'SystemCallFilter=~@mount\n') }, at: '[Service]', negative: svc('SystemCallFilter=~@mount\n') },
  { rule: 'syscall-log-inverted', positive: svc('SystemCallFilter=@system-service\nSystemCallLog=~@mount\n'), at: '~@mount', negative: svc('SystemCallFilter=@system-service\nSystemCallLog=@mount\n') },
  // filter-over-limit: no real unit reaches the kernel's limits (see the dedicated test in seccompRules.test.ts).
  { rule: 'filter-over-limit', positive: svc('SystemCallFilter=@system-service\n'), at: 'SystemCallFilter=@system-service', negative: svc('SystemCallFilter=@system-service\n') },
  { rule: 'no-new-privileges-missing', positive: { text: CLEAN.replace('NoNewPrivileges=yes\n', 'SystemCallFilter=~@mount\n') }, at: '[Service]', negative: svc('SystemCallFilter=~@mount\n') },
  { rule: 'address-families-without-unix', positive: svc('RestrictAddressFamilies=AF_INET\n'), at: 'AF_INET', negative: svc('RestrictAddressFamilies=AF_UNIX AF_INET\n') },
  { rule: 'mdwe-with-jit', positive: { text: CLEAN.replace('/usr/bin/x', '/usr/bin/node app.js').concat('MemoryDenyWriteExecute=yes\n') }, at: 'MemoryDenyWriteExecute', negative: { text: CLEAN.replace('/usr/bin/x', '/usr/bin/node app.js') } },
  { rule: 'restrict-filesystems-not-seccomp', positive: svc('RestrictFileSystems=ext4\n'), at: 'RestrictFileSystems', negative: svc('ProtectSystem=strict\n') },
  { rule: 'tilde-space', positive: svc('SystemCallFilter=~ @clock\n'), at: '~', negative: svc('SystemCallFilter=~@clock\n') },
  { rule: 'hot-syscalls-uncached', positive: svc('MemoryDenyWriteExecute=yes\n'), at: 'MemoryDenyWriteExecute', negative: { ...svc('MemoryDenyWriteExecute=yes\n'), settings: parseSettings({ target: { kernel: '5.10' } }) } },
];

test('the table covers every rule exactly once', () => {
  assert.deepEqual(TABLE.map((e) => e.rule).sort(), [...allRuleIds()].sort());
});

test('the clean unit triggers no rule', () => {
  assert.deepEqual(run({ text: CLEAN }).ds, []);
});

for (const e of TABLE) {
  test(`${e.rule}: reported on the positive case, not on the negative one`, () => {
    if (e.rule === 'filter-over-limit') {
      // Positive through the rule with the native SystemCallFilter= program made longer than BPF_MAXINSNS.
      const doc = TextDocument.create('file:///units/test.service', 'systemd-unit', 1, e.positive.text);
      const ls = getLanguageService();
      const unit = ls.parseUnit(doc, '/units/test.service');
      const real = ls.analyze(unit)!;
      const index = real.plan.filters.findIndex((f) => f.directive === 'SystemCallFilter' && f.abis.join() === real.target.host);
      const long = { instructions: Array.from({ length: 4097 }, () => ({ code: 0x06, jt: 0, jf: 0, k: 0x7fff0000 })) };
      const over: UnitAnalysis = { ...real, plan: { ...real.plan, filters: real.plan.filters.map((f, i) => (i === index ? { ...f, program: long, instructions: 4097 } : f)) } };
      const found = filterOverLimit({ unit, systemdVersion: real.target.major, analysis: () => over });
      assert.deepEqual(found.map((f) => [f.rule, e.positive.text.slice(f.span.offset, f.span.offset + f.span.length)]), [[e.rule, e.at]]);
    } else {
      const pos = run(e.positive);
      const hits = pos.ds.filter((d) => d.code === e.rule);
      assert.ok(hits.length > 0, `${e.rule} not reported; got ${JSON.stringify(pos.ds.map((d) => d.code))}`);
      if (e.at !== '') assert.ok(hits.some((d) => pos.doc.getText(d.range) === e.at), `${e.rule} ranges: ${JSON.stringify(hits.map((d) => pos.doc.getText(d.range)))}`);
    }
    const neg = run(e.negative);
    assert.deepEqual(neg.ds.filter((d) => d.code === e.rule), [], `${e.rule} reported on the negative case`);
  });
}

test("README's rule table lists every rule with its default severity", () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const m of readme.matchAll(/^\| ((?:`[a-z0-9-]+`(?: \/ )?)+) \| (\w+) \|/gm)) for (const id of m[1]!.matchAll(/`([a-z0-9-]+)`/g)) rows.set(id[1]!, m[2]!);
  for (const id of allRuleIds()) assert.equal(rows.get(id), ruleInfo(id)!.defaultSeverity, id);
});
