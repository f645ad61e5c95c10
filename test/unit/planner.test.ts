/**
 * Tests for the filter plan: the resolved-like example on every version family, each version
 * difference the planner mirrors (one case each, citing the tag and systemd function), the
 * parsing semantics of the seccomp directives, and a property test that random units never
 * make the planner throw or produce an inconsistent plan.
 */

import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { CaseCounter, propertyRuns, propertySeed, reportCases } from './propertyRuns';
import { loadUnit, type FileReader } from '../../server/src/model/unit';
import { localArchs, type AbiName } from '../../server/src/seccomp/abi';
import { effectiveValues, ERRNO_KILL, CLONE_NEWNET, CLONE_NEWUSER, CLONE_NEWIPC } from '../../server/src/seccomp/directiveValues';
import { planFilters, formatRule, type FilterPlan } from '../../server/src/seccomp/planner';
import { parseArch, resolveTarget, PRESETS, MIN_SYSTEMD, MAX_SYSTEMD, type Target, type TargetInput } from '../../server/src/seccomp/target';
import { errnoFromName } from '../../server/src/seccomp/errno';
import { afFromName } from '../../server/src/seccomp/addressFamilies';
import { runPreview } from '../../server/src/cli/preview';

const ROOT = path.resolve(__dirname, '../../..');
const RESOLVER = fs.readFileSync(path.join(ROOT, 'examples', 'resolver.service'), 'utf8');
/** The v245 shape of systemd-resolved.service (no ProtectClock=, added to the unit in v246). */
const RESOLVER_245 = RESOLVER.replace(/^ProtectClock=yes\n/m, '');
const NO_ARCH = (s: string): string => s.replace(/^SystemCallArchitectures=.*\n/m, '');

function target(systemd: string, extra: TargetInput = {}): Target {
  const r = resolveTarget({ systemd, kernel: '6.1', ...extra });
  assert.ok(r.target, JSON.stringify(r.diagnostics));
  return r.target;
}

function unit(body: string | string[], name = 'test.service', reader?: FileReader): ReturnType<typeof loadUnit> {
  const text = Array.isArray(body) ? `[Service]\nExecStart=/bin/true\n${body.join('\n')}\n` : body;
  return loadUnit(`/units/${name}`, text, reader);
}

function plan(body: string | string[], systemd: string, extra: TargetInput = {}): FilterPlan {
  return planFilters(unit(body), target(systemd, extra));
}

/** `Directive:abi[+abi]` per filter, in install order. */
function order(p: FilterPlan): string[] {
  return p.filters.map((f) => `${f.directive}:${f.abis.join('+')}`);
}

function count(p: FilterPlan, directive: string): number {
  return p.filters.filter((f) => f.directive === directive).length;
}

function rulesOf(p: FilterPlan, directive: string, abi: AbiName = 'x86-64'): string[] {
  const f = p.filters.find((x) => x.directive === directive && x.abis.includes(abi));
  assert.ok(f, `no ${directive} filter for ${abi}`);
  return f.spec.rules.filter((_, i) => (f.ruleErrnos[i] ?? 0) === 0).map(formatRule);
}

function codes(p: FilterPlan): string[] {
  return p.diagnostics.map((d) => d.code);
}

const ALL3 = ['x86', 'x32', 'x86-64'];
const per = (d: string, abis: string[]): string[] => abis.map((a) => `${d}:${a}`);

// ---------------------------------------------------------------------------------------------
// The seed's example (reference section 4).

describe('resolved-like unit on x86-64 (reference section 4)', () => {
  const pre28 = [
    ...per('RestrictAddressFamilies', ['x32', 'x86-64']),
    ...per('MemoryDenyWriteExecute', ALL3),
    ...per('RestrictRealtime', ALL3),
    ...per('RestrictSUIDSGID', ALL3),
    ...per('RestrictNamespaces', ALL3),
    ...per('ProtectKernelTunables', ['x86', 'x86-64']),
    ...per('ProtectKernelModules', ALL3),
    ...per('ProtectKernelLogs', ALL3),
    ...per('ProtectClock', ALL3),
    ...per('PrivateDevices', ALL3),
  ];

  test('v245 (its own unit, without ProtectClock=): 32 filters — exec_child() in v245 prunes nothing', () => {
    const p = plan(RESOLVER_245, '245');
    assert.equal(p.filters.length, 32);
    assert.deepEqual(order(p), [
      ...pre28.filter((x) => !x.startsWith('ProtectClock')),
      'SystemCallArchitectures:x86-64',
      ...per('LockPersonality', ALL3),
      ...per('SystemCallFilter', ALL3),
    ]);
  });

  test('v245 with the v246+ unit (ProtectClock= exists since v245): 35', () => {
    assert.equal(plan(RESOLVER, '245').filters.length, 35);
  });

  for (const v of ['246', '247', '247.13']) {
    test(`v${v}: 35 filters (ProtectClock × 3, no ABI pruning before v248)`, () => {
      const p = plan(RESOLVER, v);
      assert.equal(p.filters.length, 35);
      assert.deepEqual(order(p), [...pre28, 'SystemCallArchitectures:x86-64', ...per('LockPersonality', ALL3), ...per('SystemCallFilter', ALL3)]);
    });
  }

  for (const v of ['248', '248.3', '248.7', '249', '249.2', '249.4']) {
    test(`v${v}: 29 filters — the =native regression drops LockPersonality= and SystemCallFilter=`, () => {
      const p = plan(RESOLVER, v);
      assert.equal(p.filters.length, 29);
      assert.deepEqual(order(p), [...pre28, 'SystemCallArchitectures:x86-64']);
      assert.ok(codes(p).includes('plan-arch-regression'));
    });
  }

  for (const v of ['248.8', '249.5', '250', '251', '252', '252.38', '253']) {
    test(`v${v}: 31 filters (34 without SystemCallArchitectures=)`, () => {
      const p = plan(RESOLVER, v);
      assert.equal(p.filters.length, 31);
      assert.deepEqual(order(p), [...pre28, 'SystemCallArchitectures:x86-64', 'LockPersonality:x86-64', 'SystemCallFilter:x86-64']);
      assert.equal(plan(NO_ARCH(RESOLVER), v).filters.length, 34);
      assert.ok(!codes(p).includes('plan-arch-regression'));
    });
  }

  for (const v of ['254', '254.26', '255', '256', '257', '257.13', '258', '259', '260', '261', '262']) {
    test(`v${v}: 31 filters on kernel 6.1, 28 on 6.3+ (PR_SET_MDWE)`, () => {
      assert.equal(plan(RESOLVER, v, { kernel: '6.2' }).filters.length, 31);
      const p = plan(RESOLVER, v, { kernel: '6.3' });
      assert.equal(p.filters.length, 28);
      assert.deepEqual(order(p), [
        ...pre28.filter((x) => !x.startsWith('MemoryDeny')),
        'SystemCallArchitectures:x86-64',
        'LockPersonality:x86-64',
        'SystemCallFilter:x86-64',
      ]);
      assert.equal(plan(NO_ARCH(RESOLVER), v, { kernel: '6.3' }).filters.length, 31);
    });
  }

  test('252.38 instruction counts equal the dump of the real 252.38 (reference 4.2)', () => {
    const p = plan(RESOLVER, '252.38');
    const measured = [51, 58, 15, 19, 29, 11, 12, 19, 42, 43, 59, 34, 35, 39, 6, 8, 8, 9, 10, 6, 7, 8, 11, 10, 11, 7, 8, 9, 7, 12, 306];
    assert.deepEqual(
      p.filters.map((f) => f.instructions),
      measured,
    );
  });

  test('the plan keeps where each filter comes from', () => {
    const p = plan(RESOLVER, '252.38');
    const scf = p.filters.find((f) => f.directive === 'SystemCallFilter')!;
    assert.equal(scf.sources[0]!.line, RESOLVER.split('\n').findIndex((l) => l.startsWith('SystemCallFilter=')) + 1);
    assert.ok(scf.sources.some((s) => s.line === RESOLVER.split('\n').findIndex((l) => l.startsWith('SystemCallErrorNumber=')) + 1));
    assert.deepEqual(p.noNewPrivileges, { value: true, implied: false });
  });
});

// ---------------------------------------------------------------------------------------------
// Version differences, one case each.

describe('version differences', () => {
  test('v245 exec_child() applies ProtectHostname= outside needs_sandboxing: a + command still gets it; v246 apply_protect_hostname() does not', () => {
    const body = '[Service]\nExecStart=+/bin/true\nProtectHostname=yes\nProtectKernelLogs=yes\n';
    assert.deepEqual(order(plan(body, '245')), per('ProtectHostname', ALL3));
    assert.deepEqual(order(plan(body, '246')), []);
    assert.ok(codes(plan(body, '246')).includes('plan-privileged-command'));
  });

  test('seccomp_restrict_sxid(): openat2 EPERM in v246/v247, ENOSYS from v248, absent in v245', () => {
    const r = (v: string): string[] => rulesOf(plan(['RestrictSUIDSGID=yes'], v), 'RestrictSUIDSGID').filter((x) => x.startsWith('openat2'));
    assert.deepEqual(r('245'), []);
    assert.deepEqual(r('246'), ['openat2() → errno(EPERM)', 'openat2() → errno(EPERM)']);
    assert.deepEqual(r('248'), ['openat2() → errno(ENOSYS)', 'openat2() → errno(ENOSYS)']);
  });

  test('seccomp_restrict_sxid(): fchmodat2 from v255 and the stable backports 252.23, 253.17, 254.10', () => {
    const has = (v: string): boolean => rulesOf(plan(['RestrictSUIDSGID=yes'], v), 'RestrictSUIDSGID').some((x) => x.startsWith('fchmodat2'));
    assert.deepEqual(
      ['252.22', '252.23', '253.16', '253.17', '254.9', '254.10', '255'].map(has),
      [false, true, false, true, false, true, true],
    );
  });

  test('SystemCallLog= is a key from v247 (config_parse_syscall_log); v246 ignores it as unknown', () => {
    assert.equal(count(plan(['SystemCallLog=@mount'], '246'), 'SystemCallLog'), 0);
    assert.ok(codes(plan(['SystemCallLog=@mount'], '246')).includes('directive-unknown-in-version'));
    assert.equal(count(plan(['SystemCallLog=@mount'], '247'), 'SystemCallLog'), 3);
    // ~list logs everything else: default LOG
    const p = plan(['SystemCallLog=~@mount'], '252');
    assert.equal(p.filters[0]!.spec.defaultAction.kind, 'log');
    // An allow-list that ends up empty installs nothing (seccomp_load_syscall_filter_set_raw: empty + allow default).
    assert.equal(plan(['SystemCallLog=@mount', 'SystemCallLog=~@mount'], '252').filters.length, 0);
  });

  test('SystemCallErrorNumber=kill: accepted from v247 (config_parse_syscall_errno), warned about before', () => {
    const v245 = effectiveValues(unit(['SystemCallErrorNumber=EPERM', 'SystemCallErrorNumber=kill']), target('245'));
    assert.equal(v245.systemCallErrorNumber.value, 1);
    assert.ok(v245.diagnostics.some((d) => d.code === 'seccomp-bad-errno'));
    const v247 = effectiveValues(unit(['SystemCallErrorNumber=EPERM', 'SystemCallErrorNumber=kill']), target('247'));
    assert.equal(v247.systemCallErrorNumber.value, ERRNO_KILL);
    // errno 0 is refused (v248: "Invalid error number")
    assert.ok(effectiveValues(unit(['SystemCallErrorNumber=0']), target('252')).diagnostics.some((d) => d.message.startsWith('Invalid error number')));
  });

  test('seccomp_restrict_address_families(): v246 still tries the ppc ABIs, v247 skips them up front (socketcall)', () => {
    const body = ['RestrictAddressFamilies=AF_UNIX'];
    // libseccomp ≥ 2.5 multiplexes socket() on ppc, so v246's exact rules with a0 checks fail with
    // -EINVAL and systemd skips each ABI after trying; v247 no longer tries.
    const p246 = plan(body, '246', { arch: 'ppc64le' });
    assert.equal(p246.filters.length, 0);
    assert.ok(p246.diagnostics.some((d) => d.code === 'plan-abi-skipped' && /EINVAL/.test(d.message)));
    const p247 = plan(body, '247', { arch: 'ppc64le' });
    assert.equal(p247.filters.length, 0);
    assert.ok(p247.diagnostics.some((d) => d.code === 'plan-abi-skipped' && /multiplexed/.test(d.message)));
    assert.ok(!p247.diagnostics.some((d) => /EINVAL/.test(d.message)));
  });

  test('riscv64 (in seccomp_local_archs[] from v247): RestrictAddressFamilies= filtered, no _sysctl filter', () => {
    assert.equal(plan(['ProtectKernelTunables=yes', 'RestrictAddressFamilies=AF_UNIX'], '247', { arch: 'riscv64' }).filters.length, 1);
    const r = resolveTarget({ systemd: '246', arch: 'riscv64' });
    assert.ok(r.diagnostics.some((d) => d.code === 'target-no-local-archs'));
  });

  test('v248 seccomp_restrict_archs(): later filters skip blocked ABIs; v245–v247 always load a filter and prune nothing', () => {
    const body = ['SystemCallArchitectures=native x86', 'LockPersonality=yes'];
    assert.deepEqual(order(plan(body, '247')), ['SystemCallArchitectures:x86-64+x86', ...per('LockPersonality', ALL3)]);
    assert.deepEqual(order(plan(body, '250')), ['SystemCallArchitectures:x86-64+x86', 'LockPersonality:x86', 'LockPersonality:x86-64']);
  });

  test('v248+: no arch filter when nothing new is blocked (native x86 x32); v245 still loads one', () => {
    const body = ['SystemCallArchitectures=native x86 x32', 'LockPersonality=yes'];
    assert.deepEqual(order(plan(body, '250')), per('LockPersonality', ALL3));
    assert.ok(codes(plan(body, '250')).includes('plan-arch-filter-omitted'));
    assert.deepEqual(order(plan(body, '245')), ['SystemCallArchitectures:x86-64+x86+x32', ...per('LockPersonality', ALL3)]);
  });

  test('248.0–248.7/249.0–249.4: `native` blocks the native ABI (regression); fixed by PR #20777 in 248.8, 249.5 and 250', () => {
    const body = ['SystemCallArchitectures=native x86', 'LockPersonality=yes'];
    // Only x86 survives: the native ABI is marked blocked although the arch filter lets it through.
    assert.deepEqual(order(plan(body, '249.4')), ['SystemCallArchitectures:x86-64+x86', 'LockPersonality:x86']);
    assert.deepEqual(order(plan(body, '249.5')), ['SystemCallArchitectures:x86-64+x86', 'LockPersonality:x86', 'LockPersonality:x86-64']);
    assert.deepEqual(order(plan(body, '248.8')), order(plan(body, '249.5')));
    // Naming the native ABI explicitly avoids it.
    assert.deepEqual(order(plan(['SystemCallArchitectures=x86-64', 'LockPersonality=yes'], '248.3')), ['SystemCallArchitectures:x86-64', 'LockPersonality:x86-64']);
  });

  test('v248 seccomp_parse_syscall_filter(): ~name:errno in an allow-list keeps the call with that errno; ≤ v247 removes it', () => {
    const body = ['SystemCallFilter=@default', 'SystemCallFilter=~uname:EIO'];
    assert.ok(!rulesOf(plan(body, '247'), 'SystemCallFilter').some((r) => r.startsWith('uname')));
    assert.ok(rulesOf(plan(body, '248'), 'SystemCallFilter').includes('uname() → errno(EIO)'));
  });

  test('v248 config_parse_syscall_filter(): name:errno without ~ is warned about and skipped', () => {
    const v = effectiveValues(unit(['SystemCallFilter=uname:EIO read']), target('248'));
    assert.ok(v.diagnostics.some((d) => d.code === 'seccomp-errno-on-allow'));
    assert.ok(!v.systemCallFilter.entries.has('uname'));
    assert.ok(v.systemCallFilter.entries.has('read'));
    // v247 keeps it (and the errno is meaningless for an allowed call)
    assert.ok(effectiveValues(unit(['SystemCallFilter=uname:EIO']), target('247')).systemCallFilter.entries.has('uname'));
  });

  test('RestrictAddressFamilies=none: v249 (config_parse_address_families); v248 warns but the empty allow-list still blocks socket()', () => {
    const v249 = plan(['RestrictAddressFamilies=none'], '249');
    assert.deepEqual(rulesOf(v249, 'RestrictAddressFamilies'), ['socket() → errno(EAFNOSUPPORT)']);
    assert.ok(!codes(v249).includes('seccomp-unknown-af'));
    const v248 = plan(['RestrictAddressFamilies=none'], '248');
    assert.deepEqual(rulesOf(v248, 'RestrictAddressFamilies'), ['socket() → errno(EAFNOSUPPORT)']);
    assert.ok(codes(v248).includes('seccomp-unknown-af'));
  });

  test('seccomp_restrict_namespaces(): clone3 → ENOSYS from v251', () => {
    const r = (v: string): boolean => rulesOf(plan(['RestrictNamespaces=yes'], v), 'RestrictNamespaces').includes('clone3() → errno(ENOSYS)');
    assert.equal(r('250'), false);
    assert.equal(r('251'), true);
  });

  test('namespace_info[] (v252) adds the time namespace: 2 more rules per ABI', () => {
    const n = (v: string): number => rulesOf(plan(['RestrictNamespaces=yes'], v), 'RestrictNamespaces').length;
    assert.equal(n('252') - n('251'), 2);
    assert.ok(effectiveValues(unit(['RestrictNamespaces=time']), target('251')).diagnostics.some((d) => d.code === 'seccomp-bad-namespaces'));
  });

  test('NAMESPACE_FLAGS_ALL includes CLONE_NEWTIME from v258: RestrictNamespaces=~time installs nothing in 252–257', () => {
    assert.equal(plan(['RestrictNamespaces=~time'], '257').filters.length, 0);
    assert.equal(plan(['RestrictNamespaces=~time'], '258').filters.length, 3);
    // and ~user blocks time too in 257 (time is outside ALL), not in 258
    const has = (v: string): boolean => rulesOf(plan(['RestrictNamespaces=~user'], v), 'RestrictNamespaces').some((r) => r.includes('0x80'));
    assert.equal(has('257'), true);
    assert.equal(has('258'), false);
  });

  test('v254 apply_memory_deny_write_execute(): PR_SET_MDWE on Linux ≥ 6.3, seccomp before', () => {
    assert.equal(plan(['MemoryDenyWriteExecute=yes'], '253', { kernel: '6.8' }).filters.length, 3);
    assert.equal(plan(['MemoryDenyWriteExecute=yes'], '254', { kernel: '6.8' }).filters.length, 0);
    assert.equal(plan(['MemoryDenyWriteExecute=yes'], '254', { kernel: '6.2' }).filters.length, 3);
  });

  test('v255 seccomp_load_syscall_filter_set_raw(): binary tree, ENOSYS default and explicit @known rules for allow-lists', () => {
    const p254 = plan(['SystemCallFilter=@system-service', 'SystemCallErrorNumber=EPERM'], '254');
    const p255 = plan(['SystemCallFilter=@system-service', 'SystemCallErrorNumber=EPERM'], '255');
    const f254 = p254.filters[2]!;
    const f255 = p255.filters[2]!;
    assert.equal(f254.spec.optimize, 1);
    assert.deepEqual(f254.spec.defaultAction, { kind: 'errno', errno: 1 });
    assert.equal(f255.spec.optimize, 2);
    assert.deepEqual(f255.spec.defaultAction, { kind: 'errno', errno: 38 });
    assert.ok(f255.spec.rules.some((r) => r.syscall === 'mount' && r.action.kind === 'errno' && r.action.errno === 1));
    // deny-lists keep an allow default
    assert.equal(plan(['SystemCallFilter=~@mount'], '255').filters[0]!.spec.defaultAction.kind, 'allow');
    // group helpers use the tree too
    assert.equal(plan(['ProtectClock=yes'], '255').filters[0]!.spec.optimize, 2);
    assert.equal(plan(['ProtectClock=yes'], '254').filters[0]!.spec.optimize, 1);
  });

  test('v257 apply_syscall_filter(): write() is added to allow-lists for the exec handoff', () => {
    // (v255+ lists write() anyway, as an explicit @known rule with the default action)
    const has = (v: string): boolean => rulesOf(plan(['SystemCallFilter=@default'], v), 'SystemCallFilter').includes('write() → allow');
    assert.equal(has('256'), false);
    assert.equal(has('257'), true);
    // and removed from a deny-list
    assert.equal(plan(['SystemCallFilter=~write'], '257').filters.length, 0);
    assert.equal(plan(['SystemCallFilter=~write'], '256').filters.length, 3);
  });

  test('ProtectHostname=private (config_parse_protect_hostname, v258) installs no filter; earlier versions reject the value', () => {
    assert.equal(plan(['ProtectHostname=private'], '258').filters.length, 0);
    assert.equal(plan(['ProtectHostname=yes'], '258').filters.length, 3);
    const p = plan(['ProtectHostname=yes', 'ProtectHostname=private'], '257');
    assert.equal(p.filters.length, 3);
    assert.ok(codes(p).includes('bool-invalid'));
  });

  test('parse_address_families() (v261): an unknown family drops the rest of the line; v260 skips just the word', () => {
    const fams = (v: string): number[] => [...(effectiveValues(unit(['RestrictAddressFamilies=AF_UNIX AF_BOGUS AF_INET']), target(v)).restrictAddressFamilies.families ?? [])];
    assert.deepEqual(fams('260'), [1, 2]);
    assert.deepEqual(fams('261'), [1]);
  });

  test('systemd 262 also refuses sched_setattr() in RestrictRealtime= (measured on 262.1)', () => {
    assert.ok(!rulesOf(plan(['RestrictRealtime=yes'], '261'), 'RestrictRealtime').includes('sched_setattr() → errno(EPERM)'));
    assert.ok(rulesOf(plan(['RestrictRealtime=yes'], '262'), 'RestrictRealtime').includes('sched_setattr() → errno(EPERM)'));
  });

  test('systemd 262 compares the deny-list address family and setns(a1 == 0) in 32 bits (measured on 262.1)', () => {
    assert.deepEqual(rulesOf(plan(['RestrictAddressFamilies=~AF_PACKET'], '261'), 'RestrictAddressFamilies'), ['socket(a0 == AF_PACKET) → errno(EAFNOSUPPORT)']);
    assert.deepEqual(rulesOf(plan(['RestrictAddressFamilies=~AF_PACKET'], '262'), 'RestrictAddressFamilies'), ['socket((u32)a0 == AF_PACKET) → errno(EAFNOSUPPORT)']);
    assert.ok(rulesOf(plan(['RestrictNamespaces=~user'], '262'), 'RestrictNamespaces').includes('setns((u32)a1 == 0) → errno(EPERM)'));
    assert.ok(rulesOf(plan(['RestrictNamespaces=~user'], '261'), 'RestrictNamespaces').includes('setns(a1 == 0) → errno(EPERM)'));
    // allow-lists keep plain comparisons
    assert.ok(rulesOf(plan(['RestrictAddressFamilies=AF_UNIX'], '262'), 'RestrictAddressFamilies').includes('socket(a0 == AF_INET) → errno(EAFNOSUPPORT)'));
  });

  test('scmp_act_kill_process(): KILL_THREAD on kernels without SECCOMP_RET_KILL_PROCESS (< 4.14) until v259; v260 always KILL_PROCESS', () => {
    const kind = (v: string, kernel: string): string => plan(['SystemCallFilter=~mount'], v, { kernel }).filters[0]!.spec.rules[0]!.action.kind;
    assert.equal(kind('252', '4.9'), 'kill-thread');
    assert.equal(kind('252', '4.14'), 'kill-process');
    assert.equal(kind('260', '4.9'), 'kill-process');
  });

  test('unit_patch_contexts(): DynamicUser=yes implies RestrictSUIDSGID= and NoNewPrivileges=', () => {
    const p = plan(['DynamicUser=yes'], '252');
    assert.deepEqual(order(p), per('RestrictSUIDSGID', ALL3));
    assert.match(p.filters[0]!.note ?? '', /DynamicUser/);
    assert.deepEqual(p.noNewPrivileges.value, true);
    assert.equal(p.noNewPrivileges.implied, true);
    // A bad value is fatal (config_parse_bool with ltype=true): the unit does not load.
    const bad = plan(['DynamicUser=maybe', 'ProtectKernelLogs=yes'], '252');
    assert.ok(bad.refused);
    assert.equal(bad.filters.length, 0);
  });

  test('context_has_no_new_privileges(): implied for a non-root user; v255 keeps CAP_SYS_ADMIN instead when the filter allows capget/capset/prctl', () => {
    assert.equal(plan(['User=nobody', 'ProtectKernelLogs=yes'], '254').noNewPrivileges.value, true);
    assert.equal(plan(['User=nobody', 'ProtectKernelLogs=yes'], '255').noNewPrivileges.value, false);
    assert.equal(plan(['User=nobody', 'SystemCallFilter=@default'], '255').noNewPrivileges.value, true);
    assert.equal(plan(['ProtectKernelLogs=yes'], '252').noNewPrivileges.value, false);
    assert.equal(plan(['SystemCallFilter=@system-service'], '252').noNewPrivileges.implied, false);
  });

  test('aarch64 build: seccomp_local_archs[] = arm, arm64; no _sysctl on arm64; RestrictAddressFamilies= on both', () => {
    const p = plan(RESOLVER, '252.38', { arch: 'aarch64' });
    assert.deepEqual(order(p), [
      ...per('RestrictAddressFamilies', ['arm', 'arm64']),
      ...per('MemoryDenyWriteExecute', ['arm', 'arm64']),
      ...per('RestrictRealtime', ['arm', 'arm64']),
      ...per('RestrictSUIDSGID', ['arm', 'arm64']),
      ...per('RestrictNamespaces', ['arm', 'arm64']),
      'ProtectKernelTunables:arm',
      ...per('ProtectKernelModules', ['arm', 'arm64']),
      ...per('ProtectKernelLogs', ['arm', 'arm64']),
      ...per('ProtectClock', ['arm', 'arm64']),
      ...per('PrivateDevices', ['arm', 'arm64']),
      'SystemCallArchitectures:arm64',
      'LockPersonality:arm64',
      'SystemCallFilter:arm64',
    ]);
    // arm: MDWE filters mmap2 (arm has no mmap)
    assert.ok(rulesOf(p, 'MemoryDenyWriteExecute', 'arm')[0]!.startsWith('mmap2('));
    // a 32-bit arm build filters one ABI only, and `native` blocks nothing there: no arch filter
    const arm = plan(RESOLVER, '252.38', { arch: 'armhf' });
    assert.equal(arm.filters.length, 12);
    assert.equal(count(arm, 'SystemCallArchitectures'), 0);
  });

  test('x32 build: x86-64 stays allowed when x32 is listed (Debian #850047)', () => {
    const p = plan(['SystemCallArchitectures=x32', 'LockPersonality=yes'], '252', { arch: 'x32' });
    assert.deepEqual(order(p), ['SystemCallArchitectures:x32+x86-64', 'LockPersonality:x86-64', 'LockPersonality:x32']);
  });
});

// ---------------------------------------------------------------------------------------------
// Parsing semantics.

describe('SystemCallFilter= parsing (config_parse_syscall_filter, seccomp_parse_syscall_filter)', () => {
  const t = (): Target => target('252.38');
  const entries = (lines: string[]): Map<string, number> => new Map(effectiveValues(unit(lines), t()).systemCallFilter.entries);

  test('the first non-empty assignment decides allow/deny; allow-lists start with @default', () => {
    const e = entries(['SystemCallFilter=read']);
    assert.ok(e.has('read') && e.has('execve') && e.has('exit_group'));
    const d = entries(['SystemCallFilter=~read']);
    assert.deepEqual([...d.keys()], ['read']);
  });

  test('an empty assignment resets, and the next line decides the mode again', () => {
    const v = effectiveValues(unit(['SystemCallFilter=@system-service', 'SystemCallFilter=', 'SystemCallFilter=~@mount']), t()).systemCallFilter;
    assert.equal(v.allowList, false);
    assert.ok(v.entries.has('mount') && !v.entries.has('read'));
    assert.equal(v.sources.length, 1);
    assert.equal(plan(['SystemCallFilter=@system-service', 'SystemCallFilter='], '252').filters.length, 0);
  });

  test('~ on a later line removes from an allow-list; a plain name on a later line removes from a deny-list', () => {
    // `~` applies to the whole line: `~@mount read` removes both
    const e = entries(['SystemCallFilter=@system-service', 'SystemCallFilter=~@mount read']);
    assert.ok(!e.has('read') && !e.has('mount') && e.has('write'));
    // a second `~` inside the line is part of a name, which libseccomp does not know
    const v = effectiveValues(unit(['SystemCallFilter=@system-service', 'SystemCallFilter=~@mount ~read']), t());
    assert.ok(v.systemCallFilter.entries.has('read'));
    assert.ok(v.diagnostics.some((d) => d.message.includes('~read')));
    assert.ok(!entries(['SystemCallFilter=@system-service', 'SystemCallFilter=~read']).has('read'));
    assert.ok(!entries(['SystemCallFilter=~@mount', 'SystemCallFilter=mount']).has('mount'));
  });

  test('`~ @clock` (space after ~) is the same as `~@clock`: the word splitter skips the space', () => {
    assert.deepEqual(entries(['SystemCallFilter=~ @clock']), entries(['SystemCallFilter=~@clock']));
    // and a lone `~` fixes deny-list mode with nothing in it
    const v = effectiveValues(unit(['SystemCallFilter=~', 'SystemCallFilter=@clock']), t()).systemCallFilter;
    assert.equal(v.allowList, false);
    assert.equal(v.entries.size, 0);
  });

  test(':errno per entry; a later line wins (hashmap_update)', () => {
    const e = entries(['SystemCallFilter=~uname:EIO mount:EPERM', 'SystemCallFilter=~uname:ENOSYS mount:kill']);
    assert.equal(e.get('uname'), errnoFromName('ENOSYS'));
    assert.equal(e.get('mount'), ERRNO_KILL);
    const p = plan(['SystemCallFilter=~uname:EIO mount:kill', 'SystemCallErrorNumber=EPERM'], '252');
    assert.deepEqual(rulesOf(p, 'SystemCallFilter'), ['uname() → errno(EIO)', 'mount() → kill-process']);
    // errno numbers, 0x… and 0o… forms (safe_atoi with mangle_base)
    assert.equal(entries(['SystemCallFilter=~uname:0x10']).get('uname'), 16);
    assert.equal(entries(['SystemCallFilter=~uname:0o10']).get('uname'), 8);
    assert.equal(entries(['SystemCallFilter=~uname:0']).get('uname'), 0);
  });

  test('unknown syscalls and groups are dropped with systemd\'s warning; the rest still applies', () => {
    const v = effectiveValues(unit(['SystemCallFilter=~mount @no-such-group frobnicate umount2']), t());
    assert.deepEqual([...v.systemCallFilter.entries.keys()], ['mount', 'umount2']);
    const msgs = v.diagnostics.map((d) => d.message);
    assert.ok(msgs.some((m) => m.startsWith('Unknown system call group, ignoring: @no-such-group')));
    assert.ok(msgs.some((m) => m.startsWith('Failed to parse system call, ignoring: frobnicate')));
    assert.ok(effectiveValues(unit(['SystemCallFilter=~frobnicate']), target('255')).diagnostics.some((d) => d.message.startsWith('System call frobnicate is not known, ignoring.')));
    // the word's span points at the word
    const d = v.diagnostics.find((x) => x.message.includes('frobnicate'))!;
    const text = `[Service]\nExecStart=/bin/true\nSystemCallFilter=~mount @no-such-group frobnicate umount2\n`;
    assert.equal(text.slice(d.span!.offset, d.span!.offset + d.span!.length), 'frobnicate');
  });

  test('a bad :errno drops that word only', () => {
    const v = effectiveValues(unit(['SystemCallFilter=~uname:EBOGUS mount']), t());
    assert.deepEqual([...v.systemCallFilter.entries.keys()], ['mount']);
    assert.ok(v.diagnostics.some((d) => d.code === 'seccomp-bad-errno'));
  });

  test('an allow-list entry with the default errno makes libseccomp refuse the rule (-EACCES): the command fails', () => {
    const p = plan(['SystemCallFilter=@default', 'SystemCallFilter=~uname:EPERM', 'SystemCallErrorNumber=EPERM'], '252');
    assert.ok(p.refused && /EACCES/.test(p.refused), p.refused);
    // in v255+ the default is ENOSYS, so the same unit works
    assert.equal(plan(['SystemCallFilter=@default', 'SystemCallFilter=~uname:EPERM', 'SystemCallErrorNumber=EPERM'], '255').refused, undefined);
  });

  test('drop-ins are merged after the main file', () => {
    const files: Record<string, string> = {
      '/units/test.service': '[Service]\nExecStart=/bin/true\nSystemCallFilter=@system-service\n',
      '/units/test.service.d/10-reset.conf': '[Service]\nSystemCallFilter=\nSystemCallFilter=~@mount\n',
    };
    const reader: FileReader = {
      listDir: (d) => (d === '/units/test.service.d' ? ['10-reset.conf'] : undefined),
      readFile: (f) => files[f],
    };
    const u = loadUnit('/units/test.service', files['/units/test.service']!, reader);
    const p = planFilters(u, target('252'));
    assert.equal(p.values.systemCallFilter.allowList, false);
    assert.equal(p.filters[0]!.sources[0]!.file, '/units/test.service.d/10-reset.conf');
  });
});

describe('other directives', () => {
  test('RestrictNamespaces=: booleans replace, lists merge after the first', () => {
    const ns = (lines: string[]): number | undefined => effectiveValues(unit(lines), target('252')).restrictNamespaces.value;
    assert.equal(ns(['RestrictNamespaces=net']), CLONE_NEWNET);
    assert.equal(ns(['RestrictNamespaces=net', 'RestrictNamespaces=ipc']), (CLONE_NEWNET | CLONE_NEWIPC) >>> 0);
    assert.equal(ns(['RestrictNamespaces=yes', 'RestrictNamespaces=net']), CLONE_NEWNET);
    assert.equal(ns(['RestrictNamespaces=net', 'RestrictNamespaces=yes']), 0);
    assert.equal((ns(['RestrictNamespaces=~user']) ?? 0) & CLONE_NEWUSER, 0);
    assert.equal(ns(['RestrictNamespaces=net', 'RestrictNamespaces=~net']), 0);
    assert.equal(ns(['RestrictNamespaces=net', 'RestrictNamespaces=']), undefined);
    assert.equal(plan(['RestrictNamespaces=no'], '252').filters.length, 0);
    // unknown type: the whole line is ignored
    assert.equal(ns(['RestrictNamespaces=net bogus']), undefined);
  });

  test('RestrictAddressFamilies=: ~ lists, later lines of the other polarity remove, none then a list', () => {
    const v = (lines: string[]): { allow: boolean; fams: number[] } => {
      const r = effectiveValues(unit(lines), target('252')).restrictAddressFamilies;
      return { allow: r.allowList, fams: [...(r.families ?? [])].sort((a, b) => a - b) };
    };
    assert.deepEqual(v(['RestrictAddressFamilies=~AF_PACKET']), { allow: false, fams: [17] });
    assert.deepEqual(v(['RestrictAddressFamilies=AF_UNIX AF_INET', 'RestrictAddressFamilies=~AF_INET']), { allow: true, fams: [1] });
    assert.deepEqual(v(['RestrictAddressFamilies=none', 'RestrictAddressFamilies=AF_UNIX']), { allow: true, fams: [1] });
    // none then ~list: the freed set is re-created in deny-list mode
    assert.deepEqual(v(['RestrictAddressFamilies=none', 'RestrictAddressFamilies=~AF_UNIX']), { allow: false, fams: [1] });
    assert.equal(plan(['RestrictAddressFamilies=AF_UNIX', 'RestrictAddressFamilies='], '252').filters.length, 0);
    // the allow-list filter: a0 < first, a0 > last, and a0 == af for every other family in [1, AF_MAX)
    const rules = rulesOf(plan(['RestrictAddressFamilies=AF_UNIX AF_INET'], '252'), 'RestrictAddressFamilies');
    assert.equal(rules.length, 2 + 45 - 2);
    assert.deepEqual(rules.slice(0, 3), ['socket(a0 < AF_UNIX) → errno(EAFNOSUPPORT)', 'socket(a0 > AF_INET) → errno(EAFNOSUPPORT)', 'socket(a0 == AF_AX25) → errno(EAFNOSUPPORT)']);
    assert.equal(afFromName('AF_MCTP', 45), undefined);
  });

  test('SystemCallArchitectures=: lists add up, empty resets, unknown names warn', () => {
    const a = (lines: string[], v = '252'): string[] => [...effectiveValues(unit(lines), target(v)).systemCallArchitectures.value];
    assert.deepEqual(a(['SystemCallArchitectures=native', 'SystemCallArchitectures=x86']), ['native', 'x86']);
    assert.deepEqual(a(['SystemCallArchitectures=native', 'SystemCallArchitectures=']), []);
    assert.deepEqual(a(['SystemCallArchitectures="native" bogus']), ['native']);
    assert.deepEqual(a(['SystemCallArchitectures=riscv64'], '246'), []);
  });

  test('LockPersonality= locks Personality= or PER_LINUX', () => {
    assert.deepEqual(rulesOf(plan(['LockPersonality=yes'], '252'), 'LockPersonality'), ['personality(a0 != 0) → errno(EPERM)']);
    assert.deepEqual(rulesOf(plan(['LockPersonality=yes', 'Personality=x86'], '252'), 'LockPersonality'), ['personality(a0 != 8) → errno(EPERM)']);
    assert.ok(codes(plan(['Personality=arm64'], '252')).includes('personality-invalid'));
  });

  test('booleans: invalid values are ignored with a warning, the previous value stays', () => {
    const p = plan(['ProtectKernelLogs=yes', 'ProtectKernelLogs=sometimes'], '252');
    assert.equal(p.filters.length, 3);
    assert.ok(codes(p).includes('bool-invalid'));
  });

  test('+ commands get no filters; other Exec lines are reported', () => {
    const p = plan('[Service]\nExecStartPre=+/bin/prep\nExecStart=/bin/true\nProtectKernelLogs=yes\n', '252');
    assert.equal(p.filters.length, 3);
    assert.deepEqual(
      p.commands.map((c) => [c.directive, c.prefix, c.filters]),
      [
        ['ExecStartPre', '+', 0],
        ['ExecStart', '', 3],
      ],
    );
  });

  test('units without an exec context get no filters', () => {
    const u = loadUnit('/units/x.timer', '[Timer]\nOnCalendar=daily\n');
    assert.equal(planFilters(u, target('252')).filters.length, 0);
  });
});

describe('target', () => {
  test('architecture aliases', () => {
    assert.equal(parseArch('x86_64'), 'x86-64');
    assert.equal(parseArch('amd64'), 'x86-64');
    assert.equal(parseArch('aarch64'), 'arm64');
    assert.equal(parseArch('i686'), 'x86');
    assert.equal(parseArch('ppc64le'), 'ppc64-le');
    assert.equal(parseArch('sparc'), undefined);
  });

  test('versions, presets and errors (never thrown)', () => {
    assert.equal(resolveTarget({ systemd: '252.38-1~deb12u1' }).target?.systemd, '252.38');
    assert.equal(resolveTarget({ systemd: 'v248.3' }).target?.patch, 3);
    for (const bad of ['244', '263', 'banana', '']) {
      const r = resolveTarget({ systemd: bad });
      assert.equal(r.target, undefined, bad);
      assert.ok(r.diagnostics.some((d) => d.severity === 'error'));
    }
    assert.equal(resolveTarget({ arch: 'vax' }).target, undefined);
    assert.equal(resolveTarget({ kernel: 'six' }).target, undefined);
    assert.equal(resolveTarget({ preset: 'debian-99' }).target, undefined);
    assert.equal(resolveTarget({ systemd: '255', arch: 'loongarch64', libseccomp: '2.5.4' }).target, undefined);
    for (const name of Object.keys(PRESETS)) assert.ok(resolveTarget({ preset: name }).target, name);
    const deb12 = resolveTarget({ preset: 'debian-12' }).target!;
    assert.deepEqual([deb12.systemd, deb12.libseccomp, deb12.kernel], ['252.39', '2.5.4-1+deb12u1', '6.1']);
    const focal = resolveTarget({ preset: 'ubuntu-20.04' });
    assert.ok(focal.diagnostics.some((d) => d.code === 'target-approximation'));
  });
});

describe('preview CLI', () => {
  const run = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const code = await runPreview(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
    return { code, out, err };
  };
  const example = path.join(ROOT, 'examples', 'resolver.service');

  test('--json prints one object with the filters in install order', async () => {
    const r = await run([example, '--systemd', '252.38', '--kernel', '6.1', '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.unit, 'resolver.service');
    assert.equal(j.filters.length, 31);
    assert.deepEqual(j.filters[0].abis, ['x32']);
    assert.equal(j.filters[30].directive, 'SystemCallFilter');
    assert.equal(j.filters[30].defaultAction, 'errno(EPERM)');
    assert.equal(j.totals.filters, 31);
    assert.equal(j.totals.instructions, 909);
    assert.deepEqual(j.totals.byAbi, { x86: 9, x32: 9, 'x86-64': 13 });
    // cost (cost.ts over the generated chain; the same figures as on the real 252.38 programs)
    assert.deepEqual([j.cost.native.miss.min, j.cost.native.miss.minSyscall, j.cost.native.miss.median, j.cost.native.miss.max, j.cost.native.miss.maxSyscall], [172, 'read', 320, 476, 'fchmodat2']);
    assert.equal(j.cost.actionCache, true);
    const openat = j.cost.hot.find((h: { name: string }) => h.name === 'openat');
    assert.deepEqual([openat.instructions, openat.cached, openat.programs], [396, false, 31]);
    assert.ok(openat.uncachedBy.includes('RestrictSUIDSGID checks a2'), openat.uncachedBy.join('; '));
    assert.equal(j.cost.hot.find((h: { name: string }) => h.name === 'read').cached, true);
    assert.equal(j.cost.allowedUncached.length, 19);
    assert.deepEqual([j.cost.limits.totalInstructions, j.cost.limits.pathTotal, j.cost.limits.maxInsnsPerPath], [909, 1241, 32768]);
    assert.deepEqual(j.cost.otherAbis.map((o: { abi: string; miss: { count: number } }) => [o.abi, o.miss.count]), [['x86', 0], ['x32', 0]]);
    // the compact rule list: one line per argument-free action, merged == checks
    assert.deepEqual(j.filters[1].ruleList.slice(0, 3), [
      'socket(a0 < AF_UNIX) → errno(EAFNOSUPPORT)',
      'socket(a0 > AF_NETLINK) → errno(EAFNOSUPPORT)',
      `socket(a0 == ${['AF_AX25', 'AF_IPX', 'AF_APPLETALK'].join(' | ')} | ${j.filters[1].ruleList[2].split(' | ').slice(3).join(' | ')}`,
    ]);
    assert.match(j.filters[1].ruleList[2], /AF_PACKET \| AF_ASH/);
    assert.doesNotMatch(j.filters[1].ruleList[2], /AF_INET6|AF_NETLINK /);
    assert.deepEqual(j.filters[18].ruleList, ['errno(EPERM): delete_module, finit_module, init_module']);
  });

  test('table output, --bpf-dir and usage errors', async () => {
    const r = await run([example, '--preset', 'debian-13']);
    assert.equal(r.code, 0);
    assert.match(r.out, /28 seccomp filters/);
    assert.match(r.out, /SystemCallFilter/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uh-bpf-'));
    try {
      const b = await run([example, '--systemd=252.38', '--bpf-dir', dir, '--json']);
      assert.equal(b.code, 0, b.err);
      const files = fs.readdirSync(dir).sort();
      assert.equal(files.length, 31);
      assert.equal(files[0], '00.bpf');
      assert.equal(fs.statSync(path.join(dir, '30.bpf')).size, 306 * 8);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const d = await run([example, '--systemd=252.38', '--disasm']);
    assert.match(d.out, /# filter 21: ProtectKernelLogs \(x86-64\), 8 instructions\n line {2}OP {3}JT {3}JF {3}K\n/);
    assert.match(d.out, /Cost per x86-64 system call .*\n {4}allowed syscalls: min 172 \(read\), median 320, max 476 \(fchmodat2\)/);
    assert.equal((await run([])).code, 2);
    assert.equal((await run([example, '--systemd', '999'])).code, 2);
    assert.equal((await run([path.join(ROOT, 'no-such.service')])).code, 2);
    assert.equal((await run([example, '--frobnicate'])).code, 2);
  });
});

// ---------------------------------------------------------------------------------------------
// Property test: random directive sets never make the planner throw, and the plan is consistent.

const VALUES: Record<string, string[]> = {
  SystemCallFilter: ['', '@system-service', '~@mount', '~ @clock', '@default read', '~uname:EIO', 'read:EPERM', '~@privileged:kill', '@bogus', 'frobnicate', '"read"', 'read\\', '~', ':EPERM'],
  SystemCallLog: ['', '@mount', '~@clock', 'uname:EPERM'],
  SystemCallErrorNumber: ['', 'EPERM', 'kill', '0', '4096', 'ENOSYS', 'bogus'],
  SystemCallArchitectures: ['', 'native', 'native x86', 'native x32', 'x86 x32 native', 'x86-64', 'arm', 'bogus', 'riscv64 loongarch64'],
  RestrictAddressFamilies: ['', 'none', 'AF_UNIX', '~AF_PACKET', 'AF_UNIX AF_INET AF_INET6 AF_NETLINK', 'AF_BOGUS AF_INET'],
  RestrictNamespaces: ['', 'yes', 'no', 'net', '~user', '~time', 'time', 'bogus', '~'],
  MemoryDenyWriteExecute: ['yes', 'no', 'maybe'],
  LockPersonality: ['yes', 'no'],
  Personality: ['', 'x86', 'x86-64', 'arm64', 'arm'],
  RestrictRealtime: ['yes', 'no'],
  RestrictSUIDSGID: ['yes', 'no'],
  DynamicUser: ['yes', 'no'],
  ProtectKernelLogs: ['yes', 'no'],
  ProtectKernelTunables: ['yes', 'no'],
  ProtectKernelModules: ['yes', 'no'],
  ProtectClock: ['yes', 'no'],
  ProtectHostname: ['yes', 'no', 'private', 'private:box'],
  PrivateDevices: ['yes', 'no'],
  NoNewPrivileges: ['yes', 'no'],
  User: ['', 'nobody', 'root'],
  ExecStart: ['/bin/true', '+/bin/true', '!!/bin/true', '-/bin/true'],
};
const KEYS = Object.keys(VALUES);
const VERSIONS = ['245', '246', '247', '248', '248.7', '248.8', '249.4', '249.5', '250', '251', '252', '252.38', '253', '254', '255', '256', '257', '258', '259', '260', '261', '262'];
const HOSTS = ['x86-64', 'x86', 'x32', 'arm64', 'arm', 'ppc64-le', 's390x', 'riscv64', 'mips64-le'];

test('random units on every supported version and host: no exception, plan consistent', (t) => {
  const cases = new CaseCounter();
  assert.deepEqual([MIN_SYSTEMD, MAX_SYSTEMD], [245, 262]);
  const line = fc.constantFrom(...KEYS).chain((k) => fc.oneof(fc.constantFrom(...VALUES[k]!), fc.string({ maxLength: 12 })).map((v) => `${k}=${v}`));
  fc.assert(
    fc.property(
      fc.array(line, { maxLength: 12 }),
      fc.constantFrom(...VERSIONS),
      fc.constantFrom(...HOSTS),
      fc.constantFrom('4.9', '5.10', '6.1', '6.8'),
      cases.wrap((lines: string[], v: string, host: string, kernel: string) => {
        const r = resolveTarget({ systemd: v, arch: host, kernel });
        if (!r.target) return; // e.g. riscv64 with an old libseccomp table would be rejected here
        const p = planFilters(unit(lines), r.target);
        const local = localArchs(r.target.host, r.target.major);
        p.filters.forEach((f, i) => {
          assert.equal(f.index, i);
          assert.ok(f.abis.length >= 1);
          if (f.directive !== 'SystemCallArchitectures') {
            assert.equal(f.abis.length, 1);
            assert.ok(local.includes(f.abis[0]!), `${f.directive} on ${f.abis[0]} (host ${host})`);
          }
          assert.deepEqual(f.spec.abis, f.abis);
          assert.ok(f.instructions === null || f.instructions > 0);
          assert.equal(f.ruleErrnos.length, f.spec.rules.length);
        });
        if (p.refused === undefined && !lines.some((l) => l.startsWith('ExecStart=+'))) {
          // Per-ABI directives appear at most once per ABI.
          const seen = new Set(p.filters.map((f) => `${f.directive}:${f.abis.join('+')}`));
          assert.equal(seen.size, p.filters.length);
        }
        for (const d of p.diagnostics) assert.ok(['error', 'warning', 'info'].includes(d.severity));
      }),
    ),
    { numRuns: propertyRuns(250), seed: propertySeed(0x9a77e4) },
  );
  reportCases(t, cases.count);
});
