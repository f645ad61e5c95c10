/**
 * The filter plan: which seccomp filters systemd installs for a unit's sandboxed command, in the
 * order it loads them, for one systemd release and build — each as the exact FilterSpec systemd
 * hands to libseccomp. Mirrors exec_child() (src/core/execute.c, ≤ v254) / exec_invoke()
 * (src/core/exec-invoke.c, v255+) and the helpers in src/shared/seccomp-util.c, tag by tag.
 */

import type { Span } from '../parser/nodes';
import type { UnitDocument } from '../model/unit';
import { ABIS, localArchs, type AbiName } from './abi';
import {
  effectiveValues,
  emptyEffectiveValues,
  ERRNO_KILL,
  namespaceFlagsAll,
  namespacesRestricted,
  namespaceTable,
  PER_LINUX,
  type EffectiveValues,
  type ExecCommandInfo,
  type PlanDiagnostic,
  type SourceRef,
  type SyscallSetValue,
} from './directiveValues';
import { errnoName } from './errno';
import { afName } from './addressFamilies';
import type { Action, ArgCmp, BpfProgram, FilterSpec, RuleSpec } from './filterTypes';
import { groupInfo, knownSyscalls } from './groups';
import { actionValue } from './libseccomp';
import { buildFilterCached } from './filterCache';
import { isKnownSyscall, libseccompSupportsAbi, ruleTargets, syscallNumber } from './syscalls';
import { atLeast, hasBackport, kernelAtLeast, type Target } from './target';

export type { PlanDiagnostic } from './directiveValues';

export interface PlannedFilter {
  /** 0 = oldest, the first filter loaded. */
  readonly index: number;
  /** The directive that makes systemd install it (`RestrictSUIDSGID` also when implied by DynamicUser=). */
  readonly directive: string;
  /** ABIs in the program, systemd spelling (one for per-ABI filters; several for the arch filter). */
  readonly abis: AbiName[];
  readonly spec: FilterSpec;
  /** The assignments the filter comes from. */
  readonly sources: { file: string; line: number; span: Span }[];
  readonly note?: string;
  /** BPF instructions of the program (from the libseccomp port); null if it could not be built. */
  readonly instructions: number | null;
  /** Rules libseccomp accepted (the rest failed with -EDOM/-EINVAL and were dropped the way systemd does). */
  readonly acceptedRules: number;
  /** Per rule of spec.rules: 0 if libseccomp accepted it, else the errno it failed with (EDOM = not on this ABI). */
  readonly ruleErrnos: readonly number[];
  /** The generated program, when it could be built. */
  readonly program?: BpfProgram;
}

/** One Exec*= line and what the plan means for it. */
export interface CommandPlan {
  readonly directive: string;
  readonly file: string;
  readonly line: number;
  readonly prefix: string;
  /** Number of filters its process gets (0 for `+` commands). */
  readonly filters: number;
  readonly note?: string;
}

export interface FilterPlan {
  readonly target: Target;
  /** In install order, index 0 oldest — for a sandboxed command (ExecStart= unless it has `+`). */
  readonly filters: PlannedFilter[];
  readonly noNewPrivileges: { value: boolean; implied: boolean; reason?: string };
  readonly diagnostics: PlanDiagnostic[];
  /** systemd would not load the unit, or the command would fail while applying its filters, and why. */
  readonly refused?: string;
  readonly values: EffectiveValues;
  readonly commands: CommandPlan[];
}

// ---------------------------------------------------------------------------------------------
// Actions and rules.

const ALLOW: Action = { kind: 'allow' };
const LOG: Action = { kind: 'log' };
const KILL_THREAD: Action = { kind: 'kill-thread' };
const errno = (n: number): Action => ({ kind: 'errno', errno: n });

const EPERM = 1;
const ENOSYS = 38;
const EAFNOSUPPORT = 97;
const EDOM = 33;

/** linux/audit.h-free argument comparisons (SCMP_Ax(op, a, b)). */
const cmp = (arg: number, op: ArgCmp['op'], a: number | bigint, b: number | bigint = 0n): ArgCmp => ({ arg, op, datumA: BigInt(a), datumB: BigInt(b) });
const masked = (arg: number, mask: number, value: number): ArgCmp => cmp(arg, 'masked-eq', mask, value);

/**
 * What systemd does when libseccomp refuses a rule (seccomp_rule_add_exact() < 0):
 * - `skip-abi`: log and `continue` — no filter for that ABI (most helpers);
 * - `ignore`: log and go on (clone3 in RestrictNamespaces=, the per-policy rules of RestrictRealtime=);
 * - `fatal`: -EDOM is ignored, any other error aborts the command (syscall sets, groups, @known);
 * - `any`: the helper only gives up if every rule failed (seccomp_restrict_sxid()).
 */
type FailurePolicy = 'skip-abi' | 'ignore' | 'fatal' | 'any';

interface PolicedRule {
  readonly rule: RuleSpec;
  readonly policy: FailurePolicy;
}

const rule = (syscall: string, action: Action, args: readonly ArgCmp[] = [], policy: FailurePolicy = 'skip-abi'): PolicedRule => ({
  rule: { syscall, action, args },
  policy,
});


/** A short human form of an action: `allow`, `errno(EPERM)`, `kill-process`, `log`. */
export function formatAction(a: Action): string {
  switch (a.kind) {
    case 'errno':
      return `errno(${errnoName(a.errno) ?? a.errno})`;
    case 'trace':
      return `trace(${a.data})`;
    default:
      return a.kind;
  }
}

const OPS: Readonly<Record<ArgCmp['op'], string>> = { ne: '!=', lt: '<', le: '<=', eq: '==', ge: '>=', gt: '>', 'masked-eq': '&' };

/** One argument comparison in a short human form; socket() families by name. */
export function formatArg(syscall: string, c: ArgCmp): string {
  const hex = (v: bigint): string => (v > 9n ? `0x${v.toString(16)}` : v.toString());
  const value = (v: bigint): string => (syscall === 'socket' && c.arg === 0 ? afName(Number(v)) : hex(v));
  if (c.op === 'masked-eq') {
    if (c.datumA === 0xffffffffn) return `(u32)a${c.arg} == ${value(c.datumB)}`;
    return c.datumA === c.datumB ? `a${c.arg} & ${hex(c.datumA)}` : `(a${c.arg} & ${hex(c.datumA)}) == ${hex(c.datumB)}`;
  }
  return `a${c.arg} ${OPS[c.op]} ${value(c.datumA)}`;
}

/** A short human form of a rule: `socket(a0 == AF_PACKET) → errno(EAFNOSUPPORT)`. */
export function formatRule(r: RuleSpec): string {
  return `${r.syscall}(${r.args.map((c) => formatArg(r.syscall, c)).join(', ')}) → ${formatAction(r.action)}`;
}

/** scmp_act_kill_process(): KILL_PROCESS when the kernel's seccomp API level is ≥ 3 (Linux 4.14); v260+ uses it unconditionally. */
function killProcess(t: Target): Action {
  if (atLeast(t, 260) || kernelAtLeast(t, 4, 14)) return { kind: 'kill-process' };
  return KILL_THREAD;
}

// ---------------------------------------------------------------------------------------------
// The planner.

interface Candidate {
  readonly directive: string;
  readonly abis: AbiName[];
  readonly rules: readonly PolicedRule[];
  readonly defaultAction: Action;
  readonly badArchAction: Action;
  readonly optimize: 1 | 2;
  readonly sources: readonly SourceRef[];
  readonly note?: string;
}

class Planner {
  readonly filters: PlannedFilter[] = [];
  readonly diagnostics: PlanDiagnostic[] = [];
  /** seccomp_local_archs[] with SECCOMP_LOCAL_ARCH_BLOCKED marks (v248+). */
  readonly local: { abi: AbiName; blocked: boolean }[];
  failure: string | undefined;

  constructor(readonly t: Target) {
    this.local = localArchs(t.host, t.major).map((abi) => ({ abi, blocked: false }));
  }

  /** SECCOMP_FOREACH_LOCAL_ARCH: the local ABIs not blocked by an earlier arch filter. */
  foreachLocal(): AbiName[] {
    return this.local.filter((e) => !e.blocked).map((e) => e.abi);
  }

  info(code: string, message: string, src?: SourceRef): void {
    this.diagnostics.push({ code, severity: 'info', message, file: src?.file, line: src?.line, span: src?.span });
  }

  /**
   * Builds one candidate filter with the libseccomp port and applies the helper's failure policy.
   * Returns false when the command would fail (the caller stops planning).
   */
  load(c: Candidate): boolean {
    const spec: FilterSpec = {
      abis: c.abis,
      defaultAction: c.defaultAction,
      badArchAction: c.badArchAction,
      optimize: c.optimize,
      rules: c.rules.map((r) => r.rule),
      exact: true,
      libseccomp: this.t.libseccomp,
    };
    let program: BpfProgram | undefined;
    let results: readonly number[];
    try {
      const built = buildFilterCached(spec);
      program = built.program;
      results = built.ruleResults.map((r) => r.errno);
    } catch (e) {
      this.diagnostics.push({
        code: 'plan-generator-error',
        severity: 'warning',
        message: `could not build the ${c.directive} filter for ${c.abis.join('+')}: ${e instanceof Error ? e.message : String(e)}`,
        file: undefined,
        line: undefined,
        span: undefined,
      });
      results = c.rules.map((r) => staticRuleErrno(r.rule, c.abis, this.t, c.defaultAction));
    }
    const abiText = c.abis.join('+');
    let skip: string | undefined;
    let fatal: string | undefined;
    let anyOk = false;
    let anyPolicy = false;
    c.rules.forEach((r, i) => {
      const e = results[i] ?? 0;
      if (r.policy === 'any') anyPolicy = true;
      if (e === 0) {
        anyOk = true;
        return;
      }
      switch (r.policy) {
        case 'skip-abi':
          skip ??= `${r.rule.syscall}() rule refused on ${abiText} (${errnoLabel(e)})`;
          break;
        case 'fatal':
          if (e !== EDOM) fatal ??= `libseccomp refuses the ${formatRule(r.rule)} rule on ${abiText} (${errnoLabel(e)})`;
          break;
        default:
          break;
      }
    });
    if (anyPolicy && !anyOk && c.rules.length > 0) skip ??= `no rule could be added on ${abiText}`;
    if (fatal) {
      this.failure = `${c.directive}=: ${fatal}; systemd fails the command (exit status 218/SECCOMP)`;
      return false;
    }
    if (skip) {
      this.info('plan-abi-skipped', `${c.directive}= installs no filter for ${abiText}: ${skip}, and systemd skips that ABI`, c.sources[0]);
      return true;
    }
    const accepted = results.filter((e) => e === 0).length;
    this.filters.push({
      index: this.filters.length,
      directive: c.directive,
      abis: [...c.abis],
      spec,
      sources: c.sources.map((s) => ({ file: s.file, line: s.line, span: s.span })),
      ...(c.note !== undefined ? { note: c.note } : {}),
      instructions: program ? program.instructions.length : null,
      acceptedRules: accepted,
      ruleErrnos: c.rules.map((_, i) => results[i] ?? 0),
      ...(program ? { program } : {}),
    });
    return true;
  }

  /** One filter per ABI (seccomp_init_for_arch(): only that ABI, BADARCH = allow). */
  perAbi(
    directive: string,
    sources: readonly SourceRef[],
    abis: readonly AbiName[],
    build: (abi: AbiName) => { rules: PolicedRule[]; defaultAction?: Action; optimize?: 1 | 2; note?: string } | string | undefined,
  ): boolean {
    if (abis.length === 0 && this.local.length > 0) {
      this.info('plan-all-abis-blocked', `${directive}= installs no filter: every ABI is marked blocked by the SystemCallArchitectures= filter before it`, sources[0]);
    }
    for (const abi of abis) {
      const b = build(abi);
      if (b === undefined) continue;
      if (typeof b === 'string') {
        this.info('plan-abi-skipped', `${directive}= installs no filter for ${abi}: ${b}`, sources[0]);
        continue;
      }
      const ok = this.load({
        directive,
        abis: [abi],
        rules: b.rules,
        defaultAction: b.defaultAction ?? ALLOW,
        badArchAction: ALLOW,
        optimize: b.optimize ?? 1,
        sources,
        ...(b.note !== undefined ? { note: b.note } : {}),
      });
      if (!ok) return false;
    }
    return true;
  }
}

function errnoLabel(e: number): string {
  return `-${errnoName(e) ?? e}`;
}

/** What libseccomp would answer without the generator (used only if it throws): EACCES, EINVAL, EDOM or 0. */
function staticRuleErrno(r: RuleSpec, abis: readonly AbiName[], t: Target, def: Action): number {
  if (!isKnownSyscall(r.syscall, t.libseccomp)) return 22;
  if (actionValue(r.action) === actionValue(def)) return 13;
  for (const abi of abis) {
    if (ABIS[abi].multiplexed && r.args.length > 0 && ruleTargets(r.syscall, abi, t.libseccomp).some((x) => x.arg0 !== undefined)) return 22;
    if (ruleTargets(r.syscall, abi, t.libseccomp).length === 0) return EDOM;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Directive helpers (src/shared/seccomp-util.c).

/**
 * A group's members in the order add_syscall_filter_set() walks them (nested groups inline, each
 * name once; a repeated identical rule changes nothing in libseccomp).
 */
export function expandGroupInOrder(group: string, t: Pick<Target, 'major' | 'patch' | 'host'>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visiting = new Set<string>();
  const walk = (g: string): void => {
    const info = groupInfo(g, `${t.major}.${t.patch}`, t.host);
    if (!info || visiting.has(g)) return;
    visiting.add(g);
    for (const m of info.members) {
      if (m.startsWith('@')) walk(m);
      else if (!seen.has(m)) {
        seen.add(m);
        out.push(m);
      }
    }
  };
  walk(group);
  return out;
}

/** seccomp_protect_hostname(): sethostname, setdomainname → EPERM. */
function hostnameRules(): PolicedRule[] {
  return [rule('sethostname', errno(EPERM)), rule('setdomainname', errno(EPERM))];
}

/**
 * seccomp_restrict_address_families(): which ABIs it filters. Those that multiplex socket() via
 * socketcall() are skipped: x86, s390*, mips o32, parisc*; ppc* too from v247 (v245/v246 still
 * filtered them); riscv64 joined the supported list in v247 (before that it fell to `default:`),
 * loongarch64 in v255.
 */
function rafSupported(abi: AbiName, t: Target): boolean {
  switch (abi) {
    case 'x86-64':
    case 'x32':
    case 'arm':
    case 'arm64':
    case 'mips64-le-n32':
    case 'mips64-n32':
    case 'mips64-le':
    case 'mips64':
      return true;
    case 'riscv64':
      return atLeast(t, 247);
    case 'loongarch64':
      return atLeast(t, 255);
    case 'ppc':
    case 'ppc64':
    case 'ppc64-le':
      return !atLeast(t, 247);
    default:
      return false;
  }
}

function rafRules(families: ReadonlySet<number> | null, allowList: boolean, t: Target): PolicedRule[] {
  const e = errno(EAFNOSUPPORT);
  const set = families ?? new Set<number>();
  if (allowList) {
    const valid = [...set].filter((af) => af > 0 && af < t.afMax);
    if (valid.length === 0) return [rule('socket', e)];
    const first = Math.min(...valid);
    const last = Math.max(...valid);
    const out = [rule('socket', e, [cmp(0, 'lt', first)]), rule('socket', e, [cmp(0, 'gt', last)])];
    // Every family in [1, af_max) that is not allowed — not only those between first and last.
    for (let af = 1; af < t.afMax; af++) if (!set.has(af)) out.push(rule('socket', e, [cmp(0, 'eq', af)]));
    return out;
  }
  // SET_FOREACH order is a hash order; the generated program does not depend on it. Sorted here.
  return [...set].sort((a, b) => a - b).map((af) => rule('socket', e, [eq32(0, af, t)]));
}

/**
 * An `a == v` check on an int argument. systemd 262 compares only the low 32 bits in the
 * deny-list RestrictAddressFamilies= rules and in setns(a1 == 0) (a MASKED_EQ with mask
 * 0xffffffff, like libseccomp's SCMP_Ax_32()): the 262.1 programs carry `and 0` on the high word
 * there, while the root's own libseccomp 2.6.1 gives the plain-EQ program for plain rules (checked
 * with a C harness against that libseccomp.so). The allow-list, RestrictRealtime= and
 * LockPersonality= checks are unchanged in 262.1.
 */
function eq32(arg: number, v: number, t: Target): ArgCmp {
  return atLeast(t, 262) ? masked(arg, 0xffffffff, v) : cmp(arg, 'eq', v);
}

const PROT_WRITE = 0x2;
const PROT_EXEC = 0x4;
const SHM_EXEC = 0o100000;

/** seccomp_memory_deny_write_execute(): the mmap flavour per ABI (which call carries prot in a2). */
function mdweRules(abi: AbiName, t: Target): PolicedRule[] | string {
  let filter: string | undefined;
  let block: string | undefined;
  let shmat = false;
  switch (abi) {
    case 'x86':
    case 's390':
      filter = 'mmap2';
      block = 'mmap';
      break;
    case 'ppc':
    case 'ppc64':
    case 'ppc64-le':
    case 's390x':
      filter = 'mmap';
      break;
    case 'arm':
      filter = 'mmap2';
      shmat = true;
      break;
    case 'x86-64':
    case 'x32':
    case 'arm64':
      filter = 'mmap';
      shmat = true;
      break;
    case 'riscv64':
      if (atLeast(t, 247)) {
        filter = 'mmap';
        shmat = true;
      }
      break;
    case 'loongarch64':
      if (atLeast(t, 255)) {
        filter = 'mmap';
        shmat = true;
      }
      break;
    default:
      break;
  }
  if (filter === undefined) return `systemd ${t.major} has no mmap() definition for ${abi} in seccomp_memory_deny_write_execute()`;
  const e = errno(EPERM);
  const out = [rule(filter, e, [masked(2, PROT_EXEC | PROT_WRITE, PROT_EXEC | PROT_WRITE)])];
  if (block) out.push(rule(block, e));
  out.push(rule('mprotect', e, [masked(2, PROT_EXEC, PROT_EXEC)]));
  out.push(rule('pkey_mprotect', e, [masked(2, PROT_EXEC, PROT_EXEC)]));
  if (shmat) out.push(rule('shmat', e, [masked(2, SHM_EXEC, SHM_EXEC)]));
  return out;
}

/**
 * seccomp_restrict_realtime_full(EPERM): sched_setscheduler() with a policy that is not
 * SCHED_OTHER (0), SCHED_BATCH (3) or SCHED_IDLE (5): a1 == 1, 2, 4 and a1 > 5. systemd 262
 * also refuses sched_setattr() outright (its policy sits in a struct the filter cannot read):
 * seen in the program 262.1 loads (`jeq 314 → ERRNO(EPERM)` on x86-64); v261.2 and the fork's
 * main branch as of 2026-08-22 do not have it, so no tag is known to carry it before 262.
 */
function realtimeRules(t: Target): PolicedRule[] {
  const e = errno(EPERM);
  const out: PolicedRule[] = [];
  const permitted = [0, 3, 5];
  const max = Math.max(...permitted);
  for (let p = 0; p < max; p++) if (!permitted.includes(p)) out.push(rule('sched_setscheduler', e, [cmp(1, 'eq', p)], 'ignore'));
  out.push(rule('sched_setscheduler', e, [cmp(1, 'gt', max)]));
  if (atLeast(t, 262)) out.push(rule('sched_setattr', e));
  return out;
}

/** O_CREAT of the build (0100 on asm-generic, x86, arm, ppc, s390; 0x100 on mips and parisc). */
function oCreat(host: AbiName): number {
  return host.startsWith('mips') || host.startsWith('parisc') ? 0x100 : 0o100;
}

/**
 * seccomp_restrict_suid_sgid() → seccomp_restrict_sxid() for S_ISUID, then S_ISGID: mode
 * checks on chmod/fchmod/fchmodat(/fchmodat2), mkdir(at), mknod(at), open(at) with O_CREAT and
 * creat; openat2 → ENOSYS (v248+; EPERM in v246/v247; absent in v245).
 */
function suidSgidRules(t: Target, notes: string[]): PolicedRule[] {
  const out: PolicedRule[] = [];
  const creat = oCreat(t.host);
  // fchmodat2: v255, backported to 254.10, 253.17 and 252.23 (git tag --contains on systemd-stable).
  const withFchmodat2 = hasBackport(t, 255, { 252: 23, 253: 17, 254: 10 });
  // `#if SCMP_SYS(open) > 0` (≤ v250): the open() rule only exists if the native ABI has open().
  const withOpen = atLeast(t, 251) || syscallNumber('open', t.host, t.libseccomp) >= 0;
  for (const m of [0o4000, 0o2000]) {
    const e = errno(EPERM);
    out.push(rule('chmod', e, [masked(1, m, m)], 'any'));
    out.push(rule('fchmod', e, [masked(1, m, m)], 'any'));
    out.push(rule('fchmodat', e, [masked(2, m, m)], 'any'));
    if (withFchmodat2) {
      if (isKnownSyscall('fchmodat2', t.libseccomp)) out.push(rule('fchmodat2', e, [masked(2, m, m)], 'any'));
      else if (m === 0o4000) notes.push(`libseccomp ${t.libseccomp} has no fchmodat2: systemd adds a raw-number ENOSYS rule instead, which is not modelled`);
    }
    out.push(rule('mkdir', e, [masked(1, m, m)], 'any'));
    out.push(rule('mkdirat', e, [masked(2, m, m)], 'any'));
    out.push(rule('mknod', e, [masked(1, m, m)], 'any'));
    out.push(rule('mknodat', e, [masked(2, m, m)], 'any'));
    if (withOpen) out.push(rule('open', e, [masked(1, creat, creat), masked(2, m, m)], 'any'));
    out.push(rule('openat', e, [masked(2, creat, creat), masked(3, m, m)], 'any'));
    if (atLeast(t, 246)) out.push(rule('openat2', errno(atLeast(t, 248) ? ENOSYS : EPERM), [], 'any'));
    out.push(rule('creat', e, [masked(1, m, m)], 'any'));
  }
  return out;
}

/** seccomp_restrict_namespaces(retain). */
function namespaceRules(retain: number, abi: AbiName, t: Target): PolicedRule[] {
  const all = namespaceFlagsAll(t);
  const out: PolicedRule[] = [];
  const e = errno(EPERM);
  if (atLeast(t, 251)) out.push(rule('clone3', errno(ENOSYS), [], 'ignore'));
  const keepsSome = ((retain & all) >>> 0) !== 0;
  out.push(keepsSome ? rule('setns', e, [eq32(1, 0, t)]) : rule('setns', e));
  const cloneArg = abi === 's390' || abi === 's390x' ? 1 : 0;
  for (const [, f] of namespaceTable(t)) {
    if (((retain & f) >>> 0) === f >>> 0) continue;
    out.push(rule('unshare', e, [masked(0, f, f)]));
    out.push(rule('clone', e, [masked(cloneArg, f, f)]));
    if (keepsSome) out.push(rule('setns', e, [masked(1, f, f)]));
  }
  return out;
}

/** seccomp_protect_sysctl(): ABIs without _sysctl are skipped up front. */
function sysctlSkipped(abi: AbiName, t: Target): boolean {
  if (abi === 'x32' || abi === 'arm64') return true;
  if (abi === 'riscv64') return atLeast(t, 247);
  if (abi === 'loongarch64') return atLeast(t, 255);
  return false;
}

/**
 * seccomp_add_syscall_filter_set() as the ProtectKernelModules=/ProtectClock=/PrivateDevices=
 * helpers use it: every member of the group (nested groups inline), names libseccomp does not
 * know skipped, -EDOM ignored.
 */
function groupRules(group: string, t: Target): PolicedRule[] {
  return expandGroupInOrder(group, t)
    .filter((n) => isKnownSyscall(n, t.libseccomp))
    .map((n) => rule(n, errno(EPERM), [], 'fatal'));
}

/** The per-entry action in seccomp_load_syscall_filter_set_raw(), by version. */
function entryAction(errnoValue: number, action: Action, t: Target): Action {
  if (!atLeast(t, 247)) {
    // v245/v246: the errno only counts when the action is not allow.
    return action.kind !== 'allow' && errnoValue >= 0 ? errno(errnoValue) : action;
  }
  if (errnoValue === ERRNO_KILL) return killProcess(t);
  if (action.kind === 'log') return LOG;
  if (atLeast(t, 248)) return errnoValue >= 0 ? errno(errnoValue) : action;
  return action.kind !== 'allow' && errnoValue >= 0 ? errno(errnoValue) : action;
}

/** Native number (or a sort key after all real numbers) for ordering hashmap entries deterministically. */
function nativeOrder(name: string, t: Target): number {
  const n = syscallNumber(name, t.host, t.libseccomp);
  return n >= 0 ? n : 1e9;
}

/**
 * seccomp_load_syscall_filter_set_raw(): the rules for one ABI (the hashmap's entries; HASHMAP_FOREACH
 * order is a hash order, sorted here by native number — libseccomp's output does not depend on it),
 * plus, v255+, the explicit rules for unlisted @known syscalls when the default is overridden.
 */
function rawRules(entries: ReadonlyMap<string, number>, defaultAction: Action, action: Action, overridden: boolean, t: Target): PolicedRule[] {
  // Each name's key is looked up once, not once per comparison (hundreds of names per allow-list).
  const order = new Map<string, number>();
  for (const n of entries.keys()) order.set(n, nativeOrder(n, t));
  const names = [...entries.keys()].sort((a, b) => order.get(a)! - order.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
  const out = names.map((n) => rule(n, entryAction(entries.get(n)!, action, t), [], 'fatal'));
  if (overridden) {
    for (const n of knownSyscalls(`${t.major}.${t.patch}`, t.host)) {
      // seccomp_syscall_resolve_name() on the native ABI: names that are not native syscalls (< 0) are skipped.
      if (syscallNumber(n, t.host, t.libseccomp) < 0) continue;
      if (entries.has(n)) continue;
      out.push(rule(n, defaultAction, [], 'fatal'));
    }
  }
  return out;
}

/** override_default_action() (v255+): allow-lists whose default is kill/errno get ERRNO(ENOSYS). */
function overrideDefault(def: Action, t: Target): Action {
  if (!atLeast(t, 255)) return def;
  if (def.kind === 'allow' || def.kind === 'log') return def;
  return errno(ENOSYS);
}

// ---------------------------------------------------------------------------------------------
// NoNewPrivileges.

function isRootUser(user: string | undefined): boolean {
  return user === undefined || user === 'root' || user === '0';
}

/** context_has_seccomp() / the list in context_has_no_new_privileges(), by version. */
function hasSeccomp(v: EffectiveValues, t: Target): boolean {
  const hostname = atLeast(t, 258) ? v.protectHostname.value === 'yes' : v.protectHostname.value !== 'no';
  return (
    (v.restrictAddressFamilies.allowList || (v.restrictAddressFamilies.families?.size ?? 0) > 0) ||
    v.memoryDenyWriteExecute.value ||
    v.restrictRealtime.value ||
    v.restrictSUIDSGIDEffective.value ||
    namespacesRestricted(v.restrictNamespaces.value, t) ||
    v.protectClock.value ||
    v.protectKernelTunables.value ||
    v.protectKernelModules.value ||
    v.protectKernelLogs.value ||
    v.privateDevices.value ||
    v.systemCallFilter.allowList ||
    v.systemCallFilter.entries.size > 0 ||
    v.systemCallArchitectures.value.length > 0 ||
    v.lockPersonality.value ||
    hostname ||
    (atLeast(t, 247) && (v.systemCallLog.allowList || v.systemCallLog.entries.size > 0))
  );
}

/** seccomp_allows_drop_privileges() (v255+): the filter lets the service call capget, capset and prctl. */
function filterAllowsDropPrivileges(v: EffectiveValues): boolean {
  const f = v.systemCallFilter;
  if (f.entries.size === 0) return true;
  const has = (n: string): boolean => f.entries.has(n);
  return f.allowList ? has('capget') && has('capset') && has('prctl') : !(has('capget') || has('capset') || has('prctl'));
}

function planNoNewPrivileges(v: EffectiveValues, t: Target, cmd: ExecCommandInfo | undefined): FilterPlan['noNewPrivileges'] {
  if (cmd?.fullyPrivileged) return { value: false, implied: false, reason: 'the command has the + prefix: no sandboxing, no NoNewPrivileges' };
  if (v.noNewPrivileges.value) {
    const viaDynamic = v.dynamicUser.value && !v.noNewPrivileges.sources.some((s) => s.key === 'NoNewPrivileges');
    return viaDynamic ? { value: true, implied: true, reason: 'DynamicUser=yes sets NoNewPrivileges=yes (unit_patch_contexts())' } : { value: true, implied: false };
  }
  if (!hasSeccomp(v, t)) return { value: false, implied: false };
  const root = isRootUser(v.user.value) && !v.dynamicUser.value;
  if (root) return { value: false, implied: false, reason: 'runs as root with CAP_SYS_ADMIN, so systemd loads the filters without NoNewPrivileges' };
  // v255+: keep_seccomp_privileges keeps CAP_SYS_ADMIN across setresuid() just to load the filters.
  const needsSetuid = !(cmd?.noSetuid ?? false);
  if (atLeast(t, 255) && needsSetuid && filterAllowsDropPrivileges(v)) {
    return { value: false, implied: false, reason: `systemd ${t.major} keeps CAP_SYS_ADMIN across the user switch to load the filters (seccomp_allows_drop_privileges()), so NoNewPrivileges is not needed` };
  }
  return { value: true, implied: true, reason: 'a seccomp directive is used and the service does not run with CAP_SYS_ADMIN, so systemd sets NoNewPrivileges (context_has_no_new_privileges())' };
}

// ---------------------------------------------------------------------------------------------

/**
 * Plans the filters systemd installs for `unit` on `target`, for a sandboxed command (the first
 * ExecStart= unless it has the `+` prefix). Never throws.
 */
export function planFilters(unit: UnitDocument, target: Target): FilterPlan {
  const failed = (stage: string, e: unknown, values: EffectiveValues): FilterPlan => {
    const message = `internal error while ${stage}: ${e instanceof Error ? e.message : String(e)}`;
    return {
      target,
      filters: [],
      noNewPrivileges: { value: false, implied: false },
      diagnostics: [...values.diagnostics, { code: 'plan-internal-error', severity: 'error', message, file: undefined, line: undefined, span: undefined }],
      refused: message,
      values,
      commands: [],
    };
  };
  let values: EffectiveValues;
  try {
    values = effectiveValues(unit, target);
  } catch (e) {
    return failed('reading the unit', e, emptyEffectiveValues());
  }
  try {
    return plan(unit, target, values);
  } catch (e) {
    return failed('planning', e, values);
  }
}

function plan(unit: UnitDocument, t: Target, v: EffectiveValues): FilterPlan {
  const p = new Planner(t);
  const diagnostics: PlanDiagnostic[] = [...v.diagnostics];
  const main = v.commands.find((c) => c.directive === 'ExecStart') ?? v.commands[0];
  const nnp = planNoNewPrivileges(v, t, main);
  const finish = (refused?: string): FilterPlan => {
    const n = p.filters.length;
    const commands: CommandPlan[] = v.commands.map((c) => {
      const privileged = c.fullyPrivileged;
      const hostnameOnly = privileged && !atLeast(t, 246) ? p.filters.filter((f) => f.directive === 'ProtectHostname').length : 0;
      return {
        directive: c.directive,
        file: c.source.file,
        line: c.source.line,
        prefix: c.prefix,
        filters: privileged ? hostnameOnly : n,
        ...(privileged ? { note: `the + prefix runs this command without sandboxing: ${hostnameOnly ? 'only the ProtectHostname= filters (v245 applies them outside the sandboxing block)' : 'no seccomp filter'}` } : {}),
      };
    });
    for (const c of commands) {
      if (c.note) diagnostics.push({ code: 'plan-privileged-command', severity: 'info', message: `${c.directive}=: ${c.note}`, file: c.file, line: c.line, span: v.commands.find((x) => x.source.line === c.line && x.source.file === c.file)?.source.span });
    }
    return {
      target: t,
      filters: p.filters,
      noNewPrivileges: nnp,
      diagnostics: [...diagnostics, ...p.diagnostics],
      ...(refused !== undefined ? { refused } : {}),
      values: v,
      commands,
    };
  };

  if (v.refused) return finish(v.refused);
  if (!v.hasExecContext) {
    diagnostics.push({ code: 'plan-no-exec-context', severity: 'info', message: `${unit.unitType} units spawn no processes: no seccomp filters`, file: unit.main.fileName, line: undefined, span: undefined });
    return finish();
  }
  const sandboxed = !main?.fullyPrivileged;
  const pre = (): AbiName[] => p.foreachLocal();

  // ProtectHostname=: installed with the UTS namespace, right after the mount namespace. v245 does it
  // outside the needs_sandboxing block (so even for + commands); v258+ only for =yes (=private: none).
  const hostnameOn = atLeast(t, 258) ? v.protectHostname.value === 'yes' : v.protectHostname.value !== 'no';
  if (v.protectHostname.value === 'private' && atLeast(t, 258)) {
    p.info('plan-hostname-private', 'ProtectHostname=private sets up a UTS namespace but installs no seccomp filter', v.protectHostname.sources[0]);
  }
  if (hostnameOn && (sandboxed || !atLeast(t, 246))) {
    if (!p.perAbi('ProtectHostname', v.protectHostname.sources, pre(), () => ({ rules: hostnameRules() }))) return finish(p.failure);
  }
  if (!sandboxed) return finish();

  // RestrictAddressFamilies= (apply_address_families; EXIT_ADDRESS_FAMILIES on fatal errors).
  const raf = v.restrictAddressFamilies;
  if (raf.allowList || (raf.families?.size ?? 0) > 0) {
    const ok = p.perAbi('RestrictAddressFamilies', raf.sources, pre(), (abi) => {
      if (!rafSupported(abi, t)) return `socket() is multiplexed through socketcall() there (or the ABI is not in systemd ${t.major}'s supported list), so it is skipped`;
      return { rules: rafRules(raf.families, raf.allowList, t) };
    });
    if (!ok) return finish(p.failure);
  }

  // MemoryDenyWriteExecute=: v254+ tries prctl(PR_SET_MDWE) first (Linux 6.3+), seccomp only as fallback.
  if (v.memoryDenyWriteExecute.value) {
    if (atLeast(t, 254) && kernelAtLeast(t, 6, 3)) {
      p.info('plan-mdwe-prctl', `MemoryDenyWriteExecute= uses prctl(PR_SET_MDWE) on kernel ${t.kernel} (systemd ≥ 254, Linux ≥ 6.3): no seccomp filter`, v.memoryDenyWriteExecute.sources[0]);
    } else {
      const note = atLeast(t, 254) ? `kernel ${t.kernel} < 6.3 rejects PR_SET_MDWE, so systemd falls back to seccomp` : undefined;
      const ok = p.perAbi('MemoryDenyWriteExecute', v.memoryDenyWriteExecute.sources, pre(), (abi) => {
        const r = mdweRules(abi, t);
        return typeof r === 'string' ? r : { rules: r, ...(note ? { note } : {}) };
      });
      if (!ok) return finish(p.failure);
    }
  }

  if (v.restrictRealtime.value) {
    if (!p.perAbi('RestrictRealtime', v.restrictRealtime.sources, pre(), () => ({ rules: realtimeRules(t) }))) return finish(p.failure);
  }

  if (v.restrictSUIDSGIDEffective.value) {
    const notes: string[] = [];
    const rules = suidSgidRules(t, notes);
    const implied = !v.restrictSUIDSGID.value;
    const note = [implied ? 'implied by DynamicUser=yes' : undefined, ...notes].filter((x) => x !== undefined).join('; ');
    const ok = p.perAbi('RestrictSUIDSGID', v.restrictSUIDSGIDEffective.sources, pre(), () => ({ rules, ...(note ? { note } : {}) }));
    if (!ok) return finish(p.failure);
  }

  const retain = v.restrictNamespaces.value;
  if (namespacesRestricted(retain, t)) {
    if (!p.perAbi('RestrictNamespaces', v.restrictNamespaces.sources, pre(), (abi) => ({ rules: namespaceRules(retain!, abi, t) }))) return finish(p.failure);
  } else if (retain !== undefined && v.restrictNamespaces.sources.length > 0) {
    p.info('plan-namespaces-all-kept', 'RestrictNamespaces= keeps every namespace type here: no filter', v.restrictNamespaces.sources[0]);
  }

  if (v.protectKernelTunables.value) {
    const ok = p.perAbi('ProtectKernelTunables', v.protectKernelTunables.sources, pre(), (abi) =>
      sysctlSkipped(abi, t) ? `${abi} has no _sysctl() system call (skipped up front)` : { rules: [rule('_sysctl', errno(EPERM))] },
    );
    if (!ok) return finish(p.failure);
  }

  const opt = atLeast(t, 255) ? 2 : 1;
  const groupHelper = (directive: string, group: string, sources: readonly SourceRef[]): boolean =>
    p.perAbi(directive, sources, pre(), () => ({ rules: groupRules(group, t), optimize: opt }));

  if (v.protectKernelModules.value && !groupHelper('ProtectKernelModules', '@module', v.protectKernelModules.sources)) return finish(p.failure);
  if (v.protectKernelLogs.value) {
    if (!p.perAbi('ProtectKernelLogs', v.protectKernelLogs.sources, pre(), () => ({ rules: [rule('syslog', errno(EPERM))] }))) return finish(p.failure);
  }
  if (v.protectClock.value && !groupHelper('ProtectClock', '@clock', v.protectClock.sources)) return finish(p.failure);
  if (v.privateDevices.value && !groupHelper('PrivateDevices', '@raw-io', v.privateDevices.sources)) return finish(p.failure);

  // SystemCallArchitectures= (apply_syscall_archs → seccomp_restrict_archs()).
  if (v.systemCallArchitectures.value.length > 0) {
    const r = archFilter(p, v, t);
    if (r === 'fatal') return finish(p.failure);
  }

  // LockPersonality=: personality(a0 != p) → EPERM, p = Personality= or PER_LINUX (opinionated_personality()).
  if (v.lockPersonality.value) {
    const pers = v.personality.value ?? PER_LINUX;
    const sources = [...v.lockPersonality.sources, ...v.personality.sources];
    if (!p.perAbi('LockPersonality', sources, p.foreachLocal(), () => ({ rules: [rule('personality', errno(EPERM), [cmp(0, 'ne', pers)])] }))) return finish(p.failure);
  }

  // SystemCallLog= (v247+): allow-list logs the listed calls; `~` logs everything else.
  if (atLeast(t, 247)) {
    const log = v.systemCallLog;
    if (log.allowList || log.entries.size > 0) {
      if (!rawSet(p, 'SystemCallLog', log, log.allowList ? ALLOW : LOG, log.allowList ? LOG : ALLOW, t)) return finish(p.failure);
    }
  }

  // SystemCallFilter=: deliberately the last step before execve().
  const f = v.systemCallFilter;
  if (f.allowList || f.entries.size > 0) {
    const negative = v.systemCallErrorNumber.value === ERRNO_KILL ? killProcess(t) : errno(v.systemCallErrorNumber.value);
    const entries = new Map(f.entries);
    const sources = [...f.sources, ...v.systemCallErrorNumber.sources];
    // needs_ambient_hack (≤ v257): `!!` commands on kernels without ambient capabilities (< 4.3) get @setuid added/removed.
    if (!atLeast(t, 258) && main?.ambientMagic && !kernelAtLeast(t, 4, 3)) {
      for (const n of expandGroupInOrder('@setuid', t)) {
        if (!isKnownSyscall(n, t.libseccomp)) continue;
        if (f.allowList) {
          if (entries.has(n) && entries.get(n) !== -1) return finish(`SystemCallFilter=: adding @setuid for the ambient-capability fallback collides with ${n}'s errno; systemd fails the command`);
          entries.set(n, -1);
        } else entries.delete(n);
      }
    }
    // v257+: the executor writes the handoff timestamp (and, for Type=exec, the exec fd), so `write` is
    // added to an allow-list and removed from a deny-list (seccomp_filter_set_add_by_name()).
    if (atLeast(t, 257)) {
      if (f.allowList) {
        if (entries.has('write') && entries.get('write') !== -1) {
          return finish(`SystemCallFilter=: systemd ${t.major} adds write() for the exec handoff, which collides with the errno given for write (hashmap_put() fails with -EEXIST); the command fails`);
        }
        entries.set('write', -1);
      } else entries.delete('write');
    }
    const sv: SyscallSetValue = { ...f, entries };
    const ok = f.allowList ? rawSet(p, 'SystemCallFilter', sv, negative, ALLOW, t, sources) : rawSet(p, 'SystemCallFilter', sv, ALLOW, negative, t, sources);
    if (!ok) return finish(p.failure);
    const failure = selfBlocked(p, v, sv, t);
    if (failure) {
      p.diagnostics.push({ code: 'plan-command-blocked', severity: 'error', message: failure, file: f.sources[0]?.file, line: f.sources[0]?.line, span: f.sources[0]?.span });
      return finish(failure);
    }
    if (f.droppedGroupMembers.length > 0) {
      p.info(
        'plan-group-members-unknown',
        `${f.droppedGroupMembers.length} group member${f.droppedGroupMembers.length === 1 ? ' is' : 's are'} unknown to libseccomp ${t.libseccomp} and not in the filter: ${f.droppedGroupMembers.join(', ')}${f.allowList ? (atLeast(t, 255) ? ' (they get ENOSYS, or the configured action if @known lists them)' : ' (they hit the default action)') : ''}`,
        f.sources[0],
      );
    }
  }

  return finish();
}

/**
 * What the executor itself still calls after loading SystemCallFilter= (the last filter): execve()
 * (fexecve_or_execve() without ENABLE_FEXECVE, the default), write() on the exec fd of Type=exec
 * services (exec_child()/exec_invoke() ≤ v256; v257 adds write() to the filter itself) and, in
 * v256 only, send() — sendto() — of the handoff timestamp. If the filter blocks one of them on the
 * native ABI, the command dies (SIGSYS) or fails (203/EXEC) before the program runs.
 */
function selfBlocked(p: Planner, v: EffectiveValues, set: SyscallSetValue, t: Target): string | undefined {
  if (!p.filters.some((f) => f.directive === 'SystemCallFilter' && f.abis.includes(t.host))) return undefined;
  const blocked = (name: string): 'kill' | 'errno' | undefined => {
    if (syscallNumber(name, t.host, t.libseccomp) < 0) return undefined;
    const e = set.entries.get(name);
    const negative = v.systemCallErrorNumber.value === ERRNO_KILL ? 'kill' : 'errno';
    if (set.allowList) {
      if (e === undefined) return negative;
      if (e === ERRNO_KILL && atLeast(t, 247)) return 'kill';
      return e >= 0 && atLeast(t, 248) ? 'errno' : undefined;
    }
    if (e === undefined) return undefined;
    if (e === ERRNO_KILL && atLeast(t, 247)) return 'kill';
    return e >= 0 ? 'errno' : negative;
  };
  const how = (b: 'kill' | 'errno'): string => (b === 'kill' ? 'is killed (status=31/SYS)' : 'fails (status=203/EXEC)');
  if (!atLeast(t, 257) && v.serviceType.value === 'exec') {
    const b = blocked('write');
    if (b) return `SystemCallFilter= blocks write(), which systemd ${t.major} calls on the exec fd of a Type=exec service after loading the filter: the command ${how(b)}`;
  }
  if (t.major === 256) {
    const b = blocked('sendto');
    if (b) return `SystemCallFilter= blocks sendto(), which systemd 256 calls to send the handoff timestamp after loading the filter: the command ${how(b)}`;
  }
  const b = blocked('execve');
  if (b) return `SystemCallFilter= blocks execve(), which systemd calls right after loading the filter: the command ${how(b)}`;
  return undefined;
}

/** seccomp_load_syscall_filter_set_raw() for SystemCallFilter=/SystemCallLog=. */
function rawSet(p: Planner, directive: string, set: SyscallSetValue, defaultAction: Action, action: Action, t: Target, sources: readonly SourceRef[] = set.sources): boolean {
  // An empty set with an allow default installs nothing.
  if (set.entries.size === 0 && defaultAction.kind === 'allow') return true;
  const def = overrideDefault(defaultAction, t);
  const overridden = actionValue(def) !== actionValue(defaultAction);
  const rules = rawRules(set.entries, defaultAction, action, overridden, t);
  const note = overridden ? `allow-list default is ERRNO(ENOSYS) (override_default_action(), v255+); unlisted @known calls get ${formatAction(defaultAction)}` : undefined;
  return p.perAbi(directive, sources, p.foreachLocal(), () => ({ rules, defaultAction: def, optimize: atLeast(t, 255) ? 2 : 1, ...(note ? { note } : {}) }));
}

/**
 * seccomp_restrict_archs(). v245–v247: always one filter, native plus every listed ABI (x86-64
 * too when x32 is listed or native). v248+: walks seccomp_local_archs[], marks unlisted ABIs
 * SECCOMP_LOCAL_ARCH_BLOCKED (later helpers skip them) and loads nothing if nothing new is
 * blocked. The native ABI is never blocked since v250 / v249.5 / v248.8 (PR #20777, f833df3848,
 * backports 7b746ce0ad and ba8bce7b56); before that `native` alone blocked the native ABI too, so
 * LockPersonality=, SystemCallLog= and SystemCallFilter= silently installed nothing.
 */
function archFilter(p: Planner, v: EffectiveValues, t: Target): 'ok' | 'fatal' {
  const set = v.systemCallArchitectures.value;
  const sources = v.systemCallArchitectures.sources;
  const host = t.host;
  const abis: AbiName[] = [host];
  const add = (a: AbiName): void => {
    if (!abis.includes(a)) abis.push(a);
  };
  if (!atLeast(t, 248)) {
    for (const e of set) {
      if (e === 'native') continue;
      if (!libseccompSupportsAbi(e, t.libseccomp) || ABIS[e].endian !== ABIS[host].endian) {
        p.failure = `SystemCallArchitectures=: libseccomp cannot add ${e} to a ${host} filter (seccomp_arch_add() fails); systemd fails the command`;
        return 'fatal';
      }
      add(e);
    }
    if (host === 'x32' || set.includes('x32')) add('x86-64');
    const note = `systemd ${t.major} always loads the architecture filter (it only prunes ABIs from v248 on); SET_FOREACH order of the extra ABIs is a hash order`;
    return p.load({ directive: 'SystemCallArchitectures', abis, rules: [], defaultAction: ALLOW, badArchAction: KILL_THREAD, optimize: 1, sources, note }) ? 'ok' : 'fatal';
  }
  const fixed = hasBackport(t, 250, { 248: 8, 249: 5 });
  let blockedNew = false;
  const blockedNow: AbiName[] = [];
  for (const entry of p.local) {
    if (fixed && entry.abi === host) continue;
    if (entry.blocked) continue;
    let block = !set.includes(entry.abi);
    // Debian #850047: an x32 build keeps x86-64 when x32 is listed (the x32 vDSO makes x86-64 calls).
    if (block && entry.abi === 'x86-64' && host === 'x32') block = !set.includes('x32');
    if (block) {
      entry.blocked = true;
      blockedNew = true;
      blockedNow.push(entry.abi);
    } else add(entry.abi);
  }
  if (!blockedNew) {
    p.info('plan-arch-filter-omitted', `SystemCallArchitectures= blocks no ABI that is not blocked already (systemd ≥ 248 loads no filter then)`, sources[0]);
    return 'ok';
  }
  const others = blockedNow.filter((a) => a !== host);
  let note = others.length > 0 ? `blocks ${others.join(', ')}; filters installed after this one skip ${others.length === 1 ? 'it' : 'them'}` : '';
  if (!fixed && blockedNow.includes(host)) {
    note += `${note ? '. ' : ''}systemd ${t.systemd} also marks the native ABI (${host}) blocked although this filter lets it through — the v248.0–248.7/v249.0–249.4 regression fixed by PR #20777 — so later filters for ${host} are not installed`;
    p.diagnostics.push({
      code: 'plan-arch-regression',
      severity: 'warning',
      message: `systemd ${t.systemd} has the SystemCallArchitectures=native regression (fixed in 248.8/249.5/250): LockPersonality=, SystemCallLog= and SystemCallFilter= get no ${host} filter. List ${host} explicitly to avoid it.`,
      file: sources[0]?.file,
      line: sources[0]?.line,
      span: sources[0]?.span,
    });
  }
  return p.load({ directive: 'SystemCallArchitectures', abis, rules: [], defaultAction: ALLOW, badArchAction: KILL_THREAD, optimize: 1, sources, note }) ? 'ok' : 'fatal';
}
