// Shared helpers for the emulator/cost tests: finding the repository from compiled output, the
// recorded systemd 252.38 programs, building programs with the system's libseccomp
// (test/tools/seccomp-export.py), hand-assembling BPF, and the compiled seccomp-run helper.
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BpfInstruction, BpfProgram } from '../../server/src/seccomp/filterTypes';
import { programFromBytes, programToBytes } from '../../server/src/seccomp/emulator';
import { findCommand } from '../commands';

export const IN_CI = process.env.CI === 'true';

/** The repository root: the nearest ancestor of this file holding test/kernel/seccomp-run.c. */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'test', 'kernel', 'seccomp-run.c'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`unit-harden: cannot find the repository above ${__dirname}`);
    dir = up;
  }
}

export interface ProgramFixture {
  readonly systemd: string;
  readonly libseccomp: string;
  readonly host: string;
  readonly unit: readonly string[];
  readonly labels: readonly string[];
  readonly programs: readonly string[];
}

/** test/kernel/fixtures/resolved-252.json: the real 252.38 programs of the resolved-like unit. */
export function resolvedFixture(): ProgramFixture & { chain: BpfProgram[] } {
  const f = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'test', 'kernel', 'fixtures', 'resolved-252.json'), 'utf8')) as ProgramFixture;
  return { ...f, chain: f.programs.map((h) => programFromBytes(Buffer.from(h, 'hex'))) };
}

export function toHex(p: BpfProgram): string {
  return Buffer.from(programToBytes(p)).toString('hex');
}

// ---------------------------------------------------------------------------------------------
// Hand assembly.

export const I = (code: number, k = 0, jt = 0, jf = 0): BpfInstruction => ({ code, jt, jf, k: k >>> 0 });
export const asm = {
  ldw: (off: number) => I(0x20, off),
  ldImm: (k: number) => I(0x00, k),
  ldxImm: (k: number) => I(0x01, k),
  ldLen: () => I(0x80),
  ldxLen: () => I(0x81),
  ldMem: (i: number) => I(0x60, i),
  ldxMem: (i: number) => I(0x61, i),
  st: (i: number) => I(0x02, i),
  stx: (i: number) => I(0x03, i),
  tax: () => I(0x07),
  txa: () => I(0x87),
  alu: (op: number, k: number) => I(0x04 | op, k),
  aluX: (op: number) => I(0x0c | op),
  neg: () => I(0x84),
  ja: (k: number) => I(0x05, k),
  jeq: (k: number, jt: number, jf: number) => I(0x15, k, jt, jf),
  jgt: (k: number, jt: number, jf: number) => I(0x25, k, jt, jf),
  jge: (k: number, jt: number, jf: number) => I(0x35, k, jt, jf),
  jset: (k: number, jt: number, jf: number) => I(0x45, k, jt, jf),
  jeqX: (jt: number, jf: number) => I(0x1d, 0, jt, jf),
  jgtX: (jt: number, jf: number) => I(0x2d, 0, jt, jf),
  jgeX: (jt: number, jf: number) => I(0x3d, 0, jt, jf),
  jsetX: (jt: number, jf: number) => I(0x4d, 0, jt, jf),
  ret: (k: number) => I(0x06, k),
  retA: () => I(0x16),
};
export const prog = (...instructions: BpfInstruction[]): BpfProgram => ({ instructions });

// ---------------------------------------------------------------------------------------------
// libseccomp via python3-seccomp.

/**
 * Debian's python3-seccomp is importable only from the system interpreter (a python3 earlier on
 * PATH may be a separate install); $UNIT_HARDEN_PYTHON overrides it.
 */
export const SYSTEM_PYTHON = process.env.UNIT_HARDEN_PYTHON || '/usr/bin/python3';

export interface ExportRule {
  readonly action: string;
  readonly syscall: string | number;
  readonly args?: readonly (readonly [number, string, ...(number | bigint)[]])[];
}
export interface ExportSpec {
  /** libseccomp arch names in context order (e.g. ['x86_64'], ['x32'], ['x86']). */
  readonly arches: readonly string[];
  readonly default: string;
  readonly badArch: string;
  readonly rules?: readonly ExportRule[];
  readonly exact?: boolean;
  readonly optimize?: 1 | 2;
}

export function libseccompAvailable(): { ok: true } | { ok: false; reason: string } {
  if (!fs.existsSync(SYSTEM_PYTHON)) return { ok: false, reason: `${SYSTEM_PYTHON} not found` };
  const r = spawnSync(SYSTEM_PYTHON, ['-c', 'import seccomp'], { timeout: 20_000, encoding: 'utf8' });
  if (r.status !== 0) return { ok: false, reason: `python3-seccomp is not importable from ${SYSTEM_PYTHON}: ${(r.stderr || String(r.error)).trim()}` };
  return { ok: true };
}

/** Builds every spec with one python process; throws if any spec fails. */
export function exportPrograms(specs: readonly ExportSpec[]): BpfProgram[] {
  const script = path.join(repoRoot(), 'test', 'tools', 'seccomp-export.py');
  const input = JSON.stringify({ filters: specs }, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
  const r = spawnSync(SYSTEM_PYTHON, [script], { input, timeout: 60_000, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`seccomp-export.py failed (${r.status ?? r.signal}): ${r.stderr || String(r.error)}`);
  const out = JSON.parse(r.stdout) as { programs: { hex?: string; error?: string; rules?: { ok: boolean; errno?: number }[] }[] };
  return out.programs.map((p, i) => {
    if (!p.hex) throw new Error(`spec ${i}: ${p.error ?? 'no program'}`);
    const bad = (p.rules ?? []).findIndex((x) => !x.ok);
    if (bad >= 0) throw new Error(`spec ${i}: rule ${bad} refused by libseccomp (errno ${p.rules![bad]!.errno})`);
    return programFromBytes(Buffer.from(p.hex, 'hex'));
  });
}

// ---------------------------------------------------------------------------------------------
// The seccomp-run helper.

export function cacheDir(): string {
  const env = process.env.UNIT_HARDEN_CACHE;
  if (env && env.trim() !== '') return path.resolve(env);
  return path.join(process.env.HOME || os.homedir(), '.cache', 'unit-harden');
}

/** Compiles test/kernel/seccomp-run.c into $CACHE/bin/seccomp-run-<hash> (once per source version). */
export function ensureRunner(): { ok: true; path: string } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: `needs Linux (this is ${process.platform})` };
  if (process.arch !== 'x64') return { ok: false, reason: `the helper's raw system calls are x86-64 only (this is ${process.arch})` };
  const gcc = findCommand('gcc');
  if (!gcc) return { ok: false, reason: 'gcc not found' };
  const src = path.join(repoRoot(), 'test', 'kernel', 'seccomp-run.c');
  const hash = createHash('sha256').update(fs.readFileSync(src)).digest('hex').slice(0, 12);
  const bin = path.join(cacheDir(), 'bin', `seccomp-run-${hash}`);
  if (fs.existsSync(bin)) return { ok: true, path: bin };
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  const r = spawnSync(gcc, ['-O2', '-Wall', '-Wextra', '-o', tmp, src], { timeout: 120_000, encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    return { ok: false, reason: `gcc failed: ${r.stderr || String(r.error)}` };
  }
  fs.renameSync(tmp, bin);
  return { ok: true, path: bin };
}

export type CallAbi = 'x64' | 'x32' | 'i386' | 'none';

export interface RunCase {
  readonly id: string;
  /** Indexes into the program list, attached in this order. */
  readonly programs: readonly number[];
  readonly abi: CallAbi;
  /** Number without X32_SYSCALL_BIT (the helper adds it for x32). */
  readonly nr: number;
  readonly args?: readonly bigint[];
}

export interface RunResult {
  readonly id: string;
  /** How many programs were attached. */
  readonly loaded: number;
  readonly programs: number;
  readonly loadErrno?: number;
  readonly kind: 'returned' | 'trap' | 'signal' | 'attached' | 'exited';
  readonly ret?: string;
  readonly errno?: number;
  readonly signal?: number;
  readonly trapSyscall?: number;
  readonly trapArch?: number;
  readonly trapData?: number;
  readonly error?: string;
}

/** Runs the cases with the helper (one child each), in one process; times out after `timeoutMs`. */
export function runCases(runner: string, programs: readonly BpfProgram[], cases: readonly RunCase[], timeoutMs = 120_000): Promise<RunResult[]> {
  const lines = programs.map((p) => `P ${toHex(p)}`);
  for (const c of cases) {
    const args = (c.args ?? []).map((a) => `0x${BigInt.asUintN(64, a).toString(16)}`);
    lines.push(`C ${c.id} ${c.programs.length ? c.programs.join(',') : '-'} ${c.abi} ${c.nr} ${args.join(' ')}`.trimEnd());
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unit-harden-kernel-'));
  const file = path.join(dir, 'cases.txt');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return new Promise((resolve, reject) => {
    execFile(runner, [file], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      fs.rmSync(dir, { recursive: true, force: true });
      if (err) {
        reject(new Error(`seccomp-run failed: ${err.message}\n${stderr}`));
        return;
      }
      const out = stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as RunResult);
      if (out.length !== cases.length) {
        reject(new Error(`seccomp-run answered ${out.length} of ${cases.length} cases: ${stdout.slice(0, 500)}`));
        return;
      }
      resolve(out);
    });
  });
}
