/**
 * Unit tests of the seccomp BPF emulator: the kernel's checker rules (bpf_check_classic() and
 * seccomp_check_filter()), the interpreter's semantics on hand-assembled programs, action decoding
 * and the chain precedence of seccomp_run_filters(). Agreement with the real kernel is in
 * test/kernel/kernel.test.ts.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CaseCounter, propertyRuns, propertySeed, reportCases } from './propertyRuns';
import {
  BPF,
  MAX_ERRNO,
  SECCOMP_RET,
  chainResult,
  checkFilter,
  decodeAction,
  describeWord,
  emulate,
  emulateChain,
  encodeAction,
  formatRet,
  programFromBytes,
  programToBytes,
  seccompWords,
  type SeccompData,
} from '../../server/src/seccomp/emulator';
import type { Action, BpfInstruction, BpfProgram } from '../../server/src/seccomp/filterTypes';
import { I, asm, prog } from '../kernel/support';

const X86_64 = 0xc000003e;
const ALLOW = SECCOMP_RET.ALLOW;
const SEED = propertySeed(0xbf5eed);
const ERRNO = (n: number): number => (SECCOMP_RET.ERRNO | n) >>> 0;

function run(p: BpfProgram, d: Partial<SeccompData> = {}, endian: 'little' | 'big' = 'little'): { ret: number; executed: number } {
  const r = emulate(p, { nr: 0, arch: X86_64, ...d }, { endian });
  assert.ok(r.ok, r.ok ? '' : `refused: ${r.error.stage} ${r.error.reason}`);
  return { ret: r.ret, executed: r.executed };
}
/** A program that computes A with `body` and returns it. */
const calc = (...body: BpfInstruction[]): BpfProgram => prog(...body, asm.retA());
const refused = (p: BpfProgram, stage?: string, pc?: number): void => {
  const r = checkFilter(p);
  assert.equal(r.ok, false, 'expected the kernel to refuse the program');
  if (!r.ok) {
    if (stage) assert.equal(r.error.stage, stage, r.error.reason);
    if (pc !== undefined) assert.equal(r.error.pc, pc, r.error.reason);
    const e = emulate(p, { nr: 0, arch: X86_64 });
    assert.equal(e.ok, false);
  }
};
const accepted = (p: BpfProgram): void => {
  const r = checkFilter(p);
  assert.ok(r.ok, r.ok ? '' : `${r.error.stage} at ${r.error.pc}: ${r.error.reason}`);
};

describe('actions', () => {
  it('decodes every SECCOMP_RET_* value', () => {
    const cases: [number, Action][] = [
      [0x80000000, { kind: 'kill-process' }],
      [0x00000000, { kind: 'kill-thread' }],
      [0x00030007, { kind: 'trap' }],
      [0x00050001, { kind: 'errno', errno: 1 }],
      [0x7fc00000, { kind: 'notify' }],
      [0x7ff00005, { kind: 'trace', data: 5 }],
      [0x7ffc0000, { kind: 'log' }],
      [0x7fff0000, { kind: 'allow' }],
    ];
    for (const [ret, action] of cases) {
      assert.deepEqual(decodeAction(ret), action, `0x${ret.toString(16)}`);
      if (action.kind !== 'trap') assert.equal(encodeAction(action), ret >>> 0);
    }
  });
  it('caps ERRNO data at MAX_ERRNO like __seccomp_filter()', () => {
    assert.deepEqual(decodeAction(0x0005ffff), { kind: 'errno', errno: MAX_ERRNO });
    assert.deepEqual(decodeAction(0x00051000), { kind: 'errno', errno: 4095 });
    assert.deepEqual(decodeAction(0x00050fff), { kind: 'errno', errno: 4095 });
  });
  it('treats unknown actions as KILL_PROCESS (the kernel default: case)', () => {
    for (const r of [0x00010000, 0x00060000, 0x7ffd0000, 0xffff0000, 0x40000000]) assert.deepEqual(decodeAction(r), { kind: 'kill-process' });
  });
  it('formats return values', () => {
    assert.equal(formatRet(ERRNO(13)), 'ERRNO(13)');
    assert.equal(formatRet(0x80000000), 'KILL_PROCESS');
    assert.equal(formatRet(0), 'KILL_THREAD');
    assert.equal(formatRet(ALLOW), 'ALLOW');
    assert.equal(formatRet(0x7ff00002), 'TRACE(2)');
    assert.equal(formatRet(SECCOMP_RET.USER_NOTIF), 'USER_NOTIF');
  });
});

describe('chainResult (seccomp_run_filters precedence)', () => {
  it('keeps the lowest action, comparing as s32', () => {
    assert.deepEqual(chainResult([ALLOW, ERRNO(1), 0x80000000]), { ret: 0x80000000, filter: 2 });
    assert.deepEqual(chainResult([0x80000000, 0]), { ret: 0x80000000, filter: 0 });
    assert.deepEqual(chainResult([0x00030000, ERRNO(1)]), { ret: 0x00030000, filter: 0 });
    assert.deepEqual(chainResult([ERRNO(1), 0]), { ret: 0, filter: 1 });
    assert.deepEqual(chainResult([SECCOMP_RET.LOG, ALLOW]), { ret: SECCOMP_RET.LOG, filter: 0 });
    assert.deepEqual(chainResult([SECCOMP_RET.TRACE, SECCOMP_RET.USER_NOTIF]), { ret: SECCOMP_RET.USER_NOTIF, filter: 1 });
    // An unknown action sits where its value puts it (here between KILL_THREAD and TRAP).
    assert.deepEqual(chainResult([0x00030000, 0x00010000]), { ret: 0x00010000, filter: 1 });
  });
  it('lets the newest filter win among equal actions (the walk is newest → oldest, strict <)', () => {
    assert.deepEqual(chainResult([ERRNO(1), ERRNO(2)]), { ret: ERRNO(2), filter: 1 });
    assert.deepEqual(chainResult([ERRNO(2), ERRNO(1), ALLOW]), { ret: ERRNO(1), filter: 1 });
  });
  it('starts from plain ALLOW: an empty chain or all-ALLOW decides nothing', () => {
    assert.deepEqual(chainResult([]), { ret: ALLOW, filter: undefined });
    assert.deepEqual(chainResult([ALLOW, 0x7fff0001]), { ret: ALLOW, filter: undefined });
  });
});

describe('checkFilter (bpf_check_classic + seccomp_check_filter)', () => {
  it('enforces 1 ≤ length ≤ BPF_MAXINSNS', () => {
    refused(prog(), 'length');
    refused(prog(...Array.from({ length: 4096 }, () => asm.ldw(0)), asm.ret(ALLOW)), 'length');
    accepted(prog(...Array.from({ length: 4095 }, () => asm.ldw(0)), asm.ret(ALLOW)));
  });
  it('requires a final return', () => {
    refused(prog(asm.ldw(0)), 'classic', 0);
    refused(prog(asm.ret(ALLOW), asm.ldw(0)), 'classic', 1);
    accepted(prog(asm.ldImm(5), asm.retA()));
  });
  it('checks ld [k] offsets: 4-byte aligned, inside struct seccomp_data', () => {
    for (let k = 0; k < 64; k += 4) accepted(prog(asm.ldw(k), asm.ret(ALLOW)));
    refused(prog(asm.ldw(2), asm.ret(ALLOW)), 'seccomp', 0);
    refused(prog(asm.ldw(64), asm.ret(ALLOW)), 'seccomp', 0);
    refused(prog(asm.ldw(0x1000), asm.ret(ALLOW)), 'seccomp', 0);
    // An ancillary load passes the classic check, then seccomp refuses it; an unknown one fails earlier.
    refused(prog(asm.ldw(0xfffff000), asm.ret(ALLOW)), 'seccomp', 0);
    refused(prog(asm.ldw(0xfffff0fc), asm.ret(ALLOW)), 'classic', 0);
  });
  it('refuses packet-only and unknown opcodes', () => {
    refused(prog(I(0x28, 0), asm.ret(ALLOW)), 'seccomp', 0); // ld h abs
    refused(prog(I(0x30, 0), asm.ret(ALLOW)), 'seccomp', 0); // ld b abs
    refused(prog(I(0x40, 0), asm.ret(ALLOW)), 'seccomp', 0); // ld w ind
    refused(prog(I(0xb1, 0), asm.ret(ALLOW)), 'seccomp', 0); // ldx b msh
    refused(prog(I(0x94, 3), asm.ret(ALLOW)), 'seccomp', 0); // mod k: classic BPF has it, seccomp does not
    refused(prog(I(0x9c), asm.ret(ALLOW)), 'seccomp', 0); // mod x
    refused(prog(I(0x0e), asm.ret(ALLOW)), 'classic', 0); // ret x does not exist
    refused(prog(I(0xff), asm.ret(ALLOW)), 'classic', 0);
    refused(prog(I(0x1234), asm.ret(ALLOW)), 'classic', 0);
  });
  it('accepts ld/ldx len (rewritten to an immediate 64)', () => {
    accepted(prog(asm.ldLen(), asm.ldxLen(), asm.retA()));
    assert.equal(run(prog(asm.ldLen(), asm.retA())).ret, 64);
    assert.equal(run(prog(asm.ldxLen(), asm.txa(), asm.retA())).ret, 64);
  });
  it('refuses constant division by zero and constant shifts ≥ 32', () => {
    refused(prog(asm.alu(BPF.DIV, 0), asm.retA()), 'classic', 0);
    accepted(prog(asm.alu(BPF.DIV, 1), asm.retA()));
    refused(prog(asm.alu(BPF.LSH, 32), asm.retA()), 'classic', 0);
    refused(prog(asm.alu(BPF.RSH, 32), asm.retA()), 'classic', 0);
    accepted(prog(asm.alu(BPF.LSH, 31), asm.alu(BPF.RSH, 31), asm.retA()));
  });
  it('checks jump ranges', () => {
    refused(prog(asm.ja(1), asm.ret(ALLOW)), 'classic', 0);
    accepted(prog(asm.ja(1), asm.ret(0), asm.ret(ALLOW)));
    refused(prog(asm.jeq(0, 2, 0), asm.ret(0), asm.ret(ALLOW)), 'classic', 0);
    refused(prog(asm.jeq(0, 0, 2), asm.ret(0), asm.ret(ALLOW)), 'classic', 0);
    accepted(prog(asm.jeq(0, 1, 0), asm.ret(0), asm.ret(ALLOW)));
    refused(prog(asm.ja(0xffffffff), asm.ret(ALLOW)), 'classic', 0);
  });
  it('checks scratch memory: index < 16, written on every path before it is read', () => {
    refused(prog(asm.st(16), asm.ret(ALLOW)), 'classic', 0);
    refused(prog(asm.ldMem(16), asm.ret(ALLOW)), 'classic', 0);
    refused(prog(asm.ldMem(3), asm.ret(ALLOW)), 'classic', 0);
    accepted(prog(asm.st(3), asm.ldMem(3), asm.retA()));
    // Written on only one branch: check_load_and_stores() refuses the join.
    refused(prog(asm.ldw(0), asm.jeq(1, 0, 1), asm.st(2), asm.ldxMem(2), asm.retA()), 'classic', 3);
    // Written on both branches: fine.
    accepted(prog(asm.ldw(0), asm.jeq(1, 0, 2), asm.st(2), asm.ja(1), asm.stx(2), asm.ldxMem(2), asm.retA()));
  });
  it('refuses fields struct sock_filter cannot hold, without throwing', () => {
    refused(prog({ code: 0x06, jt: 256, jf: 0, k: 0 }), 'encoding', 0);
    refused(prog({ code: 0x06, jt: 0, jf: 0, k: 1.5 }), 'encoding', 0);
    refused(prog({ code: -1, jt: 0, jf: 0, k: 0 }), 'encoding', 0);
    refused(prog({ code: 0x06, jt: 0, jf: 0, k: 2 ** 32 }), 'encoding', 0);
    refused({ instructions: 'nope' } as unknown as BpfProgram, 'encoding');
    refused({} as BpfProgram, 'encoding');
    accepted(prog({ code: 0x06, jt: 0, jf: 0, k: -1 })); // -1 is 0xffffffff
  });
  it('never throws on arbitrary input', (t) => {
    const cases = new CaseCounter();
    fc.assert(
      fc.property(
        fc.array(fc.record({ code: fc.integer({ min: -2, max: 0x1ff }), jt: fc.integer({ min: -1, max: 300 }), jf: fc.nat(300), k: fc.oneof(fc.integer(), fc.double()) })),
        cases.wrap((ins: { code: number; jt: number; jf: number; k: number }[]) => {
          const p = { instructions: ins } as BpfProgram;
          checkFilter(p);
          emulate(p, { nr: 1, arch: X86_64, args: [1n, 2n] });
        }),
      ),
      { numRuns: propertyRuns(500), seed: SEED },
    );
    reportCases(t, cases.count);
  });
});

describe('interpreter semantics', () => {
  it('reads seccomp_data words in native byte order', () => {
    const d: Partial<SeccompData> = { nr: 257, arch: X86_64, instructionPointer: 0x1122334455667788n, args: [0xaaaabbbbccccddddn, 0n, 0n, 0n, 0n, 0xffffffff00000001n] };
    assert.equal(run(calc(asm.ldw(0)), d).ret, 257);
    assert.equal(run(calc(asm.ldw(4)), d).ret, X86_64);
    assert.equal(run(calc(asm.ldw(8)), d).ret, 0x55667788);
    assert.equal(run(calc(asm.ldw(12)), d).ret, 0x11223344);
    assert.equal(run(calc(asm.ldw(16)), d).ret, 0xccccdddd);
    assert.equal(run(calc(asm.ldw(20)), d).ret, 0xaaaabbbb);
    assert.equal(run(calc(asm.ldw(56)), d).ret, 1);
    assert.equal(run(calc(asm.ldw(60)), d).ret, 0xffffffff);
    assert.equal(run(calc(asm.ldw(16)), d, 'big').ret, 0xaaaabbbb);
    assert.equal(run(calc(asm.ldw(20)), d, 'big').ret, 0xccccdddd);
    assert.deepEqual(describeWord(5), { field: 'arg', arg: 0, half: 'hi' });
    assert.deepEqual(describeWord(4, 'big'), { field: 'arg', arg: 0, half: 'hi' });
    assert.deepEqual(describeWord(3), { field: 'ip', half: 'hi' });
  });
  it('takes negative and oversized arguments modulo 2^64, and nr as a 32-bit int', () => {
    const w = seccompWords({ nr: -1, arch: X86_64, args: [-1n, 1n << 64n] });
    assert.equal(w[0], 0xffffffff);
    assert.deepEqual([w[4], w[5], w[6], w[7]], [0xffffffff, 0xffffffff, 0, 0]);
  });
  it('does 32-bit ALU arithmetic like the converted eBPF program', () => {
    const c = (a: number, ...ops: BpfInstruction[]): number => run(calc(asm.ldImm(a), ...ops)).ret;
    assert.equal(c(0xffffffff, asm.alu(BPF.ADD, 2)), 1);
    assert.equal(c(1, asm.alu(BPF.SUB, 2)), 0xffffffff);
    assert.equal(c(0x10001, asm.alu(BPF.MUL, 0x10001)), 0x20001);
    assert.equal(c(0xfffffff0, asm.alu(BPF.MUL, 0xffffffff)), 0x10);
    assert.equal(c(0xffffffff, asm.alu(BPF.DIV, 7)), 613566756);
    assert.equal(c(0xf0f0, asm.alu(BPF.AND, 0xff)), 0xf0);
    assert.equal(c(0xf0f0, asm.alu(BPF.OR, 0x0f)), 0xf0ff);
    assert.equal(c(0xf0f0, asm.alu(BPF.XOR, 0xffff)), 0x0f0f);
    assert.equal(c(1, asm.alu(BPF.LSH, 31)), 0x80000000);
    assert.equal(c(0x80000000, asm.alu(BPF.RSH, 31)), 1);
    assert.equal(c(5, asm.neg()), 0xfffffffb);
    assert.equal(c(0, asm.neg()), 0);
  });
  it('masks shift counts in X to 5 bits', () => {
    assert.equal(run(calc(asm.ldxImm(33), asm.ldImm(1), asm.aluX(BPF.LSH))).ret, 2);
    assert.equal(run(calc(asm.ldxImm(36), asm.ldImm(0x80), asm.aluX(BPF.RSH))).ret, 8);
    assert.equal(run(calc(asm.ldxImm(32), asm.ldImm(7), asm.aluX(BPF.LSH))).ret, 7);
  });
  it('ends the program with 0 (KILL_THREAD) on division by X == 0', () => {
    const p = prog(asm.ldImm(10), asm.ldxImm(0), asm.aluX(BPF.DIV), asm.ret(ALLOW));
    assert.deepEqual(run(p), { ret: 0, executed: 3 });
    assert.deepEqual(run(prog(asm.ldImm(10), asm.ldxImm(3), asm.aluX(BPF.DIV), asm.retA())), { ret: 3, executed: 4 });
  });
  it('moves between A, X and scratch memory', () => {
    assert.equal(run(calc(asm.ldImm(9), asm.tax(), asm.ldImm(1), asm.txa())).ret, 9);
    assert.equal(run(calc(asm.ldImm(9), asm.st(15), asm.ldImm(1), asm.ldMem(15))).ret, 9);
    assert.equal(run(calc(asm.ldxImm(4), asm.stx(0), asm.ldxImm(1), asm.ldxMem(0), asm.txa())).ret, 4);
    // A and X start at 0.
    assert.equal(run(calc(asm.txa())).ret, 0);
  });
  it('branches unsigned on K and X, and counts executed instructions', () => {
    const p = (j: BpfInstruction): BpfProgram => prog(asm.ldxImm(5), asm.ldw(16), j, asm.ret(ERRNO(1)), asm.ret(ERRNO(2)));
    const arg = (v: bigint): Partial<SeccompData> => ({ args: [v] });
    assert.deepEqual(run(p(asm.jgt(5, 0, 1)), arg(6n)), { ret: ERRNO(1), executed: 4 });
    assert.deepEqual(run(p(asm.jgt(5, 0, 1)), arg(5n)), { ret: ERRNO(2), executed: 4 });
    assert.equal(run(p(asm.jgt(5, 0, 1)), arg(0xffffffffn)).ret, ERRNO(1)); // unsigned
    assert.equal(run(p(asm.jge(5, 0, 1)), arg(5n)).ret, ERRNO(1));
    assert.equal(run(p(asm.jset(6, 0, 1)), arg(2n)).ret, ERRNO(1));
    assert.equal(run(p(asm.jset(6, 0, 1)), arg(9n)).ret, ERRNO(2));
    assert.equal(run(p(asm.jeqX(0, 1)), arg(5n)).ret, ERRNO(1));
    assert.equal(run(p(asm.jgtX(0, 1)), arg(5n)).ret, ERRNO(2));
    assert.equal(run(p(asm.jgeX(0, 1)), arg(5n)).ret, ERRNO(1));
    assert.equal(run(p(asm.jsetX(0, 1)), arg(8n)).ret, ERRNO(2));
    assert.deepEqual(run(prog(asm.ja(2), asm.ret(0), asm.ret(0), asm.ret(ALLOW))), { ret: ALLOW, executed: 2 });
  });
  it('runs a libseccomp-shaped program as expected', () => {
    // x86-64 filter: ld arch; jeq X86_64 else allow; ld nr; jge x32 bit → allow; jeq socket; ld a0; jeq 17 → ERRNO(97)
    const p = prog(
      asm.ldw(4),
      asm.jeq(X86_64, 0, 6),
      asm.ldw(0),
      asm.jge(0x40000000, 4, 0),
      asm.jeq(41, 0, 3),
      asm.ldw(16),
      asm.jeq(17, 0, 1),
      asm.ret(ERRNO(97)),
      asm.ret(ALLOW),
    );
    assert.deepEqual(run(p, { nr: 41, args: [17n] }), { ret: ERRNO(97), executed: 8 });
    assert.deepEqual(run(p, { nr: 41, args: [2n] }), { ret: ALLOW, executed: 8 });
    assert.deepEqual(run(p, { nr: 0 }), { ret: ALLOW, executed: 6 });
    assert.deepEqual(run(p, { nr: 41 | 0x40000000, args: [17n] }), { ret: ALLOW, executed: 5 });
    assert.deepEqual(run(p, { nr: 41, arch: 0x40000003 }), { ret: ALLOW, executed: 3 });
  });
  it('runs a chain: all filters, combined like the kernel', () => {
    const deny = (nr: number, ret: number): BpfProgram => prog(asm.ldw(0), asm.jeq(nr, 0, 1), asm.ret(ret), asm.ret(ALLOW));
    const chain = [deny(1, ERRNO(1)), deny(1, 0x80000000), deny(2, ERRNO(2))];
    const a = emulateChain(chain, { nr: 1, arch: X86_64 });
    assert.ok(a.ok);
    assert.deepEqual([a.ret, a.filter, a.executed], [0x80000000, 1, 9]);
    const b = emulateChain(chain, { nr: 3, arch: X86_64 });
    assert.ok(b.ok);
    assert.deepEqual([b.ret, b.filter, b.executed], [ALLOW, undefined, 9]);
    const bad = emulateChain([...chain, prog(asm.ldw(1), asm.ret(0))], { nr: 1, arch: X86_64 });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.filter, 3);
  });
  it('round-trips raw struct sock_filter bytes', () => {
    const p = prog(asm.ldw(4), asm.jeq(X86_64, 1, 2), I(0x06, 0xdeadbeef), asm.ret(ALLOW));
    assert.deepEqual(programFromBytes(programToBytes(p)), p);
    assert.deepEqual(programFromBytes(programToBytes(p, 'big'), 'big'), p);
    assert.equal(programToBytes(p).length, 32);
  });
  it('always terminates within the program length on valid programs', (t) => {
    const cases = new CaseCounter();
    const insn = fc.oneof(
      fc.constantFrom(...[0, 4, 8, 12, 16, 20, 40, 60].map((k) => asm.ldw(k))),
      fc.integer({ min: 0, max: 0xffffffff }).map((k) => asm.ldImm(k)),
      fc.integer({ min: 0, max: 0xffffffff }).map((k) => asm.ldxImm(k)),
      fc.constantFrom(asm.tax(), asm.txa(), asm.neg(), asm.aluX(BPF.ADD), asm.aluX(BPF.DIV), asm.aluX(BPF.LSH)),
      fc.tuple(fc.constantFrom(BPF.ADD, BPF.SUB, BPF.MUL, BPF.AND, BPF.OR, BPF.XOR), fc.integer({ min: 0, max: 0xffffffff })).map(([op, k]) => asm.alu(op, k)),
      fc.tuple(fc.constantFrom(0x15, 0x25, 0x35, 0x45, 0x1d), fc.nat(3), fc.nat(3), fc.integer({ min: 0, max: 0xffffffff })).map(([c, jt, jf, k]) => I(c, k, jt, jf)),
    );
    fc.assert(
      fc.property(
        fc.array(insn, { minLength: 1, maxLength: 40 }),
        fc.nat(500),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        cases.wrap((body: BpfInstruction[], nr: number, a0: bigint) => {
          // Clamp jumps into range, then end with ret a.
          const n = body.length + 1;
          const ins = body.map((i, pc) => ((i.code & 7) === 5 ? { ...i, jt: Math.min(i.jt, n - pc - 2), jf: Math.min(i.jf, n - pc - 2) } : i));
          const p = prog(...ins, asm.retA());
          const r = emulate(p, { nr, arch: X86_64, args: [a0] });
          assert.ok(r.ok);
          assert.ok(r.ok && r.executed >= 1 && r.executed <= n);
        }),
      ),
      { numRuns: propertyRuns(300), seed: SEED },
    );
    reportCases(t, cases.count);
  });
});
