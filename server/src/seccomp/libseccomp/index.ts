/**
 * Public entry point of the libseccomp port: builds the filter context a FilterSpec describes the
 * way systemd drives libseccomp (api.c seccomp_rule_add[_exact]_array → db.c db_col_rule_add →
 * arch.c/syscalls.c translation and socketcall/ipc multiplexing) and exports its BPF program.
 */

import { ABIS, type AbiName } from '../abi';
import type { Action, BpfProgram, CmpOp, FilterSpec, RuleSpec } from '../filterTypes';
import { allSyscallNames, directSyscallNumber, isKnownSyscall, libseccompSupportsAbi, muxCall, syscallNumber, type LibseccompVersion } from '../syscalls';
import { decodeProgram as decodeBytes, encodeProgram as encodeBytes } from '../bpf';
import {
  Cmp,
  EACCES,
  EDOM,
  EINVAL,
  EOPNOTSUPP,
  FilterDb,
  cloneSysEntry,
  dbRuleAdd,
  fileArgs,
  type ApiArg,
  type ApiRule,
  type ArchDef,
  type DbQuirks,
  type SysEntry,
} from './db';
import { generate } from './genBpf';

export * from '../bpf';

export interface RuleAddResult {
  /** Index of the rule in FilterSpec.rules. */
  readonly index: number;
  /** 0 if libseccomp accepted the rule, else the errno it returns negated (EDOM, EACCES, EEXIST, EINVAL, EOPNOTSUPP…). */
  readonly errno: number;
}

export interface BuildResult {
  readonly program: BpfProgram;
  readonly ruleResults: readonly RuleAddResult[];
}

/** SCMP_ACT_* value of an action (include/seccomp.h). */
export function actionValue(a: Action): number {
  switch (a.kind) {
    case 'allow':
      return 0x7fff0000;
    case 'kill-process':
      return 0x80000000;
    case 'kill-thread':
      return 0;
    case 'errno':
      return (0x00050000 | (a.errno & 0xffff)) >>> 0;
    case 'log':
      return 0x7ffc0000;
    case 'trap':
      return 0x00030000;
    case 'trace':
      return (0x7ff00000 | (a.data & 0xffff)) >>> 0;
    case 'notify':
      return 0x7fc00000;
  }
}

const CMP: Readonly<Record<CmpOp, Cmp>> = {
  ne: Cmp.NE,
  lt: Cmp.LT,
  le: Cmp.LE,
  eq: Cmp.EQ,
  ge: Cmp.GE,
  gt: Cmp.GT,
  'masked-eq': Cmp.MASKED_EQ,
};

const archDefs = new Map<AbiName, ArchDef>();
function archDef(abi: AbiName): ArchDef {
  let d = archDefs.get(abi);
  if (d === undefined) {
    const info = ABIS[abi];
    if (!info) throw new RangeError(`unknown ABI ${String(abi)}`);
    d = { token: info.scmpArch, tokenBpf: info.auditArch, size: info.bits, endian: info.endian };
    archDefs.set(abi, d);
  }
  return d;
}

/**
 * libseccomp versions whose _db_tree_add() assigns the right false action (db.c, v2.6.1 commit
 * 700b140). Everything else about the generated program is the same from 2.5.4 to 2.6.1.
 */
function quirksFor(lib: LibseccompVersion): DbQuirks {
  return { treeAddActFFix: lib === '2.6.1' };
}

// arch-{x86,mips,ppc,ppc64,s390,s390x}.c: sys_socketcall / sys_ipc
const MUX_NR: Readonly<Partial<Record<AbiName, { socketcall: number; ipc: number }>>> = {
  x86: { socketcall: 102, ipc: 117 },
  mips: { socketcall: 4102, ipc: 4117 },
  'mips-le': { socketcall: 4102, ipc: 4117 },
  ppc: { socketcall: 102, ipc: 117 },
  ppc64: { socketcall: 102, ipc: 117 },
  'ppc64-le': { socketcall: 102, ipc: 117 },
  s390: { socketcall: 102, ipc: 117 },
  s390x: { socketcall: 102, ipc: 117 },
};

/** The ABI libseccomp was built for; rules are resolved there first (seccomp_syscall_resolve_name). */
const NATIVE: AbiName = 'x86-64';

/**
 * What seccomp_syscall_resolve_name() on the native ABI followed by arch_syscall_translate() gives
 * on `abi`, as a name. Translation goes number → name → number; the only lossy step is two
 * pseudo syscalls sharing one __PNR value (sys_debug_setcontext and switch_endian, both -10191
 * in include/seccomp-syscalls.h): the reverse lookup of -10191 yields switch_endian in 2.5.4 and
 * sys_debug_setcontext in 2.6.0/2.6.1 (their generated syscall tables are ordered differently;
 * checked against each library), so a rule for either name lands on that one syscall.
 */
function translatedName(name: string, abi: AbiName, lib: LibseccompVersion): string {
  if (abi !== NATIVE && (name === 'sys_debug_setcontext' || name === 'switch_endian')) {
    if (syscallNumber('sys_debug_setcontext', NATIVE, lib) < 0 && syscallNumber('switch_endian', NATIVE, lib) < 0) {
      return lib.startsWith('2.5.') ? 'switch_endian' : 'sys_debug_setcontext';
    }
  }
  return name;
}

const pseudoCache = new Map<LibseccompVersion, Map<string, number>>();
/** A stand-in __PNR_* value: negative, distinct per name (only its sign and identity matter). */
function pseudoNumber(name: string, lib: LibseccompVersion): number {
  let m = pseudoCache.get(lib);
  if (m === undefined) {
    m = new Map(allSyscallNames(lib).map((n, i) => [n, -10000 - i]));
    pseudoCache.set(lib, m);
  }
  return m.get(name) ?? -9999;
}

/** One db_rule_add() call an API rule turns into on an ABI. */
interface DbCall {
  readonly syscall: number;
  readonly args: readonly (ApiArg | undefined)[];
}

/**
 * arch_filter_rule_add() and abi_rule_add() (arch.c, syscalls.c): the database calls one rule
 * becomes on one ABI, or a negative errno. On multiplexing ABIs (x86, mips o32, ppc, s390) socket
 * and SysV IPC calls go to socketcall()/ipc() with a0 == call number, plus the direct syscall
 * (a pseudo number where the ABI has none); exact rules with argument conditions cannot be rewritten (-EINVAL).
 * Non-exact rules for syscalls an ABI lacks are kept under a pseudo number that is never emitted.
 */
function dbCalls(rule: RuleSpec, abi: AbiName, lib: LibseccompVersion, strict: boolean, args: readonly (ApiArg | undefined)[]): DbCall[] | number {
  const name = translatedName(rule.syscall, abi, lib);
  const mux = ABIS[abi].multiplexed ? muxCall(name, lib) : undefined;
  if (mux !== undefined) {
    if (strict && rule.args.length > 0) return -EINVAL;
    const direct = directSyscallNumber(name, abi, lib);
    const via = MUX_NR[abi]![mux.via];
    const a0: ApiArg = { arg: 0, op: Cmp.EQ, mask: 0xffffffffffffffffn, datum: BigInt(mux.call) };
    const out: DbCall[] = [{ syscall: via, args: [a0, ...args.slice(1)] }];
    // abi_rule_add() adds the direct rule too when the ABI has no such syscall: the demux lookup
    // then yields __PNR_<name>, not UNDEF. The pseudo entry is never emitted but sorts first
    // (no comparisons: top priority), and a skipped head means no syscall block loads `nr`.
    out.push({ syscall: direct >= 0 ? direct : pseudoNumber(name, lib), args });
    return out;
  }
  const nr = syscallNumber(name, abi, lib);
  if (nr >= 0) return [{ syscall: nr, args }];
  if (strict) return -EDOM;
  // seccomp_rule_add() keeps pseudo syscalls in the database on ordinary ABIs; abi_rule_add() drops them
  return ABIS[abi].multiplexed ? [] : [{ syscall: pseudoNumber(name, lib), args }];
}

/**
 * Build the filter: one database per ABI, every rule added in order (each either fully applied
 * to all ABIs or rolled back, like libseccomp's per-rule transaction), then the BPF generator.
 * Throws RangeError only for specs libseccomp could not even set up (no ABI, an ABI this
 * libseccomp version lacks, the same ABI twice, mixed byte orders).
 */
export function buildFilter(spec: FilterSpec): BuildResult {
  const lib = spec.libseccomp;
  if (spec.abis.length === 0) throw new RangeError('a filter needs at least one ABI');
  if (new Set(spec.abis).size !== spec.abis.length) throw new RangeError('an ABI is listed twice');
  for (const abi of spec.abis) {
    if (!libseccompSupportsAbi(abi, lib)) throw new RangeError(`libseccomp ${lib} has no ABI ${abi}`);
  }
  const defs = spec.abis.map(archDef);
  if (defs.some((d) => d.endian !== defs[0]!.endian)) throw new RangeError('ABIs of different byte order cannot share a filter');
  const dbs = defs.map((d) => new FilterDb(d));
  const quirks = quirksFor(lib);
  const actDefault = actionValue(spec.defaultAction);
  const ruleResults: RuleAddResult[] = [];
  spec.rules.forEach((rule, index) => {
    ruleResults.push({ index, errno: addRule(spec, dbs, rule, actDefault, quirks) });
  });
  const instructions = generate({
    dbs,
    actDefault,
    actBadArch: actionValue(spec.badArchAction),
    optimize: spec.optimize,
    hostEndian: spec.hostEndian ?? 'little',
  });
  return { program: { instructions }, ruleResults };
}

/** seccomp_rule_add[_exact]_array() + db_col_rule_add(): the positive errno, or 0. */
function addRule(spec: FilterSpec, dbs: readonly FilterDb[], rule: RuleSpec, actDefault: number, quirks: DbQuirks): number {
  const lib = spec.libseccomp;
  if (rule.args.length > 6) return EINVAL;
  // an unknown name resolves to __NR_SCMP_ERROR (-1), which _syscall_valid() rejects
  if (!isKnownSyscall(rule.syscall, lib)) return EINVAL;
  const action = actionValue(rule.action);
  if (action === actDefault) return EACCES;
  if (spec.exact && dbs.length > 1) return EOPNOTSUPP;
  const filed = fileArgs(rule.args.map((a) => ({ arg: a.arg, op: CMP[a.op], datumA: a.datumA, datumB: a.datumB })));
  if (typeof filed === 'number') return -filed;

  // add to every ABI, remembering what each touched so a failure anywhere can be rolled back
  let rc = 0;
  const undo: { db: FilterDb; num: number; old: SysEntry | undefined }[] = [];
  for (let i = 0; i < dbs.length; i++) {
    const db = dbs[i]!;
    const calls = dbCalls(rule, spec.abis[i]!, lib, spec.exact, filed);
    let rcTmp = 0;
    if (typeof calls === 'number') rcTmp = calls;
    else {
      for (const c of calls) {
        const old = db.syscalls.get(c.syscall);
        // an entry without a tree is restored from its plain fields; a tree may be changed in
        // place (pruned, merged, or released by an unconditional rule), so it is copied
        undo.push({ db, num: c.syscall, old: old === undefined ? undefined : old.chains !== null ? cloneSysEntry(old) : { ...old } });
        const r: ApiRule = { action, syscall: c.syscall, strict: spec.exact, args: c.args };
        rcTmp = dbRuleAdd(db, r, quirks);
        if (rcTmp < 0) break;
      }
    }
    if (rcTmp !== 0 && rc === 0) rc = rcTmp;
  }
  if (rc !== 0) {
    for (let u = undo.length - 1; u >= 0; u--) {
      const { db, num, old } = undo[u]!;
      if (old === undefined) db.syscalls.delete(num);
      else db.syscalls.set(num, old);
    }
  }
  return rc === 0 ? 0 : -rc;
}

/** struct sock_filter[] bytes of a program (little-endian unless told otherwise). */
export function encodeProgram(p: BpfProgram, endian: 'little' | 'big' = 'little'): Uint8Array {
  return encodeBytes(p, endian);
}

/** Parse struct sock_filter[] bytes. */
export function decodeProgram(bytes: Uint8Array, endian: 'little' | 'big' = 'little'): BpfProgram {
  return decodeBytes(bytes, endian);
}
