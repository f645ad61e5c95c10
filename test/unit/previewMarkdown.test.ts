/**
 * `unit-harden preview --markdown`: the same report as the text table, as Markdown (run through
 * the bundled bin like cli.test.ts), and the escaping of table cells.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { mdCell } from '../../server/src/cli/preview';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'bin', 'unit-harden.js');

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('preview --markdown on resolver.service (debian-12): header, filter table, per-ABI table and cost', () => {
  const r = run(['preview', 'examples/resolver.service', '--preset', 'debian-12', '--markdown']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], '# Seccomp filters of resolver.service');
  assert.ok(lines.includes('**31 seccomp filters**, **909 BPF instructions**; NoNewPrivileges=yes.'), r.stdout);
  const head = lines.indexOf('| # | ABI | Directive | Line | Rules | Insns | Default ← rules |');
  assert.ok(head > 0, r.stdout);
  assert.equal(lines[head + 1], '| ---: | --- | --- | ---: | ---: | ---: | --- |');
  assert.equal(lines[head + 2], '| 0 | x32 | RestrictAddressFamilies | 22 | 43 | 51 | allow ← errno(EAFNOSUPPORT) |');
  assert.equal(lines[head + 2 + 28], '| 28 | x86-64 | SystemCallArchitectures | 26 | - | 7 | allow, other ABIs kill-thread |');
  assert.equal(lines[head + 2 + 30], '| 30 | x86-64 | SystemCallFilter | 28 | 298 | 306 | errno(EPERM) ← allow |');
  // One row per filter, then a blank line.
  assert.equal(lines[head + 2 + 31], '');
  const rows = lines.slice(head + 2, head + 2 + 31);
  assert.ok(rows.every((l, i) => l.startsWith(`| ${i} | `)));
  const total = rows.reduce((n, l) => n + Number(l.split(' | ')[5]), 0);
  assert.equal(total, 909);
  assert.ok(lines.includes('| x86-64 | 13 | 575 |'), r.stdout);
  assert.ok(lines.includes('## Cost'), r.stdout);
  assert.ok(lines.includes('  - allowed syscalls: min 172 (read), median 320, max 476 (fchmodat2)'), r.stdout);
  assert.ok(lines.some((l) => l.startsWith('  - hot syscalls that run the chain: openat 396')), r.stdout);
  // No disassembly unless asked for.
  assert.ok(!r.stdout.includes('## BPF programs'));
});

test('preview --markdown --disasm adds each program in a code block', () => {
  const r = run(['preview', 'examples/resolver.service', '--preset', 'debian-12', '--markdown', '--disasm']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes('## BPF programs'));
  assert.equal(r.stdout.match(/^### Filter \d+: /gm)?.length, 31);
  assert.equal((r.stdout.match(/^```$/gm)?.length ?? 0) % 2, 0);
  // The text-mode "# filter N" blocks are not appended after the Markdown.
  assert.ok(!/^# filter \d+:/m.test(r.stdout));
});

test('--json and --markdown exclude each other', () => {
  const r = run(['preview', 'examples/resolver.service', '--json', '--markdown']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /exclude each other/);
});

test('table cells escape pipes, HTML and line breaks', () => {
  assert.equal(mdCell('a|b'), 'a\\|b');
  assert.equal(mdCell('<script>&'), '&lt;script&gt;&amp;');
  assert.equal(mdCell('x\ny'), 'x<br>y');
  assert.equal(mdCell('back\\slash'), 'back\\\\slash');
});
