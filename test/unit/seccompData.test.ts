/**
 * Tests for the seccomp data tables: exact syscall numbers and group contents that systemd and
 * libseccomp are known to produce, differential checks against this machine's libseccomp.so.2 and
 * `systemd-analyze syscall-filter`, and that the generated files match tools/gen-seccomp.mjs.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ABIS, ABI_NAMES, X32_SYSCALL_BIT, localArchs, type AbiName } from '../../server/src/seccomp/abi';
import {
  DEFAULT_LIBSECCOMP,
  LIBSECCOMP_VERSIONS,
  allSyscallNames,
  directSyscallNumber,
  editDistance,
  isKnownSyscall,
  isLibseccompVersion,
  libseccompSupportsAbi,
  muxCall,
  ruleTargets,
  suggestSyscall,
  syscallName,
  syscallNumber,
  type LibseccompVersion,
} from '../../server/src/seccomp/syscalls';
import {
  expandGroup,
  groupInfo,
  groupNames,
  groupsContaining,
  groupsListing,
  knownSyscalls,
  resolveSystemdRelease,
  suggestGroup,
  systemdReleases,
  type GroupInfo,
} from '../../server/src/seccomp/groups';

const ROOT = path.resolve(__dirname, '../../..');
const IN_CI = process.env.CI === 'true';
const DEB12 = '2.5.4-1+deb12u1';

/** Run `fn` only when `available`; outside CI a missing tool skips with `reason`, in CI it fails. */
function needs(t: { skip: (msg?: string) => void }, available: boolean, reason: string): boolean {
  if (available) return true;
  if (IN_CI) assert.fail(`CI=true but ${reason}`);
  t.skip(reason);
  return false;
}

function countExisting(names: Iterable<string>, abi: AbiName, lib: LibseccompVersion): number {
  let n = 0;
  for (const s of names) if (syscallNumber(s, abi, lib) >= 0) n++;
  return n;
}
function countWithRules(names: Iterable<string>, abi: AbiName, lib: LibseccompVersion): number {
  let n = 0;
  for (const s of names) if (ruleTargets(s, abi, lib).length > 0) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// libseccomp tables

test('syscall numbers per ABI, as libseccomp reports them', () => {
  for (const lib of LIBSECCOMP_VERSIONS) {
    assert.equal(syscallNumber('openat', 'x86-64', lib), 257);
    assert.equal(syscallNumber('openat', 'x86', lib), 295);
    assert.equal(syscallNumber('openat', 'x32', lib), 0x40000101);
    assert.equal(syscallNumber('openat', 'arm64', lib), 56);
    assert.equal(syscallNumber('openat', 'arm', lib), 322);
    assert.equal(syscallNumber('openat', 'mips', lib), 4288);
    assert.equal(syscallNumber('openat', 'mips64-le', lib), 5247);
    assert.equal(syscallNumber('openat', 'mips64-n32', lib), 6251);
    assert.equal(syscallNumber('_sysctl', 'x32', lib), -1);
    assert.equal(syscallNumber('_sysctl', 'arm64', lib), -1);
    assert.equal(syscallNumber('_sysctl', 'x86-64', lib), 156);
    assert.equal(syscallNumber('mmap2', 'x86-64', lib), -1);
    assert.equal(syscallNumber('mmap2', 'x86', lib), 192);
    assert.equal(syscallName(257, 'x86-64', lib), 'openat');
    assert.equal(syscallName(0x40000101, 'x32', lib), 'openat');
    assert.equal(syscallName(257, 'x32', lib), undefined);
    assert.equal(syscallName(983045, 'arm', lib), 'set_tls'); // ARM private syscall 0xf0005
  }
  // every x32 number carries the x32 bit
  for (const n of allSyscallNames('2.6.1')) {
    const nr = syscallNumber(n, 'x32', '2.6.1');
    if (nr >= 0) assert.equal(nr & X32_SYSCALL_BIT, X32_SYSCALL_BIT, n);
  }
});

test('socket and SysV IPC calls are multiplexed on x86, s390, ppc and mips o32', () => {
  // scmp_sys_resolver -a x86 shmat prints -221 (__PNR_shmat): "absent" for syscallNumber…
  assert.equal(syscallNumber('shmat', 'x86', '2.5.4'), -1);
  assert.equal(syscallNumber('socket', 'x86', '2.5.4'), -1);
  // …but the table has the direct numbers (Linux 4.3/5.1) and rules reach both forms
  assert.equal(directSyscallNumber('shmat', 'x86', '2.5.4'), 397);
  assert.deepEqual(ruleTargets('shmat', 'x86', '2.5.4'), [{ nr: 397 }, { nr: 117, arg0: 21 }]);
  assert.deepEqual(ruleTargets('socket', 'x86', '2.5.4'), [{ nr: 359 }, { nr: 102, arg0: 1 }]);
  assert.deepEqual(ruleTargets('send', 'x86', '2.5.4'), [{ nr: 102, arg0: 9 }]);
  assert.deepEqual(ruleTargets('socket', 'ppc', '2.5.4'), [{ nr: 326 }, { nr: 102, arg0: 1 }]);
  assert.deepEqual(ruleTargets('socket', 'mips', '2.5.4'), [{ nr: 4183 }, { nr: 4102, arg0: 1 }]);
  assert.deepEqual(ruleTargets('shmat', 'x86-64', '2.5.4'), [{ nr: 30 }]);
  assert.deepEqual(ruleTargets('send', 'x86-64', '2.5.4'), []); // -EDOM: systemd ignores it
  assert.deepEqual(ruleTargets('no_such_call', 'x86', '2.5.4'), []);
  assert.deepEqual(muxCall('shmat'), { via: 'ipc', call: 21 });
  assert.equal(muxCall('openat'), undefined);
});

test('libseccomp versions differ where the upstream tables and Debian differ', () => {
  assert.deepEqual([...LIBSECCOMP_VERSIONS], ['2.5.4', DEB12, '2.6.0', '2.6.1']);
  assert.equal(DEFAULT_LIBSECCOMP, DEB12);
  assert.ok(isLibseccompVersion('2.6.0') && !isLibseccompVersion('2.5.5'));
  // Debian's 2.5.4-1+deb12u1 "Add support for syscalls up to Linux 6.7"
  for (const n of ['fchmodat2', 'cachestat', 'map_shadow_stack', 'futex_wait', 'futex_wake', 'futex_requeue']) {
    assert.equal(isKnownSyscall(n, '2.5.4'), false, n);
    assert.equal(isKnownSyscall(n, DEB12), true, n);
  }
  assert.equal(syscallNumber('fchmodat2', 'x86-64', DEB12), 452);
  assert.equal(syscallNumber('map_shadow_stack', 'x32', DEB12), -1);
  assert.equal(syscallNumber('memfd_secret', 's390x', '2.5.4'), -1);
  assert.equal(syscallNumber('memfd_secret', 's390x', DEB12), 447);
  // neither 2.5.4 knows uretprobe (Linux 6.11) or listmount (6.8); 2.6.0 does
  for (const n of ['uretprobe', 'listmount']) {
    assert.equal(isKnownSyscall(n, DEB12), false, n);
    assert.equal(isKnownSyscall(n, '2.6.0'), true, n);
  }
  assert.equal(syscallNumber('uretprobe', 'x86-64', '2.6.0'), 335);
  assert.equal(isKnownSyscall('open_tree_attr', '2.6.0'), false);
  assert.equal(isKnownSyscall('open_tree_attr', '2.6.1'), true);
  // loongarch64 needs libseccomp 2.6
  assert.equal(libseccompSupportsAbi('loongarch64', '2.5.4'), false);
  assert.equal(syscallNumber('openat', 'loongarch64', '2.5.4'), -1);
  assert.equal(syscallNumber('openat', 'loongarch64', '2.6.0'), 56);
  assert.equal(allSyscallNames('2.5.4').length, 481);
  assert.ok(allSyscallNames('2.6.1').length > allSyscallNames('2.6.0').length);
});

test('did-you-mean for syscall names', () => {
  assert.equal(suggestSyscall('opneat'), 'openat');
  assert.equal(suggestSyscall('OPENAT'), 'openat');
  assert.equal(suggestSyscall('fchmodat3'), 'fchmodat');
  assert.equal(suggestSyscall('openat'), undefined);
  assert.equal(suggestSyscall('xyzzyq'), undefined);
  assert.equal(suggestSyscall('uretprobe'), undefined); // known to some libseccomp
  assert.equal(suggestSyscall('uretprobe', '2.5.4'), undefined); // nothing close in 2.5.4
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('ab', 'ba'), 1);
});

test('ABI facts', () => {
  assert.equal(ABI_NAMES.length, 20);
  assert.equal(ABIS.x86.auditArch, 0x40000003);
  assert.equal(ABIS['x86-64'].auditArch, 0xc000003e);
  assert.equal(ABIS.x32.auditArch, 0xc000003e);
  assert.equal(ABIS.x32.scmpArch, 0x4000003e);
  assert.equal(ABIS.arm64.auditArch, 0xc00000b7);
  assert.equal(ABIS['mips64-le-n32'].auditArch, 0xe0000008);
  assert.equal(ABIS.loongarch64.auditArch, 0xc0000102);
  assert.equal(ABIS.x32.bits, 32);
  assert.equal(ABIS.s390x.endian, 'big');
  assert.deepEqual(localArchs('x86-64', 252), ['x86', 'x32', 'x86-64']);
  assert.deepEqual(localArchs('arm64'), ['arm', 'arm64']);
  assert.deepEqual(localArchs('riscv64', 246), []);
  assert.deepEqual(localArchs('riscv64', 247), ['riscv64']);
  assert.deepEqual(localArchs('loongarch64', 254), []);
  assert.deepEqual(localArchs('loongarch64', 255), ['loongarch64']);
  assert.equal(localArchs('mips64-le').length, 6);
  for (const a of ABI_NAMES) {
    const host = localArchs(a);
    if (host.length) assert.equal(host[host.length - 1], a, `native last for ${a}`);
  }
});

// ---------------------------------------------------------------------------------------------
// systemd groups

test('systemd version resolution', () => {
  assert.equal(resolveSystemdRelease(252).version, '252');
  const deb = resolveSystemdRelease('252.38-1~deb12u1');
  assert.equal(deb.requested, '252.38');
  assert.equal(deb.version, '252.32'); // 252.32…252.39 share their tables
  assert.equal(deb.exact, true);
  assert.equal(resolveSystemdRelease('v257.9').version, '257.9');
  assert.equal(resolveSystemdRelease('261.2').version, '261');
  assert.equal(resolveSystemdRelease(262).exact, false);
  assert.equal(resolveSystemdRelease(262).version, '261');
  assert.equal(resolveSystemdRelease(240).version, '245');
  assert.equal(resolveSystemdRelease('252.99').exact, false);
  assert.throws(() => resolveSystemdRelease(252.38), RangeError);
  const releases = systemdReleases();
  assert.equal(releases[0], '245');
  assert.ok(releases.includes('252.32') && !releases.includes('252.38'));
  assert.throws(() => resolveSystemdRelease('latest'), RangeError);
});

test('group contents per systemd release', () => {
  assert.equal(groupNames(253).includes('@sandbox'), false);
  assert.equal(groupNames(254).includes('@sandbox'), true);
  assert.equal(groupNames(246).includes('@known'), false);
  assert.equal(groupNames(247).includes('@known'), true);
  assert.equal(groupNames('252.38').length, 29);
  assert.equal(groupNames('261.2').length, 30);

  // distinct names after expansion (systemd-analyze on 252.38; v261.2 parsed)
  const sizes252: Record<string, number> = { '@default': 63, '@file-system': 77, '@system-service': 376, '@privileged': 53, '@known': 536 };
  for (const [g, n] of Object.entries(sizes252)) assert.equal(expandGroup(g, '252.38').size, n, g);
  const sizes261: Record<string, number> = { '@default': 70, '@file-system': 88, '@system-service': 395, '@sandbox': 4, '@known': 560 };
  for (const [g, n] of Object.entries(sizes261)) assert.equal(expandGroup(g, '261.2').size, n, g);
  assert.equal(expandGroup('@system-service', 252).size, 370); // v252.0, before the backports
  assert.equal(expandGroup('@system-service', 245).size, 363);

  // 252.38's backports over v252.0
  for (const [g, n] of [['@default', 'uretprobe'], ['@default', 'futex_waitv'], ['@default', 'riscv_hwprobe'], ['@file-system', 'fchmodat2'], ['@privileged', 'quotactl_fd'], ['@resources', 'set_mempolicy_home_node'], ['@system-service', 'arm_fadvise64_64']] as const) {
    assert.equal(groupInfo(g, '252.38')!.members.includes(n), true, `${n} in ${g} (252.38)`);
    assert.equal(groupInfo(g, 252)!.members.includes(n), false, `${n} not in ${g} (252)`);
  }
  // @sandbox joined @default in v257 (backported to 254.19, 255.13, 256.7)
  assert.equal(groupInfo('@default', 256)!.members.includes('@sandbox'), false);
  assert.equal(groupInfo('@default', '256.7')!.members.includes('@sandbox'), true);
  assert.equal(groupInfo('@default', 257)!.members.includes('@sandbox'), true);

  const info = groupInfo('@system-service', '252.38')!;
  assert.equal(info.description, 'General system service operations');
  assert.deepEqual(info.members.filter((m) => m.startsWith('@')), [
    '@aio', '@basic-io', '@chown', '@default', '@file-system', '@io-event', '@ipc', '@keyring',
    '@memlock', '@network-io', '@process', '@resources', '@setuid', '@signal', '@sync', '@timer',
  ]);
  assert.equal(groupInfo('@nope', 252), undefined);
  assert.equal(expandGroup('@nope', 252).size, 0);
  assert.deepEqual(groupsContaining('openat', '252.38'), ['@file-system', '@system-service', '@known']);
  assert.deepEqual(groupsListing('openat', '252.38'), ['@file-system', '@known']);
  assert.equal(suggestGroup('@system-servce', 252), '@system-service');
  assert.equal(suggestGroup('mount', 252), '@mount');
  assert.equal(suggestGroup('@mount', 252), undefined);
});

test('@known lists and build-host differences', () => {
  assert.equal(knownSyscalls(246).size, 0);
  assert.equal(knownSyscalls(247).size, 591); // syscall-names.text minus arm_*/s390_* on x86-64
  assert.equal(knownSyscalls(252).size, 595);
  assert.equal(knownSyscalls('252.38').size, 514);
  assert.equal(knownSyscalls('261.2').size, 538);
  // v252.0's generate-syscall-list.py drops s390_* unless the build host is s390
  assert.equal(knownSyscalls(252).has('s390_runtime_instr'), false);
  assert.equal(knownSyscalls(252, 's390x').has('s390_runtime_instr'), true);
  assert.equal(knownSyscalls('252.38').has('s390_runtime_instr'), true); // filter removed in 252.23
  // v247's @debug lists s390_runtime_instr only in s390 builds (#if defined __s390__ || …)
  assert.equal(groupInfo('@debug', 247)!.members.includes('s390_runtime_instr'), false);
  assert.equal(groupInfo('@debug', 247, 's390x')!.members.includes('s390_runtime_instr'), true);
  assert.equal(groupInfo('@debug', 252)!.members.includes('s390_runtime_instr'), true);
  // @known's own entry begins with @obsolete in 252.38, so expansion adds the obsolete names
  assert.equal(groupInfo('@known', '252.38')!.members[0], '@obsolete');
  assert.ok(expandGroup('@known', '252.38').size > knownSyscalls('252.38').size);
});

test('how many @system-service names reach each filter (Debian 12: 252.38 + libseccomp 2.5.4-1+deb12u1)', () => {
  const ss = expandGroup('@system-service', '252.38');
  // names libseccomp resolves to a real number on the ABI
  assert.equal(countExisting(ss, 'x86-64', DEB12), 298);
  assert.equal(countExisting(ss, 'x32', DEB12), 294);
  assert.equal(countExisting(ss, 'x86', DEB12), 333);
  // names that produce at least one rule; on x86 the 32 multiplexed socket/IPC calls also count
  assert.equal(countWithRules(ss, 'x86-64', DEB12), 298);
  assert.equal(countWithRules(ss, 'x32', DEB12), 294);
  assert.equal(countWithRules(ss, 'x86', DEB12), 365);
  // upstream 2.5.4 lacks fchmodat2
  assert.equal(countExisting(ss, 'x86-64', '2.5.4'), 297);
  // v261.2's list with the same library
  const ss261 = expandGroup('@system-service', '261.2');
  assert.deepEqual(['x86-64', 'x32', 'x86'].map((a) => countWithRules(ss261, a as AbiName, DEB12)), [303, 299, 370]);
});

// ---------------------------------------------------------------------------------------------
// against the real systemd-analyze

interface AnalyzeDump {
  groups: Map<string, GroupInfo>;
  ungrouped: string[];
}

function parseAnalyze(out: string): AnalyzeDump {
  const groups = new Map<string, GroupInfo>();
  const ungrouped: string[] = [];
  let cur: { name: string; description: string; members: string[] } | undefined;
  let inUngrouped = false;
  for (const line of out.split('\n')) {
    if (line.startsWith('@')) {
      cur = { name: line.trim(), description: '', members: [] };
      groups.set(cur.name, cur);
    } else if (cur && line.startsWith('    # ')) cur.description = line.slice(6);
    else if (cur && /^ {4}\S/.test(line)) cur.members.push(line.trim());
    else if (line === '') cur = undefined;
    else if (line.startsWith('# Ungrouped')) inUngrouped = true;
    else if (inUngrouped && line.startsWith('#   ')) ungrouped.push(line.slice(4));
  }
  return { groups, ungrouped };
}

function compareWithTables(dump: AnalyzeDump, version: string): void {
  assert.deepEqual([...dump.groups.keys()], groupNames(version), `group order for ${version}`);
  for (const name of groupNames(version)) {
    const want = groupInfo(name, version)!;
    const got = dump.groups.get(name)!;
    assert.equal(got.description, want.description, `${name} description (${version})`);
    assert.deepEqual(got.members, want.members, `${name} members (${version})`);
  }
  if (groupNames(version).includes('@known')) {
    const grouped = new Set<string>();
    for (const g of groupNames(version)) if (g !== '@known') for (const s of expandGroup(g, version)) grouped.add(s);
    const ungrouped = [...knownSyscalls(version)].filter((s) => !grouped.has(s)).sort();
    assert.deepEqual(dump.ungrouped, ungrouped, `ungrouped syscalls (${version})`);
  }
}

const CAPTURE = path.join(ROOT, 'data/seccomp/systemd-analyze-252.38.txt');

test('upstream v252.38 tables equal the captured Debian 252.38 systemd-analyze output', () => {
  const text = fs.readFileSync(CAPTURE, 'utf8');
  const body = text.slice(text.indexOf('\n;; ---\n') + 8);
  compareWithTables(parseAnalyze(body), '252.38');
});

test('live systemd-analyze syscall-filter matches the tables for its version', (t) => {
  const ver = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (!needs(t, ver.status === 0, 'systemd-analyze is not installed')) return;
  const m = /^systemd \d+ \(([^)]+)\)/.exec(ver.stdout);
  assert.ok(m, ver.stdout);
  const full = m[1]!;
  const upstream = /^\d+(?:\.\d+)?/.exec(full)![0];
  const live = spawnSync('systemd-analyze', ['syscall-filter', '--no-pager'], {
    encoding: 'utf8',
    env: { ...process.env, SYSTEMD_COLORS: '0' },
  });
  assert.equal(live.status, 0, live.stderr);
  const capture = fs.readFileSync(CAPTURE, 'utf8');
  if (capture.includes(`(${full})`)) {
    assert.equal(live.stdout, capture.slice(capture.indexOf('\n;; ---\n') + 8), 'capture is stale');
  }
  compareWithTables(parseAnalyze(live.stdout), upstream);
});

// ---------------------------------------------------------------------------------------------
// against the real libseccomp (python3 ctypes; libseccomp.so.2 from Debian's libseccomp2)

const PROBE = String.raw`
import ctypes, json, os, struct, sys, tempfile
try:
    lib = ctypes.CDLL('libseccomp.so.2')
except OSError as e:
    json.dump({'error': str(e)}, sys.stdout); sys.exit(0)
libc = ctypes.CDLL(None)
libc.free.argtypes = [ctypes.c_void_p]
class V(ctypes.Structure):
    _fields_ = [('major', ctypes.c_uint), ('minor', ctypes.c_uint), ('micro', ctypes.c_uint)]
lib.seccomp_version.restype = ctypes.POINTER(V)
lib.seccomp_arch_resolve_name.argtypes = [ctypes.c_char_p]
lib.seccomp_arch_resolve_name.restype = ctypes.c_uint32
lib.seccomp_arch_native.restype = ctypes.c_uint32
lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
lib.seccomp_syscall_resolve_name_arch.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
lib.seccomp_syscall_resolve_name_rewrite.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
lib.seccomp_syscall_resolve_num_arch.argtypes = [ctypes.c_uint32, ctypes.c_int]
lib.seccomp_syscall_resolve_num_arch.restype = ctypes.c_void_p
lib.seccomp_init.argtypes = [ctypes.c_uint32]
lib.seccomp_init.restype = ctypes.c_void_p
lib.seccomp_release.argtypes = [ctypes.c_void_p]
lib.seccomp_arch_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
lib.seccomp_arch_remove.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
lib.seccomp_rule_add_exact.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint]
lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.seccomp_export_pfc.argtypes = [ctypes.c_void_p, ctypes.c_int]
ALLOW, ERRNO1 = 0x7fff0000, 0x00050001
req = json.load(sys.stdin)
v = lib.seccomp_version().contents
native = lib.seccomp_arch_native()
fd, tmp = tempfile.mkstemp(); os.unlink(tmp)
def export(ctx, fn):
    os.ftruncate(fd, 0); os.lseek(fd, 0, 0); fn(ctx, fd); os.lseek(fd, 0, 0)
    chunks = []
    while True:
        b = os.read(fd, 65536)
        if not b: break
        chunks.append(b)
    return b''.join(chunks)
def ctx_for(tok):
    ctx = lib.seccomp_init(ALLOW)
    if tok != native:
        lib.seccomp_arch_remove(ctx, native); lib.seccomp_arch_add(ctx, tok)
    return ctx
out = {'version': '%d.%d.%d' % (v.major, v.minor, v.micro), 'native': native, 'arches': {}}
for arch in req['arches']:
    tok = lib.seccomp_arch_resolve_name(arch.encode())
    if tok == 0:
        out['arches'][arch] = None; continue
    r = {'token': tok, 'name': {}, 'rewrite': {}, 'num': {}, 'rules': {}}
    for n in req['names']:
        r['name'][n] = lib.seccomp_syscall_resolve_name_arch(tok, n.encode())
        r['rewrite'][n] = lib.seccomp_syscall_resolve_name_rewrite(tok, n.encode())
    for nr in req['numbers'].get(arch, []):
        p = lib.seccomp_syscall_resolve_num_arch(tok, nr)
        r['num'][nr] = ctypes.string_at(p).decode() if p else None
        if p: libc.free(p)
    ctx = ctx_for(tok)
    bpf = export(ctx, lib.seccomp_export_bpf)
    lib.seccomp_release(ctx)
    fmt = '<HBBI' if struct.unpack('<H', bpf[0:2])[0] == 0x20 else '>HBBI'
    r['bpfToken'] = struct.unpack(fmt, bpf[8:16])[3]
    if arch in req['ruleArches']:
        for n in req['names']:
            nr = lib.seccomp_syscall_resolve_name(n.encode())  # systemd resolves on the native ABI
            if nr == -1:
                continue
            ctx = ctx_for(tok)
            rc = lib.seccomp_rule_add_exact(ctx, ERRNO1, nr, 0)
            targets = []
            if rc == 0:
                cur, a0 = None, None
                for line in export(ctx, lib.seccomp_export_pfc).decode().split('\n'):
                    line = line.strip()
                    if line.startswith('if ($syscall == '):
                        cur, a0 = int(line[16:-1]), None
                    elif line.startswith('if ($a0 == '):
                        a0 = int(line[11:-1])
                    elif line.startswith('if ($a0.lo32 == '):  # 64-bit ABIs compare the halves
                        a0 = int(line[16:-1])
                    elif line.startswith('action ERRNO') and cur is not None and cur < 0x80000000:
                        targets.append([cur, a0])
            lib.seccomp_release(ctx)
            r['rules'][n] = {'rc': rc, 'targets': targets}
    out['arches'][arch] = r
json.dump(out, sys.stdout)
`;

/** [syscall number, a0 value or null] of one rule, as parsed from seccomp_export_pfc(). */
type Target = [number, number | null];
interface ProbeRule {
  rc: number;
  targets: Target[];
}
interface ProbeArch {
  token: number;
  bpfToken: number;
  name: Record<string, number>;
  rewrite: Record<string, number>;
  num: Record<string, string | null>;
  rules: Record<string, ProbeRule>;
}

function findPython(): string | undefined {
  for (const p of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(p, ['-c', 'import ctypes'], { encoding: 'utf8' });
    if (r.status === 0) return p;
  }
  return undefined;
}

function installedTable(probeVersion: string): LibseccompVersion | undefined {
  const dpkg = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'libseccomp2'], { encoding: 'utf8' });
  const deb = dpkg.status === 0 ? dpkg.stdout.trim() : '';
  if (deb && isLibseccompVersion(deb)) return deb;
  if (!deb && isLibseccompVersion(probeVersion)) return probeVersion;
  return undefined;
}

test('tables match the installed libseccomp (all names × every ABI it supports)', (t) => {
  const python = findPython();
  if (!needs(t, python !== undefined, 'python3 is not installed')) return;
  const names = [...new Set(LIBSECCOMP_VERSIONS.flatMap((v) => allSyscallNames(v)))].sort();
  names.push('no_such_syscall');
  const abis = ABI_NAMES;
  const numbers: Record<string, number[]> = {};
  for (const a of abis) {
    const lib = ABIS[a].libseccompName;
    const set = new Set<number>();
    for (const v of LIBSECCOMP_VERSIONS) for (const n of allSyscallNames(v)) {
      const nr = directSyscallNumber(n, a, v);
      if (nr >= 0) set.add(nr);
    }
    numbers[lib] = [...set];
  }
  const ruleAbis: AbiName[] = ['x86', 'x32', 'x86-64', 'arm', 'arm64', 'ppc64-le', 's390x', 'mips'];
  const req = {
    names,
    arches: abis.map((a) => ABIS[a].libseccompName),
    numbers,
    ruleArches: ruleAbis.map((a) => ABIS[a].libseccompName),
  };
  const r = spawnSync(python!, ['-c', PROBE], { input: JSON.stringify(req), encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout) as { error?: string; version: string; arches: Record<string, ProbeArch | null> };
  if (!needs(t, !res.error, `libseccomp.so.2 is not loadable (${res.error})`)) return;
  const lib = installedTable(res.version);
  if (!needs(t, lib !== undefined, `no table for the installed libseccomp ${res.version}; run tools/extract-seccomp.mjs --installed and regenerate`)) return;

  const problems: string[] = [];
  const note = (s: string): void => {
    if (problems.length < 40) problems.push(s);
  };
  let supported = 0;
  for (const abi of abis) {
    const info = ABIS[abi];
    const got = res.arches[info.libseccompName];
    if (!got) {
      if (libseccompSupportsAbi(abi, lib)) note(`${abi}: the library lacks an ABI the table has`);
      continue;
    }
    supported++;
    if (!libseccompSupportsAbi(abi, lib)) note(`${abi}: the library supports an ABI the table lacks`);
    if (got.token !== info.scmpArch) note(`${abi}: SCMP_ARCH ${got.token.toString(16)} != ${info.scmpArch.toString(16)}`);
    if (got.bpfToken !== info.auditArch) note(`${abi}: BPF arch token ${got.bpfToken.toString(16)} != ${info.auditArch.toString(16)}`);
    for (const n of names) {
      const want = syscallNumber(n, abi, lib);
      const real = got.name[n]!;
      if (!isKnownSyscall(n, lib)) {
        if (real !== -1) note(`${abi} ${n}: library knows it (${real}), table does not`);
        continue;
      }
      // seccomp_syscall_resolve_name_arch: negative (pseudo) where the table says -1
      if (want >= 0 ? real !== want : real >= 0 || real === -1) note(`${abi} ${n}: resolve_name_arch ${real}, table ${want}`);
      // seccomp_syscall_resolve_name_rewrite (what python3-seccomp's resolve_syscall uses)
      const mux = info.multiplexed ? muxCall(n, lib) : undefined;
      const wantRewrite = mux ? directSyscallNumber(mux.via, abi, lib) : want;
      const rw = got.rewrite[n]!;
      if (wantRewrite >= 0 ? rw !== wantRewrite : rw >= 0) note(`${abi} ${n}: resolve_name_rewrite ${rw}, table ${wantRewrite}`);
      const direct = directSyscallNumber(n, abi, lib);
      if (direct >= 0 && got.num[direct] !== n) note(`${abi} ${direct}: resolve_num_arch ${got.num[direct]}, table ${n}`);
    }
    for (const [nr, n] of Object.entries(got.num)) {
      if (n !== null && directSyscallNumber(n, abi, lib) !== Number(nr)) note(`${abi} ${nr}: library says ${n}, table says ${syscallName(Number(nr), abi, lib)}`);
    }
    if (ruleAbis.includes(abi)) {
      for (const n of names) {
        const rule: ProbeRule | undefined = got.rules[n];
        const want: Target[] = ruleTargets(n, abi, lib).map((x): Target => [x.nr, x.arg0 ?? null]);
        let real: Target[] = rule && rule.rc === 0 ? rule.targets : [];
        // libseccomp bug: __PNR_sys_debug_setcontext == __PNR_switch_endian (-10191). Resolved on an
        // x86-64 host (where both are pseudo numbers), the number translates back to switch_endian.
        if (n === 'sys_debug_setcontext' && (abi === 'ppc' || abi === 'ppc64' || abi === 'ppc64-le')) {
          assert.deepEqual(real, [[directSyscallNumber('switch_endian', abi, lib), null]], `${abi} ${n} pseudo-number clash`);
          real = want;
        }
        if (rule && rule.rc !== 0 && rule.rc !== -33 /* EDOM */) note(`${abi} ${n}: rule_add_exact rc ${rule.rc}`);
        const key = (l: Target[]): string => JSON.stringify([...l].sort((a, b) => a[0] - b[0]));
        if (key(real) !== key(want)) note(`${abi} ${n}: rule targets ${key(real)}, table ${key(want)}`);
      }
    }
  }
  assert.ok(supported >= 15, `only ${supported} ABIs supported by the library`);
  assert.deepEqual(problems, []);
});

test('scmp_sys_resolver agrees on a few spot values', (t) => {
  const probe = spawnSync('scmp_sys_resolver', ['-a', 'x86_64', 'openat'], { encoding: 'utf8' });
  if (!needs(t, probe.status === 0, 'scmp_sys_resolver (Debian package "seccomp") is not installed')) return;
  const cases: [string, string, number][] = [
    ['x86_64', 'openat', 257],
    ['x86', 'openat', 295],
    ['x32', 'openat', 0x40000101],
    ['aarch64', 'openat', 56],
    ['arm', 'openat', 322],
    ['x86', 'shmat', -221], // __PNR_shmat: multiplexed through ipc()
    ['x32', '_sysctl', -10080],
  ];
  for (const [arch, name, want] of cases) {
    const r = spawnSync('scmp_sys_resolver', ['-a', arch, name], { encoding: 'utf8' });
    assert.equal(Number(r.stdout.trim()), want, `${arch} ${name}`);
    const abi = ABI_NAMES.find((a) => ABIS[a].libseccompName === arch)!;
    assert.equal(syscallNumber(name, abi, '2.5.4'), want < 0 ? -1 : want);
  }
});

// ---------------------------------------------------------------------------------------------

test('generated files are up to date with tools/gen-seccomp.mjs', () => {
  const r = spawnSync(process.execPath, ['tools/gen-seccomp.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr || r.stdout);
  const g = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', "const m = await import('./tools/gen-seccomp.mjs'); console.log(JSON.stringify(m.generate().map((f) => f.path)));"],
    { cwd: ROOT, encoding: 'utf8' },
  );
  assert.equal(g.status, 0, g.stderr);
  assert.deepEqual(JSON.parse(g.stdout), ['server/src/seccomp/syscalls.generated.ts', 'server/src/seccomp/groups.generated.ts']);
});
