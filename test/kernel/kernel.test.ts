// Kernel agreement: the emulator (emulator.ts), its checker and the cost model's cache exceptions
// against the running Linux kernel. test/kernel/seccomp-run.c attaches programs in a fresh child
// per case and makes one raw system call; every observation must be what the emulator predicts.
// Runs under CI=true (and fails if gcc, seccomp or python3-seccomp are missing); elsewhere it skips
// with the reason.
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import { before, describe, it } from 'node:test';
import { ABIS, X32_SYSCALL_BIT } from '../../server/src/seccomp/abi';
import { chainLimits, createCostModel } from '../../server/src/seccomp/cost';
import { BPF, SECCOMP_RET, checkFilter, decodeAction, emulateChain, formatRet, isAllowingRet } from '../../server/src/seccomp/emulator';
import type { BpfInstruction, BpfProgram } from '../../server/src/seccomp/filterTypes';
import { cacheHostFor, parseKernelVersion } from '../../server/src/seccomp/kernelCache';
import {
  I,
  IN_CI,
  asm,
  ensureRunner,
  exportPrograms,
  libseccompAvailable,
  prog,
  runCases,
  type CallAbi,
  type ExportRule,
  type ExportSpec,
  type RunCase,
  type RunResult,
} from './support';

const ALLOW = SECCOMP_RET.ALLOW;
const EPERM = 1;
const ENOSYS = 38;
const EAFNOSUPPORT = 97;
const SIGSYS = 31;

// ---------------------------------------------------------------------------------------------
// Availability.

function gate(): { run: true; runner: string } | { run: false; reason: string } {
  try {
    const r = ensureRunner();
    if (!r.ok) return { run: false, reason: r.reason };
    return { run: true, runner: r.path };
  } catch (err) {
    return { run: false, reason: `cannot build seccomp-run: ${(err as Error).message}` };
  }
}
const g = gate();
const lib = libseccompAvailable();

/** Skip (or fail under CI) a test when something it needs is missing. */
function need(t: { skip: (m?: string) => void }, ok: boolean, reason: string): boolean {
  if (ok) return true;
  if (IN_CI) assert.fail(`CI=true but ${reason}`);
  t.skip(reason);
  return false;
}

// ---------------------------------------------------------------------------------------------
// What the emulator predicts the kernel will do.

interface Call {
  readonly abi: Exclude<CallAbi, 'none'>;
  readonly nr: number;
  readonly args?: readonly bigint[];
  readonly note?: string;
}

const ARCH_OF: Record<Call['abi'], number> = { x64: ABIS['x86-64'].auditArch, x32: ABIS.x32.auditArch, i386: ABIS.x86.auditArch };
const kernelNr = (c: Call): number => (c.abi === 'x32' ? (c.nr | X32_SYSCALL_BIT) >>> 0 : c.nr);

function predict(chain: readonly BpfProgram[], c: Call): number {
  const r = emulateChain(chain, { nr: kernelNr(c), arch: ARCH_OF[c.abi], args: c.args });
  assert.ok(r.ok, 'test programs must be valid');
  return r.ret;
}

/** Compares one kernel observation with the emulator's chain result; returns a problem or undefined. */
function mismatch(ret: number, c: Call, got: RunResult, baseline: RunResult | undefined): string | undefined {
  const a = decodeAction(ret);
  const show = `${formatRet(ret)} for ${c.abi} nr ${c.nr}${c.note ? ` (${c.note})` : ''}; kernel: ${JSON.stringify(got)}`;
  if (got.loaded !== got.programs) return `programs not attached: ${show}`;
  switch (a.kind) {
    case 'allow':
    case 'log':
      if (!baseline) return `no baseline: ${show}`;
      if (got.kind !== baseline.kind) return `expected the unfiltered behaviour ${JSON.stringify(baseline)}: ${show}`;
      if (got.kind === 'returned' && got.errno !== baseline.errno) return `expected errno ${baseline.errno ?? 'none'}: ${show}`;
      if (got.kind === 'signal' && got.signal !== baseline.signal) return `expected signal ${baseline.signal}: ${show}`;
      return undefined;
    case 'errno':
      if (got.kind !== 'returned') return `expected a return: ${show}`;
      if (a.errno === 0) return got.ret === '0' ? undefined : `expected 0: ${show}`;
      return got.errno === a.errno ? undefined : `expected errno ${a.errno}: ${show}`;
    case 'trace':
    case 'notify':
      // No tracer / no listener: the kernel fails the call with ENOSYS.
      return got.kind === 'returned' && got.errno === ENOSYS ? undefined : `expected ENOSYS: ${show}`;
    case 'trap':
      if (got.kind !== 'trap') return `expected SIGSYS to the handler: ${show}`;
      if (got.trapData !== (ret & 0xffff)) return `expected si_errno ${ret & 0xffff}: ${show}`;
      if (got.trapArch !== ARCH_OF[c.abi]) return `expected si_arch 0x${ARCH_OF[c.abi].toString(16)}: ${show}`;
      if (got.trapSyscall !== (kernelNr(c) | 0)) return `expected si_syscall ${kernelNr(c) | 0}: ${show}`;
      return undefined;
    case 'kill-thread':
    case 'kill-process':
      return got.kind === 'signal' && got.signal === SIGSYS ? undefined : `expected death by SIGSYS: ${show}`;
  }
}

/** Hand-made: ERRNO with data 0xffff for getegid (libseccomp refuses such values; the kernel caps them at 4095). */
const ERRNO_FFFF = prog(asm.ldw(4), asm.jeq(ABIS['x86-64'].auditArch, 0, 3), asm.ldw(0), asm.jeq(108, 0, 1), asm.ret(0x0005ffff), asm.ret(ALLOW));

/** Runs calls under chains (and once unfiltered, for the baselines), and checks every result. */
async function checkCalls(runner: string, programs: readonly BpfProgram[], chains: Record<string, readonly number[]>, calls: readonly Call[]): Promise<{ checked: number; problems: string[]; results: Map<string, RunResult> }> {
  const cases: RunCase[] = [];
  calls.forEach((c, i) => cases.push({ id: `base-${i}`, programs: [], abi: c.abi, nr: c.nr, args: c.args }));
  for (const [name, idx] of Object.entries(chains)) calls.forEach((c, i) => cases.push({ id: `${name}-${i}`, programs: idx, abi: c.abi, nr: c.nr, args: c.args }));
  const results = await runCases(runner, programs, cases);
  const byId = new Map(results.map((r) => [r.id, r]));
  const problems: string[] = [];
  let checked = 0;
  for (const [name, idx] of Object.entries(chains)) {
    const chain = idx.map((i) => programs[i]!);
    calls.forEach((c, i) => {
      const got = byId.get(`${name}-${i}`)!;
      const p = mismatch(predict(chain, c), c, got, byId.get(`base-${i}`));
      if (p) problems.push(`[${name}] ${p}`);
      checked++;
    });
  }
  return { checked, problems, results: byId };
}

// ---------------------------------------------------------------------------------------------
// Programs shaped like systemd 252's, built by the system's libseccomp.

const NS_FLAGS = [0x02000000, 0x08000000, 0x40000000, 0x00020000, 0x20000000, 0x10000000, 0x04000000, 0x00000080];
const rafRules = [
  { action: `errno:${EAFNOSUPPORT}`, syscall: 'socket', args: [[0, 'lt', 1]] as const },
  { action: `errno:${EAFNOSUPPORT}`, syscall: 'socket', args: [[0, 'gt', 16]] as const },
  ...[3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15].map((af) => ({ action: `errno:${EAFNOSUPPORT}`, syscall: 'socket', args: [[0, 'eq', af]] as const })),
];
const mdweRules = (abi: string) => [
  ...(abi === 'x86'
    ? [
        { action: 'errno:1', syscall: 'mmap' },
        { action: 'errno:1', syscall: 'mmap2', args: [[2, 'masked_eq', 6, 6]] as const },
      ]
    : [{ action: 'errno:1', syscall: 'mmap', args: [[2, 'masked_eq', 6, 6]] as const }]),
  { action: 'errno:1', syscall: 'mprotect', args: [[2, 'masked_eq', 4, 4]] as const },
  { action: 'errno:1', syscall: 'pkey_mprotect', args: [[2, 'masked_eq', 4, 4]] as const },
  ...(abi === 'x86' ? [] : [{ action: 'errno:1', syscall: 'shmat', args: [[2, 'masked_eq', 0o100000, 0o100000]] as const }]),
];
const rrRules: ExportRule[] = [
  ...[1, 2, 4].map((p): ExportRule => ({ action: 'errno:1', syscall: 'sched_setscheduler', args: [[1, 'eq', p]] })),
  { action: 'errno:1', syscall: 'sched_setscheduler', args: [[1, 'gt', 5]] },
];
const rnsRules = [
  { action: 'errno:1', syscall: 'setns' },
  { action: `errno:${ENOSYS}`, syscall: 'clone3' },
  ...NS_FLAGS.flatMap((f) => [
    { action: 'errno:1', syscall: 'unshare', args: [[0, 'masked_eq', f, f]] as const },
    { action: 'errno:1', syscall: 'clone', args: [[0, 'masked_eq', f, f]] as const },
  ]),
];
const per = (arch: string, rules: ExportSpec['rules']): ExportSpec => ({ arches: [arch], default: 'allow', badArch: 'allow', rules });

const SPECS: ExportSpec[] = [
  /* 0 */ per('x32', rafRules),
  /* 1 */ per('x86_64', rafRules),
  /* 2 */ per('x86', mdweRules('x86')),
  /* 3 */ per('x32', mdweRules('x32')),
  /* 4 */ per('x86_64', mdweRules('x86_64')),
  /* 5 */ per('x86', rrRules),
  /* 6 */ per('x32', rrRules),
  /* 7 */ per('x86_64', rrRules),
  /* 8 */ per('x86_64', [
    { action: 'errno:1', syscall: 'openat', args: [[2, 'masked_eq', 0x40, 0x40], [3, 'masked_eq', 0o4000, 0o4000]] },
    { action: 'errno:1', syscall: 'chmod', args: [[1, 'masked_eq', 0o4000, 0o4000]] },
    { action: `errno:${ENOSYS}`, syscall: 'openat2' },
  ]),
  /* 9 */ per('x86', rnsRules),
  /* 10 */ per('x32', rnsRules),
  /* 11 */ per('x86_64', rnsRules),
  /* 12 */ per('x86_64', [{ action: 'errno:1', syscall: 'syslog' }]),
  /* 13 */ { arches: ['x86_64'], default: 'allow', badArch: 'kill' },
  /* 14 */ per('x86_64', [{ action: 'errno:1', syscall: 'personality', args: [[0, 'ne', 0]] }]),
  /* 15 */ per('x86_64', [
    { action: 'errno:1', syscall: 'mount' },
    { action: 'kill_process', syscall: 'reboot' },
    { action: 'kill', syscall: 'acct' },
    { action: 'trap', syscall: 'getuid' },
    { action: 'trace:5', syscall: 'getpgrp' },
    { action: 'notify', syscall: 'getsid' },
    { action: 'log', syscall: 'getgid' },
  ]),
  /* 16 */ per('x86_64', [{ action: 'errno:0', syscall: 'getppid' }]),
  /* 17 */ per('x86_64', [{ action: 'errno:77', syscall: 335 }, { action: 'errno:77', syscall: 336 }]),
];

const X64_CALLS: Call[] = [
  { abi: 'x64', nr: 39, note: 'getpid' },
  { abi: 'x64', nr: 110, note: 'getppid' },
  { abi: 'x64', nr: 102, note: 'getuid' },
  { abi: 'x64', nr: 104, note: 'getgid' },
  { abi: 'x64', nr: 108, note: 'getegid' },
  { abi: 'x64', nr: 111, note: 'getpgrp' },
  { abi: 'x64', nr: 124, args: [0n], note: 'getsid' },
  { abi: 'x64', nr: 135, args: [0xffffffffn], note: 'personality(query)' },
  { abi: 'x64', nr: 135, args: [0n], note: 'personality(PER_LINUX)' },
  { abi: 'x64', nr: 135, args: [8n], note: 'personality(PER_LINUX32)' },
  { abi: 'x64', nr: 41, args: [17n, 3n, 0n], note: 'socket(AF_PACKET)' },
  { abi: 'x64', nr: 41, args: [1n, 1n, 0n], note: 'socket(AF_UNIX)' },
  { abi: 'x64', nr: 41, args: [10n, 2n, 0n], note: 'socket(AF_INET6)' },
  { abi: 'x64', nr: 41, args: [16n, 3n, 0n], note: 'socket(AF_NETLINK)' },
  { abi: 'x64', nr: 41, args: [0n, 1n, 0n], note: 'socket(AF_UNSPEC)' },
  { abi: 'x64', nr: 41, args: [45n, 1n, 0n], note: 'socket(45)' },
  { abi: 'x64', nr: 41, args: [0x100000001n, 1n, 0n], note: 'socket(AF_UNIX with a high word)' },
  { abi: 'x64', nr: 9, args: [0n, 4096n, 6n, 0x22n, 0xffffffffffffffffn, 0n], note: 'mmap(W|X)' },
  { abi: 'x64', nr: 9, args: [0n, 4096n, 3n, 0x22n, 0xffffffffffffffffn, 0n], note: 'mmap(R|W)' },
  { abi: 'x64', nr: 10, args: [0n, 0n, 4n], note: 'mprotect(X)' },
  { abi: 'x64', nr: 10, args: [0n, 0n, 1n], note: 'mprotect(R)' },
  { abi: 'x64', nr: 144, args: [0xffffffffffffffffn, 1n, 0n], note: 'sched_setscheduler(FIFO)' },
  { abi: 'x64', nr: 144, args: [0xffffffffffffffffn, 0n, 0n], note: 'sched_setscheduler(OTHER)' },
  { abi: 'x64', nr: 144, args: [0xffffffffffffffffn, 7n, 0n], note: 'sched_setscheduler(7)' },
  { abi: 'x64', nr: 144, args: [0xffffffffffffffffn, 5n, 0n], note: 'sched_setscheduler(IDLE)' },
  { abi: 'x64', nr: 257, args: [0xffffff9cn, 0n, 0x41n, 0o4755n], note: 'openat(O_CREAT, S_ISUID)' },
  { abi: 'x64', nr: 257, args: [0xffffff9cn, 0n, 0x41n, 0o755n], note: 'openat(O_CREAT)' },
  { abi: 'x64', nr: 257, args: [0xffffff9cn, 0n, 0n, 0o4755n], note: 'openat(S_ISUID without O_CREAT)' },
  { abi: 'x64', nr: 90, args: [0n, 0o4755n], note: 'chmod(S_ISUID)' },
  { abi: 'x64', nr: 437, args: [0xffffff9cn, 0n, 0n, 0n], note: 'openat2' },
  { abi: 'x64', nr: 272, args: [0n], note: 'unshare(0)' },
  { abi: 'x64', nr: 272, args: [0x04000000n], note: 'unshare(CLONE_NEWUTS)' },
  { abi: 'x64', nr: 56, args: [0x04010000n, 0n, 0n, 0n, 0n], note: 'clone(NEWUTS|THREAD): EINVAL if let through' },
  { abi: 'x64', nr: 56, args: [0x00010000n, 0n, 0n, 0n, 0n], note: 'clone(THREAD): EINVAL' },
  { abi: 'x64', nr: 308, args: [0xffffffffffffffffn, 0n], note: 'setns(-1)' },
  { abi: 'x64', nr: 435, args: [0n, 0n], note: 'clone3(NULL)' },
  { abi: 'x64', nr: 103, args: [0n, 0n, 0n], note: 'syslog(CLOSE)' },
  { abi: 'x64', nr: 165, args: [0n, 0n, 0n, 0n, 0n], note: 'mount(NULL)' },
  { abi: 'x64', nr: 169, args: [0n, 0n, 0n, 0n], note: 'reboot(bad magic)' },
  { abi: 'x64', nr: 163, args: [0n], note: 'acct(NULL)' },
  { abi: 'x64', nr: 0x3fffffff, note: 'an x86-64 number beyond the x32 bit check' },
];

const X32_CALLS: Call[] = [
  { abi: 'x32', nr: 39, note: 'x32 getpid' },
  { abi: 'x32', nr: 41, args: [17n, 3n, 0n], note: 'x32 socket(AF_PACKET)' },
  { abi: 'x32', nr: 41, args: [1n, 1n, 0n], note: 'x32 socket(AF_UNIX)' },
  { abi: 'x32', nr: 9, args: [0n, 4096n, 6n, 0x22n, 0xffffffffn, 0n], note: 'x32 mmap(W|X)' },
  { abi: 'x32', nr: 135, args: [0xffffffffn], note: 'x32 personality' },
  { abi: 'x32', nr: 169, note: 'x32 reboot' },
  { abi: 'x32', nr: 272, args: [0x04000000n], note: 'x32 unshare(CLONE_NEWUTS)' },
  { abi: 'x32', nr: 512, args: [0n, 0n, 0n, 8n], note: 'x32 rt_sigaction (x32-only number)' },
];

const I386_CALLS: Call[] = [
  { abi: 'i386', nr: 20, note: 'i386 getpid' },
  { abi: 'i386', nr: 192, args: [0n, 4096n, 6n, 0x22n, 0xffffffffn], note: 'i386 mmap2(W|X)' },
  { abi: 'i386', nr: 90, note: 'i386 old mmap' },
  { abi: 'i386', nr: 310, args: [0x04000000n], note: 'i386 unshare(CLONE_NEWUTS)' },
];

// ---------------------------------------------------------------------------------------------
// Random programs: a deterministic generator (seed from UNIT_HARDEN_SEED, else fixed).

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const GETPPID = 110;

/**
 * A valid program that leaves every syscall but getppid alone and, for getppid, computes a value
 * from the arguments with random loads, ALU operations (by K and X), scratch memory and forward
 * jumps, then returns ERRNO/TRAP(value & mask) or an ALLOW/ERRNO decision. Division by X can hit
 * zero, which ends the program with 0 (KILL_THREAD).
 */
function randomProgram(next: () => number): BpfProgram {
  const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!;
  const head: BpfInstruction[] = [asm.ldw(0), asm.jeq(GETPPID, 1, 0), asm.ret(ALLOW)];
  for (let i = 0; i < 16; i++) head.push(asm.ldImm(next()), asm.st(i));
  const n = 8 + (next() % 40);
  const epi = next() % 3;
  const epilogue: BpfInstruction[] =
    epi === 0
      ? [asm.alu(BPF.AND, 0xfff), asm.alu(BPF.OR, SECCOMP_RET.ERRNO), asm.retA()]
      : epi === 1
        ? [asm.alu(BPF.AND, 0x3ff), asm.alu(BPF.OR, SECCOMP_RET.TRAP), asm.retA()]
        : [asm.jgt(next() >>> 1, 0, 1), asm.ret(ALLOW), asm.ret((SECCOMP_RET.ERRNO | (next() % 200)) >>> 0)];
  const body: BpfInstruction[] = [];
  const aluOps = [BPF.ADD, BPF.SUB, BPF.MUL, BPF.DIV, BPF.AND, BPF.OR, BPF.XOR, BPF.LSH, BPF.RSH];
  for (let pc = 0; pc < n; pc++) {
    const left = n - pc; // jump offsets 0..left-1 land inside the body or on the epilogue's first instruction
    const kind = next() % 14;
    const jmp = (): number => next() % Math.min(left, 255);
    switch (kind) {
      case 0:
      case 1:
        body.push(asm.ldw(pick([0, 4, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60])));
        break;
      case 2:
        body.push(next() % 2 ? asm.ldImm(next()) : asm.ldxImm(next() % 2 ? next() : next() % 40));
        break;
      case 3:
        body.push(pick([asm.ldMem(next() % 16), asm.ldxMem(next() % 16), asm.st(next() % 16), asm.stx(next() % 16)]));
        break;
      case 4:
        body.push(pick([asm.tax(), asm.txa(), asm.neg(), asm.ldLen(), asm.ldxLen()]));
        break;
      case 5:
      case 6:
      case 7: {
        const op = pick(aluOps);
        const k = op === BPF.LSH || op === BPF.RSH ? next() % 32 : op === BPF.DIV ? 1 + (next() % 1000) : next();
        body.push(asm.alu(op, k));
        break;
      }
      case 8:
      case 9:
        body.push(asm.aluX(pick(aluOps)));
        break;
      case 10:
      case 11:
        body.push(I(pick([0x15, 0x25, 0x35, 0x45]), next() % 3 ? next() % 64 : next(), jmp(), jmp()));
        break;
      case 12:
        body.push(I(pick([0x1d, 0x2d, 0x3d, 0x4d]), 0, jmp(), jmp()));
        break;
      default:
        body.push(asm.ja(jmp()));
    }
  }
  return prog(...head, ...body, ...epilogue);
}

const randomArgs = (next: () => number): bigint[] =>
  Array.from({ length: 6 }, () => {
    const v = (BigInt(next()) << 32n) | BigInt(next());
    return next() % 3 === 0 ? v & 0xffn : v;
  });

/** Breaks a valid program in one of the ways the kernel's checkers look for. */
function mutate(p: BpfProgram, next: () => number): BpfProgram {
  const ins = p.instructions.slice();
  const at = next() % ins.length;
  const m = next() % 12;
  switch (m) {
    case 0:
      ins[at] = I([0x28, 0x30, 0x40, 0x48, 0x94, 0x9c, 0xb1, 0x0e, 0xff, 0x0f, 0x17, 0xc4][next() % 12]!, next() % 64);
      break;
    case 1:
      ins[at] = asm.ldw([2, 3, 62, 64, 68, 0x100, 0xfffff000, 0xfffff004, 0xfffff03c, 0xfffff040, 0xfff00000][next() % 11]!);
      break;
    case 2:
      ins[at] = I(0x15, 0, 200 + (next() % 56), 0);
      break;
    case 3:
      ins[at] = asm.ja(ins.length - at - 1 + (next() % 3));
      break;
    case 4:
      ins.pop();
      break;
    case 5:
      ins[at] = asm.alu(next() % 2 ? BPF.DIV : BPF.MOD, 0);
      break;
    case 6:
      ins[at] = asm.alu(next() % 2 ? BPF.LSH : BPF.RSH, 32 + (next() % 8));
      break;
    case 7:
      ins[at] = I([0x02, 0x03, 0x60, 0x61][next() % 4]!, 16 + (next() % 4));
      break;
    case 8:
      // Read a scratch cell the program never wrote (the generator writes all 16 up front).
      return prog(asm.ldMem(next() % 16), ...ins.slice(35));
    case 9:
      return prog(...Array.from({ length: 4095 + (next() % 2) }, () => asm.ldw(0)), asm.ret(ALLOW)); // 4096 or 4097
    case 10:
      ins[at] = I(0x07 | ((next() % 8) << 3), 0); // misc with stray bits (only tax/txa exist)
      break;
    default:
      // Leave it valid: the checker must accept it.
      break;
  }
  return prog(...ins);
}

// ---------------------------------------------------------------------------------------------

describe('emulator vs the running kernel', { timeout: 600_000, skip: !g.run && !IN_CI ? `kernel test skipped: ${g.run ? '' : g.reason}` : false }, () => {
  let runner = '';
  let seccompOk = false;
  let seccompReason = '';
  let int80 = false;

  before(async () => {
    if (!g.run) assert.fail(`CI=true but ${g.reason}`);
    // Every helper run below has its own timeout (runCases) and every child a 10 s alarm.
    runner = g.runner;
    const probe = await runCases(runner, [prog(asm.ret(ALLOW))], [
      { id: 'attach', programs: [0], abi: 'none', nr: 0 },
      { id: 'int80', programs: [], abi: 'i386', nr: 20 },
    ]);
    seccompOk = probe[0]!.loaded === 1;
    seccompReason = `seccomp(SECCOMP_SET_MODE_FILTER) failed with errno ${probe[0]!.loadErrno}`;
    int80 = probe[1]!.kind === 'returned';
  });

  it('runs systemd-like libseccomp programs exactly as the kernel does (x86-64 and x32 calls)', async (t) => {
    if (!need(t, seccompOk, seccompReason) || !need(t, lib.ok, lib.ok ? '' : lib.reason)) return;
    const programs = [...exportPrograms(SPECS), ERRNO_FFFF];
    const pre = Array.from({ length: 13 }, (_, i) => i);
    const chains = {
      resolvedLike: [...pre, 13, 14, 15, 18], // with the SystemCallArchitectures=native filter
      noArch: [...pre, 14, 15, 18],
      errnoZero: [16],
      alone15: [15],
    };
    const { checked, problems, results } = await checkCalls(runner, programs, chains, [...X64_CALLS, ...X32_CALLS]);
    t.diagnostic(`${checked} calls checked against kernel ${os.release()}`);
    assert.deepEqual(problems, []);
    // Spot checks that the cases exercise what they claim to.
    const idx = (note: string): number => [...X64_CALLS, ...X32_CALLS].findIndex((c) => c.note === note);
    assert.equal(results.get(`noArch-${idx('socket(AF_PACKET)')}`)!.errno, EAFNOSUPPORT);
    assert.equal(results.get(`noArch-${idx('socket(AF_UNIX with a high word)')}`)!.errno, EAFNOSUPPORT);
    assert.equal(results.get(`base-${idx('socket(AF_UNIX with a high word)')}`)!.errno, undefined);
    assert.equal(results.get(`noArch-${idx('reboot(bad magic)')}`)!.signal, SIGSYS);
    assert.equal(results.get(`noArch-${idx('getuid')}`)!.kind, 'trap');
    assert.equal(results.get(`noArch-${idx('getegid')}`)!.errno, 4095);
    assert.equal(results.get(`errnoZero-${idx('getppid')}`)!.ret, '0');
    // x32 calls reach the filters with X32_SYSCALL_BIT even though this kernel may lack x32:
    assert.equal(results.get(`noArch-${idx('x32 socket(AF_PACKET)')}`)!.errno, EAFNOSUPPORT);
    assert.equal(results.get(`noArch-${idx('x32 mmap(W|X)')}`)!.errno, EPERM);
    assert.equal(results.get(`resolvedLike-${idx('x32 getpid')}`)!.signal, SIGSYS);
    const x32Supported = results.get(`base-${idx('x32 getpid')}`)!.errno !== ENOSYS;
    t.diagnostic(`x32 system calls ${x32Supported ? 'are' : 'are not'} implemented by this kernel (CONFIG_X86_X32_ABI)`);
  });

  it('checks i386 calls made with int $0x80, when the kernel has IA32 emulation', async (t) => {
    if (!need(t, seccompOk, seccompReason) || !need(t, lib.ok, lib.ok ? '' : lib.reason)) return;
    if (!int80) {
      // A kernel property, not a missing tool: skip even under CI, but still check the emulator's view.
      const programs = exportPrograms(SPECS);
      const chain = [...Array.from({ length: 13 }, (_, i) => i), 13].map((i) => programs[i]!);
      assert.equal(predict(chain, I386_CALLS[0]!), SECCOMP_RET.KILL_THREAD, 'the native-only arch filter kills i386 calls');
      t.skip('int $0x80 faults here (IA32 emulation disabled or unavailable): i386 calls cannot be made');
      return;
    }
    const programs = exportPrograms(SPECS);
    const pre = Array.from({ length: 13 }, (_, i) => i);
    const { problems } = await checkCalls(runner, programs, { resolvedLike: [...pre, 13, 14, 15], noArch: [...pre, 14, 15] }, I386_CALLS);
    assert.deepEqual(problems, []);
  });

  it('agrees on random programs: loads, ALU by K and X, scratch memory, jumps, ret A, division by zero', async (t) => {
    if (!need(t, seccompOk, seccompReason)) return;
    const seed = Number(process.env.UNIT_HARDEN_SEED ?? 0x5eccc0de);
    const next = rng(seed);
    const programs: BpfProgram[] = [];
    const cases: RunCase[] = [];
    const calls: Call[] = [];
    for (let i = 0; i < 240; i++) {
      const p = randomProgram(next);
      assert.ok(checkFilter(p).ok);
      programs.push(p);
    }
    // Each program alone, then chains of three (precedence between random results).
    const chains: number[][] = programs.map((_, i) => [i]);
    for (let i = 0; i < 60; i++) chains.push([next() % programs.length, next() % programs.length, next() % programs.length]);
    chains.forEach((ch, i) => {
      const c: Call = { abi: 'x64', nr: GETPPID, args: randomArgs(next) };
      calls.push(c);
      cases.push({ id: `r${i}`, programs: ch, abi: 'x64', nr: c.nr, args: c.args });
    });
    cases.push({ id: 'base', programs: [], abi: 'x64', nr: GETPPID });
    const results = await runCases(runner, programs, cases);
    const base = results[results.length - 1]!;
    const problems: string[] = [];
    const seen = new Set<string>();
    chains.forEach((ch, i) => {
      const c = calls[i]!;
      const ret = predict(
        ch.map((j) => programs[j]!),
        c,
      );
      seen.add(decodeAction(ret).kind);
      const p = mismatch(ret, c, results[i]!, base);
      if (p) problems.push(`seed ${seed} case ${i} [${ch.join(',')}]: ${p}`);
    });
    t.diagnostic(`${chains.length} random chains, seed ${seed}; actions seen: ${[...seen].sort().join(', ')}`);
    assert.deepEqual(problems.slice(0, 10), []);
    assert.ok(seen.has('errno') && seen.has('trap') && seen.has('allow'), 'the generator should reach errno, trap and allow');
  });

  it('checkFilter refuses exactly what seccomp() refuses (EINVAL)', async (t) => {
    if (!need(t, seccompOk, seccompReason)) return;
    const seed = Number(process.env.UNIT_HARDEN_SEED ?? 0xf11e5);
    const next = rng(seed);
    const programs: BpfProgram[] = [prog()]; // length 0
    for (let i = 0; i < 300; i++) programs.push(mutate(randomProgram(next), next));
    const results = await runCases(
      runner,
      programs,
      programs.map((_, i) => ({ id: `m${i}`, programs: [i], abi: 'none', nr: 0 })),
    );
    const problems: string[] = [];
    let refusedCount = 0;
    programs.forEach((p, i) => {
      const c = checkFilter(p);
      const r = results[i]!;
      const kernelAccepts = r.loaded === 1;
      if (!c.ok) refusedCount++;
      if (c.ok !== kernelAccepts) problems.push(`program ${i}: checkFilter ${c.ok ? 'accepts' : `refuses (${c.error.stage}: ${c.error.reason})`}, kernel ${kernelAccepts ? 'accepts' : `errno ${r.loadErrno}`}`);
      if (!kernelAccepts && r.loadErrno !== 22) problems.push(`program ${i}: expected EINVAL, got ${r.loadErrno}`);
    });
    t.diagnostic(`${programs.length} programs (seed ${seed}), ${refusedCount} refused`);
    assert.deepEqual(problems.slice(0, 10), []);
    assert.ok(refusedCount > 100 && refusedCount < programs.length, 'the mutations should produce both outcomes');
  });

  it('enforces MAX_INSNS_PER_PATH on converted (eBPF) lengths, exactly as chainLimits() computes it', async (t) => {
    if (!need(t, seccompOk, seccompReason)) return;
    const big = (n: number): BpfProgram => prog(...Array.from({ length: n - 1 }, () => asm.ldw(0)), asm.ret(ALLOW));
    // Chains whose last attach lands exactly on the limit, and one instruction over it: 7 maximal
    // filters, then chains of one random program repeated, closed by a filler of the right size.
    const next = rng(Number(process.env.UNIT_HARDEN_SEED ?? 0x11a17));
    const programs: BpfProgram[] = [big(4096)];
    const chains: { name: string; idx: number[]; fits: boolean }[] = [];
    const close = (name: string, head: number[]): void => {
      const used = chainLimits(head.map((i) => programs[i]!)).pathTotal;
      const n = 32768 - used - 4; // classic length of a filler whose eBPF length is exactly what is left
      assert.ok(n >= 1 && n <= 4096, `${name}: filler ${n}`);
      programs.push(big(n), big(n + 1));
      chains.push({ name: `${name}-fits`, idx: [...head, programs.length - 2], fits: true });
      chains.push({ name: `${name}-over`, idx: [...head, programs.length - 1], fits: false });
    };
    close('max', [0, 0, 0, 0, 0, 0, 0]);
    for (let r = 0; r < 12; r++) {
      const p = randomProgram(next);
      programs.push(p);
      const e = chainLimits([p]).pathTotal;
      const copies = Math.floor((32768 - 4100) / e) + 1;
      close(`random${r}`, Array.from({ length: copies }, () => programs.length - 1));
    }
    const res = await runCases(
      runner,
      programs,
      chains.map((c) => ({ id: c.name, programs: c.idx, abi: 'none', nr: 0 })),
    );
    const problems: string[] = [];
    chains.forEach((c, i) => {
      const lim = chainLimits(c.idx.map((j) => programs[j]!));
      const last = c.idx.length - 1;
      assert.equal(lim.attachTotals[last], c.fits ? 32768 : 32769);
      assert.equal(lim.firstOverPath, c.fits ? undefined : last);
      const r = res[i]!;
      const ok = c.fits ? r.loaded === c.idx.length : r.loaded === last && r.loadErrno === 12;
      if (!ok) problems.push(`${c.name} (${c.idx.length} filters, classic Σ(len+4) ${lim.classicPathTotal}): kernel ${JSON.stringify(r)}`);
    });
    const max = chainLimits(chains[0]!.idx.map((j) => programs[j]!));
    t.diagnostic(`limit reached at eBPF Σ = 32768 (classic Σ(len+4) = ${max.classicPathTotal} for the 7×4096 chain); ${chains.length} chains checked`);
    assert.deepEqual(problems, []);
  });

  it('lets uretprobe/uprobe through on kernels with the seccomp exception, as the cost model says', async (t) => {
    if (!need(t, seccompOk, seccompReason) || !need(t, lib.ok, lib.ok ? '' : lib.reason)) return;
    const programs = exportPrograms([SPECS[17]!]);
    const kernel = parseKernelVersion(os.release())!;
    const host = cacheHostFor('x86-64', kernel);
    const model = createCostModel(programs, { kernel });
    const res = await runCases(runner, programs, [
      { id: 'uretprobe', programs: [0], abi: 'x64', nr: 335 },
      { id: 'uprobe', programs: [0], abi: 'x64', nr: 336 },
      { id: 'uretprobe-base', programs: [], abi: 'x64', nr: 335 },
      { id: 'uprobe-base', programs: [], abi: 'x64', nr: 336 },
    ]);
    for (const [i, nr] of [
      [0, 335],
      [1, 336],
    ] as const) {
      const c = model.number(nr, 'x86-64');
      assert.equal(predict(programs, { abi: 'x64', nr }), (SECCOMP_RET.ERRNO | 77) >>> 0, 'the BPF itself refuses them');
      const passthrough = host?.passthrough.includes(nr) ?? false;
      assert.equal(c.cached, passthrough);
      const got = res[i]!;
      const base = res[i + 2]!;
      t.diagnostic(`nr ${nr} on ${os.release()}: model ${passthrough ? 'passthrough' : 'filtered'}; kernel ${JSON.stringify(got)}; unfiltered ${JSON.stringify(base)}`);
      if (passthrough) {
        assert.equal(got.kind, base.kind);
        assert.equal(got.errno, base.errno);
        assert.equal(got.signal, base.signal);
      } else if (base.errno === ENOSYS) {
        // A kernel without the syscall still runs the filter first.
        assert.equal(got.errno, 77);
      } else {
        assert.equal(got.errno, 77);
      }
    }
    assert.ok(isAllowingRet(ALLOW));
  });
});
