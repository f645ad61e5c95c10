/**
 * Tests for the libseccomp port (server/src/seccomp/libseccomp): every filter shape systemd 252
 * builds, checked against the instruction counts measured on the real 252.38 and byte for byte
 * against the real libseccomp (python3-seccomp via test/tools/libseccomp_export.py, and the
 * 2.6.0/2.6.1 libraries of the harness's Debian roots when present); rule errors; the disassembler.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ABIS, type AbiName } from '../../server/src/seccomp/abi';
import type { Action, ArgCmp, BpfProgram, FilterSpec, RuleSpec } from '../../server/src/seccomp/filterTypes';
import { expandGroup } from '../../server/src/seccomp/groups';
import { isKnownSyscall, type LibseccompVersion } from '../../server/src/seccomp/syscalls';
import { buildFilter, decodeProgram, encodeProgram } from '../../server/src/seccomp/libseccomp';
import { programHex } from '../../server/src/seccomp/bpf';
import { annotate, disassemble } from '../../server/src/seccomp/disasm';
import { reference, referenceUnavailable, rootLibraries } from './libseccompReference';

const IN_CI = process.env.CI === 'true';
const DEB12: LibseccompVersion = '2.5.4-1+deb12u1';

// ---------------------------------------------------------------------------------------------
// Reference runner (shared shape with bpfDiff.test.ts)

function needsReference(t: { skip: (m?: string) => void }): boolean {
  const why = referenceUnavailable();
  if (why === undefined) return true;
  if (IN_CI) assert.fail(`CI=true but ${why}`);
  t.skip(why);
  return false;
}


/** Compare each spec with the reference; returns the names that differ (with details in the message). */
function compareAll(specs: readonly { name: string; spec: FilterSpec }[], lib?: string): string[] {
  const ref = reference(
    specs.map((s) => s.spec),
    lib,
  );
  const bad: string[] = [];
  specs.forEach(({ name, spec }, i) => {
    const r = ref[i]!;
    const ours = buildFilter(spec);
    const hex = programHex(ours.program, ABIS[spec.abis[0]!].endian);
    const rc = ours.ruleResults.map((x) => (x.errno === 0 ? 0 : -x.errno));
    if (r.error !== undefined) bad.push(`${name}: reference failed: ${r.error}`);
    else if (r.hex !== hex) bad.push(`${name}: program differs (${hex.length / 16} vs ${r.hex!.length / 16} instructions)`);
    else if (JSON.stringify(r.rc) !== JSON.stringify(rc)) bad.push(`${name}: rule results ${JSON.stringify(rc)} vs ${JSON.stringify(r.rc)}`);
  });
  return bad;
}

// ---------------------------------------------------------------------------------------------
// The filters systemd 252 builds (src/shared/seccomp-util.c at v252; RestrictSUIDSGID as 252.31+)

const ALLOW: Action = { kind: 'allow' };
const KILL_PROCESS: Action = { kind: 'kill-process' };
const LOG: Action = { kind: 'log' };
const errno = (e: number): Action => ({ kind: 'errno', errno: e });
const EPERM = 1;
const ENOSYS = 38;
const EAFNOSUPPORT = 97;
const AF_MAX = 46; // af_max() of Debian 12's build (AF_MCTP = 45)

const cmp = (arg: number, op: ArgCmp['op'], a: bigint | number, b: bigint | number = 0n): ArgCmp => ({
  arg,
  op,
  datumA: BigInt(a),
  datumB: BigInt(b),
});
const rule = (syscall: string, action: Action, ...args: ArgCmp[]): RuleSpec => ({ syscall, action, args });

/** seccomp_init_for_arch(): one ABI, BADARCH=ALLOW, rules via seccomp_rule_add_exact(). */
function perAbi(abi: AbiName, def: Action, rules: RuleSpec[], opts: { optimize?: 1 | 2; lib?: LibseccompVersion } = {}): FilterSpec {
  return { abis: [abi], defaultAction: def, badArchAction: ALLOW, optimize: opts.optimize ?? 1, rules, exact: true, libseccomp: opts.lib ?? DEB12 };
}

/** seccomp_restrict_archs(): native first, the kept ABIs added, no rules, BADARCH left at KILL (thread). */
function archFilter(abis: AbiName[], lib: LibseccompVersion = DEB12): FilterSpec {
  return { abis, defaultAction: ALLOW, badArchAction: { kind: 'kill-thread' }, optimize: 1, rules: [], exact: true, libseccomp: lib };
}

/** A syscall set as systemd adds it: names libseccomp cannot resolve are dropped at parse time. */
function setRules(group: string, action: Action, lib: LibseccompVersion = DEB12): RuleSpec[] {
  return [...expandGroup(group, '252.38')].filter((n) => isKnownSyscall(n, lib)).map((n) => rule(n, action));
}

const NS = { cgroup: 0x02000000, ipc: 0x08000000, net: 0x40000000, mnt: 0x00020000, pid: 0x20000000, user: 0x10000000, uts: 0x04000000, time: 0x00000080 };
const NS_ALL = Object.values(NS).reduce((a, b) => a | b, 0) >>> 0;

/** seccomp_restrict_namespaces(retain). */
function restrictNamespaces(abi: AbiName, retain: number): RuleSpec[] {
  const r: RuleSpec[] = [rule('clone3', errno(ENOSYS))];
  r.push((retain & NS_ALL) === 0 ? rule('setns', errno(EPERM)) : rule('setns', errno(EPERM), cmp(1, 'eq', 0)));
  for (const f of Object.values(NS)) {
    if ((retain & f) === f) continue;
    r.push(rule('unshare', errno(EPERM), cmp(0, 'masked-eq', f, f)));
    r.push(rule('clone', errno(EPERM), cmp(abi === 's390' || abi === 's390x' ? 1 : 0, 'masked-eq', f, f)));
    if ((retain & NS_ALL) !== 0) r.push(rule('setns', errno(EPERM), cmp(1, 'masked-eq', f, f)));
  }
  return r;
}

/** seccomp_restrict_address_families(): allow-list (sorted set) or deny-list. */
function restrictAddressFamilies(families: number[], allowList: boolean): RuleSpec[] {
  const e = errno(EAFNOSUPPORT);
  if (!allowList) return families.map((af) => rule('socket', e, cmp(0, 'eq', af)));
  const valid = families.filter((af) => af > 0 && af < AF_MAX);
  if (valid.length === 0) return [rule('socket', e)];
  const first = Math.min(...valid);
  const last = Math.max(...valid);
  const r = [rule('socket', e, cmp(0, 'lt', first)), rule('socket', e, cmp(0, 'gt', last))];
  for (let af = 1; af < AF_MAX; af++) if (!families.includes(af)) r.push(rule('socket', e, cmp(0, 'eq', af)));
  return r;
}

/** seccomp_memory_deny_write_execute(): which mmap each ABI filters (undefined = skipped there). */
function mdwe(abi: AbiName): RuleSpec[] | undefined {
  const PROT_WX = 0x2 | 0x4;
  const PROT_EXEC = 0x4;
  const SHM_EXEC = 0o100000;
  let filter: string;
  let block: string | undefined;
  let shmat = false;
  switch (abi) {
    case 'x86':
    case 's390':
      filter = 'mmap2';
      block = 'mmap';
      break;
    case 'ppc':
    case 'ppc64':
    case 'ppc64-le':
    case 's390x':
      filter = 'mmap';
      break;
    case 'arm':
      filter = 'mmap2';
      shmat = true;
      break;
    case 'x86-64':
    case 'x32':
    case 'arm64':
    case 'riscv64':
      filter = 'mmap';
      shmat = true;
      break;
    default:
      return undefined;
  }
  const r = [rule(filter, errno(EPERM), cmp(2, 'masked-eq', PROT_WX, PROT_WX))];
  if (block) r.push(rule(block, errno(EPERM)));
  r.push(rule('mprotect', errno(EPERM), cmp(2, 'masked-eq', PROT_EXEC, PROT_EXEC)));
  r.push(rule('pkey_mprotect', errno(EPERM), cmp(2, 'masked-eq', PROT_EXEC, PROT_EXEC)));
  if (shmat) r.push(rule('shmat', errno(EPERM), cmp(2, 'masked-eq', SHM_EXEC, SHM_EXEC)));
  return r;
}

/** seccomp_restrict_sxid() for S_ISUID then S_ISGID, as in 252.31+ (fchmodat2 filtered too). */
function restrictSuidSgid(): RuleSpec[] {
  const O_CREAT = 0o100;
  const r: RuleSpec[] = [];
  for (const m of [0o4000, 0o2000]) {
    const p = errno(EPERM);
    r.push(rule('chmod', p, cmp(1, 'masked-eq', m, m)));
    r.push(rule('fchmod', p, cmp(1, 'masked-eq', m, m)));
    r.push(rule('fchmodat', p, cmp(2, 'masked-eq', m, m)));
    r.push(rule('fchmodat2', p, cmp(2, 'masked-eq', m, m)));
    r.push(rule('mkdir', p, cmp(1, 'masked-eq', m, m)));
    r.push(rule('mkdirat', p, cmp(2, 'masked-eq', m, m)));
    r.push(rule('mknod', p, cmp(1, 'masked-eq', m, m)));
    r.push(rule('mknodat', p, cmp(2, 'masked-eq', m, m)));
    r.push(rule('open', p, cmp(1, 'masked-eq', O_CREAT, O_CREAT), cmp(2, 'masked-eq', m, m)));
    r.push(rule('openat', p, cmp(2, 'masked-eq', O_CREAT, O_CREAT), cmp(3, 'masked-eq', m, m)));
    r.push(rule('openat2', errno(ENOSYS)));
    r.push(rule('creat', p, cmp(1, 'masked-eq', m, m)));
  }
  return r;
}

/** seccomp_restrict_realtime_full(EPERM): a1 ∈ {FIFO, RR, ISO} or a1 > IDLE. */
function restrictRealtime(): RuleSpec[] {
  return [1, 2, 4].map((p) => rule('sched_setscheduler', errno(EPERM), cmp(1, 'eq', p))).concat(rule('sched_setscheduler', errno(EPERM), cmp(1, 'gt', 5)));
}

/** Every per-ABI filter shape of systemd 252 for one ABI, by directive. */
function systemdShapes(abi: AbiName, optimize: 1 | 2 = 1, lib: LibseccompVersion = DEB12): { name: string; spec: FilterSpec }[] {
  const o = { optimize, lib };
  const shapes: { name: string; spec: FilterSpec }[] = [
    { name: 'SystemCallFilter=@system-service', spec: perAbi(abi, KILL_PROCESS, setRules('@system-service', ALLOW, lib), o) },
    { name: 'SystemCallFilter=@system-service + SystemCallErrorNumber=EPERM', spec: perAbi(abi, errno(EPERM), setRules('@system-service', ALLOW, lib), o) },
    { name: 'SystemCallFilter=~@mount', spec: perAbi(abi, ALLOW, setRules('@mount', KILL_PROCESS, lib), o) },
    { name: 'SystemCallFilter=~@mount @swap:EPERM', spec: perAbi(abi, ALLOW, [...setRules('@mount', KILL_PROCESS, lib), ...setRules('@swap', errno(EPERM), lib)], o) },
    { name: 'SystemCallLog=@mount', spec: perAbi(abi, ALLOW, setRules('@mount', LOG, lib), o) },
    { name: 'SystemCallLog=~@system-service', spec: perAbi(abi, LOG, setRules('@system-service', ALLOW, lib), o) },
    { name: 'RestrictAddressFamilies=AF_UNIX AF_NETLINK AF_INET AF_INET6', spec: perAbi(abi, ALLOW, restrictAddressFamilies([1, 2, 10, 16], true), o) },
    { name: 'RestrictAddressFamilies=~AF_PACKET', spec: perAbi(abi, ALLOW, restrictAddressFamilies([17], false), o) },
    { name: 'RestrictAddressFamilies=~AF_PACKET AF_NETLINK AF_BLUETOOTH', spec: perAbi(abi, ALLOW, restrictAddressFamilies([16, 17, 31], false), o) },
    { name: 'RestrictAddressFamilies=none', spec: perAbi(abi, ALLOW, restrictAddressFamilies([], true), o) },
    { name: 'RestrictRealtime=yes', spec: perAbi(abi, ALLOW, restrictRealtime(), o) },
    { name: 'RestrictSUIDSGID=yes', spec: perAbi(abi, ALLOW, restrictSuidSgid(), o) },
    { name: 'RestrictNamespaces=yes', spec: perAbi(abi, ALLOW, restrictNamespaces(abi, 0), o) },
    { name: 'RestrictNamespaces=~user', spec: perAbi(abi, ALLOW, restrictNamespaces(abi, NS_ALL & ~NS.user), o) },
    { name: 'RestrictNamespaces=net', spec: perAbi(abi, ALLOW, restrictNamespaces(abi, NS.net), o) },
    { name: 'ProtectKernelTunables=yes', spec: perAbi(abi, ALLOW, [rule('_sysctl', errno(EPERM))], o) },
    { name: 'ProtectKernelModules=yes', spec: perAbi(abi, ALLOW, setRules('@module', errno(EPERM), lib), o) },
    { name: 'ProtectKernelLogs=yes', spec: perAbi(abi, ALLOW, [rule('syslog', errno(EPERM))], o) },
    { name: 'ProtectClock=yes', spec: perAbi(abi, ALLOW, setRules('@clock', errno(EPERM), lib), o) },
    { name: 'PrivateDevices=yes', spec: perAbi(abi, ALLOW, setRules('@raw-io', errno(EPERM), lib), o) },
    { name: 'ProtectHostname=yes', spec: perAbi(abi, ALLOW, [rule('sethostname', errno(EPERM)), rule('setdomainname', errno(EPERM))], o) },
    { name: 'LockPersonality=yes', spec: perAbi(abi, ALLOW, [rule('personality', errno(EPERM), cmp(0, 'ne', 0))], o) },
    { name: 'LockPersonality=yes + Personality=x86', spec: perAbi(abi, ALLOW, [rule('personality', errno(EPERM), cmp(0, 'ne', 8))], o) },
  ];
  const m = mdwe(abi);
  if (m) shapes.push({ name: 'MemoryDenyWriteExecute=yes', spec: perAbi(abi, ALLOW, m, o) });
  return shapes.map((s) => ({ name: `${s.name} [${abi}${optimize === 2 ? ', tree' : ''}, ${lib}]`, spec: s.spec }));
}

/** SystemCallArchitectures= filters of an x86-64 build (and an arm64 one). */
function archShapes(lib: LibseccompVersion = DEB12): { name: string; spec: FilterSpec }[] {
  return [
    { name: 'native', spec: archFilter(['x86-64'], lib) },
    { name: 'native x86', spec: archFilter(['x86-64', 'x86'], lib) },
    { name: 'native x32', spec: archFilter(['x86-64', 'x32'], lib) },
    { name: 'native x86 x32', spec: archFilter(['x86-64', 'x86', 'x32'], lib) },
    { name: 'arm64 native', spec: archFilter(['arm64'], lib) },
    { name: 'arm64 native arm', spec: archFilter(['arm64', 'arm'], lib) },
  ].map((s) => ({ name: `SystemCallArchitectures=${s.name} [${lib}]`, spec: s.spec }));
}

const size = (spec: FilterSpec): number => buildFilter(spec).program.instructions.length;

function shape(abi: AbiName, name: string): FilterSpec {
  const s = systemdShapes(abi).find((x) => x.name.startsWith(name + ' ['));
  if (!s) throw new Error(`no shape ${name}`);
  return s.spec;
}

// ---------------------------------------------------------------------------------------------
// Sizes measured on systemd 252.38 (x86 / x32 / x86-64), see shared/reference/seccomp-model.md §1.3

test('instruction counts equal the real systemd 252.38 dumps', () => {
  const expect: [string, [number, number, number] | [number, null, number]][] = [
    ['ProtectKernelLogs=yes', [6, 7, 8]],
    ['LockPersonality=yes', [8, 9, 12]],
    ['SystemCallFilter=@system-service', [366, 301, 306]],
    ['SystemCallFilter=~@mount', [17, 17, 18]],
    ['SystemCallLog=@mount', [17, 17, 18]],
    ['MemoryDenyWriteExecute=yes', [15, 19, 29]],
    ['RestrictRealtime=yes', [11, 12, 19]],
    ['RestrictSUIDSGID=yes', [42, 43, 59]],
    ['RestrictNamespaces=yes', [34, 35, 39]],
    ['RestrictNamespaces=net', [54, 55, 64]],
    ['ProtectKernelTunables=yes', [6, null, 8]],
    ['ProtectKernelModules=yes', [8, 9, 10]],
    ['ProtectClock=yes', [11, 10, 11]],
    ['PrivateDevices=yes', [7, 8, 9]],
    ['ProtectHostname=yes', [7, 8, 9]],
  ];
  for (const [name, sizes] of expect) {
    (['x86', 'x32', 'x86-64'] as const).forEach((abi, i) => {
      if (sizes[i] === null) return;
      assert.equal(size(shape(abi, name)), sizes[i], `${name} on ${abi}`);
    });
  }
  // RestrictAddressFamilies= skips x86 (socketcall); measured on x32 / x86-64
  assert.equal(size(shape('x32', 'RestrictAddressFamilies=AF_UNIX AF_NETLINK AF_INET AF_INET6')), 51);
  assert.equal(size(shape('x86-64', 'RestrictAddressFamilies=AF_UNIX AF_NETLINK AF_INET AF_INET6')), 58);
  assert.equal(size(shape('x32', 'RestrictAddressFamilies=~AF_PACKET')), 9);
  assert.equal(size(shape('x86-64', 'RestrictAddressFamilies=~AF_PACKET')), 12);
  assert.equal(size(shape('x32', 'RestrictAddressFamilies=none')), 7);
  assert.equal(size(shape('x86-64', 'RestrictAddressFamilies=none')), 8);
  assert.equal(size(archFilter(['x86-64'])), 7);
});

test('ProtectKernelLogs on x86-64: the exact program', () => {
  const p = buildFilter(shape('x86-64', 'ProtectKernelLogs=yes')).program;
  assert.deepEqual(p.instructions, [
    { code: 0x20, jt: 0, jf: 0, k: 4 }, // ld arch
    { code: 0x15, jt: 0, jf: 5, k: 0xc000003e }, // jeq AUDIT_ARCH_X86_64 else BADARCH
    { code: 0x20, jt: 0, jf: 0, k: 0 }, // ld nr
    { code: 0x35, jt: 0, jf: 1, k: 0x40000000 }, // jge X32_SYSCALL_BIT
    { code: 0x15, jt: 0, jf: 2, k: 0xffffffff }, // jeq -1 else BADARCH
    { code: 0x15, jt: 0, jf: 1, k: 103 }, // jeq syslog
    { code: 0x06, jt: 0, jf: 0, k: 0x00050001 }, // ret ERRNO(EPERM)
    { code: 0x06, jt: 0, jf: 0, k: 0x7fff0000 }, // ret ALLOW (default = BADARCH)
  ]);
  const bytes = encodeProgram(p);
  assert.equal(bytes.length, 64);
  assert.equal(Buffer.from(bytes.subarray(8, 16)).toString('hex'), '150000053e0000c0');
  assert.deepEqual(decodeProgram(bytes), p);
  assert.deepEqual(decodeProgram(encodeProgram(p, 'big'), 'big'), p);
  assert.throws(() => decodeProgram(new Uint8Array(7)), RangeError);
});

test('rule results: the errors libseccomp returns', () => {
  const r = (spec: FilterSpec): number[] => buildFilter(spec).ruleResults.map((x) => x.errno);
  // _sysctl does not exist on x32: -EDOM, which systemd ignores
  assert.deepEqual(r(perAbi('x32', ALLOW, [rule('_sysctl', errno(EPERM))])), [33]);
  // the action equals the default action: -EACCES
  assert.deepEqual(r(perAbi('x86-64', ALLOW, [rule('read', ALLOW)])), [13]);
  // socket() with an argument on x86 cannot be expressed through socketcall() exactly: -EINVAL
  assert.deepEqual(r(perAbi('x86', ALLOW, [rule('socket', errno(97), cmp(0, 'eq', 2))])), [22]);
  // ...but without arguments it becomes two rules (socketcall a0 == 1 and socket 359)
  const sock = buildFilter(perAbi('x86', ALLOW, [rule('socket', errno(97))])).program.instructions;
  assert.ok(sock.some((i) => i.code === 0x15 && i.k === 102) && sock.some((i) => i.code === 0x15 && i.k === 359));
  // exact rules on a multi-ABI context: -EOPNOTSUPP
  assert.deepEqual(r({ ...archFilter(['x86-64', 'x86']), rules: [rule('read', errno(1))] }), [95]);
  // the same comparison with two different actions: -EEXIST, and the first rule stays
  const clash = perAbi('x86-64', ALLOW, [rule('read', errno(1), cmp(0, 'eq', 3)), rule('read', errno(2), cmp(0, 'eq', 3))]);
  assert.deepEqual(r(clash), [0, 17]);
  assert.equal(size(clash), size(perAbi('x86-64', ALLOW, [rule('read', errno(1), cmp(0, 'eq', 3))])));
  // an unknown name, a repeated argument, an argument number past a5: -EINVAL
  assert.deepEqual(r(perAbi('x86-64', ALLOW, [rule('no_such_call', errno(1))])), [22]);
  assert.deepEqual(r(perAbi('x86-64', ALLOW, [rule('read', errno(1), cmp(0, 'eq', 1), cmp(0, 'eq', 2))])), [22]);
  assert.deepEqual(r(perAbi('x86-64', ALLOW, [rule('read', errno(1), cmp(6, 'eq', 1))])), [22]);
});

test('libseccomp version differences', () => {
  // 2.6.1 fixed _db_tree_add() keeping the wrong false action for 64-bit LT/LE merges
  // (programs checked against the 2.5.4, 2.6.0 and 2.6.1 libraries)
  const ltRules = (lib: LibseccompVersion): FilterSpec =>
    perAbi(
      'x86-64',
      ALLOW,
      [
        rule('write', errno(1), cmp(0, 'lt', 0x100000005n)),
        rule('write', errno(2), cmp(0, 'lt', 0x100000003n)),
        rule('read', errno(1), cmp(1, 'le', 0x200000009n)),
        rule('read', errno(3), cmp(1, 'le', 0x200000001n)),
      ],
      { lib },
    );
  const a = buildFilter(ltRules('2.6.0')).program.instructions;
  const b = buildFilter(ltRules('2.6.1')).program.instructions;
  assert.deepEqual(buildFilter(ltRules(DEB12)).program.instructions, a);
  assert.equal(a.length, 23);
  assert.equal(b.length, 23);
  const diff = a.flatMap((x, i) => (JSON.stringify(x) === JSON.stringify(b[i]) ? [] : [[i, x, b[i]]]));
  assert.deepEqual(diff, [
    // read: a1.hi == 2, else the false action: ERRNO(3) at 0021 (2.5.4/2.6.0) vs ERRNO(1)'s path (2.6.1)
    [8, { code: 0x15, jt: 0, jf: 12, k: 2 }, { code: 0x15, jt: 0, jf: 2, k: 2 }],
    // write: a0.hi == 1
    [16, { code: 0x15, jt: 0, jf: 4, k: 1 }, { code: 0x15, jt: 0, jf: 2, k: 1 }],
  ]);
  // the shared pseudo number of sys_debug_setcontext/switch_endian resolves differently
  const ppc = (lib: LibseccompVersion): number[] =>
    buildFilter({ ...perAbi('ppc64', ALLOW, [rule('sys_debug_setcontext', errno(1))], { lib }) }).program.instructions.filter((i) => i.code === 0x15).map((i) => i.k);
  assert.ok(ppc(DEB12).includes(363)); // switch_endian
  assert.ok(ppc('2.6.0').includes(256)); // sys_debug_setcontext
});

/** Programs past 255 instructions: many syscalls with argument trees, and a long allow-list. */
function longSpecs(): { name: string; spec: FilterSpec }[] {
  const out: { name: string; spec: FilterSpec }[] = [];
  const names = [...expandGroup('@system-service', '252.38')].filter((n) => isKnownSyscall(n, DEB12)).sort();
  const ops: ArgCmp['op'][] = ['eq', 'gt', 'le', 'masked-eq', 'ne'];
  const mixed = names.slice(0, 250).map((n, i) =>
    i % 4 === 0 ? rule(n, errno(2 + (i % 5))) : rule(n, errno(1), cmp(i % 3, ops[i % 5]!, BigInt(i * 7919) << BigInt((i % 2) * 33), i)),
  );
  for (const abi of ['x86-64', 'x86', 's390x'] as const) {
    for (const optimize of [1, 2] as const) {
      out.push({ name: `250 syscalls with arguments [${abi}, ${optimize}]`, spec: perAbi(abi, ALLOW, mixed, { optimize }) });
      out.push({ name: `@system-service allow-list [${abi}, ${optimize}]`, spec: perAbi(abi, KILL_PROCESS, setRules('@system-service', ALLOW), { optimize }) });
    }
  }
  return out;
}

test('long programs: ja stepping stones and return copies past 255 instructions', () => {
  const specs = longSpecs();
  for (const { name, spec } of specs) {
    const p = buildFilter(spec).program.instructions;
    assert.ok(p.length > 255, name);
    assert.ok(p.every((i) => i.jt <= 255 && i.jf <= 255), name);
  }
  const mixed = buildFilter(specs[0]!.spec).program.instructions;
  assert.ok(mixed.some((i) => i.code === 0x05), 'a ja long jump');
  const allow = buildFilter(perAbi('s390x', KILL_PROCESS, setRules('@system-service', ALLOW))).program.instructions;
  // big-endian ABI from a little-endian host: libseccomp byte-swaps the k of copied returns
  assert.ok(allow.some((i) => i.code === 0x06 && i.k === 0x0000ff7f));
  const host = buildFilter({ ...perAbi('s390x', KILL_PROCESS, setRules('@system-service', ALLOW)), hostEndian: 'big' }).program.instructions;
  assert.ok(!host.some((i) => i.code === 0x06 && i.k === 0x0000ff7f));
});

test('differential: every systemd 252 filter shape vs python3-seccomp (x86, x32, x86-64, arm, arm64; linear and tree)', (t) => {
  if (!needsReference(t)) return;
  const specs = [
    ...(['x86', 'x32', 'x86-64', 'arm', 'arm64'] as const).flatMap((abi) => [...systemdShapes(abi, 1), ...systemdShapes(abi, 2)]),
    ...(['s390x', 'ppc64-le', 'mips64', 'riscv64'] as const).flatMap((abi) => systemdShapes(abi, 1)),
    ...archShapes(),
    ...longSpecs(),
  ];
  assert.ok(specs.length > 250);
  assert.deepEqual(compareAll(specs), []);
});

test('differential: libseccomp 2.6.0 and 2.6.1 (Debian roots of the systemd harness)', (t) => {
  if (!needsReference(t)) return;
  const roots = rootLibraries();
  if (roots.length === 0) {
    t.skip('no debian-257/debian-262 root built (node out/test/systemd/roots.js debian-257 debian-262)');
    return;
  }
  for (const { version, lib } of roots) {
    const specs = [
      ...(['x86', 'x32', 'x86-64'] as const).flatMap((abi) => [...systemdShapes(abi, 1, version), ...systemdShapes(abi, 2, version)]),
      ...archShapes(version),
    ];
    assert.deepEqual(compareAll(specs, lib), [], `libseccomp ${version}`);
  }
});

// ---------------------------------------------------------------------------------------------
// Disassembler

/** A program with every operand form scmp_bpf_disasm decodes. */
const ODD: BpfProgram = {
  instructions: [
    { code: 0x20, jt: 0, jf: 0, k: 4 },
    { code: 0x28, jt: 0, jf: 0, k: 2 },
    { code: 0x30, jt: 0, jf: 0, k: 1 },
    { code: 0x00, jt: 0, jf: 0, k: 7 },
    { code: 0x40, jt: 0, jf: 0, k: 8 },
    { code: 0x60, jt: 0, jf: 0, k: 3 },
    { code: 0x80, jt: 0, jf: 0, k: 0 },
    { code: 0xb1, jt: 0, jf: 0, k: 14 },
    { code: 0x02, jt: 0, jf: 0, k: 1 },
    { code: 0x03, jt: 0, jf: 0, k: 2 },
    { code: 0x04, jt: 0, jf: 0, k: 10 },
    { code: 0x54, jt: 0, jf: 0, k: 0xf0 },
    { code: 0x44, jt: 0, jf: 0, k: 0x100 },
    { code: 0x5c, jt: 0, jf: 0, k: 0 },
    { code: 0x74, jt: 0, jf: 0, k: 3 },
    { code: 0x84, jt: 0, jf: 0, k: 0 },
    { code: 0x05, jt: 0, jf: 0, k: 2 },
    { code: 0x15, jt: 1, jf: 0, k: 0xc000003e },
    { code: 0x25, jt: 0, jf: 3, k: 59 },
    { code: 0x35, jt: 2, jf: 1, k: 0x40000000 },
    { code: 0x45, jt: 0, jf: 1, k: 8 },
    { code: 0x07, jt: 0, jf: 0, k: 0 },
    { code: 0x87, jt: 0, jf: 0, k: 0 },
    { code: 0x16, jt: 0, jf: 0, k: 0 },
    { code: 0x0e, jt: 0, jf: 0, k: 0 },
    { code: 0xff, jt: 0, jf: 0, k: 9 },
    { code: 0x06, jt: 0, jf: 0, k: 0x80000000 },
    { code: 0x06, jt: 0, jf: 0, k: 0 },
    { code: 0x06, jt: 0, jf: 0, k: 0x00030000 },
    { code: 0x06, jt: 0, jf: 0, k: 0x0005000d },
    { code: 0x06, jt: 0, jf: 0, k: 0x7ff00007 },
    { code: 0x06, jt: 0, jf: 0, k: 0x7ffc0000 },
    { code: 0x06, jt: 0, jf: 0, k: 0x7fc00000 },
    { code: 0x06, jt: 0, jf: 0, k: 0x7fff0000 },
  ],
};

// Output of libseccomp v2.5.4's tools/scmp_bpf_disasm for ODD (Debian does not package the tool;
// captured from a build of the tagged source).
const ODD_DISASM = ` line  OP   JT   JF   K
=================================
 0000: 0x20 0x00 0x00 0x00000004   ld  $data[4]
 0001: 0x28 0x00 0x00 0x00000002   ldh $data[2]
 0002: 0x30 0x00 0x00 0x00000001   ldb $data[1]
 0003: 0x00 0x00 0x00 0x00000007   ld  7
 0004: 0x40 0x00 0x00 0x00000008   ld  $data[X + 8]
 0005: 0x60 0x00 0x00 0x00000003   ld  $temp[3]
 0006: 0x80 0x00 0x00 0x00000000   ld  len($data)
 0007: 0xb1 0x00 0x00 0x0000000e   ldx 4 * $data[14] & 0x0f
 0008: 0x02 0x00 0x00 0x00000001   st  $temp[1]
 0009: 0x03 0x00 0x00 0x00000002   stx $temp[2]
 0010: 0x04 0x00 0x00 0x0000000a   add 10
 0011: 0x54 0x00 0x00 0x000000f0   and 0x000000f0
 0012: 0x44 0x00 0x00 0x00000100   or  0x00000100
 0013: 0x5c 0x00 0x00 0x00000000   and 0
 0014: 0x74 0x00 0x00 0x00000003   rsh 3
 0015: 0x84 0x00 0x00 0x00000000   neg 0
 0016: 0x05 0x00 0x00 0x00000002   jmp 0019
 0017: 0x15 0x01 0x00 0xc000003e   jeq 3221225534 true:0019 false:0018
 0018: 0x25 0x00 0x03 0x0000003b   jgt 59   true:0019 false:0022
 0019: 0x35 0x02 0x01 0x40000000   jge 1073741824 true:0022 false:0021
 0020: 0x45 0x00 0x01 0x00000008   jset 8    true:0021 false:0022
 0021: 0x07 0x00 0x00 0x00000000   tax 
 0022: 0x87 0x00 0x00 0x00000000   txa 
 0023: 0x16 0x00 0x00 0x00000000   ret $acc
 0024: 0x0e 0x00 0x00 0x00000000   ret ???
 0025: 0xff 0x00 0x00 0x00000009   ??? 
 0026: 0x06 0x00 0x00 0x80000000   ret KILL_PROCESS
 0027: 0x06 0x00 0x00 0x00000000   ret KILL
 0028: 0x06 0x00 0x00 0x00030000   ret TRAP
 0029: 0x06 0x00 0x00 0x0005000d   ret ERRNO(13)
 0030: 0x06 0x00 0x00 0x7ff00007   ret TRACE(7)
 0031: 0x06 0x00 0x00 0x7ffc0000   ret LOG
 0032: 0x06 0x00 0x00 0x7fc00000   ret 0x7fc00000
 0033: 0x06 0x00 0x00 0x7fff0000   ret ALLOW
`;

test('disassemble() prints what scmp_bpf_disasm prints', () => {
  assert.equal(disassemble(ODD), ODD_DISASM);
  // a live check when the tool is installed (it is not part of Debian's seccomp package)
  const tool = process.env.SCMP_BPF_DISASM ?? 'scmp_bpf_disasm';
  const progs: [BpfProgram, string][] = [
    [ODD, 'x86_64'],
    [buildFilter(shape('x86-64', 'RestrictNamespaces=yes')).program, 'x86_64'],
    [buildFilter(shape('x86', 'SystemCallFilter=@system-service')).program, 'x86'],
    [buildFilter(perAbi('s390x', ALLOW, restrictRealtime())).program, 's390x'],
  ];
  for (const [p, arch] of progs) {
    const r = spawnSync(tool, ['-a', arch], { input: encodeProgram(p, arch === 's390x' ? 'big' : 'little') });
    if (r.error) return; // not installed
    assert.equal(disassemble(p), r.stdout.toString('utf8'));
  }
});

test('annotate() names fields, ABIs, syscalls and actions', () => {
  const p = buildFilter(shape('x86-64', 'LockPersonality=yes')).program;
  const text = annotate(p, ['x86-64']);
  const lines = text.split('\n');
  assert.match(lines[2]!, /ld {2}\$data\[4\] +# architecture/);
  assert.match(lines[3]!, /# arch == x86-64/);
  assert.match(text, /# nr == personality/);
  assert.match(text, /# a0\.hi == 0x00000000/);
  assert.match(text, /# a0\.lo == 0x00000000/);
  assert.match(text, /# return -EPERM/);
  assert.match(text, /nr >= X32_SYSCALL_BIT/);
  const both = annotate(buildFilter(archFilter(['x86-64', 'x32'])).program, ['x86-64', 'x32']);
  assert.match(both, /# arch == x86-64 \+ x32/);
  const x86 = annotate(buildFilter(shape('x86', 'MemoryDenyWriteExecute=yes')).program, ['x86']);
  assert.match(x86, /# nr == mmap2/);
  assert.match(x86, /# a2 \(masked\) == 0x00000006/);
});
