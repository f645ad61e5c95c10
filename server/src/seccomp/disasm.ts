/**
 * Text forms of a seccomp BPF program: `disassemble()` prints exactly what libseccomp's
 * tools/scmp_bpf_disasm.c prints (v2.5.4; unchanged to v2.6.1 apart from arch options), and
 * `annotate()` adds comments naming the seccomp_data fields, ABIs, syscalls and errno values.
 */

import { ABIS, X32_SYSCALL_BIT, type AbiName } from './abi';
import {
  BPF_A,
  BPF_ABS,
  BPF_ALU,
  BPF_AND,
  BPF_IMM,
  BPF_IND,
  BPF_JA,
  BPF_JMP,
  BPF_K,
  BPF_LD,
  BPF_LDX,
  BPF_LEN,
  BPF_MEM,
  BPF_MISC,
  BPF_MSH,
  BPF_OR,
  BPF_RET,
  BPF_ST,
  BPF_STX,
  BPF_X,
  OP_JEQ,
  OP_JGE,
  OP_JGT,
  OP_RET,
  OP_LD_ABS,
  OP_ALU_AND,
  OP_JA,
  SECCOMP_DATA_ARCH,
  SECCOMP_DATA_ARGS,
  SECCOMP_DATA_IP,
  SECCOMP_DATA_NR,
  bpfClass,
  bpfMode,
  bpfOp,
  bpfRval,
  bpfSrc,
} from './bpf';
import type { BpfInstruction, BpfProgram } from './filterTypes';
import { DEFAULT_LIBSECCOMP, syscallName, type LibseccompVersion } from './syscalls';

const pad4 = (n: number): string => String(n >>> 0).padStart(4, '0');
const hex = (n: number, w: number): string => (n >>> 0).toString(16).padStart(w, '0');

// bpf_decode_op(): the mnemonic of every opcode the tool knows, "???" otherwise.
const MNEMONIC = new Map<number, string>();
{
  const ldModes = [0x00, 0x20, 0x40, 0x60, 0x80, 0xa0]; // IMM ABS IND MEM LEN MSH
  for (const m of ldModes) {
    MNEMONIC.set(BPF_LD | 0x00 | m, 'ld');
    MNEMONIC.set(BPF_LD | 0x08 | m, 'ldh');
    MNEMONIC.set(BPF_LD | 0x10 | m, 'ldb');
    for (const s of [0x00, 0x08, 0x10]) MNEMONIC.set(BPF_LDX | s | m, 'ldx');
  }
  MNEMONIC.set(BPF_ST, 'st');
  MNEMONIC.set(BPF_STX, 'stx');
  const alu: [number, string][] = [
    [0x00, 'add'],
    [0x10, 'sub'],
    [0x20, 'mul'],
    [0x30, 'div'],
    [0x40, 'or'],
    [0x50, 'and'],
    [0x60, 'lsh'],
    [0x70, 'rsh'],
    [0x80, 'neg'],
    [0x90, 'mod'],
    [0xa0, 'xor'],
  ];
  for (const [op, name] of alu) for (const src of [BPF_K, BPF_X]) MNEMONIC.set(BPF_ALU | op | src, name);
  const jmp: [number, string][] = [
    [0x00, 'jmp'],
    [0x10, 'jeq'],
    [0x20, 'jgt'],
    [0x30, 'jge'],
    [0x40, 'jset'],
  ];
  for (const [op, name] of jmp) for (const src of [BPF_K, BPF_X]) MNEMONIC.set(BPF_JMP | op | src, name);
  for (const r of [BPF_K, BPF_X, BPF_A]) MNEMONIC.set(BPF_RET | r, 'ret');
  MNEMONIC.set(BPF_MISC | 0x00, 'tax');
  MNEMONIC.set(BPF_MISC | 0x80, 'txa');
}

/** bpf_decode_action(): how the tool names a return value (it predates SECCOMP_RET_USER_NOTIF). */
export function actionText(k: number): string {
  const act = (k & 0xffff0000) >>> 0;
  const data = k & 0xffff;
  switch (act) {
    case 0x80000000:
      return 'KILL_PROCESS';
    case 0x00000000:
      return 'KILL';
    case 0x00030000:
      return 'TRAP';
    case 0x00050000:
      return `ERRNO(${data})`;
    case 0x7ff00000:
      return `TRACE(${data})`;
    case 0x7ffc0000:
      return 'LOG';
    case 0x7fff0000:
      return 'ALLOW';
    default:
      return `0x${hex(k, 8)}`;
  }
}

/** bpf_decode_args(). */
function argsText(i: BpfInstruction, line: number): string {
  const k = i.k >>> 0;
  switch (bpfClass(i.code)) {
    case BPF_LD:
    case BPF_LDX:
      switch (bpfMode(i.code)) {
        case BPF_ABS:
          return `$data[${k}]`;
        case BPF_MEM:
          return `$temp[${k}]`;
        case BPF_IMM:
          return `${k}`;
        case BPF_IND:
          return `$data[X + ${k}]`;
        case BPF_LEN:
          return 'len($data)';
        case BPF_MSH:
          return `4 * $data[${k}] & 0x0f`;
        default:
          return '';
      }
    case BPF_ST:
    case BPF_STX:
      return `$temp[${k}]`;
    case BPF_ALU:
      if (bpfSrc(i.code) === BPF_K && (bpfOp(i.code) === BPF_OR || bpfOp(i.code) === BPF_AND)) return `0x${hex(k, 8)}`;
      return `${k}`;
    case BPF_JMP:
      if (bpfOp(i.code) === BPF_JA) return pad4(line + 1 + k);
      return `${String(k).padEnd(4)} true:${pad4(line + 1 + i.jt)} false:${pad4(line + 1 + i.jf)}`;
    case BPF_RET:
      if (bpfRval(i.code) === BPF_A) return '$acc';
      if (bpfSrc(i.code) === BPF_K) return actionText(k);
      return '???';
    default:
      return '';
  }
}

function lineText(i: BpfInstruction, line: number): string {
  const op = MNEMONIC.get(i.code & 0xffff) ?? '???';
  return ` ${pad4(line)}: 0x${hex(i.code & 0xffff, 2)} 0x${hex(i.jt, 2)} 0x${hex(i.jf, 2)} 0x${hex(i.k, 8)}   ${op.padEnd(3)} ${argsText(i, line)}`;
}

const HEADER = ' line  OP   JT   JF   K\n=================================\n';

/** The program as `scmp_bpf_disasm` prints it (header, one line per instruction, trailing newline). */
export function disassemble(p: BpfProgram): string {
  let s = HEADER;
  p.instructions.forEach((i, line) => {
    s += lineText(i, line) + '\n';
  });
  return s;
}

// errno names for the values systemd filters return (asm-generic/errno-base.h, errno.h on x86)
const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: 'EPERM',
  2: 'ENOENT',
  5: 'EIO',
  9: 'EBADF',
  12: 'ENOMEM',
  13: 'EACCES',
  14: 'EFAULT',
  16: 'EBUSY',
  22: 'EINVAL',
  38: 'ENOSYS',
  95: 'EOPNOTSUPP',
  97: 'EAFNOSUPPORT',
};

/** What the accumulator holds, as far as the forward data flow can tell. */
type AccFact = { kind: 'arch' } | { kind: 'nr' } | { kind: 'arg'; arg: number; half: 'lo' | 'hi' | 'word'; masked: boolean } | { kind: 'other' };

interface Fact {
  acc: AccFact;
  /** ABIs the path to here is known to be in (after a taken `jeq arch`), undefined = unknown. */
  abis: readonly AbiName[] | undefined;
}

const sameAcc = (a: AccFact, b: AccFact): boolean => JSON.stringify(a) === JSON.stringify(b);

function merge(a: Fact | undefined, b: Fact): Fact {
  if (a === undefined) return b;
  const acc = sameAcc(a.acc, b.acc) ? a.acc : { kind: 'other' as const };
  const abis = a.abis !== undefined && b.abis !== undefined && a.abis.join() === b.abis.join() ? a.abis : undefined;
  return { acc, abis };
}

function loadFact(off: number, abis: readonly AbiName[] | undefined): AccFact {
  if (off === SECCOMP_DATA_NR) return { kind: 'nr' };
  if (off === SECCOMP_DATA_ARCH) return { kind: 'arch' };
  if (off >= SECCOMP_DATA_ARGS && off < SECCOMP_DATA_ARGS + 48) {
    const arg = Math.floor((off - SECCOMP_DATA_ARGS) / 8);
    const upper = (off - SECCOMP_DATA_ARGS) % 8 === 4;
    const abi = abis !== undefined && abis.length > 0 ? ABIS[abis[0]!] : undefined;
    if (abi === undefined) return { kind: 'arg', arg, half: upper ? 'hi' : 'lo', masked: false };
    if (abi.bits === 32) return { kind: 'arg', arg, half: 'word', masked: false };
    const hiHalf = abi.endian === 'little' ? upper : !upper;
    return { kind: 'arg', arg, half: hiHalf ? 'hi' : 'lo', masked: false };
  }
  return { kind: 'other' };
}

function describeLoad(off: number, f: AccFact): string {
  if (f.kind === 'nr') return 'syscall number';
  if (f.kind === 'arch') return 'architecture (AUDIT_ARCH_*)';
  if (f.kind === 'arg') return f.half === 'word' ? `a${f.arg} (low 32 bits)` : `a${f.arg}, ${f.half === 'hi' ? 'high' : 'low'} 32 bits`;
  if (off === SECCOMP_DATA_IP) return 'instruction pointer, low word';
  return '';
}

function syscallLabel(nr: number, abis: readonly AbiName[] | undefined, lib: LibseccompVersion): string {
  if (nr === 0xffffffff) return 'syscall -1 (skipped by a tracer)';
  if (abis === undefined) return '';
  let list = abis;
  if (list.includes('x32') && list.includes('x86-64')) list = nr >= X32_SYSCALL_BIT ? ['x32'] : ['x86-64'];
  const names = new Set<string>();
  for (const abi of list) {
    const n = syscallName(nr, abi, lib);
    if (n !== undefined) names.add(n);
  }
  return [...names].join(' / ');
}

/**
 * The disassembly with a `# comment` after each instruction: which seccomp_data field a load
 * reads, which ABI an arch comparison tests, which syscall a number is (in the ABI the path is
 * known to be in, from `abis`, the filter's ABIs), argument comparisons, and actions by name.
 */
export function annotate(p: BpfProgram, abis: readonly AbiName[], lib: LibseccompVersion = DEFAULT_LIBSECCOMP): string {
  const ins = p.instructions;
  const facts: (Fact | undefined)[] = new Array<Fact | undefined>(ins.length + 1).fill(undefined);
  facts[0] = { acc: { kind: 'other' }, abis: undefined };
  const tokens = new Map<number, AbiName[]>();
  for (const a of abis) {
    const t = ABIS[a].auditArch;
    tokens.set(t, [...(tokens.get(t) ?? []), a]);
  }
  let out = HEADER;
  for (let line = 0; line < ins.length; line++) {
    const i = ins[line]!;
    const f: Fact = facts[line] ?? { acc: { kind: 'other' }, abis: undefined };
    const k = i.k >>> 0;
    let note = '';
    const flow = (to: number, fact: Fact): void => {
      if (to <= ins.length) facts[to] = merge(facts[to], fact);
    };
    if (i.code === OP_LD_ABS) {
      const acc = loadFact(k, f.abis);
      note = describeLoad(k, acc);
      flow(line + 1, { acc, abis: f.abis });
    } else if (i.code === OP_ALU_AND) {
      note = `mask 0x${hex(k, 8)}`;
      flow(line + 1, { acc: f.acc.kind === 'arg' ? { ...f.acc, masked: true } : { kind: 'other' }, abis: f.abis });
    } else if (i.code === OP_JEQ || i.code === OP_JGT || i.code === OP_JGE) {
      const rel = i.code === OP_JEQ ? '==' : i.code === OP_JGT ? '>' : '>=';
      let tAbis = f.abis;
      if (f.acc.kind === 'arch' && i.code === OP_JEQ) {
        const hit = tokens.get(k);
        note = hit ? `arch == ${hit.join(' + ')}` : `arch == 0x${hex(k, 8)}`;
        tAbis = hit ?? tAbis;
      } else if (f.acc.kind === 'nr') {
        if (i.code === OP_JGE && k === X32_SYSCALL_BIT) note = 'nr >= X32_SYSCALL_BIT (x32 call)';
        else {
          const name = syscallLabel(k, f.abis, lib);
          note = `nr ${rel} ${name || k}`;
        }
      } else if (f.acc.kind === 'arg') {
        const a = f.acc;
        const what = a.half === 'word' ? `a${a.arg}` : `a${a.arg}.${a.half}`;
        note = `${what}${a.masked ? ' (masked)' : ''} ${rel} 0x${hex(k, 8)}`;
      }
      flow(line + 1 + i.jt, { acc: f.acc, abis: tAbis });
      flow(line + 1 + i.jf, { acc: f.acc, abis: f.abis });
    } else if (i.code === OP_JA) {
      note = `to ${pad4(line + 1 + k)}`;
      flow(line + 1 + k, f);
    } else if (i.code === OP_RET) {
      const act = (k & 0xffff0000) >>> 0;
      if (act === 0x00050000) note = `return -${ERRNO_NAMES[k & 0xffff] ?? k & 0xffff}`;
      else if (act === 0x00000000) note = 'kill the thread';
      else if (act === 0x80000000) note = 'kill the process';
      else if (act === 0x7fc00000) note = 'notify the supervisor (USER_NOTIF)';
      else if (act === 0x7fff0000) note = 'allow';
      else if (act === 0x7ffc0000) note = 'allow and log';
    } else flow(line + 1, { acc: { kind: 'other' }, abis: f.abis });
    const text = lineText(i, line);
    out += note ? `${text.padEnd(64)} # ${note}\n` : `${text}\n`;
  }
  return out;
}
