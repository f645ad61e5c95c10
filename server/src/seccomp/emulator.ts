/**
 * Runs a classic-BPF seccomp program on a `struct seccomp_data` the way the kernel does (checker:
 * net/core/filter.c bpf_check_classic() + kernel/seccomp.c seccomp_check_filter(); semantics:
 * bpf_convert_filter() + the eBPF interpreter/JIT), and combines a chain's results like
 * seccomp_run_filters(). Pure and total: malformed programs give an error result, never an exception.
 */

import type { Action, BpfInstruction, BpfProgram } from './filterTypes';
import { LruCache } from '../lru';

// ---------------------------------------------------------------------------------------------
// Constants (include/uapi/linux/bpf_common.h, filter.h, seccomp.h; include/linux/filter.h).

/** Opcode fields of struct sock_filter.code. */
export const BPF = {
  // classes
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  RET: 0x06,
  MISC: 0x07,
  // ld/ldx sizes and modes
  W: 0x00,
  H: 0x08,
  B: 0x10,
  IMM: 0x00,
  ABS: 0x20,
  IND: 0x40,
  MEM: 0x60,
  LEN: 0x80,
  MSH: 0xa0,
  // alu operations
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  MOD: 0x90,
  XOR: 0xa0,
  // jumps
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  JSET: 0x40,
  // sources / return values / misc
  K: 0x00,
  X: 0x08,
  A: 0x10,
  TAX: 0x00,
  TXA: 0x80,
} as const;

/** SECCOMP_RET_* action values (include/uapi/linux/seccomp.h). */
export const SECCOMP_RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  USER_NOTIF: 0x7fc00000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
} as const;

export const SECCOMP_RET_ACTION_FULL = 0xffff0000;
export const SECCOMP_RET_DATA = 0x0000ffff;
/** __seccomp_filter() caps SECCOMP_RET_ERRNO data at MAX_ERRNO. */
export const MAX_ERRNO = 4095;
/** Longest program seccomp_prepare_filter() accepts (include/uapi/linux/bpf_common.h). */
export const BPF_MAXINSNS = 4096;
/**
 * kernel/seccomp.c: "Limit any path through the tree to 256KB worth of instructions":
 * (1 << 18) / sizeof(struct sock_filter). seccomp_attach_filter() checks new.len + Σ(prev.len + 4).
 */
export const MAX_INSNS_PER_PATH = (1 << 18) / 8;
/** sizeof(struct seccomp_data): int nr, u32 arch, u64 instruction_pointer, u64 args[6]. */
export const SECCOMP_DATA_SIZE = 64;
/** Scratch memory cells of classic BPF (BPF_MEMWORDS). */
export const BPF_MEMWORDS = 16;

/** Byte offsets inside struct seccomp_data (offsetof()). */
export const SECCOMP_DATA_OFFSET = { nr: 0, arch: 4, instructionPointer: 8, args: 16 } as const;

const u32 = (n: number): number => n >>> 0;

// ---------------------------------------------------------------------------------------------
// Actions.

/** The action part of a return value as seccomp_run_filters() compares it: (s32)(ret & ACTION_FULL). */
export function actionOnly(ret: number): number {
  return (ret & SECCOMP_RET_ACTION_FULL) | 0;
}

/**
 * What the kernel does with a filter return value (__seccomp_filter() in kernel/seccomp.c):
 * ERRNO data is capped at MAX_ERRNO, and an unknown action is treated like KILL_PROCESS (its
 * `default:` case shares the kill path and dumps core like KILL_PROCESS).
 */
export function decodeAction(ret: number): Action {
  const r = u32(ret);
  const data = r & SECCOMP_RET_DATA;
  switch (u32(r & SECCOMP_RET_ACTION_FULL)) {
    case SECCOMP_RET.KILL_PROCESS:
      return { kind: 'kill-process' };
    case SECCOMP_RET.KILL_THREAD:
      return { kind: 'kill-thread' };
    case SECCOMP_RET.TRAP:
      return { kind: 'trap' };
    case SECCOMP_RET.ERRNO:
      return { kind: 'errno', errno: Math.min(data, MAX_ERRNO) };
    case SECCOMP_RET.USER_NOTIF:
      return { kind: 'notify' };
    case SECCOMP_RET.TRACE:
      return { kind: 'trace', data };
    case SECCOMP_RET.LOG:
      return { kind: 'log' };
    case SECCOMP_RET.ALLOW:
      return { kind: 'allow' };
    default:
      return { kind: 'kill-process' };
  }
}

/** The u32 return value a filter uses for an action (libseccomp's SCMP_ACT_* encoding). */
export function encodeAction(a: Action): number {
  switch (a.kind) {
    case 'kill-process':
      return SECCOMP_RET.KILL_PROCESS;
    case 'kill-thread':
      return SECCOMP_RET.KILL_THREAD;
    case 'trap':
      return SECCOMP_RET.TRAP;
    case 'errno':
      return u32(SECCOMP_RET.ERRNO | (a.errno & SECCOMP_RET_DATA));
    case 'notify':
      return SECCOMP_RET.USER_NOTIF;
    case 'trace':
      return u32(SECCOMP_RET.TRACE | (a.data & SECCOMP_RET_DATA));
    case 'log':
      return SECCOMP_RET.LOG;
    case 'allow':
      return SECCOMP_RET.ALLOW;
  }
}

/** Whether the syscall runs: ALLOW, or LOG (allowed after logging). */
export function isAllowingRet(ret: number): boolean {
  const a = u32(ret & SECCOMP_RET_ACTION_FULL);
  return a === SECCOMP_RET.ALLOW || a === SECCOMP_RET.LOG;
}

/** Short human-readable form of a return value, e.g. `ERRNO(1)`, `KILL_PROCESS`. */
export function formatRet(ret: number): string {
  const a = decodeAction(ret);
  switch (a.kind) {
    case 'errno':
      return `ERRNO(${a.errno})`;
    case 'trace':
      return `TRACE(${a.data})`;
    case 'notify':
      return 'USER_NOTIF';
    default:
      return a.kind.toUpperCase().replace('-', '_');
  }
}

/**
 * Combines the return values of a filter chain like seccomp_run_filters(): `rets[0]` is the oldest
 * filter. The kernel starts from SECCOMP_RET_ALLOW, walks newest → oldest and keeps a value only if
 * its action is strictly lower (as s32, so KILL_PROCESS 0x80000000 is lowest), so among equal actions
 * the newest filter's data wins. `filter` is the index of the deciding filter, undefined if none
 * returned anything below ALLOW (then ret is plain SECCOMP_RET_ALLOW). An empty chain allows
 * (no seccomp at all).
 */
export function chainResult(rets: readonly number[]): { ret: number; filter: number | undefined } {
  let ret: number = SECCOMP_RET.ALLOW;
  let filter: number | undefined;
  for (let i = rets.length - 1; i >= 0; i--) {
    const cur = u32(rets[i]!);
    if (actionOnly(cur) < actionOnly(ret)) {
      ret = cur;
      filter = i;
    }
  }
  return { ret, filter };
}

// ---------------------------------------------------------------------------------------------
// The checker.

export interface CheckError {
  /**
   * Which check failed: `encoding` = a field that struct sock_filter cannot hold; `length` = the
   * length check of seccomp_prepare_filter(); `classic` = bpf_check_classic() (incl.
   * check_load_and_stores()); `seccomp` = seccomp_check_filter(). All of them are -EINVAL.
   */
  readonly stage: 'encoding' | 'length' | 'classic' | 'seccomp';
  /** Offending instruction, when there is one. */
  readonly pc?: number;
  readonly reason: string;
}

export type CheckResult = { readonly ok: true } | { readonly ok: false; readonly error: CheckError };

/** A program in flat typed arrays, validated by the kernel's rules. */
export interface CompiledProgram {
  readonly length: number;
  readonly code: Uint16Array;
  readonly jt: Uint8Array;
  readonly jf: Uint8Array;
  readonly k: Uint32Array;
}

export type CompileResult = { readonly ok: true; readonly program: CompiledProgram } | { readonly ok: false; readonly error: CheckError };

const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

// Classic opcodes bpf_check_classic() knows (chk_code_allowed() in net/core/filter.c).
const CLASSIC_CODES = new Set<number>([
  // 32-bit ALU
  0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x94, 0x9c, 0x54, 0x5c, 0x44, 0x4c, 0xa4, 0xac, 0x64, 0x6c, 0x74, 0x7c, 0x84,
  // loads
  0x20, 0x28, 0x30, 0x80, 0x40, 0x48, 0x50, 0x00, 0x60, 0x81, 0xb1, 0x01, 0x61,
  // stores, misc, returns
  0x02, 0x03, 0x07, 0x87, 0x06, 0x16,
  // jumps
  0x05, 0x15, 0x1d, 0x35, 0x3d, 0x25, 0x2d, 0x45, 0x4d,
]);

// The subset seccomp_check_filter() lets through (besides ld w abs, checked separately). Notably
// absent: BPF_MOD, packet loads of bytes/halves, indirect loads, BPF_LDX|BPF_B|BPF_MSH.
const SECCOMP_CODES = new Set<number>([
  0x80, 0x81, // ld/ldx w len (rewritten to an immediate 64)
  0x06, 0x16, // ret k, ret a
  0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x54, 0x5c, 0x44, 0x4c, 0xa4, 0xac, 0x64, 0x6c, 0x74, 0x7c, 0x84,
  0x00, 0x01, 0x07, 0x87, 0x60, 0x61, 0x02, 0x03,
  0x05, 0x15, 0x1d, 0x35, 0x3d, 0x25, 0x2d, 0x45, 0x4d,
]);

const SKF_AD_OFF = 0xfffff000; // (u32)-0x1000
// Ancillary offsets bpf_anc_helper() recognises (SKF_AD_PROTOCOL … SKF_AD_VLAN_TPID).
const SKF_AD_MAX = 64;

const COND_JUMPS = new Set<number>([0x15, 0x1d, 0x35, 0x3d, 0x25, 0x2d, 0x45, 0x4d]);

function encodingError(p: BpfProgram): CheckError | undefined {
  const ins = p?.instructions;
  if (!Array.isArray(ins)) return { stage: 'encoding', reason: 'program has no instruction array' };
  for (let pc = 0; pc < ins.length; pc++) {
    const i = ins[pc] as BpfInstruction | undefined;
    if (!i || typeof i !== 'object') return { stage: 'encoding', pc, reason: 'not an instruction' };
    const { code, jt, jf, k } = i;
    if (!Number.isInteger(code) || code < 0 || code > 0xffff) return { stage: 'encoding', pc, reason: `code ${String(code)} is not a u16` };
    if (!Number.isInteger(jt) || jt < 0 || jt > 0xff) return { stage: 'encoding', pc, reason: `jt ${String(jt)} is not a u8` };
    if (!Number.isInteger(jf) || jf < 0 || jf > 0xff) return { stage: 'encoding', pc, reason: `jf ${String(jf)} is not a u8` };
    if (!Number.isInteger(k) || k < -0x80000000 || k > 0xffffffff) return { stage: 'encoding', pc, reason: `k ${String(k)} is not a 32-bit value` };
  }
  return undefined;
}

/**
 * Whether the kernel would accept the program (seccomp(SECCOMP_SET_MODE_FILTER) would not fail with
 * EINVAL). Mirrors, in order: seccomp_prepare_filter()'s length check (0 < len ≤ BPF_MAXINSNS),
 * bpf_check_classic() (known opcode, no constant division by zero, constant shifts < 32, scratch
 * cells < 16, jumps inside the program, last instruction a return, no read of an unwritten
 * scratch cell on any path: check_load_and_stores()), then seccomp_check_filter() (only the
 * seccomp-safe opcodes; `ld [k]` 4-byte aligned and inside struct seccomp_data).
 */
export function checkFilter(p: BpfProgram): CheckResult {
  const r = compile(p);
  return r.ok ? { ok: true } : r;
}

const compiledCache = new WeakMap<BpfProgram, CompileResult>();
/**
 * Content-addressed results, so equal programs built again (e.g. the same directive after an
 * edit elsewhere in the unit) share one CompiledProgram and every per-program cache keyed on it.
 * Bounded; oldest entries are dropped first.
 */
const CONTENT_CACHE_MAX = 512;
const contentCache = new LruCache<string, CompileResult>(CONTENT_CACHE_MAX);

function contentKey(p: BpfProgram): string | undefined {
  const ins = p?.instructions;
  if (!Array.isArray(ins) || ins.length > BPF_MAXINSNS) return undefined;
  let key = '';
  for (const i of ins) {
    if (!i || typeof i !== 'object') return undefined;
    key += `${i.code},${i.jt},${i.jf},${i.k};`;
  }
  return key;
}

/** Validates (checkFilter) and flattens a program; memoised per program object and per content. */
export function compile(p: BpfProgram): CompileResult {
  const isObj = p !== null && typeof p === 'object';
  if (isObj) {
    const hit = compiledCache.get(p);
    if (hit) return hit;
  }
  const key = isObj ? contentKey(p) : undefined;
  let r = key !== undefined ? contentCache.get(key) : undefined;
  if (!r) {
    r = compileUncached(p);
    if (key !== undefined) contentCache.set(key, r);
  }
  if (isObj) compiledCache.set(p, r);
  return r;
}

function compileUncached(p: BpfProgram): CompileResult {
  const enc = encodingError(p);
  if (enc) return { ok: false, error: enc };
  const ins = p.instructions;
  const flen = ins.length;
  if (flen === 0 || flen > BPF_MAXINSNS) {
    return { ok: false, error: { stage: 'length', reason: `length ${flen} is outside 1..${BPF_MAXINSNS}` } };
  }
  const code = new Uint16Array(flen);
  const jt = new Uint8Array(flen);
  const jf = new Uint8Array(flen);
  const k = new Uint32Array(flen);
  for (let pc = 0; pc < flen; pc++) {
    const i = ins[pc]!;
    code[pc] = i.code;
    jt[pc] = i.jt;
    jf[pc] = i.jf;
    k[pc] = u32(i.k);
  }
  const fail = (stage: CheckError['stage'], pc: number | undefined, reason: string): CompileResult => ({
    ok: false,
    error: pc === undefined ? { stage, reason } : { stage, pc, reason },
  });

  // bpf_check_classic()
  for (let pc = 0; pc < flen; pc++) {
    const c = code[pc]!;
    const kk = k[pc]!;
    if (!CLASSIC_CODES.has(c)) return fail('classic', pc, `unknown opcode ${hex(c)}`);
    switch (c) {
      case 0x34: // div k
      case 0x94: // mod k
        if (kk === 0) return fail('classic', pc, 'division by constant zero');
        break;
      case 0x64: // lsh k
      case 0x74: // rsh k
        if (kk >= 32) return fail('classic', pc, `shift by ${kk} (must be < 32)`);
        break;
      case 0x60:
      case 0x61:
      case 0x02:
      case 0x03:
        if (kk >= BPF_MEMWORDS) return fail('classic', pc, `scratch cell M[${kk}] does not exist (0..15)`);
        break;
      case 0x05: // ja: k >= flen - pc - 1 is refused (also guards against loops)
        if (kk >= flen - pc - 1) return fail('classic', pc, `ja +${kk} jumps past the end`);
        break;
      case 0x20:
      case 0x28:
      case 0x30: {
        // Ancillary loads (SKF_AD_*) pass the classic check; seccomp refuses them below.
        const anc = kk >= SKF_AD_OFF && kk - SKF_AD_OFF < SKF_AD_MAX && (kk - SKF_AD_OFF) % 4 === 0;
        if (!anc && kk >= SKF_AD_OFF) return fail('classic', pc, `unknown ancillary load ${hex(kk)}`);
        break;
      }
      default:
        if (COND_JUMPS.has(c) && (pc + jt[pc]! + 1 >= flen || pc + jf[pc]! + 1 >= flen)) {
          return fail('classic', pc, `conditional jump +${jt[pc]}/+${jf[pc]} leaves the program`);
        }
    }
  }
  const last = code[flen - 1]!;
  if (last !== 0x06 && last !== 0x16) return fail('classic', flen - 1, 'last instruction is not a return');

  // check_load_and_stores(): per-instruction mask of scratch cells known written on every path.
  {
    const masks = new Uint16Array(flen).fill(0xffff);
    let memvalid = 0;
    for (let pc = 0; pc < flen; pc++) {
      memvalid &= masks[pc]!;
      const c = code[pc]!;
      if (c === 0x02 || c === 0x03) memvalid |= 1 << k[pc]!;
      else if (c === 0x60 || c === 0x61) {
        if (!(memvalid & (1 << k[pc]!))) return fail('classic', pc, `reads M[${k[pc]}] before it is written on some path`);
      } else if (c === 0x05) {
        masks[pc + 1 + k[pc]!] = masks[pc + 1 + k[pc]!]! & memvalid;
        memvalid = 0xffff;
      } else if (COND_JUMPS.has(c)) {
        masks[pc + 1 + jt[pc]!] = masks[pc + 1 + jt[pc]!]! & memvalid;
        masks[pc + 1 + jf[pc]!] = masks[pc + 1 + jf[pc]!]! & memvalid;
        memvalid = 0xffff;
      }
      memvalid &= 0xffff;
    }
  }

  // seccomp_check_filter()
  for (let pc = 0; pc < flen; pc++) {
    const c = code[pc]!;
    if (c === 0x20) {
      const kk = k[pc]!;
      if (kk >= SECCOMP_DATA_SIZE || kk & 3) return fail('seccomp', pc, `ld [${kk}] is not an aligned offset inside struct seccomp_data`);
      continue;
    }
    if (!SECCOMP_CODES.has(c)) return fail('seccomp', pc, `opcode ${hex(c)} is not allowed in seccomp filters`);
  }
  return { ok: true, program: { length: flen, code, jt, jf, k } };
}

/**
 * Length of the eBPF program the kernel runs for a checked classic program: what
 * bpf_convert_filter() (net/core/filter.c, Linux ≥ 4.14) emits after seccomp_check_filter()'s
 * rewrites. It is `bpf_prog->len`, the figure seccomp_attach_filter() adds up against
 * MAX_INSNS_PER_PATH. Prologue 3 (clear A and X, save ctx); ret #k 2 (mov + exit); div by X 5
 * (zero check); a conditional jump 1, or 2 when neither branch falls through (or jset with only
 * the true branch falling through), plus 1 when #k is negative as an s32 (moved into a register).
 * Constant blinding (net.core.bpf_jit_harden=2) would add more; it is off by default. undefined
 * for a program the kernel refuses.
 */
export function ebpfLength(p: BpfProgram): number | undefined {
  const c = compile(p);
  if (!c.ok) return undefined;
  const { code, jt, jf, k, length } = c.program;
  let n = 3;
  for (let pc = 0; pc < length; pc++) {
    const op = code[pc]!;
    if (op === 0x06) n += 2;
    else if (op === 0x3c) n += 5;
    else if ((op & 0x07) === BPF.JMP && op !== 0x05) {
      const extra = (op & 0x08) === 0 && (k[pc]! | 0) < 0 ? 1 : 0;
      const oneInsn = jf[pc] === 0 || (jt[pc] === 0 && (op & 0xf0) !== BPF.JSET);
      n += (oneInsn ? 1 : 2) + extra;
    } else n += 1;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// seccomp_data.

/** struct seccomp_data. `nr` is the int the kernel reports (x32 numbers carry 0x40000000). */
export interface SeccompData {
  readonly nr: number;
  /** AUDIT_ARCH_* of the calling ABI. */
  readonly arch: number;
  /** instruction_pointer (u64). */
  readonly instructionPointer?: bigint;
  /** args[0..5] (u64 each; missing ones are 0; values are taken modulo 2^64). */
  readonly args?: readonly bigint[];
}

export type Endian = 'little' | 'big';

const MASK64 = (1n << 64n) - 1n;

/**
 * The 16 32-bit words a BPF_LD|BPF_W|BPF_ABS can read (offset / 4). seccomp loads are native-endian
 * 32-bit reads (bpf_convert_filter() turns them into BPF_LDX_MEM(BPF_W, A, ctx, k)), so on a
 * little-endian host the low half of a u64 is at the lower offset.
 */
export function seccompWords(d: SeccompData, endian: Endian = 'little'): Uint32Array {
  const w = new Uint32Array(16);
  w[0] = u32(d.nr);
  w[1] = u32(d.arch);
  const put64 = (i: number, v: bigint | undefined): void => {
    const x = BigInt.asUintN(64, v ?? 0n) & MASK64;
    const lo = Number(x & 0xffffffffn);
    const hi = Number(x >> 32n);
    w[i] = endian === 'little' ? lo : hi;
    w[i + 1] = endian === 'little' ? hi : lo;
  };
  put64(2, d.instructionPointer);
  for (let a = 0; a < 6; a++) put64(4 + 2 * a, d.args?.[a]);
  return w;
}

/** What a seccomp_data word is, given its index (offset / 4) and the host's endianness. */
export function describeWord(index: number, endian: Endian = 'little'): { field: 'nr' | 'arch' | 'ip' | 'arg'; arg?: number; half?: 'lo' | 'hi' } {
  if (index === 0) return { field: 'nr' };
  if (index === 1) return { field: 'arch' };
  const low = (index % 2 === 0) === (endian === 'little');
  const half = low ? 'lo' : 'hi';
  if (index < 4) return { field: 'ip', half };
  return { field: 'arg', arg: (index - 4) >> 1, half };
}

// ---------------------------------------------------------------------------------------------
// The interpreter.

export type EmulationResult =
  | { readonly ok: true; readonly ret: number; readonly executed: number }
  | { readonly ok: false; readonly error: CheckError };

export interface RunOutcome {
  /** u32 SECCOMP_RET_* value. */
  ret: number;
  /** Classic instructions executed, including the final return. */
  executed: number;
  /** Whether a value other than nr/arch was loaded (an argument or the instruction pointer). */
  loadedVariable: boolean;
}

/**
 * Runs a compiled (already checked) program. A and X start at 0 (bpf_convert_filter() emits the
 * two clears). ALU is 32-bit: shifts by X use the low 5 bits (x86 JIT `shl %cl` / interpreter
 * `SRC & 31`), and a division by X == 0 ends the program with return value 0 (the cBPF conversion
 * inserts `if (X == 0) return 0`), which is SECCOMP_RET_KILL_THREAD.
 */
export function runCompiled(p: CompiledProgram, words: Uint32Array, scratch?: Uint32Array): RunOutcome {
  const out: RunOutcome = { ret: 0, executed: 0, loadedVariable: false };
  runCompiledInto(p, words, scratch ?? new Uint32Array(BPF_MEMWORDS), out);
  return out;
}

/**
 * runCompiled() without allocation, for bulk evaluation: fills `out`. `scratch` needs no clearing
 * between runs, because checked programs never read a scratch cell before writing it.
 */
export function runCompiledInto(p: CompiledProgram, words: Uint32Array, mem: Uint32Array, out: RunOutcome): void {
  const { code, jt, jf, k, length } = p;
  let A = 0;
  let X = 0;
  let pc = 0;
  let executed = 0;
  let loadedVariable = false;
  let ret = 0;
  // Jumps only go forward (checked), so at most `length` steps; the bound is a second guard.
  run: while (pc < length && executed <= length) {
    const c = code[pc]!;
    const kk = k[pc]!;
    executed++;
    switch (c) {
      case 0x20: {
        const idx = kk >>> 2;
        if (idx > 1) loadedVariable = true;
        A = words[idx]!;
        break;
      }
      case 0x80:
        A = SECCOMP_DATA_SIZE;
        break;
      case 0x81:
        X = SECCOMP_DATA_SIZE;
        break;
      case 0x00:
        A = kk;
        break;
      case 0x01:
        X = kk;
        break;
      case 0x60:
        A = mem[kk]!;
        break;
      case 0x61:
        X = mem[kk]!;
        break;
      case 0x02:
        mem[kk] = A;
        break;
      case 0x03:
        mem[kk] = X;
        break;
      case 0x07:
        X = A;
        break;
      case 0x87:
        A = X;
        break;
      case 0x06:
        ret = kk;
        break run;
      case 0x16:
        ret = A;
        break run;
      case 0x05:
        pc += kk;
        break;
      case 0x84:
        A = u32(-A);
        break;
      case 0x15:
        pc += A === kk ? jt[pc]! : jf[pc]!;
        break;
      case 0x35:
        pc += A >= kk ? jt[pc]! : jf[pc]!;
        break;
      case 0x25:
        pc += A > kk ? jt[pc]! : jf[pc]!;
        break;
      case 0x45:
        pc += (A & kk) !== 0 ? jt[pc]! : jf[pc]!;
        break;
      default: {
        const cls = c & 0x07;
        const src = c & 0x08 ? X : kk;
        if (cls === BPF.ALU) {
          const op = c & 0xf0;
          if ((op === BPF.DIV || op === BPF.MOD) && src === 0) {
            ret = 0;
            break run;
          }
          A = alu(op, A, src);
        } else if (cls === BPF.JMP) {
          let t: boolean;
          switch (c & 0xf0) {
            case BPF.JEQ:
              t = A === src;
              break;
            case BPF.JGT:
              t = A > src;
              break;
            case BPF.JGE:
              t = A >= src;
              break;
            default:
              t = (A & src) !== 0;
          }
          pc += t ? jt[pc]! : jf[pc]!;
        } else {
          // Unreachable for checked programs; behave like a failed program rather than loop.
          ret = 0;
          break run;
        }
      }
    }
    pc++;
  }
  out.ret = ret >>> 0;
  out.executed = executed;
  out.loadedVariable = loadedVariable;
}

/** 32-bit ALU operation as the converted eBPF program performs it. */
export function alu(op: number, a: number, v: number): number {
  switch (op) {
    case BPF.ADD:
      return u32(a + v);
    case BPF.SUB:
      return u32(a - v);
    case BPF.MUL:
      return u32(Math.imul(a, v));
    case BPF.DIV:
      return v === 0 ? 0 : u32(Math.floor(a / v));
    case BPF.MOD:
      return v === 0 ? a : u32(a % v);
    case BPF.OR:
      return u32(a | v);
    case BPF.AND:
      return u32(a & v);
    case BPF.XOR:
      return u32(a ^ v);
    case BPF.LSH:
      return u32(a << (v & 31));
    case BPF.RSH:
      return a >>> (v & 31);
    case BPF.NEG:
      return u32(-a);
    default:
      return a;
  }
}

/**
 * Runs one program on one seccomp_data exactly as the kernel's BPF would, after checking it like
 * seccomp(SECCOMP_SET_MODE_FILTER) does. Never throws: a program the kernel would refuse gives
 * `{ ok: false, error }`.
 */
export function emulate(p: BpfProgram, data: SeccompData, opts: { endian?: Endian } = {}): EmulationResult {
  const c = compile(p);
  if (!c.ok) return c;
  const r = runCompiled(c.program, seccompWords(data, opts.endian));
  return { ok: true, ret: r.ret, executed: r.executed };
}

/**
 * Runs a chain (index 0 = oldest) on one seccomp_data: every program runs (the kernel does not stop
 * early), and the result is combined like seccomp_run_filters(). No kernel cache here: see
 * kernelCache.ts for when the kernel skips the chain altogether.
 */
export function emulateChain(
  chain: readonly BpfProgram[],
  data: SeccompData,
  opts: { endian?: Endian } = {},
):
  | { ok: true; ret: number; filter: number | undefined; executed: number; perFilter: { ret: number; executed: number }[] }
  | { ok: false; filter: number; error: CheckError } {
  const words = seccompWords(data, opts.endian);
  const perFilter: { ret: number; executed: number }[] = [];
  for (let i = 0; i < chain.length; i++) {
    const c = compile(chain[i]!);
    if (!c.ok) return { ok: false, filter: i, error: c.error };
    const r = runCompiled(c.program, words);
    perFilter.push({ ret: r.ret, executed: r.executed });
  }
  const { ret, filter } = chainResult(perFilter.map((f) => f.ret));
  return { ok: true, ret, filter, executed: perFilter.reduce((s, f) => s + f.executed, 0), perFilter };
}

/** Decodes the raw struct sock_filter array (8 bytes per instruction) in the given byte order. */
export function programFromBytes(buf: Uint8Array, endian: Endian = 'little'): BpfProgram {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const le = endian === 'little';
  const instructions: BpfInstruction[] = [];
  for (let off = 0; off + 8 <= buf.byteLength; off += 8) {
    instructions.push({ code: dv.getUint16(off, le), jt: dv.getUint8(off + 2), jf: dv.getUint8(off + 3), k: dv.getUint32(off + 4, le) });
  }
  return { instructions };
}

/** The inverse of programFromBytes. */
export function programToBytes(p: BpfProgram, endian: Endian = 'little'): Uint8Array {
  const out = new Uint8Array(p.instructions.length * 8);
  const dv = new DataView(out.buffer);
  const le = endian === 'little';
  p.instructions.forEach((i, n) => {
    dv.setUint16(n * 8, i.code & 0xffff, le);
    dv.setUint8(n * 8 + 2, i.jt & 0xff);
    dv.setUint8(n * 8 + 3, i.jf & 0xff);
    dv.setUint32(n * 8 + 4, u32(i.k), le);
  });
  return out;
}
