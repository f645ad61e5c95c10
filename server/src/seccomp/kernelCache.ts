/**
 * Our port of the kernel's seccomp constant-action cache (kernel/seccomp.c, Linux ≥ 5.11:
 * seccomp_is_const_allow(), seccomp_cache_prepare_bitmap(), seccomp_cache_check_allow()): which
 * (ABI, syscall number) pairs the kernel allows without running any BPF, and, for the others,
 * which filter (oldest first) made the syscall uncacheable and why.
 */

import { ABIS, X32_SYSCALL_BIT, type AbiName } from './abi';
import type { BpfProgram } from './filterTypes';
import { SECCOMP_RET, compile, describeWord, formatRet, type CheckError, type CompiledProgram, type Endian } from './emulator';

// ---------------------------------------------------------------------------------------------
// Kernel versions.

export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
  /** Stable patch level (the third number); 0 when not given. */
  readonly patch: number;
}

/** Parses '6.1', '5.10.0-23-amd64', '6.18.44-fc'; undefined if there is no `major.minor`. */
export function parseKernelVersion(v: string | KernelVersion | undefined): KernelVersion | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return v;
  const m = /^\s*v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: m[3] ? Number(m[3]) : 0 };
}

export function kernelAtLeast(v: KernelVersion, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

/** The constant-action cache ("seccomp/cache" by YiFei Zhu and Kees Cook) was merged for 5.11. */
export function kernelHasCache(v: KernelVersion): boolean {
  return kernelAtLeast(v, 5, 11);
}

/**
 * NR_syscalls of the unified syscall numbering (every architecture shares the numbers from 424 up,
 * so x86-64's NR_syscalls, i386's IA32_NR_syscalls and arm64's __NR_syscalls/__NR_compat_syscalls
 * agree for the kernels that have the cache). Each entry is the first kernel with a new highest
 * number: 5.11 epoll_pwait2 (441), 5.12 mount_setattr, 5.13 quotactl_fd + landlock_*, 5.14
 * memfd_secret, 5.15 process_mrelease, 5.16 futex_waitv, 5.17 set_mempolicy_home_node, 6.5
 * cachestat, 6.6 fchmodat2 + map_shadow_stack, 6.7 futex_wake/wait/requeue, 6.8 statmount,
 * listmount, lsm_*, 6.10 mseal, 6.13 {set,get,list,remove}xattrat, 6.15 open_tree_attr, 6.17
 * file_getattr/file_setattr (469). Checked on this project's 6.18 machine: syscall 469 exists,
 * 470 and up return ENOSYS. On x86-64 the value comes from the generated asm/unistd_64.h
 * (`__NR_syscalls`, max number + 1; x32's 512… entries are not counted).
 */
const NR_SYSCALLS: readonly (readonly [major: number, minor: number, nr: number])[] = [
  [5, 11, 442],
  [5, 12, 443],
  [5, 13, 447],
  [5, 14, 448],
  [5, 15, 449],
  [5, 16, 450],
  [5, 17, 451],
  [6, 5, 452],
  [6, 6, 454],
  [6, 7, 457],
  [6, 8, 462],
  [6, 10, 463],
  [6, 13, 467],
  [6, 15, 468],
  [6, 17, 470],
];

/**
 * NR_syscalls for a kernel (the bitmap size SECCOMP_ARCH_NATIVE_NR / SECCOMP_ARCH_COMPAT_NR); for
 * kernels newer than the table the last value is used (pass an explicit limit to override).
 */
export function nrSyscalls(v: KernelVersion): number {
  let nr = NR_SYSCALLS[0]![2];
  for (const [maj, min, n] of NR_SYSCALLS) if (kernelAtLeast(v, maj, min)) nr = n;
  return nr;
}

// ---------------------------------------------------------------------------------------------
// Hosts.

export interface CacheArch {
  readonly abi: AbiName;
  /** SECCOMP_ARCH_NATIVE / SECCOMP_ARCH_COMPAT: the AUDIT_ARCH_* the bitmap is for. */
  readonly auditArch: number;
  /** Bitmap size: numbers 0..nrLimit-1 can be cached. */
  readonly nrLimit: number;
}

/** What a kernel built for one architecture caches (arch/<arch>/include/asm/seccomp.h). */
export interface CacheHost {
  readonly native: CacheArch;
  readonly compat?: CacheArch;
  /**
   * Native numbers seccomp_is_const_allow() reports as allowed before looking at the filter:
   * uretprobe (x86-64 335; kernel 6.14, and 6.12.14+/6.13.3+ via stable: commit cf6cb56ef244
   * "seccomp: passthrough uretprobe systemcall without filtering") and uprobe (x86-64 336; 6.17,
   * "seccomp: passthrough uprobe systemcall without filtering"). Their bit stays set in every
   * filter's bitmap, so the kernel never runs BPF for them. Checked on 6.18: both reach the kernel
   * through a filter that returns ERRNO for them.
   */
  readonly passthrough: readonly number[];
}

export interface CacheHostOptions {
  /** Override NR_syscalls of the native ABI. */
  readonly nrLimit?: number;
  /** Override the compat bitmap size (IA32_NR_syscalls on x86-64). */
  readonly compatNrLimit?: number;
  /** Override the passthrough numbers. */
  readonly passthrough?: readonly number[];
}

// Which systemd ABI is native/compat for each architecture that defines SECCOMP_ARCH_NATIVE
// (all added for 5.11 by the "Enable seccomp architecture tracking" commits; loongarch64 arrived
// with the port in 5.19; mips never defined it). ppc64-le's compat ABI is little-endian ppc,
// which systemd has no name for, so it is left out.
const HOST_CACHE_ABIS: Partial<Record<AbiName, { native: AbiName; compat?: AbiName; since?: [number, number] }>> = {
  'x86-64': { native: 'x86-64', compat: 'x86' },
  x86: { native: 'x86' },
  arm64: { native: 'arm64', compat: 'arm' },
  arm: { native: 'arm' },
  riscv64: { native: 'riscv64' },
  s390x: { native: 's390x', compat: 's390' },
  ppc64: { native: 'ppc64', compat: 'ppc' },
  'ppc64-le': { native: 'ppc64-le' },
  parisc64: { native: 'parisc64', compat: 'parisc' },
  loongarch64: { native: 'loongarch64', since: [5, 19] },
};

/**
 * The cache a kernel of version `kernel` running on `host` keeps, or undefined when it keeps none
 * (kernel < 5.11, or an architecture without SECCOMP_ARCH_NATIVE, e.g. mips). x32 is never cached:
 * its calls carry AUDIT_ARCH_X86_64 with X32_SYSCALL_BIT set, beyond the native bitmap.
 */
export function cacheHostFor(host: AbiName, kernel: KernelVersion | string, opts: CacheHostOptions = {}): CacheHost | undefined {
  const v = parseKernelVersion(kernel);
  if (!v || !kernelHasCache(v)) return undefined;
  const h = HOST_CACHE_ABIS[host];
  if (!h) return undefined;
  if (h.since && !kernelAtLeast(v, h.since[0], h.since[1])) return undefined;
  const nr = nrSyscalls(v);
  const passthrough: number[] = [];
  if (host === 'x86-64') {
    const uretprobe =
      kernelAtLeast(v, 6, 14) || (v.major === 6 && v.minor === 12 && v.patch >= 14) || (v.major === 6 && v.minor === 13 && v.patch >= 3);
    if (uretprobe) passthrough.push(335);
    if (kernelAtLeast(v, 6, 17)) passthrough.push(336);
  }
  const native: CacheArch = { abi: h.native, auditArch: ABIS[h.native].auditArch, nrLimit: opts.nrLimit ?? nr };
  const compat: CacheArch | undefined = h.compat
    ? { abi: h.compat, auditArch: ABIS[h.compat].auditArch, nrLimit: opts.compatNrLimit ?? opts.nrLimit ?? nr }
    : undefined;
  return compat
    ? { native, compat, passthrough: opts.passthrough ?? passthrough }
    : { native, passthrough: opts.passthrough ?? passthrough };
}

// ---------------------------------------------------------------------------------------------
// seccomp_is_const_allow()

/** Why one filter is not a constant ALLOW for one (arch, nr). */
export type NotConstReason =
  /** It loads an argument word (`ld [16 + 8·arg (+4)]`). */
  | { readonly kind: 'loads-arg'; readonly pc: number; readonly arg: number; readonly half: 'lo' | 'hi' }
  /** It loads the instruction pointer. */
  | { readonly kind: 'loads-ip'; readonly pc: number }
  /** It reaches a constant return other than SECCOMP_RET_ALLOW (LOG counts here too). */
  | { readonly kind: 'returns'; readonly pc: number; readonly ret: number }
  /** An instruction the cache emulator does not model (ld #k, tax, ret a, alu other than `and #k`, jumps on X, scratch memory…). */
  | { readonly kind: 'instruction'; readonly pc: number; readonly code: number }
  /** The kernel would refuse the program altogether. */
  | { readonly kind: 'invalid'; readonly error: CheckError };

export type ConstAllowResult = { readonly allow: true; readonly passthrough?: boolean } | { readonly allow: false; readonly reason: NotConstReason };

const ALLOW: ConstAllowResult = { allow: true };

/**
 * seccomp_is_const_allow() for one compiled program: emulate with only nr and arch known. Any
 * other load, any instruction outside {ld nr/arch, jeq/jge/jgt/jset #k, ja, and #k, ret #k}, and any
 * return other than ALLOW make the answer "not constant ALLOW".
 */
export function constAllowCompiled(p: CompiledProgram, arch: number, nr: number, endian: Endian = 'little'): ConstAllowResult {
  const pc = constAllowPc(p, arch, nr);
  if (pc < 0) return ALLOW;
  const c = p.code[pc]!;
  const kk = p.k[pc]!;
  if (c === 0x20) {
    const w = describeWord(kk >>> 2, endian);
    return { allow: false, reason: w.field === 'arg' ? { kind: 'loads-arg', pc, arg: w.arg!, half: w.half! } : { kind: 'loads-ip', pc } };
  }
  if (c === 0x06) return { allow: false, reason: { kind: 'returns', pc, ret: kk } };
  return { allow: false, reason: { kind: 'instruction', pc, code: c } };
}

/**
 * The allocation-free core of seccomp_is_const_allow(): -1 when the program is a constant ALLOW
 * for (arch, nr), otherwise the pc of the instruction that makes it not one.
 */
export function constAllowPc(p: CompiledProgram, arch: number, nr: number): number {
  const { code, jt, jf, k, length } = p;
  const nrU = nr >>> 0;
  const archU = arch >>> 0;
  let reg = 0;
  for (let pc = 0; pc < length; pc++) {
    const c = code[pc]!;
    const kk = k[pc]!;
    switch (c) {
      case 0x20: // BPF_LD | BPF_W | BPF_ABS: only nr and arch are constants
        if (kk === 0) reg = nrU;
        else if (kk === 4) reg = archU;
        else return pc;
        break;
      case 0x06: // BPF_RET | BPF_K: "reached return with constant values only, check allow"
        return kk === SECCOMP_RET.ALLOW ? -1 : pc;
      case 0x05: // BPF_JMP | BPF_JA
        pc += kk;
        break;
      case 0x15: // jeq #k
        pc += reg === kk ? jt[pc]! : jf[pc]!;
        break;
      case 0x35: // jge #k
        pc += reg >= kk ? jt[pc]! : jf[pc]!;
        break;
      case 0x25: // jgt #k
        pc += reg > kk ? jt[pc]! : jf[pc]!;
        break;
      case 0x45: // jset #k
        pc += (reg & kk) !== 0 ? jt[pc]! : jf[pc]!;
        break;
      case 0x54: // BPF_ALU | BPF_AND | BPF_K
        reg = (reg & kk) >>> 0;
        break;
      default:
        // "can't optimize (unknown insn)"
        return pc;
    }
  }
  // "ran off the end of the filter?!" — impossible for checked programs (last insn is a ret).
  return Math.max(0, length - 1);
}

/** seccomp_is_const_allow() for one program (with the passthrough numbers of `host` on its native ABI). */
export function constAllow(p: BpfProgram, arch: number, nr: number, host?: CacheHost, endian: Endian = 'little'): ConstAllowResult {
  if (host && (arch >>> 0) === host.native.auditArch && host.passthrough.includes(nr)) return { allow: true, passthrough: true };
  const c = compile(p);
  if (!c.ok) return { allow: false, reason: { kind: 'invalid', error: c.error } };
  return constAllowCompiled(c.program, arch, nr, endian);
}

/** One line for a hover: why the filter is not a constant ALLOW. */
export function describeNotConst(r: NotConstReason): string {
  switch (r.kind) {
    case 'loads-arg':
      return `checks argument ${r.arg} (${r.half === 'hi' ? 'upper' : 'lower'} 32 bits, instruction ${r.pc})`;
    case 'loads-ip':
      return `checks the instruction pointer (instruction ${r.pc})`;
    case 'returns':
      return `returns ${formatRet(r.ret)} (instruction ${r.pc})`;
    case 'instruction':
      return `uses instruction 0x${r.code.toString(16)} the cache cannot evaluate (instruction ${r.pc})`;
    case 'invalid':
      return `would be refused by the kernel: ${r.error.reason}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Bitmaps.

/** A fixed-size set of syscall numbers 0..size-1, packed like the kernel's DECLARE_BITMAP. */
export class SyscallBitmap {
  readonly words: Uint32Array;
  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }
  has(nr: number): boolean {
    return Number.isInteger(nr) && nr >= 0 && nr < this.size && (this.words[nr >>> 5]! & (1 << (nr & 31))) !== 0;
  }
  set(nr: number): void {
    this.words[nr >>> 5] = this.words[nr >>> 5]! | (1 << (nr & 31));
  }
  clear(nr: number): void {
    this.words[nr >>> 5] = this.words[nr >>> 5]! & ~(1 << (nr & 31));
  }
  /** Number of set bits. */
  count(): number {
    let n = 0;
    for (let i = 0; i < this.size; i++) if (this.has(i)) n++;
    return n;
  }
  /** The set numbers, ascending. */
  numbers(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.has(i)) out.push(i);
    return out;
  }
}

export interface ArchCache {
  readonly arch: CacheArch;
  /** Bit set = the whole chain is a constant ALLOW for that number (the newest filter's bitmap). */
  readonly allowed: SyscallBitmap;
  /**
   * For every number whose bit is clear: the first filter, oldest → newest, that cleared it (as
   * seccomp_cache_prepare_bitmap() runs at each attach), and why. -1 = set.
   */
  readonly firstBlocker: Int16Array;
}

export interface ChainCache {
  readonly host: CacheHost;
  readonly native: ArchCache;
  readonly compat?: ArchCache;
}

const constColumns = new WeakMap<CompiledProgram, Map<string, Uint8Array>>();

/**
 * seccomp_is_const_allow() of one program for every number below `nrLimit` (1 = constant ALLOW),
 * memoised per compiled program, so a chain rebuilt after an edit only evaluates changed filters.
 */
export function constAllowColumn(p: CompiledProgram, arch: number, nrLimit: number): Uint8Array {
  let m = constColumns.get(p);
  if (!m) {
    m = new Map();
    constColumns.set(p, m);
  }
  const key = `${arch >>> 0}:${nrLimit}`;
  let col = m.get(key);
  if (!col) {
    col = new Uint8Array(nrLimit);
    for (let nr = 0; nr < nrLimit; nr++) col[nr] = constAllowPc(p, arch, nr) < 0 ? 1 : 0;
    m.set(key, col);
  }
  return col;
}

function prepareArch(chain: readonly BpfProgram[], host: CacheHost, arch: CacheArch): ArchCache {
  const allowed = new SyscallBitmap(arch.nrLimit);
  const firstBlocker = new Int16Array(arch.nrLimit).fill(-1);
  // "Before any filters, all syscalls are always allowed." (bitmap_fill)
  for (let nr = 0; nr < arch.nrLimit; nr++) allowed.set(nr);
  const passthrough = arch === host.native ? host.passthrough : [];
  chain.forEach((p, i) => {
    const c = compile(p);
    const col = c.ok ? constAllowColumn(c.program, arch.auditArch, arch.nrLimit) : undefined;
    for (let nr = 0; nr < arch.nrLimit; nr++) {
      if (!allowed.has(nr)) continue; // "No bitmap change: not a cacheable action."
      if (col?.[nr] || passthrough.includes(nr)) continue; // "No bitmap change: continue to always allow."
      allowed.clear(nr);
      firstBlocker[nr] = i;
    }
  });
  return { arch, allowed, firstBlocker };
}

/**
 * The bitmaps the kernel would hold for the newest filter after attaching `chain` (index 0 =
 * oldest) in order: seccomp_cache_prepare() on each attach, each bitmap the previous one ANDed with
 * the new filter's constant-ALLOW set, for the native and (if any) compat arch.
 */
export function cacheBitmap(chain: readonly BpfProgram[], host: CacheHost): ChainCache {
  const native = prepareArch(chain, host, host.native);
  const compat = host.compat ? prepareArch(chain, host, host.compat) : undefined;
  return compat ? { host, native, compat } : { host, native };
}

/** The kernel's view of a call: which AUDIT_ARCH and number it reports for `abi` (x32 keeps its bit). */
export function callIdentity(abi: AbiName, nr: number): { arch: number; nr: number } {
  return { arch: ABIS[abi].auditArch, nr: abi === 'x32' ? (nr | X32_SYSCALL_BIT) >>> 0 : nr };
}

export type CacheVerdict =
  | { readonly cached: true; readonly passthrough: boolean }
  | {
      readonly cached: false;
      /**
       * `no-cache`: no cache for this kernel/host; `other-arch`: arch is neither native nor compat;
       * `out-of-range`: the number is outside the bitmap (every x32 call, -1, new syscalls);
       * `filter`: a filter is not a constant ALLOW (see `filter` and `reason`).
       */
      readonly why: 'no-cache' | 'other-arch' | 'out-of-range' | 'filter';
      readonly filter?: number;
      readonly reason?: NotConstReason;
    };

/**
 * seccomp_cache_check_allow() for a call from `abi` with number `nr` (x32 numbers with or without
 * X32_SYSCALL_BIT), plus the reason when the kernel has to run the chain.
 */
export function cacheVerdict(cache: ChainCache | undefined, chain: readonly BpfProgram[], abi: AbiName, nr: number, endian: Endian = 'little'): CacheVerdict {
  if (!cache) return { cached: false, why: 'no-cache' };
  const id = callIdentity(abi, nr);
  const ac =
    id.arch === cache.native.arch.auditArch ? cache.native : cache.compat && id.arch === cache.compat.arch.auditArch ? cache.compat : undefined;
  if (!ac) return { cached: false, why: 'other-arch' };
  const n = id.nr | 0;
  if (n < 0 || n >= ac.arch.nrLimit) return { cached: false, why: 'out-of-range' };
  if (ac.allowed.has(n)) return { cached: true, passthrough: ac === cache.native && cache.host.passthrough.includes(n) };
  const filter = ac.firstBlocker[n]!;
  const r = constAllow(chain[filter]!, ac.arch.auditArch, n, undefined, endian);
  return { cached: false, why: 'filter', filter, reason: r.allow ? undefined : r.reason };
}

/** Whether the kernel skips the chain for this call (convenience over cacheBitmap + cacheVerdict). */
export function isCached(chain: readonly BpfProgram[], host: CacheHost | undefined, abi: AbiName, nr: number): boolean {
  if (!host) return false;
  return cacheVerdict(cacheBitmap(chain, host), chain, abi, nr).cached;
}
