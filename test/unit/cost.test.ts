/**
 * Unit tests of the kernel cache port (kernelCache.ts) and the cost model (cost.ts): hand-made
 * programs for the rules, and the 31 real programs Debian 12's systemd 252.38 attaches to a
 * systemd-resolved-like unit (test/kernel/fixtures/resolved-252.json, checked against the real
 * systemd by test/systemd/cost.test.ts) for the figures in the seccomp reference, sections 5–6.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ABIS } from '../../server/src/seccomp/abi';
import { HOT_SYSCALLS, analyzePaths, chainLimits, createCostModel } from '../../server/src/seccomp/cost';
import { BPF, SECCOMP_RET, compile, ebpfLength, formatRet } from '../../server/src/seccomp/emulator';
import type { BpfProgram } from '../../server/src/seccomp/filterTypes';
import {
  cacheBitmap,
  cacheHostFor,
  cacheVerdict,
  constAllow,
  describeNotConst,
  isCached,
  kernelHasCache,
  nrSyscalls,
  parseKernelVersion,
} from '../../server/src/seccomp/kernelCache';
import { asm, prog, resolvedFixture } from '../kernel/support';

const X86_64 = ABIS['x86-64'].auditArch;
const I386 = ABIS.x86.auditArch;
const ALLOW = SECCOMP_RET.ALLOW;
const ERRNO = (n: number): number => (SECCOMP_RET.ERRNO | n) >>> 0;
const v = (s: string) => parseKernelVersion(s)!;

/** x86-64 per-ABI filter refusing `nr` with ERRNO(1), optionally only when a0 == arg0. */
function denyX64(nr: number, arg0?: number): BpfProgram {
  return arg0 === undefined
    ? prog(asm.ldw(4), asm.jeq(X86_64, 0, 3), asm.ldw(0), asm.jeq(nr, 0, 1), asm.ret(ERRNO(1)), asm.ret(ALLOW))
    : prog(asm.ldw(4), asm.jeq(X86_64, 0, 5), asm.ldw(0), asm.jeq(nr, 0, 3), asm.ldw(16), asm.jeq(arg0, 0, 1), asm.ret(ERRNO(1)), asm.ret(ALLOW));
}

describe('kernel versions and hosts', () => {
  it('parses kernel versions', () => {
    assert.deepEqual(parseKernelVersion('6.1'), { major: 6, minor: 1, patch: 0 });
    assert.deepEqual(parseKernelVersion('5.10.0-23-amd64'), { major: 5, minor: 10, patch: 0 });
    assert.deepEqual(parseKernelVersion('6.18.44-fc-v782'), { major: 6, minor: 18, patch: 44 });
    assert.equal(parseKernelVersion('latest'), undefined);
  });
  it('knows when the cache exists and how big the bitmaps are (NR_syscalls)', () => {
    assert.equal(kernelHasCache(v('5.10')), false);
    assert.equal(kernelHasCache(v('5.11')), true);
    assert.equal(nrSyscalls(v('5.11')), 442);
    assert.equal(nrSyscalls(v('6.1')), 451);
    assert.equal(nrSyscalls(v('6.6')), 454);
    assert.equal(nrSyscalls(v('6.10')), 463);
    assert.equal(nrSyscalls(v('6.12')), 463);
    assert.equal(nrSyscalls(v('6.13')), 467);
    assert.equal(nrSyscalls(v('6.18')), 470);
  });
  it('describes x86-64 (native + IA32 compat, uretprobe/uprobe passthrough) and other hosts', () => {
    assert.equal(cacheHostFor('x86-64', '5.10'), undefined);
    const h = cacheHostFor('x86-64', '6.18')!;
    assert.deepEqual(h.native, { abi: 'x86-64', auditArch: X86_64, nrLimit: 470 });
    assert.deepEqual(h.compat, { abi: 'x86', auditArch: I386, nrLimit: 470 });
    assert.deepEqual(h.passthrough, [335, 336]);
    assert.deepEqual(cacheHostFor('x86-64', '6.1')!.passthrough, []);
    assert.deepEqual(cacheHostFor('x86-64', '6.12.13')!.passthrough, []);
    assert.deepEqual(cacheHostFor('x86-64', '6.12.14')!.passthrough, [335]);
    assert.deepEqual(cacheHostFor('x86-64', '6.14')!.passthrough, [335]);
    assert.deepEqual(cacheHostFor('x86-64', '6.1', { nrLimit: 500, compatNrLimit: 400 })!.compat!.nrLimit, 400);
    const a = cacheHostFor('arm64', '6.1')!;
    assert.equal(a.native.abi, 'arm64');
    assert.equal(a.compat!.abi, 'arm');
    assert.equal(cacheHostFor('riscv64', '6.1')!.compat, undefined);
    assert.equal(cacheHostFor('mips64', '6.1'), undefined);
    assert.equal(cacheHostFor('loongarch64', '5.15'), undefined);
  });
});

describe('seccomp_is_const_allow port', () => {
  const host = cacheHostFor('x86-64', '6.10')!;
  it('is a constant ALLOW only through nr/arch tests, `and #k` and `ret ALLOW`', () => {
    assert.deepEqual(constAllow(denyX64(39), X86_64, 40), { allow: true });
    assert.deepEqual(constAllow(denyX64(39), I386, 39), { allow: true });
    assert.deepEqual(constAllow(prog(asm.ldw(0), asm.alu(BPF.AND, 0xff), asm.jeq(1, 0, 1), asm.ret(0), asm.ret(ALLOW)), X86_64, 0x101), { allow: false, reason: { kind: 'returns', pc: 3, ret: 0 } });
  });
  it('reports why not: returns, argument and instruction-pointer loads, unsupported instructions', () => {
    assert.deepEqual(constAllow(denyX64(39), X86_64, 39), { allow: false, reason: { kind: 'returns', pc: 4, ret: ERRNO(1) } });
    assert.deepEqual(constAllow(denyX64(41, 17), X86_64, 41), { allow: false, reason: { kind: 'loads-arg', pc: 4, arg: 0, half: 'lo' } });
    assert.deepEqual(constAllow(prog(asm.ldw(44), asm.ret(ALLOW)), X86_64, 1), { allow: false, reason: { kind: 'loads-arg', pc: 0, arg: 3, half: 'hi' } });
    assert.deepEqual(constAllow(prog(asm.ldw(8), asm.ret(ALLOW)), X86_64, 1), { allow: false, reason: { kind: 'loads-ip', pc: 0 } });
    // The kernel's emulator stops at any load, even one whose value would not matter.
    assert.equal(constAllow(prog(asm.ldw(16), asm.ldw(0), asm.ret(ALLOW)), X86_64, 1).allow, false);
    assert.deepEqual(constAllow(prog(asm.ldImm(0), asm.ret(ALLOW)), X86_64, 1), { allow: false, reason: { kind: 'instruction', pc: 0, code: 0x00 } });
    assert.deepEqual(constAllow(prog(asm.ldImm(ALLOW), asm.retA()), X86_64, 1).allow, false);
    assert.deepEqual(constAllow(prog(asm.ldw(0), asm.tax(), asm.ret(ALLOW)), X86_64, 1).allow, false);
    assert.deepEqual(constAllow(prog(asm.ldw(0), asm.jeqX(0, 0), asm.ret(ALLOW)), X86_64, 1).allow, false);
    assert.deepEqual(constAllow(prog(asm.ldw(0), asm.alu(BPF.OR, 1), asm.ret(ALLOW)), X86_64, 1).allow, false);
    assert.deepEqual(constAllow(prog(asm.ret(SECCOMP_RET.LOG)), X86_64, 1), { allow: false, reason: { kind: 'returns', pc: 0, ret: SECCOMP_RET.LOG } });
    const bad = constAllow(prog(asm.ldw(2), asm.ret(ALLOW)), X86_64, 1);
    assert.equal(bad.allow === false && bad.reason.kind, 'invalid');
    assert.match(describeNotConst({ kind: 'loads-arg', pc: 4, arg: 2, half: 'lo' }), /argument 2/);
  });
  it('lets uretprobe/uprobe through on the native arch only', () => {
    const h = cacheHostFor('x86-64', '6.18')!;
    const denyAll = prog(asm.ret(ERRNO(1)));
    assert.deepEqual(constAllow(denyAll, X86_64, 335, h), { allow: true, passthrough: true });
    assert.equal(constAllow(denyAll, I386, 335, h).allow, false);
    assert.equal(isCached([denyAll], h, 'x86-64', 336), true);
    assert.equal(isCached([denyAll], h, 'x86-64', 337), false);
    assert.equal(isCached([denyAll], cacheHostFor('x86-64', '6.10'), 'x86-64', 335), false);
  });
  it('ANDs the bitmaps over the chain and names the first blocking filter, oldest first', () => {
    const chain = [denyX64(39), denyX64(41, 17), denyX64(39), prog(asm.ret(ALLOW))];
    const c = cacheBitmap(chain, host);
    assert.equal(c.native.allowed.size, 463);
    assert.equal(c.native.allowed.count(), 461);
    assert.deepEqual(
      [...Array(463).keys()].filter((n) => !c.native.allowed.has(n)),
      [39, 41],
    );
    assert.equal(c.native.firstBlocker[39], 0);
    assert.equal(c.native.firstBlocker[41], 1);
    assert.equal(c.compat!.allowed.count(), 463, 'per-ABI x86-64 filters never block i386 calls');
    assert.deepEqual(cacheVerdict(c, chain, 'x86-64', 41), { cached: false, why: 'filter', filter: 1, reason: { kind: 'loads-arg', pc: 4, arg: 0, half: 'lo' } });
    assert.deepEqual(cacheVerdict(c, chain, 'x86-64', 40), { cached: true, passthrough: false });
    assert.deepEqual(cacheVerdict(c, chain, 'x86', 39), { cached: true, passthrough: false });
    // x32 calls carry X32_SYSCALL_BIT: beyond the native bitmap, never cached.
    assert.deepEqual(cacheVerdict(c, chain, 'x32', 40), { cached: false, why: 'out-of-range' });
    assert.deepEqual(cacheVerdict(c, chain, 'x86-64', 463), { cached: false, why: 'out-of-range' });
    assert.deepEqual(cacheVerdict(c, chain, 'x86-64', -1), { cached: false, why: 'out-of-range' });
    assert.deepEqual(cacheVerdict(c, chain, 'arm64', 1), { cached: false, why: 'other-arch' });
    assert.deepEqual(cacheVerdict(undefined, chain, 'x86-64', 1), { cached: false, why: 'no-cache' });
    // An empty chain caches everything in range.
    assert.equal(cacheBitmap([], host).native.allowed.count(), 463);
  });
});

describe('path analysis', () => {
  it('follows what a comparison teaches about an argument into its reloads', () => {
    // a0 == 5 → ERRNO(1); otherwise reload a0: a second `== 5` cannot be true.
    const p = compile(prog(asm.ldw(16), asm.jeq(5, 0, 1), asm.ret(ERRNO(1)), asm.ldw(16), asm.jeq(5, 0, 1), asm.ret(0), asm.ret(ALLOW)));
    assert.ok(p.ok);
    const a = analyzePaths(p.program, 0, X86_64);
    assert.deepEqual(a.outcomes, [ERRNO(1), ALLOW]);
    assert.deepEqual([a.min, a.max, a.approximate], [3, 5, false]);
  });
  it('keeps ranges through jgt/jge and `and #k`', () => {
    const p = compile(prog(asm.ldw(16), asm.jgt(10, 0, 3), asm.ldw(16), asm.jge(11, 1, 0), asm.ret(0), asm.alu(BPF.AND, 3), asm.jgt(3, 0, 1), asm.ret(0), asm.ret(ALLOW)));
    assert.ok(p.ok);
    const a = analyzePaths(p.program, 0, X86_64);
    assert.deepEqual(a.outcomes, [ALLOW]);
  });
  it('accounts for division by an X that may be zero', () => {
    const p = compile(prog(asm.ldw(16), asm.tax(), asm.ldImm(100), asm.aluX(BPF.DIV), asm.ret(ALLOW)));
    assert.ok(p.ok);
    const a = analyzePaths(p.program, 0, X86_64);
    assert.deepEqual(a.outcomes, [0, ALLOW]);
    assert.deepEqual([a.min, a.max], [4, 5]);
  });
  it('falls back to a control-flow bound when paths explode', () => {
    // 15 independent diamonds on different words: 2^15 paths, above the budget.
    const ins = [];
    for (let i = 0; i < 15; i++) ins.push(asm.ldw(16 + 4 * (i % 12)), asm.jset(1 << i, 0, 1), asm.alu(BPF.ADD, 1));
    const p = compile(prog(...ins, asm.ret(ALLOW)));
    assert.ok(p.ok);
    const a = analyzePaths(p.program, 0, X86_64);
    assert.equal(a.approximate, true);
    assert.deepEqual([a.min, a.max, a.outcomes], [31, 46, [ALLOW]]);
  });
});

describe('chain limits', () => {
  const big = (n: number): BpfProgram => prog(...Array.from({ length: n - 1 }, () => asm.ldw(0)), asm.ret(ALLOW));
  it('counts converted (eBPF) lengths like seccomp_attach_filter()', () => {
    assert.equal(ebpfLength(big(4096)), 4100);
    assert.equal(ebpfLength(prog(asm.ret(ALLOW))), 5);
    assert.equal(ebpfLength(prog(asm.ldw(0), asm.jeq(1, 1, 0), asm.ret(0), asm.ret(ALLOW))), 3 + 1 + 1 + 2 + 2);
    assert.equal(ebpfLength(prog(asm.ldw(0), asm.jeq(1, 0, 1), asm.ret(0), asm.ret(ALLOW))), 9, 'jt == 0: one jne');
    assert.equal(ebpfLength(prog(asm.ldw(0), asm.jset(1, 0, 1), asm.ret(0), asm.ret(ALLOW))), 10, 'jset has no inverse: jset + ja');
    assert.equal(ebpfLength(prog(asm.ldw(0), asm.jeq(1, 1, 1), asm.ret(0), asm.ret(ALLOW))), 10, 'both branches jump: jeq + ja');
    assert.equal(ebpfLength(prog(asm.ldw(4), asm.jeq(X86_64, 1, 0), asm.ret(0), asm.ret(ALLOW))), 10, 'negative #k goes through a register');
    assert.equal(ebpfLength(prog(asm.ldxImm(1), asm.aluX(BPF.DIV), asm.retA())), 3 + 1 + 5 + 1);
    assert.equal(ebpfLength(prog(asm.ldw(2), asm.ret(0))), undefined);
  });
  it('finds the first filter over MAX_INSNS_PER_PATH and the ones over BPF_MAXINSNS', () => {
    const fits = chainLimits([...Array(7).fill(big(4096)), big(4036)]);
    assert.equal(fits.attachTotals[7], 32768);
    assert.equal(fits.firstOverPath, undefined);
    assert.equal(fits.classicPathTotal, 7 * 4100 + 4040);
    const over = chainLimits([...Array(7).fill(big(4096)), big(4037), prog(asm.ret(ALLOW))]);
    assert.equal(over.attachTotals[7], 32769);
    assert.equal(over.firstOverPath, 7);
    const long = chainLimits([prog(...Array.from({ length: 4097 }, () => asm.ret(ALLOW))), prog()]);
    assert.deepEqual(long.tooLong, [0, 1]);
  });
});

describe('cost model on the real systemd 252.38 programs (resolved-like unit)', () => {
  const fx = resolvedFixture();
  const labels = fx.labels;
  const m610 = createCostModel(fx.chain, { kernel: '6.10', labels });
  const m618 = createCostModel(fx.chain, { kernel: '6.18', labels });
  const m510 = createCostModel(fx.chain, { kernel: '5.10', labels });
  const SCF = 30;

  it('is the recorded chain', () => {
    assert.deepEqual(
      fx.chain.map((p) => p.instructions.length),
      [51, 58, 15, 19, 29, 11, 12, 19, 42, 43, 59, 34, 35, 39, 6, 8, 8, 9, 10, 6, 7, 8, 11, 10, 11, 7, 8, 9, 7, 12, 306],
    );
    assert.deepEqual(m610.invalid, []);
    assert.equal(labels.length, 31);
  });
  it('gives the reference figures per syscall with no cache (read 172, futex 339, openat 396)', () => {
    const c = (n: string) => m610.syscall(n)!;
    assert.equal(c('read').instructions, 172);
    assert.equal(c('futex').instructions, 339);
    assert.equal(c('openat').instructions, 396);
    assert.deepEqual([c('openat').minInstructions, c('openat').maxInstructions], [396, 405]);
    assert.equal(c('getpid').instructions, 210);
    assert.equal(c('read').calls, 31);
    assert.equal(c('read').callOverhead, 124);
    // Per filter for a native call: x86 filters 3, x32 filters 5, arch filter 5, the allow-list 44 for getpid.
    assert.deepEqual(
      c('getpid').perFilter.map((f) => f.executed),
      [5, 6, 3, 5, 9, 3, 5, 6, 3, 5, 17, 3, 5, 9, 3, 6, 3, 5, 8, 3, 5, 6, 3, 5, 9, 3, 5, 7, 5, 6, 44],
    );
    assert.equal(c('read').perFilter[SCF]!.executed, 6);
    assert.equal(c('openat').perFilter[SCF]!.executed, 224);
    // socket() through the 4-family allow-list: 56 for AF_INET, 10 when a0's high word is set.
    const s = c('socket');
    assert.deepEqual([s.perFilter[1]!.executed, s.perFilter[1]!.minExecuted, s.perFilter[1]!.maxExecuted], [56, 10, 56]);
    assert.equal(s.argDependent, true);
    assert.equal(s.allowed, true);
    assert.equal(s.mayBlock, true);
    // clone() through RestrictNamespaces: 35 with thread flags, as the reference says.
    assert.deepEqual([c('clone').perFilter[13]!.executed, c('clone').perFilter[13]!.minExecuted], [35, 14]);
  });
  it('gives the reference range and mean over the allow-list (no cache)', () => {
    const all = m610.all('x86-64').filter((x) => x.name !== undefined);
    const scfAllowed = all.filter((x) => x.perFilter[SCF]!.ret === ALLOW).map((x) => x.name!);
    assert.equal(scfAllowed.length, 298);
    const s = m610.stats('x86-64', { names: scfAllowed, includeCached: true, include: 'all' });
    assert.deepEqual([s.count, s.min, s.max, s.minSyscall, s.maxSyscall], [298, 172, 476, 'read', 'fchmodat2']);
    assert.equal(s.mean.toFixed(2), '321.01');
    // Three of them are refused by earlier filters: setns, clone3 (RestrictNamespaces), openat2 (RestrictSUIDSGID).
    const chainAllowed = m610.stats('x86-64', { includeCached: true });
    assert.deepEqual([chainAllowed.count, chainAllowed.min, chainAllowed.median, chainAllowed.max], [295, 172, 320, 476]);
    assert.equal(chainAllowed.mean.toFixed(2), '319.72');
    const refused = all.filter((x) => scfAllowed.includes(x.name!) && !x.allowed).map((x) => `${x.name}:${formatRet(x.ret)}@${x.decidedBy}`);
    assert.deepEqual(refused, ['setns:ERRNO(1)@13', 'clone3:ERRNO(38)@13', 'openat2:ERRNO(38)@10']);
  });
  it('reproduces the cache figures: 187 of 463 x86-64 numbers uncached on 6.10, 192 of 470 on 6.18', () => {
    assert.deepEqual(m610.cacheSummary('x86-64'), { cacheable: true, nrLimit: 463, cached: 276, uncached: 187 });
    assert.deepEqual(m618.cacheSummary('x86-64'), { cacheable: true, nrLimit: 470, cached: 278, uncached: 192 });
    // The native-only arch filter kills i386 calls: nothing is cached for them; x32 is never cached.
    assert.deepEqual(m610.cacheSummary('x86'), { cacheable: true, nrLimit: 463, cached: 0, uncached: 463 });
    assert.equal(m610.cacheSummary('x32').cacheable, false);
    assert.equal(m510.cacheSummary('x86-64').cacheable, false);
    // uretprobe: filtered (ERRNO) on 6.10, passed through on 6.18.
    assert.equal(m610.syscall('uretprobe')!.cached, false);
    assert.deepEqual(m618.syscall('uretprobe')!.cache, { cached: true, passthrough: true });
    assert.equal(m618.number(463).cached, false);
  });
  it('lists the allowed syscalls that still run the whole chain, with the directive responsible', () => {
    const au = m610.allowedUncached('x86-64');
    const byName = Object.fromEntries(au.map((a) => [a.name, a.filters.map((f) => f.label).join(' + ')]));
    assert.deepEqual(byName, {
      open: 'RestrictSUIDSGID= (x86-64)',
      mmap: 'MemoryDenyWriteExecute= (x86-64)',
      mprotect: 'MemoryDenyWriteExecute= (x86-64)',
      shmat: 'MemoryDenyWriteExecute= (x86-64)',
      socket: 'RestrictAddressFamilies= (x86-64)',
      clone: 'RestrictNamespaces= (x86-64)',
      mkdir: 'RestrictSUIDSGID= (x86-64)',
      creat: 'RestrictSUIDSGID= (x86-64)',
      chmod: 'RestrictSUIDSGID= (x86-64)',
      fchmod: 'RestrictSUIDSGID= (x86-64)',
      mknod: 'RestrictSUIDSGID= (x86-64)',
      personality: 'LockPersonality= (x86-64)',
      sched_setscheduler: 'RestrictRealtime= (x86-64)',
      openat: 'RestrictSUIDSGID= (x86-64)',
      mkdirat: 'RestrictSUIDSGID= (x86-64)',
      mknodat: 'RestrictSUIDSGID= (x86-64)',
      fchmodat: 'RestrictSUIDSGID= (x86-64)',
      unshare: 'RestrictNamespaces= (x86-64)',
      fchmodat2: 'RestrictSUIDSGID= (x86-64)',
    });
    assert.deepEqual(au.find((a) => a.name === 'openat')!.filters[0]!.reason, { kind: 'loads-arg', pc: 42, arg: 2, half: 'hi' });
    const st = m610.stats('x86-64');
    assert.deepEqual([st.count, st.min, st.median, st.max, st.minSyscall, st.maxSyscall], [19, 179, 264, 476, 'open', 'fchmodat2']);
  });
  it('reports hot syscalls with their cost and whether the cache skips the chain', () => {
    const hot = Object.fromEntries(m610.hot('x86-64').map((h) => [h.name, [h.instructions, h.cached, h.effectiveInstructions]]));
    assert.deepEqual(hot.read, [172, true, 0]);
    assert.deepEqual(hot.futex, [339, true, 0]);
    assert.deepEqual(hot.openat, [396, false, 396]);
    assert.deepEqual(hot.mmap, [184, false, 184]);
    assert.deepEqual(hot.socket, [262, false, 262]);
    assert.deepEqual(hot.clone, [253, false, 253]);
    assert.deepEqual(hot.recvmsg, [218, true, 0]);
    assert.ok(m610.hot('x86-64').every((h) => HOT_SYSCALLS.includes(h.name!)));
    const r = m510.syscall('read')!;
    assert.deepEqual([r.cached, r.effectiveInstructions, r.effectiveCalls], [false, 172, 31]);
  });
  it('answers hot() alike whether the ABI\'s whole table is built or only the hot calls are evaluated', () => {
    // A lint run asks only for the hot calls (a small table of them); a hover first builds the
    // whole table. Fresh models, so the first hot() of each ABI takes the small table.
    const fresh = createCostModel(fx.chain, { kernel: '6.10', labels });
    const full = createCostModel(fx.chain, { kernel: '6.10', labels });
    const json = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    for (const abi of ['x86-64', 'x86', 'x32'] as const) {
      const small = fresh.hot(abi);
      assert.ok(small.length >= 15, `${abi}: ${small.length} hot calls`);
      full.all(abi);
      assert.equal(json(small), json(full.hot(abi)), abi);
      const byName = HOT_SYSCALLS.flatMap((n) => {
        const c = full.syscall(n, abi);
        return c && c.name === n ? [c] : [];
      });
      assert.equal(json(small), json(byName), abi);
    }
  });
  it('covers the other ABIs: i386 and x32 calls are killed by the arch filter after running the chain', () => {
    const x86 = m610.syscall('read', 'x86')!;
    const x32 = m610.syscall('read', 'x32')!;
    assert.deepEqual([x86.instructions, formatRet(x86.ret), x86.decidedBy], [136, 'KILL_THREAD', 28]);
    assert.deepEqual([x32.instructions, formatRet(x32.ret), x32.decidedBy, x32.nr], [182, 'KILL_THREAD', 28, 0x40000000]);
    assert.deepEqual(m610.number(0, 'x32').nr, 0x40000000);
    assert.equal(m610.number(-1, 'x86-64').cached, false);
  });
  it('reports the kernel limits with exact figures', () => {
    const l = m610.limits;
    assert.deepEqual([l.totalInstructions, l.classicPathTotal, l.pathTotal, l.attachTotals[30], l.headroom, l.firstOverPath], [909, 1033, 1241, 1237, 31527, undefined]);
    assert.deepEqual(l.tooLong, []);
  });
  it('builds a whole ABI table in a few milliseconds once warm', (t) => {
    // Custom arguments disable column sharing, so `fresh` measures a full evaluation.
    const build = (opts: Parameters<typeof createCostModel>[1]): number => {
      const t0 = process.hrtime.bigint();
      createCostModel(fx.chain, opts).syscall('openat');
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const median = (opts: Parameters<typeof createCostModel>[1]): number => {
      for (let i = 0; i < 3; i++) build(opts);
      return Array.from({ length: 7 }, () => build(opts)).sort((a, b) => a - b)[3]!;
    };
    const fresh = median({ kernel: '6.18', argsFor: () => undefined });
    const shared = median({ kernel: '6.18', labels });
    t.diagnostic(`31 filters × 470 numbers (x86-64 table + both cache bitmaps): median ${fresh.toFixed(1)} ms from scratch, ${shared.toFixed(2)} ms with shared per-filter columns`);
    assert.ok(fresh < 250, `median ${fresh} ms`);
    assert.ok(shared < 250, `median ${shared} ms`);
  });
});
