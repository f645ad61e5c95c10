/**
 * CLI tests: run the real `unit-harden` command (the bundled bin) as a process and check its
 * output formats and exit codes.
 */

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'bin', 'unit-harden.js');
let tmp: string;

function run(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 30000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'unit-harden-cli-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('check on the bundled example reports both typos as errors and exits 1', () => {
  const r = run(['check', 'examples/webapp.service']);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.ok(lines.includes('examples/webapp.service:15:1: error: Unknown directive ProtectDevices= in [Service]: did you mean PrivateDevices=? systemd ignores unknown keys, so this protection is not applied. [misspelled-hardening-directive]'), r.stdout);
  assert.ok(lines.some((l) => l.startsWith('examples/webapp.service:25:1: error: Unknown directive SystemCallArchitecture= in [Service]: did you mean SystemCallArchitectures=?')), r.stdout);
  assert.match(lines.at(-1)!, /^1 file checked: 2 errors, 0 warnings, 0 notes \(\d+ below --min-severity not shown\)\.$/);
});

test('--min-severity: hints are hidden by default and counted; hint shows them, warning keeps only the serious ones', () => {
  const hidden = Number(/\((\d+) below --min-severity not shown\)/.exec(run(['check', 'examples/webapp.service']).stdout)![1]);
  const all = run(['check', '--min-severity', 'hint', 'examples/webapp.service']);
  assert.equal(all.code, 1);
  const hints = all.stdout.split('\n').filter((l) => / hint: /.test(l));
  assert.equal(hints.length, hidden);
  assert.ok(hints.some((l) => l.endsWith('[hot-syscalls-uncached]')) && hints.some((l) => l.endsWith('[filter-removes-group-calls]')), all.stdout);
  assert.match(all.stdout, new RegExp(`2 errors, 0 warnings, ${hidden} notes\\.\n$`));
  // A hint raised by --rule is shown; JSON follows the same threshold.
  const raised = run(['check', '--format', 'json', '--rule', 'hot-syscalls-uncached=warning', 'examples/webapp.service']);
  const out = JSON.parse(raised.stdout) as { diagnostics: { rule: string; severity: string }[] }[];
  assert.ok(out[0]!.diagnostics.some((d) => d.rule === 'hot-syscalls-uncached' && d.severity === 'warning'));
  assert.ok(!out[0]!.diagnostics.some((d) => d.severity === 'hint'));
  const errorsOnly = run(['check', '--min-severity=error', 'examples/resolver.service']);
  assert.equal(errorsOnly.code, 0);
  const bad = run(['check', '--min-severity', 'loud', 'examples/resolver.service']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown severity 'loud' for --min-severity/);
});

test('a clean unit exits 0', () => {
  const r = run(['check', 'examples/resolver.service']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^1 file checked: 0 errors, 0 warnings/m);
});

test('--format json gives rule ids and 1-based positions', () => {
  const r = run(['check', '--format', 'json', 'examples/webapp.service']);
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout) as { file: string; diagnostics: { rule: string; line: number; column: number; severity: string; data?: { replacement?: string } }[] }[];
  assert.equal(out[0]!.file, 'examples/webapp.service');
  const d = out[0]!.diagnostics.find((x) => x.rule === 'misspelled-hardening-directive' && x.line === 25)!;
  assert.equal(d.column, 1);
  assert.equal(d.severity, 'error');
  assert.equal(d.data?.replacement, 'SystemCallArchitectures');
});

test('--format sarif is a SARIF 2.1.0 log with rules and regions', () => {
  const r = run(['check', '--format=sarif', 'examples/webapp.service']);
  const log = JSON.parse(r.stdout);
  assert.equal(log.version, '2.1.0');
  const run0 = log.runs[0];
  assert.equal(run0.tool.driver.name, 'unit-harden');
  const ids = run0.tool.driver.rules.map((x: { id: string }) => x.id);
  assert.ok(ids.includes('misspelled-hardening-directive'));
  const res = run0.results.find((x: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }) => x.ruleId === 'misspelled-hardening-directive' && x.locations[0]!.physicalLocation.region.startLine === 15);
  assert.ok(res);
  assert.equal(res.level, 'error');
  assert.equal(res.locations[0].physicalLocation.artifactLocation.uri, 'examples/webapp.service');
  assert.equal(run0.tool.driver.rules[res.ruleIndex].id, res.ruleId);
});

test('usage errors and unreadable files exit 2 with a message naming the problem', () => {
  const missing = run(['check', 'does/not/exist.service']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read does\/not\/exist\.service: no such file or directory/);
  const noArgs = run(['check']);
  assert.equal(noArgs.code, 2);
  assert.match(noArgs.stderr, /no files given/);
  const badOpt = run(['check', '--frobnicate', 'x']);
  assert.equal(badOpt.code, 2);
  assert.match(badOpt.stderr, /unknown option --frobnicate/);
  const badVersion = run(['check', '--systemd', 'banana', 'examples/webapp.service']);
  assert.equal(badVersion.code, 2);
  assert.match(badVersion.stderr, /target\.systemdVersion/);
});

test('drop-ins beside the file are merged; --rule changes a severity', () => {
  const unit = path.join(tmp, 'app.service');
  fs.writeFileSync(unit, '[Service]\nExecStart=/bin/true\nProtectDevices=yes\n');
  const r = run(['check', '--rule', 'misspelled-hardening-directive=warning', unit]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /:3:1: warning: Unknown directive ProtectDevices=/);
  const off = run(['check', '--rule', 'misspelled-hardening-directive=off', unit]);
  assert.match(off.stdout, /0 errors, 0 warnings/);
});

test('a directory is checked recursively, drop-ins included', () => {
  fs.mkdirSync(path.join(tmp, 'tree', 'x.service.d'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'tree', 'x.service'), '[Service]\nExecStart=/bin/true\n');
  fs.writeFileSync(path.join(tmp, 'tree', 'x.service.d', 'override.conf'), '[Service]\nSystemCallFiltr=@system-service\n');
  fs.writeFileSync(path.join(tmp, 'tree', 'README'), 'not a unit');
  const r = run(['check', path.join(tmp, 'tree')]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /override\.conf:2:1: error: Unknown directive SystemCallFiltr=.*did you mean SystemCallFilter=/);
  assert.match(r.stdout, /2 files checked/);
});

test('binary content gets diagnostics, not a crash', () => {
  const bin = path.join(tmp, 'binary.service');
  fs.writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0xff, 0xfe, 10, 0x5b, 0x41]));
  const r = run(['check', bin]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /1 file checked/);
});

test('--version and --help', () => {
  assert.match(run(['--version']).stdout, /^unit-harden \d+\.\d+\.\d+/);
  const help = run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /unit-harden check/);
});

test('preview on the bundled example: the filter table, the cost, and the typos that change it', () => {
  const r = run(['preview', 'examples/webapp.service', '--kernel', '6.1']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'webapp.service — systemd 252.39 built for x86-64, kernel 6.1, libseccomp 2.5.4-1+deb12u1');
  assert.match(lines[1]!, /^31 seccomp filters, \d+ BPF instructions; NoNewPrivileges=yes$/);
  // Without SystemCallArchitectures= (misspelt), SystemCallFilter= is installed for all three ABIs.
  assert.equal(lines.filter((l) => /^\s+\d+\s+(x86|x32|x86-64)\s+SystemCallFilter\s/.test(l)).length, 3);
  assert.ok(lines.includes('  webapp.service:25: error: Unknown directive SystemCallArchitecture= in [Service]: did you mean SystemCallArchitectures=? systemd ignores unknown keys, so this protection is not applied. [misspelled-hardening-directive]'));
  assert.match(r.stdout, /Cost per x86-64 system call/);
  const json = JSON.parse(run(['preview', '--json', 'examples/webapp.service']).stdout);
  assert.equal(json.filters.length, 31);
  assert.ok(json.diagnostics.some((d: { code: string; line: number }) => d.code === 'misspelled-hardening-directive' && d.line === 15));
});
