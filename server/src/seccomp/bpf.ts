/**
 * Classic BPF as seccomp uses it: opcode constants (linux/filter.h, linux/bpf_common.h), the
 * seccomp_data offsets and return-action values, and the 8-byte struct sock_filter encoding.
 */

import type { BpfInstruction, BpfProgram } from './filterTypes';

// Instruction classes and fields (linux/bpf_common.h).
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_MISC = 0x07;
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_LEN = 0x80;
export const BPF_MSH = 0xa0;
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_K = 0x00;
export const BPF_X = 0x08;
export const BPF_A = 0x10;
export const BPF_TAX = 0x00;
export const BPF_TXA = 0x80;

export const bpfClass = (code: number): number => code & 0x07;
export const bpfSize = (code: number): number => code & 0x18;
export const bpfMode = (code: number): number => code & 0xe0;
export const bpfOp = (code: number): number => code & 0xf0;
export const bpfSrc = (code: number): number => code & 0x08;
export const bpfRval = (code: number): number => code & 0x18;

/** The only opcodes libseccomp's generator emits (gen_bpf.c builds BPF_LD+BPF_ABS etc.; BPF_W is 0). */
export const OP_LD_ABS = BPF_LD | BPF_W | BPF_ABS; // 0x20
export const OP_ALU_AND = BPF_ALU | BPF_AND | BPF_K; // 0x54
export const OP_JA = BPF_JMP | BPF_JA; // 0x05
export const OP_JEQ = BPF_JMP | BPF_JEQ | BPF_K; // 0x15
export const OP_JGT = BPF_JMP | BPF_JGT | BPF_K; // 0x25
export const OP_JGE = BPF_JMP | BPF_JGE | BPF_K; // 0x35
export const OP_RET = BPF_RET | BPF_K; // 0x06

/** struct seccomp_data: { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; } */
export const SECCOMP_DATA_NR = 0;
export const SECCOMP_DATA_ARCH = 4;
export const SECCOMP_DATA_IP = 8;
export const SECCOMP_DATA_ARGS = 16;
export const SECCOMP_DATA_SIZE = 64;

/** Filter return values (linux/seccomp.h); libseccomp's SCMP_ACT_* are the same numbers. */
export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_KILL_THREAD = 0x00000000;
export const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_USER_NOTIF = 0x7fc00000;
export const SECCOMP_RET_TRACE = 0x7ff00000;
export const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const SECCOMP_RET_ACTION_FULL = 0xffff0000;
export const SECCOMP_RET_DATA = 0x0000ffff;

export type Endian = 'little' | 'big';

/**
 * struct sock_filter[] bytes: u16 code, u8 jt, u8 jf, u32 k per instruction. libseccomp writes
 * code and k in the filtered ABI's byte order (gen_bpf.c _htot16/_htot32), so big-endian ABIs
 * (s390x, ppc64, mips) need `endian: 'big'`; the default is little-endian.
 */
export function encodeProgram(p: BpfProgram, endian: Endian = 'little'): Uint8Array {
  const n = p.instructions.length;
  const out = new Uint8Array(n * 8);
  const dv = new DataView(out.buffer);
  const le = endian === 'little';
  for (let i = 0; i < n; i++) {
    const ins = p.instructions[i]!;
    dv.setUint16(i * 8, ins.code & 0xffff, le);
    out[i * 8 + 2] = ins.jt & 0xff;
    out[i * 8 + 3] = ins.jf & 0xff;
    dv.setUint32(i * 8 + 4, ins.k >>> 0, le);
  }
  return out;
}

/** Inverse of {@link encodeProgram}; trailing bytes that do not fill an instruction are an error. */
export function decodeProgram(bytes: Uint8Array, endian: Endian = 'little'): BpfProgram {
  if (bytes.length % 8 !== 0) throw new RangeError(`BPF program length ${bytes.length} is not a multiple of 8`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = endian === 'little';
  const instructions: BpfInstruction[] = [];
  for (let o = 0; o < bytes.length; o += 8) {
    instructions.push({ code: dv.getUint16(o, le), jt: bytes[o + 2]!, jf: bytes[o + 3]!, k: dv.getUint32(o + 4, le) });
  }
  return { instructions };
}

/** Lower-case hex of the encoded program (what the differential helper prints). */
export function programHex(p: BpfProgram, endian: Endian = 'little'): string {
  return Buffer.from(encodeProgram(p, endian)).toString('hex');
}
