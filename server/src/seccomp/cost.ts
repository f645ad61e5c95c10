/**
 * What a chain of seccomp filters costs the kernel per system call: BPF instructions executed per
 * filter and in total, program calls, whether the constant-action cache (kernel ≥ 5.11) skips the
 * chain, which filters make an allowed syscall uncacheable, and the kernel's size limits
 * (BPF_MAXINSNS, MAX_INSNS_PER_PATH). Everything is precomputed once per (chain, calling ABI).
 */

import { ABIS, HOST_BUILDS, X32_SYSCALL_BIT, type AbiName } from './abi';
import type { Action, BpfProgram } from './filterTypes';
import {
  BPF_MAXINSNS,
  MAX_INSNS_PER_PATH,
  SECCOMP_RET,
  alu,
  SECCOMP_RET_ACTION_FULL,
  actionOnly,
  compile,
  decodeAction,
  ebpfLength,
  isAllowingRet,
  runCompiledInto,
  seccompWords,
  type CheckError,
  type CompiledProgram,
  type Endian,
  type RunOutcome,
} from './emulator';
import {
  cacheBitmap,
  cacheHostFor,
  cacheVerdict,
  constAllowCompiled,
  parseKernelVersion,
  type CacheHost,
  type CacheVerdict,
  type ArchCache,
  type ChainCache,
  type KernelVersion,
  type NotConstReason,
} from './kernelCache';
import { DEFAULT_LIBSECCOMP, LIBSECCOMP_VERSIONS, allSyscallNames, directSyscallNumber, syscallName, type LibseccompVersion } from './syscalls';

// ---------------------------------------------------------------------------------------------
// Path analysis: cost and outcomes of one program for one (arch, nr) over all argument values.

/**
 * An abstract 32-bit value: every u32 in [lo, hi] except those in `ne`; a constant when lo === hi.
 * `src` is the seccomp_data word it was loaded from and not modified since (-1 otherwise), so a
 * comparison on it also narrows that word for later re-loads (libseccomp reloads an argument for
 * each rule it tests).
 */
interface AV {
  readonly lo: number;
  readonly hi: number;
  readonly ne: readonly number[];
  readonly src: number;
}

const TOP_LO = 0;
const TOP_HI = 0xffffffff;
const constAV = (v: number, src = -1): AV => ({ lo: v >>> 0, hi: v >>> 0, ne: [], src });
const isConst = (a: AV): boolean => a.lo === a.hi;

/** Normalises (drops exclusions outside the range, tightens the ends); null if nothing remains. */
function norm(lo: number, hi: number, ne: readonly number[], src: number): AV | null {
  let n = ne.filter((v) => v >= lo && v <= hi);
  while (lo <= hi && n.includes(lo)) lo++;
  while (hi >= lo && n.includes(hi)) hi--;
  if (lo > hi) return null;
  n = n.filter((v) => v > lo && v < hi);
  if (lo === hi) return { lo, hi, ne: [], src };
  return { lo, hi, ne: n.sort((a, b) => a - b), src };
}

/** Narrows `a` by the outcome of `jxx #k` (op = BPF_OP), or null when that outcome is impossible. */
function narrow(a: AV, op: number, k: number, taken: boolean): AV | null {
  switch (op) {
    case 0x10: // jeq
      if (taken) return k >= a.lo && k <= a.hi && !a.ne.includes(k) ? constAV(k, a.src) : null;
      return isConst(a) && a.lo === k ? null : norm(a.lo, a.hi, [...a.ne, k], a.src);
    case 0x20: // jgt
      return taken ? (a.hi > k ? norm(Math.max(a.lo, k + 1), a.hi, a.ne, a.src) : null) : a.lo <= k ? norm(a.lo, Math.min(a.hi, k), a.ne, a.src) : null;
    case 0x30: // jge
      return taken ? (a.hi >= k ? norm(Math.max(a.lo, k), a.hi, a.ne, a.src) : null) : a.lo < k ? norm(a.lo, Math.min(a.hi, k - 1), a.ne, a.src) : null;
    default: {
      // jset: only decided for constants; otherwise both outcomes are kept (sound, not exact)
      if (isConst(a)) return ((a.lo & k) !== 0) === taken ? a : null;
      if (taken) {
        if (k === 0) return null;
        const lowBit = (k & -k) >>> 0;
        return a.hi < lowBit ? null : a;
      }
      return a;
    }
  }
}

interface PathState {
  A: AV;
  X: AV;
  mem: AV[];
  /** What is known about each seccomp_data word (index = offset / 4). */
  words: AV[];
}

export interface PathSummary {
  /** Fewest and most instructions any argument values can make the program execute. */
  readonly min: number;
  readonly max: number;
  /** Every return value some arguments can produce (u32), ascending. */
  readonly outcomes: readonly number[];
  /** A `ret a` whose value depends on the arguments was reachable. */
  readonly unknownRet: boolean;
  /** The exploration budget ran out; min/max/outcomes come from a cruder control-flow bound. */
  readonly approximate: boolean;
}

/** Most path segments explored per (program, nr) before falling back to a control-flow bound. */
const PATH_BUDGET = 20_000;

/** Cost and outcomes of the rest of a program from some point (instructions counted from there). */
interface Suffix {
  readonly min: number;
  readonly max: number;
  readonly outcomes: ReadonlySet<number>;
  readonly unknownRet: boolean;
}

/**
 * Explores every feasible path of a checked program when only nr and arch are known, tracking
 * ranges of the loaded words. Exact for libseccomp's programs (compare-and-branch on loaded words);
 * for arbitrary ALU chains it stays sound but may include paths no argument can take.
 */
export function analyzePaths(p: CompiledProgram, nr: number, arch: number): PathSummary {
  const { code, jt, jf, k, length } = p;
  // No memo: libseccomp's programs are trees whose joins are return blocks, so paths stay few;
  // the budget bounds pathological DAGs.
  let budget = PATH_BUDGET;
  let exhausted = false;
  const top = (src: number): AV => ({ lo: TOP_LO, hi: TOP_HI, ne: [], src });

  const clone = (s: PathState): PathState => ({ A: s.A, X: s.X, mem: s.mem.slice(), words: s.words.slice() });
  /** After narrowing a value loaded from word `src`, everything holding that word learns it too. */
  const learn = (s: PathState, v: AV): void => {
    if (v.src < 0) return;
    s.words[v.src] = v;
    if (s.A.src === v.src) s.A = v;
    if (s.X.src === v.src) s.X = v;
    for (let i = 0; i < s.mem.length; i++) if (s.mem[i]!.src === v.src) s.mem[i] = v;
  };

  const explore = (startPc: number, s: PathState): Suffix => {
    if (--budget < 0) {
      exhausted = true;
      return { min: 0, max: 0, outcomes: new Set(), unknownRet: false };
    }
    let pc = startPc;
    let steps = 0;
    let result: Suffix | undefined;
    const leaf = (ret: number | undefined): Suffix => ({
      min: steps,
      max: steps,
      outcomes: ret === undefined ? new Set() : new Set([ret >>> 0]),
      unknownRet: ret === undefined,
    });
    /** Joins two suffixes that both start after the `steps` instructions run so far. */
    const merge = (a: Suffix, b: Suffix): Suffix => ({
      min: steps + Math.min(a.min, b.min),
      max: steps + Math.max(a.max, b.max),
      outcomes: new Set([...a.outcomes, ...b.outcomes]),
      unknownRet: a.unknownRet || b.unknownRet,
    });
    while (pc < length && result === undefined) {
      const c = code[pc]!;
      const kk = k[pc]!;
      steps++;
      switch (c) {
        case 0x20: {
          const idx = kk >>> 2;
          s.A = idx === 0 ? constAV(nr, 0) : idx === 1 ? constAV(arch, 1) : { ...s.words[idx]!, src: idx };
          break;
        }
        case 0x80:
          s.A = constAV(64);
          break;
        case 0x81:
          s.X = constAV(64);
          break;
        case 0x00:
          s.A = constAV(kk);
          break;
        case 0x01:
          s.X = constAV(kk);
          break;
        case 0x60:
          s.A = s.mem[kk]!;
          break;
        case 0x61:
          s.X = s.mem[kk]!;
          break;
        case 0x02:
          s.mem[kk] = s.A;
          break;
        case 0x03:
          s.mem[kk] = s.X;
          break;
        case 0x07:
          s.X = s.A;
          break;
        case 0x87:
          s.A = s.X;
          break;
        case 0x06:
          result = leaf(kk);
          break;
        case 0x16:
          result = leaf(isConst(s.A) ? s.A.lo : undefined);
          break;
        case 0x05:
          pc += kk;
          break;
        default: {
          const cls = c & 0x07;
          const op = c & 0xf0;
          const byX = (c & 0x08) !== 0;
          const src = byX ? s.X : constAV(kk);
          if (cls === 0x04) {
            if ((op === 0x30 || op === 0x90) && byX && src.lo === 0 && !src.ne.includes(0)) {
              // Division by X == 0 returns 0 from the program; X may also be non-zero.
              if (isConst(src)) {
                result = leaf(0);
                break;
              }
              const zero = leaf(0);
              const ns = clone(s);
              const nx = narrow(src, 0x10, 0, false);
              if (!nx) {
                result = zero;
                break;
              }
              ns.X = nx;
              learn(ns, nx);
              ns.A = top(-1);
              // Both branches share the `steps` prefix: the zero branch ends here.
              result = merge({ min: 0, max: 0, outcomes: zero.outcomes, unknownRet: false }, explore(pc + 1, ns));
              break;
            }
            if (op === 0x80) s.A = isConst(s.A) ? constAV(alu(op, s.A.lo, 0)) : top(-1);
            else if (isConst(s.A) && isConst(src)) s.A = constAV(alu(op, s.A.lo, src.lo));
            else if (op === 0x50 && isConst(src)) s.A = norm(0, Math.min(s.A.hi, src.lo), [], -1) ?? constAV(0);
            else if (op === 0x70 && isConst(src)) s.A = norm(s.A.lo >>> (src.lo & 31), s.A.hi >>> (src.lo & 31), [], -1) ?? constAV(0);
            else s.A = top(-1);
          } else {
            // conditional jump
            if (isConst(s.A) && isConst(src)) {
              const a = s.A.lo;
              const b = src.lo;
              const t = op === 0x10 ? a === b : op === 0x20 ? a > b : op === 0x30 ? a >= b : (a & b) !== 0;
              pc += t ? jt[pc]! : jf[pc]!;
              break;
            }
            let tA: AV | null = s.A;
            let fA: AV | null = s.A;
            if (isConst(src)) {
              tA = narrow(s.A, op, src.lo, true);
              fA = narrow(s.A, op, src.lo, false);
            }
            if (!tA && !fA) fA = s.A; // cannot happen for a non-empty range; stay sound
            if (tA && !fA) {
              s.A = tA;
              learn(s, tA);
              pc += jt[pc]!;
              break;
            }
            if (fA && !tA) {
              s.A = fA;
              learn(s, fA);
              pc += jf[pc]!;
              break;
            }
            if (jt[pc] === jf[pc]) {
              pc += jt[pc]!;
              break;
            }
            const ts = clone(s);
            ts.A = tA!;
            learn(ts, tA!);
            const fs = clone(s);
            fs.A = fA!;
            learn(fs, fA!);
            result = merge(explore(pc + 1 + jt[pc]!, ts), explore(pc + 1 + jf[pc]!, fs));
          }
        }
      }
      pc++;
    }
    return result ?? leaf(0);
  };

  const words: AV[] = Array.from({ length: 16 }, (_, i) => (i === 0 ? constAV(nr, 0) : i === 1 ? constAV(arch, 1) : top(i)));
  const start: PathState = { A: constAV(0), X: constAV(0), mem: Array.from({ length: 16 }, () => constAV(0)), words };
  const r = explore(0, start);
  if (!exhausted) {
    return { min: r.min, max: r.max, outcomes: [...r.outcomes].sort((a, b) => a - b), unknownRet: r.unknownRet, approximate: false };
  }
  return { ...controlFlowBound(p), approximate: true };
}

/** Bounds over all control-flow paths, ignoring data (the fallback when exploration is too big). */
function controlFlowBound(p: CompiledProgram): Omit<PathSummary, 'approximate'> {
  const { code, jt, jf, k, length } = p;
  const min = new Array<number>(length).fill(0);
  const max = new Array<number>(length).fill(0);
  const outs: Set<number>[] = Array.from({ length }, () => new Set<number>());
  let unknownRet = false;
  for (let pc = length - 1; pc >= 0; pc--) {
    const c = code[pc]!;
    const succ: number[] = [];
    if (c === 0x06) outs[pc]!.add(k[pc]!);
    else if (c === 0x16) unknownRet = true;
    else if (c === 0x05) succ.push(pc + 1 + k[pc]!);
    else if ((c & 0x07) === 0x05) succ.push(pc + 1 + jt[pc]!, pc + 1 + jf[pc]!);
    else if ((c === 0x3c || c === 0x9c) && pc + 1 < length) {
      outs[pc]!.add(0);
      succ.push(pc + 1);
    } else if (pc + 1 < length) succ.push(pc + 1);
    min[pc] = 1 + (succ.length ? Math.min(...succ.map((s) => min[s]!)) : 0);
    max[pc] = 1 + (succ.length ? Math.max(...succ.map((s) => max[s]!)) : 0);
    for (const s of succ) for (const o of outs[s]!) outs[pc]!.add(o);
  }
  return { min: min[0]!, max: max[0]!, outcomes: [...outs[0]!].sort((a, b) => a - b), unknownRet };
}

// ---------------------------------------------------------------------------------------------
// Public types.

export interface FilterCost {
  readonly index: number;
  readonly label: string | undefined;
  /** Instructions executed with the model's arguments for this syscall. */
  readonly executed: number;
  /** Its return value with those arguments. */
  readonly ret: number;
  /** Range over all argument values (exact for libseccomp programs unless `approximate`). */
  readonly minExecuted: number;
  readonly maxExecuted: number;
  /** Every return value some arguments can produce. */
  readonly outcomes: readonly number[];
  readonly argDependent: boolean;
  /** Whether the kernel's seccomp_is_const_allow() says ALLOW for this (arch, nr). */
  readonly constAllow: boolean;
  readonly notConst?: NotConstReason;
}

export interface SyscallCost {
  readonly abi: AbiName;
  /** Name in the model's libseccomp table, else in the newest known table; undefined if unnamed. */
  readonly name: string | undefined;
  /** Number as the kernel reports it (x32 with X32_SYSCALL_BIT). */
  readonly nr: number;
  readonly arch: number;
  /** Arguments used for `instructions`/`verdict` (the typical ones for this syscall, else zeros). */
  readonly args: readonly bigint[];
  /** The chain's verdict with those arguments (seccomp_run_filters()). */
  readonly ret: number;
  readonly action: Action;
  /** Index of the filter whose return value won, undefined if all allowed. */
  readonly decidedBy: number | undefined;
  readonly allowed: boolean;
  /** Some arguments get the call through every filter / some get it blocked by one. */
  readonly mayAllow: boolean;
  readonly mayBlock: boolean;
  readonly argDependent: boolean;
  readonly cache: CacheVerdict;
  readonly cached: boolean;
  /** Σ instructions over all filters on a cache miss, with `args`. */
  readonly instructions: number;
  /** Σ of the per-filter minimum / maximum over argument values. */
  readonly minInstructions: number;
  readonly maxInstructions: number;
  readonly approximate: boolean;
  /** Programs the kernel runs on a miss (the whole chain), and their call overhead in instruction units. */
  readonly calls: number;
  readonly callOverhead: number;
  /** What the call actually costs on this kernel: 0 / 0 when the cache skips the chain. */
  readonly effectiveInstructions: number;
  readonly effectiveCalls: number;
  /** Filters that are not a constant ALLOW for this call, oldest first (the first one is the kernel's reason). */
  readonly uncachedBy: readonly { readonly index: number; readonly label: string | undefined; readonly reason: NotConstReason }[];
  readonly perFilter: readonly FilterCost[];
}

export interface CostStats {
  readonly count: number;
  readonly min: number;
  /** The middle value (the lower one of the two middle values for an even count). */
  readonly median: number;
  readonly max: number;
  readonly mean: number;
  readonly minSyscall?: string;
  readonly maxSyscall?: string;
}

export interface ChainLimits {
  /** Classic instruction counts, as libseccomp exports and PTRACE_SECCOMP_GET_FILTER returns them. */
  readonly lengths: readonly number[];
  /** Length of each filter after the kernel's cBPF → eBPF conversion (ebpfLength(); classic length if refused). */
  readonly ebpfLengths: readonly number[];
  readonly totalInstructions: number;
  /**
   * Σ(eBPF length + 4) over the chain: what seccomp_attach_filter() counts for these filters
   * when one more is attached (prog->len is the converted length, plus a 4-instruction penalty).
   */
  readonly pathTotal: number;
  /** Σ(classic length + 4): the figure usually quoted (e.g. 1033 for resolved on 252); smaller than the kernel's. */
  readonly classicPathTotal: number;
  /**
   * What seccomp_attach_filter() compares with MAX_INSNS_PER_PATH when filter i is attached:
   * eBPF len_i + Σ_{j<i}(eBPF len_j + 4) (the new filter itself carries no +4).
   */
  readonly attachTotals: readonly number[];
  /** Filters with 0 or more than BPF_MAXINSNS classic instructions (seccomp_prepare_filter(): EINVAL). */
  readonly tooLong: readonly number[];
  /** First filter whose attach total exceeds MAX_INSNS_PER_PATH (ENOMEM); later ones fail too. */
  readonly firstOverPath: number | undefined;
  /** eBPF instructions a further filter could still have (MAX_INSNS_PER_PATH − pathTotal). */
  readonly headroom: number;
  readonly maxInsns: number;
  readonly maxInsnsPerPath: number;
}

export interface UncachedAllowed {
  readonly name: string | undefined;
  readonly nr: number;
  readonly instructions: number;
  readonly filters: readonly { readonly index: number; readonly label: string | undefined; readonly reason: NotConstReason }[];
}

export interface CacheSummary {
  /** Whether calls from this ABI can be cached at all (native or compat ABI on a kernel with the cache). */
  readonly cacheable: boolean;
  /** Bitmap size (NR_syscalls); 0 when not cacheable. */
  readonly nrLimit: number;
  readonly cached: number;
  readonly uncached: number;
}

export interface CostModelOptions {
  /** Architecture of the host / systemd build (default x86-64). */
  readonly host?: AbiName;
  /** Target kernel (default '6.1'); the cache needs 5.11. */
  readonly kernel?: string | KernelVersion;
  /** Table for syscall names (default Debian 12's libseccomp). */
  readonly libseccomp?: LibseccompVersion;
  /** A label per filter, e.g. 'RestrictSUIDSGID= (x86-64)'. */
  readonly labels?: readonly (string | undefined)[];
  /**
   * Per-program call overhead in instruction units (default 4, the penalty the kernel itself uses
   * per filter in MAX_INSNS_PER_PATH accounting). Reported separately, never added to `instructions`.
   */
  readonly overheadPerCall?: number;
  /** Override the cache (null = none). */
  readonly cacheHost?: CacheHost | null;
  /**
   * Arguments per syscall for `instructions`/`verdict`: default TYPICAL_ARGS, then zeros. Return
   * undefined to fall back.
   */
  readonly argsFor?: (name: string | undefined, abi: AbiName) => readonly bigint[] | undefined;
  readonly instructionPointer?: bigint;
}

/** Frequent syscalls worth showing in a hover, in this order (names missing on an ABI are skipped). */
export const HOT_SYSCALLS: readonly string[] = [
  'read',
  'write',
  'openat',
  'close',
  'fstat',
  'newfstatat',
  'lseek',
  'mmap',
  'mprotect',
  'munmap',
  'brk',
  'futex',
  'epoll_wait',
  'epoll_pwait',
  'epoll_ctl',
  'poll',
  'ppoll',
  'recvmsg',
  'sendmsg',
  'recvfrom',
  'sendto',
  'socket',
  'connect',
  'accept4',
  'ioctl',
  'fcntl',
  'getrandom',
  'clock_gettime',
  'clock_nanosleep',
  'rt_sigprocmask',
  'clone',
  'clone3',
  'execve',
];

/**
 * Representative arguments where all-zero would take an unusual path through systemd's filters:
 * socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC), an anonymous read/write mmap, mprotect(PROT_READ),
 * clone with glibc's thread flags, and LockPersonality's permitted personality(PER_LINUX).
 */
/** All-zero arguments (one shared array, so evaluations can reuse the encoded seccomp_data). */
const NO_ARGS: readonly bigint[] = [];

export const TYPICAL_ARGS: Readonly<Record<string, readonly bigint[]>> = {
  socket: [2n, 0x80001n, 0n],
  mmap: [0n, 4096n, 3n, 0x22n, 0xffffffffffffffffn, 0n],
  mmap2: [0n, 4096n, 3n, 0x22n, 0xffffffffn, 0n],
  mprotect: [0n, 4096n, 1n],
  pkey_mprotect: [0n, 4096n, 1n, 0n],
  clone: [0x3d0f00n, 0n, 0n, 0n, 0n],
  openat: [0xffffff9cn, 0n, 0x80000n, 0n],
};

// ---------------------------------------------------------------------------------------------
// The model.

const FLAG_ARG_DEPENDENT = 1;
const FLAG_MAY_ALLOW = 2;
const FLAG_MAY_BLOCK = 4;
const FLAG_APPROXIMATE = 8;

/** One filter evaluated on every number of an ABI table (entry e = the table's e-th number). */
interface FilterColumn {
  readonly executed: Uint16Array;
  readonly ret: Uint32Array;
  readonly min: Uint16Array;
  readonly max: Uint16Array;
  readonly flags: Uint8Array;
  /** Entries whose result depends on the arguments: every return value some arguments produce. */
  readonly outcomes: ReadonlyMap<number, readonly number[]>;
}

interface AbiTable {
  readonly abi: AbiName;
  readonly arch: number;
  readonly nrs: readonly number[];
  readonly index: ReadonlyMap<number, number>;
  readonly names: readonly (string | undefined)[];
  readonly args: readonly (readonly bigint[])[];
  /** Per filter; undefined for a filter the kernel would refuse (never attached: costs nothing). */
  readonly columns: readonly (FilterColumn | undefined)[];
  /** Per entry: chain totals with the table's arguments. */
  readonly total: Uint32Array;
  readonly chainRet: Uint32Array;
  readonly decidedBy: Int32Array;
  /** Per entry: every filter may allow for some arguments. */
  readonly mayAllow: Uint8Array;
  readonly verdicts: (CacheVerdict | undefined)[];
}

/**
 * Columns memoised per compiled program and table identity (ABI, syscall table, bitmap range), so
 * rebuilding a model after an edit re-evaluates only the filters that changed.
 */
const columnCache = new WeakMap<CompiledProgram, Map<string, FilterColumn>>();

function evaluateColumn(
  p: CompiledProgram,
  arch: number,
  nrs: readonly number[],
  args: readonly (readonly bigint[])[],
  endian: Endian,
  ip: bigint | undefined,
): FilterColumn {
  const E = nrs.length;
  const col = {
    executed: new Uint16Array(E),
    ret: new Uint32Array(E),
    min: new Uint16Array(E),
    max: new Uint16Array(E),
    flags: new Uint8Array(E),
    outcomes: new Map<number, readonly number[]>(),
  };
  const mem = new Uint32Array(16);
  const words = new Uint32Array(16);
  const r: RunOutcome = { ret: 0, executed: 0, loadedVariable: false };
  const baseWords = new Map<readonly bigint[], Uint32Array>();
  let lastArgs: readonly bigint[] | undefined;
  for (let e = 0; e < E; e++) {
    const nr = nrs[e]!;
    const a = args[e]!;
    if (a !== lastArgs) {
      // Most entries share one argument array: re-encode only when it changes.
      let base = baseWords.get(a);
      if (!base) {
        base = seccompWords({ nr: 0, arch, args: a, instructionPointer: ip }, endian);
        baseWords.set(a, base);
      }
      words.set(base);
      lastArgs = a;
    }
    words[0] = nr >>> 0;
    runCompiledInto(p, words, mem, r);
    col.executed[e] = r.executed;
    col.ret[e] = r.ret;
    let fl = 0;
    if (r.loadedVariable) {
      // The result may depend on arguments: explore every path for this (arch, nr).
      const pa = analyzePaths(p, nr >>> 0, arch);
      col.min[e] = pa.min;
      col.max[e] = pa.max;
      col.outcomes.set(e, pa.outcomes);
      if (pa.outcomes.length > 1 || pa.unknownRet || pa.min !== pa.max) fl |= FLAG_ARG_DEPENDENT;
      if (pa.unknownRet || pa.outcomes.some(isAllowingRet)) fl |= FLAG_MAY_ALLOW;
      if (pa.unknownRet || pa.outcomes.some((o) => !isAllowingRet(o))) fl |= FLAG_MAY_BLOCK;
      if (pa.approximate) fl |= FLAG_APPROXIMATE;
    } else {
      col.min[e] = r.executed;
      col.max[e] = r.executed;
      fl |= isAllowingRet(r.ret) ? FLAG_MAY_ALLOW : FLAG_MAY_BLOCK;
    }
    col.flags[e] = fl;
  }
  return col;
}

export interface CostModel {
  readonly chain: readonly BpfProgram[];
  readonly labels: readonly (string | undefined)[];
  readonly host: AbiName;
  readonly kernel: KernelVersion;
  /** The cache bitmaps, undefined when the kernel has no cache. */
  readonly cache: ChainCache | undefined;
  /** Filters the kernel would refuse (systemd's seccomp_load() would fail for them). */
  readonly invalid: readonly { readonly index: number; readonly error: CheckError }[];
  readonly limits: ChainLimits;
  readonly overheadPerCall: number;
  /** The ABIs systemd filters on this host (seccomp_local_archs[]), native last. */
  readonly abis: readonly AbiName[];
  /** Cost of one syscall by name from `abi` (default: the host's native ABI); undefined if the ABI has no such syscall. */
  syscall(name: string, abi?: AbiName): SyscallCost | undefined;
  /** Cost of a raw number (x32 with or without X32_SYSCALL_BIT). */
  number(nr: number, abi?: AbiName): SyscallCost;
  /** Every number known for the ABI (named syscalls plus the kernel's bitmap range), ascending. */
  all(abi?: AbiName): SyscallCost[];
  /** HOT_SYSCALLS that exist on the ABI. */
  hot(abi?: AbiName): SyscallCost[];
  /**
   * min/median/max/mean of `instructions` over named syscalls (default all; or `names`) that the
   * chain allows with their typical arguments (`include`). By default only cache misses count;
   * `includeCached: true` gives the figures for a kernel without the cache.
   */
  stats(abi?: AbiName, opts?: { names?: Iterable<string>; includeCached?: boolean; include?: 'allowed' | 'may-allow' | 'all' }): CostStats;
  /** Named syscalls some arguments let through that still run the whole chain, with the filters responsible. */
  allowedUncached(abi?: AbiName): UncachedAllowed[];
  cacheSummary(abi?: AbiName): CacheSummary;
}

/** Kernel limits for a chain (index 0 = oldest). */
export function chainLimits(chain: readonly BpfProgram[]): ChainLimits {
  const lengths = chain.map((p) => (Array.isArray(p?.instructions) ? p.instructions.length : 0));
  const ebpfLengths = chain.map((p, i) => ebpfLength(p) ?? lengths[i]!);
  const attachTotals: number[] = [];
  let acc = 0;
  for (const len of ebpfLengths) {
    attachTotals.push(len + acc);
    acc += len + 4;
  }
  const firstOver = attachTotals.findIndex((t) => t > MAX_INSNS_PER_PATH);
  return {
    lengths,
    ebpfLengths,
    totalInstructions: lengths.reduce((s, n) => s + n, 0),
    pathTotal: acc,
    classicPathTotal: lengths.reduce((s, n) => s + n + 4, 0),
    attachTotals,
    tooLong: lengths.flatMap((n, i) => (n === 0 || n > BPF_MAXINSNS ? [i] : [])),
    firstOverPath: firstOver < 0 ? undefined : firstOver,
    headroom: MAX_INSNS_PER_PATH - acc,
    maxInsns: BPF_MAXINSNS,
    maxInsnsPerPath: MAX_INSNS_PER_PATH,
  };
}

/** Builds the cost model of a chain (index 0 = oldest); per-ABI tables are computed on first use. */
export function createCostModel(chain: readonly BpfProgram[], opts: CostModelOptions = {}): CostModel {
  const host = opts.host ?? 'x86-64';
  const kernel = parseKernelVersion(opts.kernel ?? '6.1') ?? { major: 6, minor: 1, patch: 0 };
  const lib = opts.libseccomp ?? DEFAULT_LIBSECCOMP;
  const endian: Endian = ABIS[host]?.endian ?? 'little';
  const labels = chain.map((_, i) => opts.labels?.[i]);
  const overheadPerCall = opts.overheadPerCall ?? 4;
  const cacheHost = opts.cacheHost === null ? undefined : (opts.cacheHost ?? cacheHostFor(host, kernel));
  const compiled: (CompiledProgram | undefined)[] = [];
  const invalid: { index: number; error: CheckError }[] = [];
  chain.forEach((p, i) => {
    const c = compile(p);
    if (c.ok) compiled.push(c.program);
    else {
      compiled.push(undefined);
      invalid.push({ index: i, error: c.error });
    }
  });
  const cache = cacheHost ? cacheBitmap(chain, cacheHost) : undefined;
  const F = chain.length;
  const tables = new Map<AbiName, AbiTable>();
  const newest = LIBSECCOMP_VERSIONS[LIBSECCOMP_VERSIONS.length - 1]!;
  const abis = HOST_BUILDS[host]?.localArchs ?? [host];
  const native = HOST_BUILDS[host]?.native ?? host;
  // Custom arguments cannot be told apart from one call to the next: no column sharing then.
  const shareColumns = opts.argsFor === undefined && opts.instructionPointer === undefined;

  const nameOf = (nr: number, abi: AbiName): string | undefined => syscallName(nr, abi, lib) ?? syscallName(nr, abi, newest);
  const argsOf = (name: string | undefined, abi: AbiName): readonly bigint[] =>
    opts.argsFor?.(name, abi) ?? (name !== undefined ? TYPICAL_ARGS[name] : undefined) ?? NO_ARGS;

  const cacheArchFor = (abi: AbiName): ArchCache | undefined => {
    if (!cache || abi === 'x32') return undefined;
    if (ABIS[abi].auditArch === cache.native.arch.auditArch) return cache.native;
    if (cache.compat && ABIS[abi].auditArch === cache.compat.arch.auditArch) return cache.compat;
    return undefined;
  };

  const tableFor = (abi: AbiName, nrs: readonly number[], shareKey: string | undefined): AbiTable => {
    const arch = ABIS[abi].auditArch;
    const E = nrs.length;
    const names = nrs.map((n) => nameOf(n, abi));
    const args = names.map((nm) => argsOf(nm, abi));
    const columns = compiled.map((p) => {
      if (!p) return undefined;
      if (shareKey === undefined) return evaluateColumn(p, arch, nrs, args, endian, opts.instructionPointer);
      let m = columnCache.get(p);
      if (!m) {
        m = new Map();
        columnCache.set(p, m);
      }
      let col = m.get(shareKey);
      if (!col) {
        col = evaluateColumn(p, arch, nrs, args, endian, opts.instructionPointer);
        m.set(shareKey, col);
      }
      return col;
    });
    const total = new Uint32Array(E);
    const chainRet = new Uint32Array(E).fill(SECCOMP_RET.ALLOW);
    const best = new Int32Array(E).fill(actionOnly(SECCOMP_RET.ALLOW));
    const decidedBy = new Int32Array(E).fill(-1);
    const mayAllow = new Uint8Array(E).fill(1);
    // seccomp_run_filters(): newest → oldest; a strictly lower action wins (column by column).
    for (let f = F - 1; f >= 0; f--) {
      const col = columns[f];
      if (!col) continue;
      const { executed, ret, flags } = col;
      for (let e = 0; e < E; e++) {
        total[e] = total[e]! + executed[e]!;
        if (!(flags[e]! & FLAG_MAY_ALLOW)) mayAllow[e] = 0;
        const r = ret[e]!;
        const act = r & SECCOMP_RET_ACTION_FULL;
        if (act < best[e]!) {
          best[e] = act;
          chainRet[e] = r;
          decidedBy[e] = f;
        }
      }
    }
    return {
      abi,
      arch,
      nrs,
      index: new Map(nrs.map((n, i) => [n, i])),
      names,
      args,
      columns,
      total,
      chainRet,
      decidedBy,
      mayAllow,
      verdicts: new Array<CacheVerdict | undefined>(E),
    };
  };

  const table = (abi: AbiName): AbiTable => {
    let t = tables.get(abi);
    if (!t) {
      const set = new Set<number>();
      for (const name of allSyscallNames(lib)) {
        const n = directSyscallNumber(name, abi, lib);
        if (n >= 0) set.add(n);
      }
      const ac = cacheArchFor(abi);
      if (ac) for (let n = 0; n < ac.arch.nrLimit; n++) set.add(n);
      const nrs = [...set].sort((a, b) => a - b);
      t = tableFor(abi, nrs, shareColumns ? `${abi}|${lib}|${endian}|${ac?.arch.nrLimit ?? 0}` : undefined);
      tables.set(abi, t);
    }
    return t;
  };

  /** The number of a syscall name on an ABI (with x32's bit), or undefined when the ABI has none. */
  const numberOf = (name: string, abi: AbiName): number | undefined => {
    let n = directSyscallNumber(name, abi, lib);
    if (n < 0) n = directSyscallNumber(name, abi, newest);
    if (n < 0) return undefined;
    return abi === 'x32' ? (n | X32_SYSCALL_BIT) >>> 0 : n;
  };
  const hotTables = new Map<AbiName, AbiTable>();
  const hotTable = (abi: AbiName): AbiTable => {
    let t = hotTables.get(abi);
    if (!t) {
      const nrs = [...new Set(HOT_SYSCALLS.flatMap((name) => numberOf(name, abi) ?? []))].sort((a, b) => a - b);
      t = tableFor(abi, nrs, shareColumns ? `hot|${abi}|${lib}|${endian}` : undefined);
      hotTables.set(abi, t);
    }
    return t;
  };

  const verdictAt = (t: AbiTable, e: number): CacheVerdict => {
    let v = t.verdicts[e];
    if (!v) {
      v = cacheVerdict(cache, chain, t.abi, t.nrs[e]!, endian);
      t.verdicts[e] = v;
    }
    return v;
  };

  const costAt = (t: AbiTable, e: number): SyscallCost => {
    const nr = t.nrs[e]!;
    const ac = cacheArchFor(t.abi);
    const inRange = ac !== undefined && nr >= 0 && nr < ac.arch.nrLimit;
    const passthrough = inRange && ac === cache?.native && cache.host.passthrough.includes(nr);
    const perFilter: FilterCost[] = [];
    const uncachedBy: { index: number; label: string | undefined; reason: NotConstReason }[] = [];
    let minSum = 0;
    let maxSum = 0;
    let mayBlock = false;
    let argDependent = false;
    let approximate = false;
    for (let f = 0; f < F; f++) {
      const col = t.columns[f];
      const p = compiled[f];
      // What this filter contributes to the kernel's bitmap AND.
      let notConst: NotConstReason | undefined;
      if (inRange && !passthrough) {
        if (!p) notConst = { kind: 'invalid', error: invalid.find((x) => x.index === f)!.error };
        else {
          const r = constAllowCompiled(p, t.arch, nr, endian);
          if (!r.allow) notConst = r.reason;
        }
        if (notConst) uncachedBy.push({ index: f, label: labels[f], reason: notConst });
      }
      if (!col) {
        perFilter.push({
          index: f,
          label: labels[f],
          executed: 0,
          ret: SECCOMP_RET.ALLOW,
          minExecuted: 0,
          maxExecuted: 0,
          outcomes: [SECCOMP_RET.ALLOW],
          argDependent: false,
          constAllow: false,
          ...(notConst ? { notConst } : {}),
        });
        continue;
      }
      const fl = col.flags[e]!;
      minSum += col.min[e]!;
      maxSum += col.max[e]!;
      if (fl & FLAG_MAY_BLOCK) mayBlock = true;
      if (fl & FLAG_ARG_DEPENDENT) argDependent = true;
      if (fl & FLAG_APPROXIMATE) approximate = true;
      perFilter.push({
        index: f,
        label: labels[f],
        executed: col.executed[e]!,
        ret: col.ret[e]!,
        minExecuted: col.min[e]!,
        maxExecuted: col.max[e]!,
        outcomes: col.outcomes.get(e) ?? [col.ret[e]!],
        argDependent: (fl & FLAG_ARG_DEPENDENT) !== 0,
        constAllow: inRange && notConst === undefined,
        ...(notConst ? { notConst } : {}),
      });
    }
    const verdict = verdictAt(t, e);
    const ret = t.chainRet[e]!;
    const decided = t.decidedBy[e]!;
    const instructions = t.total[e]!;
    return {
      abi: t.abi,
      name: t.names[e],
      nr,
      arch: t.arch,
      args: t.args[e]!,
      ret,
      action: decodeAction(ret),
      decidedBy: decided < 0 ? undefined : decided,
      allowed: isAllowingRet(ret),
      mayAllow: t.mayAllow[e] === 1,
      mayBlock,
      argDependent,
      cache: verdict,
      cached: verdict.cached,
      instructions,
      minInstructions: minSum,
      maxInstructions: maxSum,
      approximate,
      calls: F,
      callOverhead: F * overheadPerCall,
      effectiveInstructions: verdict.cached ? 0 : instructions,
      effectiveCalls: verdict.cached ? 0 : F,
      uncachedBy,
      perFilter,
    };
  };

  const model: CostModel = {
    chain,
    labels,
    host,
    kernel,
    cache,
    invalid,
    limits: chainLimits(chain),
    overheadPerCall,
    abis,
    syscall(name, abi = native) {
      const n = numberOf(name, abi);
      return n === undefined ? undefined : model.number(n, abi);
    },
    number(nr, abi = native) {
      const t = table(abi);
      const n = abi === 'x32' ? (nr | X32_SYSCALL_BIT) >>> 0 : nr;
      const e = t.index.get(n);
      if (e !== undefined) return costAt(t, e);
      // A number outside the table (e.g. -1, or beyond every table): evaluate it on its own.
      return costAt(tableFor(abi, [n], undefined), 0);
    },
    all(abi = native) {
      const t = table(abi);
      return t.nrs.map((_, e) => costAt(t, e));
    },
    hot(abi = native) {
      // A lint run asks only for these ~20 calls: evaluate them alone unless the ABI's whole
      // table (every call through every filter, for hovers and the preview) is already built.
      // Each call is evaluated on its own either way, so the answers are the same.
      const t = tables.get(abi) ?? hotTable(abi);
      const out: SyscallCost[] = [];
      for (const name of HOT_SYSCALLS) {
        const n = numberOf(name, abi);
        const e = n === undefined ? undefined : t.index.get(n);
        if (e === undefined) continue;
        const c = costAt(t, e);
        if (c.name === name) out.push(c);
      }
      return out;
    },
    stats(abi = native, o = {}) {
      const t = table(abi);
      const wanted = o.names ? new Set(o.names) : undefined;
      const include = o.include ?? 'allowed';
      const vals: { v: number; name: string }[] = [];
      for (let e = 0; e < t.nrs.length; e++) {
        const name = t.names[e];
        if (name === undefined || (wanted && !wanted.has(name))) continue;
        if (!o.includeCached && verdictAt(t, e).cached) continue;
        if (include === 'allowed' && !isAllowingRet(t.chainRet[e]!)) continue;
        if (include === 'may-allow' && !t.mayAllow[e]) continue;
        vals.push({ v: t.total[e]!, name });
      }
      if (vals.length === 0) return { count: 0, min: 0, median: 0, max: 0, mean: 0 };
      vals.sort((a, b) => a.v - b.v);
      const sum = vals.reduce((acc, x) => acc + x.v, 0);
      return {
        count: vals.length,
        min: vals[0]!.v,
        median: vals[(vals.length - 1) >> 1]!.v,
        max: vals[vals.length - 1]!.v,
        mean: sum / vals.length,
        minSyscall: vals[0]!.name,
        maxSyscall: vals[vals.length - 1]!.name,
      };
    },
    allowedUncached(abi = native) {
      const t = table(abi);
      const out: UncachedAllowed[] = [];
      for (let e = 0; e < t.nrs.length; e++) {
        if (t.names[e] === undefined || !t.mayAllow[e] || verdictAt(t, e).cached) continue;
        const c = costAt(t, e);
        out.push({ name: c.name, nr: c.nr, instructions: c.instructions, filters: c.uncachedBy });
      }
      return out;
    },
    cacheSummary(abi = native) {
      const ac = cacheArchFor(abi);
      if (!ac) return { cacheable: false, nrLimit: 0, cached: 0, uncached: 0 };
      const cached = ac.allowed.count();
      return { cacheable: true, nrLimit: ac.arch.nrLimit, cached, uncached: ac.arch.nrLimit - cached };
    },
  };
  return model;
}
