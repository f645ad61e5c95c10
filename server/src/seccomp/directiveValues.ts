/**
 * The effective value of every seccomp-relevant directive of a unit, computed with the parsing
 * semantics of the chosen systemd release (the config_parse_* callbacks in src/core/load-fragment.c,
 * src/shared/conf-parser.c and src/shared/parse-helpers.c, by tag). Each value keeps the
 * assignments it came from; problems are returned as diagnostics, never thrown.
 */

import type { Assignment, Span } from '../parser/nodes';
import { SegmentCursor } from '../parser/segments';
import { ExtractFlags, extractWords, type ExtractedWord } from '../parser/extractWord';
import { liveAssignments, type UnitDocument } from '../model/unit';
import { ABIS, type AbiName } from './abi';
import { afFromName } from './addressFamilies';
import { errnoFromName, errnoIsValid } from './errno';
import { groupInfo, suggestGroup } from './groups';
import { isKnownSyscall, suggestSyscall } from './syscalls';
import { atLeast, type Target } from './target';

// ---------------------------------------------------------------------------------------------
// Shared types.

/** Where a value came from: one assignment of the merged unit. */
export interface SourceRef {
  readonly file: string;
  /** 1-based line where the assignment starts. */
  readonly line: number;
  /** The whole assignment (key = value, continuations included). */
  readonly span: Span;
  readonly keySpan: Span;
  readonly valueSpan: Span;
  readonly key: string;
  readonly value: string;
}

export interface PlanDiagnostic {
  /** Stable id, e.g. `seccomp-unknown-syscall`. */
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  /** undefined for problems that belong to no file (e.g. the target). */
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly span: Span | undefined;
}

export interface Tracked<T> {
  readonly value: T;
  /** The assignments that make up the value (empty when it is the default). */
  readonly sources: readonly SourceRef[];
}

/**
 * SECCOMP_ERROR_NUMBER_KILL (src/shared/seccomp-util.h, v247+: INT_MAX - 1): the "errno" that
 * stands for the kill action. v245/v246 stored 0 for kill in SystemCallErrorNumber=; it is
 * normalised to this value here.
 */
export const ERRNO_KILL = 0x7ffffffe;

/** An errno value as systemd's hashmaps store it: -1 = none, ERRNO_KILL = kill, else 0…4095. */
export type ErrnoValue = number;

/** One syscall in a SystemCallFilter=/SystemCallLog= set, and which word put it there. */
export interface SyscallEntryOrigin {
  readonly source: SourceRef | undefined;
  /** The group the name came from (`@system-service`), if any; `@default` for the implicit one. */
  readonly via: string | undefined;
}

export interface SyscallSetValue {
  /** The hashmap exists (a non-empty assignment since the last reset). */
  readonly active: boolean;
  /** Allow-list mode (the first non-empty assignment after a reset had no `~`). */
  readonly allowList: boolean;
  /** libseccomp syscall name → errno value, in insertion order. */
  readonly entries: ReadonlyMap<string, ErrnoValue>;
  readonly origins: ReadonlyMap<string, SyscallEntryOrigin>;
  /** Group members libseccomp does not know (dropped silently by systemd, logged at debug level). */
  readonly droppedGroupMembers: readonly string[];
  readonly sources: readonly SourceRef[];
  /**
   * The words (since the last reset) that remove names from the set: `~…` words of an allow-list,
   * words without `~` after a deny-list. What each removed, in order, as systemd applies them.
   */
  readonly removals: readonly SyscallRemoval[];
}

/** One word that removes names from a SystemCallFilter=/SystemCallLog= set, and what it removed. */
export interface SyscallRemoval {
  readonly source: SourceRef;
  /** The word's span (without `~` and `:errno`). */
  readonly span: Span;
  readonly name: string;
  /** Known system calls the word stands for (a group's members libseccomp knows). */
  readonly names: number;
  /** The names that were in the set when the word was applied, with the word that had put them there. */
  readonly removed: readonly { readonly name: string; readonly origin: SyscallEntryOrigin | undefined }[];
}

/** A SystemCallArchitectures= entry: `native` or an ABI. */
export type ArchEntry = 'native' | AbiName;

export interface AddressFamiliesValue {
  /** c->address_families; null when freed (unset, reset, or `none`). */
  readonly families: ReadonlySet<number> | null;
  readonly allowList: boolean;
  readonly sources: readonly SourceRef[];
}

/** How one Exec*= line starts (config_parse_exec() prefixes). */
export interface ExecCommandInfo {
  readonly directive: string;
  readonly source: SourceRef;
  /** The prefix characters as written (`+`, `-!!`, …). */
  readonly prefix: string;
  /** `+`: EXEC_COMMAND_FULLY_PRIVILEGED — needs_sandboxing is false, no seccomp filter at all. */
  readonly fullyPrivileged: boolean;
  /** `!!`: EXEC_COMMAND_AMBIENT_MAGIC (the ambient-capability fallback for kernels < 4.3). */
  readonly ambientMagic: boolean;
  /** `!` (or `!!`): no setresuid() by systemd. */
  readonly noSetuid: boolean;
}

export type ProtectHostnameMode = 'no' | 'yes' | 'private';

export interface EffectiveValues {
  readonly systemCallFilter: SyscallSetValue;
  readonly systemCallLog: SyscallSetValue;
  /** ERRNO_KILL or an errno number 1…4095. */
  readonly systemCallErrorNumber: Tracked<number>;
  /** The set in insertion order; empty = no arch filter. */
  readonly systemCallArchitectures: Tracked<readonly ArchEntry[]>;
  readonly restrictAddressFamilies: AddressFamiliesValue;
  /** Kept namespace flags; undefined = NAMESPACE_FLAGS_INITIAL (unset). */
  readonly restrictNamespaces: Tracked<number | undefined>;
  readonly memoryDenyWriteExecute: Tracked<boolean>;
  readonly lockPersonality: Tracked<boolean>;
  /** PER_LINUX (0) or PER_LINUX32 (8); undefined = not set. */
  readonly personality: Tracked<number | undefined>;
  readonly restrictRealtime: Tracked<boolean>;
  /** As configured; see restrictSUIDSGIDEffective for DynamicUser='s implication. */
  readonly restrictSUIDSGID: Tracked<boolean>;
  readonly dynamicUser: Tracked<boolean>;
  readonly protectKernelLogs: Tracked<boolean>;
  readonly protectKernelTunables: Tracked<boolean>;
  readonly protectKernelModules: Tracked<boolean>;
  readonly protectClock: Tracked<boolean>;
  readonly protectHostname: Tracked<ProtectHostnameMode>;
  readonly privateDevices: Tracked<boolean>;
  /** As configured; DynamicUser=yes forces it on (unit_patch_contexts()). */
  readonly noNewPrivileges: Tracked<boolean>;
  readonly user: Tracked<string | undefined>;
  /** Type= of a service (exec services get an exec fd the executor writes to after loading the filters). */
  readonly serviceType: Tracked<string | undefined>;
  /** unit_patch_contexts(): RestrictSUIDSGID= or DynamicUser=yes. */
  readonly restrictSUIDSGIDEffective: Tracked<boolean>;
  /** Exec*= lines in load order. */
  readonly commands: readonly ExecCommandInfo[];
  /** The unit type has an exec context (service, socket, mount, swap). */
  readonly hasExecContext: boolean;
  /** Set when systemd refuses to load the unit (bad-setting), with the reason. */
  readonly refused: string | undefined;
  readonly diagnostics: readonly PlanDiagnostic[];
}

// ---------------------------------------------------------------------------------------------
// Namespace flags (linux/sched.h) and the tables systemd parses them with.

export const CLONE_NEWTIME = 0x00000080;
export const CLONE_NEWNS = 0x00020000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;

/**
 * The namespace types systemd iterates, in table order: namespace_flag_map[] (src/shared/nsflags.c,
 * ≤ v251) and namespace_info[] (src/basic/namespace-util.c, v252+, which adds `time`).
 */
export function namespaceTable(t: Pick<Target, 'major' | 'patch'>): readonly (readonly [string, number])[] {
  const base: [string, number][] = [
    ['cgroup', CLONE_NEWCGROUP],
    ['ipc', CLONE_NEWIPC],
    ['net', CLONE_NEWNET],
    ['mnt', CLONE_NEWNS],
    ['pid', CLONE_NEWPID],
    ['user', CLONE_NEWUSER],
    ['uts', CLONE_NEWUTS],
  ];
  if (atLeast(t, 252)) base.push(['time', CLONE_NEWTIME]);
  return base;
}

/**
 * NAMESPACE_FLAGS_ALL (src/basic/namespace-util.h / nsflags.h): the seven classic types; v258
 * adds CLONE_NEWTIME. In v252…v257 the time namespace is parsed and filtered but is not in ALL,
 * so `RestrictNamespaces=~time` keeps "all" and installs nothing.
 */
export function namespaceFlagsAll(t: Pick<Target, 'major' | 'patch'>): number {
  const all = CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWUTS;
  return (atLeast(t, 258) ? all | CLONE_NEWTIME : all) >>> 0;
}

/** exec_context_restrict_namespaces_set(): a filter is installed unless every type is kept. */
export function namespacesRestricted(retain: number | undefined, t: Pick<Target, 'major' | 'patch'>): boolean {
  if (retain === undefined) return false;
  const all = namespaceFlagsAll(t);
  return ((retain & all) >>> 0) !== all;
}

export const PER_LINUX = 0x0000;
export const PER_LINUX32 = 0x0008;

/** architecture_to_string() names a build accepts for Personality=: native → PER_LINUX, secondary → PER_LINUX32 (src/basic/architecture.h). */
function personalityNames(host: AbiName): { native: string; secondary?: string } {
  switch (host) {
    case 'x86-64':
    case 'x32':
      return { native: 'x86-64', secondary: 'x86' };
    case 'arm64':
      return { native: 'arm64', secondary: 'arm' };
    case 'ppc64-le':
      return { native: 'ppc64-le', secondary: 'ppc-le' };
    case 'ppc64':
      return { native: 'ppc64', secondary: 'ppc' };
    case 's390x':
      return { native: 's390x', secondary: 's390' };
    case 'mips64-n32':
    case 'mips64':
      return { native: 'mips64' };
    case 'mips64-le-n32':
    case 'mips64-le':
      return { native: 'mips64-le' };
    default:
      return { native: host };
  }
}

// ---------------------------------------------------------------------------------------------
// Small parsers mirroring systemd's.

/** parse_boolean() (src/basic/parse-util.c): 1/yes/y/true/t/on and 0/no/n/false/f/off, case-insensitive. */
export function parseBoolean(v: string): boolean | undefined {
  const l = v.toLowerCase();
  if (['1', 'yes', 'y', 'true', 't', 'on'].includes(l)) return true;
  if (['0', 'no', 'n', 'false', 'f', 'off'].includes(l)) return false;
  return undefined;
}

/**
 * safe_atoi(): strtol(…, base 0) on the whole string, with v246+'s mangle_base() (0b… binary,
 * 0o… octal; C's 0x… hex and 0… octal work in every version). Returns undefined where systemd
 * returns an error (garbage, overflow of int).
 */
export function safeAtoi(s: string, t: Pick<Target, 'major' | 'patch'>): number | undefined {
  let p = s.replace(/^[ \t\n\r\v\f]+/, '');
  let sign = 1;
  let base = 0;
  const signMatch = /^[+-]/.exec(p);
  if (atLeast(t, 246) && signMatch === null) {
    if (/^0[bB]/.test(p)) {
      base = 2;
      p = p.slice(2);
    } else if (/^0[oO]/.test(p)) {
      base = 8;
      p = p.slice(2);
    }
  }
  // strtol skips whitespace again and reads an optional sign.
  p = p.replace(/^[ \t\n\r\v\f]+/, '');
  if (p.startsWith('-')) {
    sign = -1;
    p = p.slice(1);
  } else if (p.startsWith('+')) p = p.slice(1);
  if (base === 0) {
    if (/^0[xX][0-9a-fA-F]/.test(p)) {
      base = 16;
      p = p.slice(2);
    } else if (p.startsWith('0')) base = 8;
    else base = 10;
  } else if (base === 16 && /^0[xX]/.test(p)) p = p.slice(2);
  const digits = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!digits.test(p)) return undefined;
  const v = sign * parseInt(p, base);
  if (!Number.isFinite(v) || v > 0x7fffffff || v < -0x80000000) return undefined;
  return v;
}

/**
 * parse_errno(): an errno name, or a number 0…ERRNO_MAX (0 is allowed here). Returns the value,
 * or a string saying why systemd rejects it.
 */
export function parseErrno(s: string, t: Pick<Target, 'major' | 'patch'>): number | string {
  const byName = errnoFromName(s);
  if (byName !== undefined) return byName;
  const n = safeAtoi(s, t);
  if (n === undefined) return `'${s}' is neither an errno name nor a number`;
  if (!errnoIsValid(n) && n !== 0) return `${n} is out of range (1…4095)`;
  return n;
}

/** seccomp_parse_errno_or_action() (v247+): `kill` or parse_errno(); v245/v246 only parse_errno(). */
function parseErrnoOrAction(s: string, t: Pick<Target, 'major' | 'patch'>): number | string {
  if (atLeast(t, 247) && s === 'kill') return ERRNO_KILL;
  return parseErrno(s, t);
}

/** seccomp_arch_from_string(): `native` or an ABI name the release knows. */
function archFromString(word: string, t: Target): ArchEntry | undefined {
  if (word === 'native') return 'native';
  if (!Object.prototype.hasOwnProperty.call(ABIS, word)) return undefined;
  const info = ABIS[word as AbiName];
  return info.systemdSince <= t.major ? (word as AbiName) : undefined;
}

// ---------------------------------------------------------------------------------------------
// The evaluator.

/** Sections whose keys configure an ExecContext (EXEC_CONTEXT_CONFIG_ITEMS in load-fragment-gperf.gperf). */
export const EXEC_SECTIONS: ReadonlySet<string> = new Set(['Service', 'Socket', 'Mount', 'Swap']);
const EXEC_UNIT_TYPES = new Set(['service', 'socket', 'mount', 'swap']);
const EXEC_COMMAND_KEYS = new Set(['ExecCondition', 'ExecStartPre', 'ExecStart', 'ExecStartPost', 'ExecReload', 'ExecStop', 'ExecStopPre', 'ExecStopPost']);

interface MutableSyscallSet {
  active: boolean;
  allowList: boolean;
  entries: Map<string, number>;
  origins: Map<string, SyscallEntryOrigin>;
  dropped: Set<string>;
  sources: SourceRef[];
  removals: SyscallRemoval[];
  /** The removal being recorded while a top-level word is applied. */
  removing: { names: number; removed: { name: string; origin: SyscallEntryOrigin | undefined }[] } | undefined;
}

function emptySet(): MutableSyscallSet {
  return { active: false, allowList: false, entries: new Map(), origins: new Map(), dropped: new Set(), sources: [], removals: [], removing: undefined };
}

/**
 * One SourceRef per assignment (parser output is immutable, and SourceRefs are read-only data): a
 * group word of a SystemCallFilter= line records its source for each of its dozens of calls.
 */
const sources = new WeakMap<Assignment, SourceRef>();

function sourceOf(a: Assignment): SourceRef {
  let s = sources.get(a);
  if (!s) {
    s = { file: a.file, line: a.line, span: a.span, keySpan: a.keySpan, valueSpan: a.valueSpan, key: a.key, value: a.value };
    sources.set(a, s);
  }
  return s;
}

/**
 * Maps [start, end) of an assignment's value (logical offsets) to document spans. One mapper per
 * value, asked in increasing order: each word costs O(1) even on a value continued over 100 000
 * lines (parser/segments.ts).
 */
function valueSpans(a: Assignment): (start: number, end: number) => Span {
  const cursor = new SegmentCursor(a.segments, a.valueSpan.offset);
  return (start, end) => cursor.span(start, end);
}

/** Maps [start, end) of an assignment's value (logical offsets) to a document span. */
function valueRangeSpan(a: Assignment, start: number, end: number): Span {
  return valueSpans(a)(start, end);
}

/**
 * Computes the effective values. `unit` is the merged unit (main file plus drop-ins); only
 * assignments systemd hands to its parsers count (liveAssignments()).
 */
export function effectiveValues(unit: UnitDocument, target: Target): EffectiveValues {
  const diags: PlanDiagnostic[] = [];
  const t = target;
  let refused: string | undefined;

  const diag = (code: string, severity: PlanDiagnostic['severity'], message: string, a?: Assignment, span?: Span): void => {
    diags.push({ code, severity, message, file: a?.file, line: a?.line, span: span ?? a?.span });
  };

  // Booleans and other last-wins values.
  const bool = (): { value: boolean; sources: SourceRef[] } => ({ value: false, sources: [] });
  const b = {
    memoryDenyWriteExecute: bool(),
    lockPersonality: bool(),
    restrictRealtime: bool(),
    restrictSUIDSGID: bool(),
    dynamicUser: bool(),
    protectKernelLogs: bool(),
    protectKernelTunables: bool(),
    protectKernelModules: bool(),
    protectClock: bool(),
    privateDevices: bool(),
    noNewPrivileges: bool(),
  };
  const boolKeys: Record<string, keyof typeof b> = {
    MemoryDenyWriteExecute: 'memoryDenyWriteExecute',
    LockPersonality: 'lockPersonality',
    RestrictRealtime: 'restrictRealtime',
    RestrictSUIDSGID: 'restrictSUIDSGID',
    DynamicUser: 'dynamicUser',
    ProtectKernelLogs: 'protectKernelLogs',
    ProtectKernelTunables: 'protectKernelTunables',
    ProtectKernelModules: 'protectKernelModules',
    ProtectClock: 'protectClock',
    PrivateDevices: 'privateDevices',
    NoNewPrivileges: 'noNewPrivileges',
  };

  const filter = emptySet();
  const log = emptySet();
  let errnoValue = ERRNO_KILL;
  let errnoSources: SourceRef[] = [];
  let archs: ArchEntry[] = [];
  let archSources: SourceRef[] = [];
  let afFamilies: Set<number> | null = null;
  let afAllow = false;
  let afSources: SourceRef[] = [];
  let nsRetain: number | undefined;
  let nsSources: SourceRef[] = [];
  let personality: number | undefined;
  let personalitySources: SourceRef[] = [];
  let hostname: ProtectHostnameMode = 'no';
  let hostnameSources: SourceRef[] = [];
  let user: string | undefined;
  let userSources: SourceRef[] = [];
  let serviceType: string | undefined;
  let serviceTypeSources: SourceRef[] = [];
  const commands: ExecCommandInfo[] = [];

  /** seccomp_parse_syscall_filter(), recursing into groups. */
  const parseSyscallName = (
    set: MutableSyscallSet,
    name: string,
    errno: number,
    invert: boolean,
    logIt: boolean,
    a: Assignment | undefined,
    span: Span | undefined,
    via: string | undefined,
    depth: number,
  ): void => {
    if (depth > 16) return;
    if (name.startsWith('@')) {
      const info = groupInfo(name, `${t.major}.${t.patch}`, t.host);
      if (!info) {
        if (logIt) {
          const s = suggestGroup(name, `${t.major}.${t.patch}`, t.host);
          diag('seccomp-unknown-group', 'warning', `Unknown system call group, ignoring: ${name} (systemd ${t.systemd} has no such group${s ? `; did you mean ${s}?` : ''})`, a, span);
        }
        return;
      }
      for (const m of info.members) parseSyscallName(set, m, errno, invert, false, a, span, via ?? name, depth + 1);
      return;
    }
    if (!isKnownSyscall(name, t.libseccomp)) {
      if (logIt) {
        const s = suggestSyscall(name, t.libseccomp);
        const text = atLeast(t, 255) ? `System call ${name} is not known, ignoring.` : `Failed to parse system call, ignoring: ${name}`;
        diag('seccomp-unknown-syscall', 'warning', `${text} (libseccomp ${t.libseccomp} does not know it${s ? `; did you mean ${s}?` : ''})`, a, span);
      } else set.dropped.add(name);
      return;
    }
    // SECCOMP_PARSE_INVERT / SECCOMP_PARSE_ALLOW_LIST: keep (or, v248+, keep with an errno) or remove.
    const put = invert !== set.allowList || (atLeast(t, 248) && invert && set.allowList && errno >= 0);
    if (put) {
      set.entries.set(name, errno);
      set.origins.set(name, { source: a ? sourceOf(a) : undefined, via });
    } else {
      if (set.removing) {
        set.removing.names++;
        if (set.entries.has(name)) set.removing.removed.push({ name, origin: set.origins.get(name) });
      }
      set.entries.delete(name);
      set.origins.delete(name);
    }
  };

  /** config_parse_syscall_filter() / config_parse_syscall_log(). */
  const parseSyscallSet = (set: MutableSyscallSet, a: Assignment, isLog: boolean): void => {
    const value = a.value;
    if (value === '') {
      set.active = false;
      set.allowList = false;
      set.entries.clear();
      set.origins.clear();
      set.dropped.clear();
      set.sources = [];
      set.removals = [];
      return;
    }
    set.sources.push(sourceOf(a));
    const invert = value.startsWith('~');
    const offset = invert ? 1 : 0;
    const rvalue = value.slice(offset);
    if (!set.active) {
      set.active = true;
      set.allowList = !invert;
      if (!invert && !isLog) parseSyscallName(set, '@default', -1, false, false, undefined, undefined, '@default', 0);
    }
    const { words, error } = extractWords(rvalue, ExtractFlags.None);
    const spanOf = valueSpans(a);
    for (const w of words) {
      const span = spanOf(w.start + offset, w.end + offset);
      handleSyscallWord(set, a, w, span, invert, isLog);
    }
    if (error) diag('syntax-invalid-value', 'warning', `Invalid syntax, ignoring: ${rvalue} (systemd stops reading this line here)`, a, valueRangeSpan(a, error.at + offset, value.length));
  };

  const handleSyscallWord = (set: MutableSyscallSet, a: Assignment, w: ExtractedWord, span: Span, invert: boolean, isLog: boolean): void => {
    const word = w.value;
    let name = word;
    let errno = -1;
    if (!isLog || !atLeast(t, 248)) {
      // parse_syscall_and_errno(): "name[:errno]"; an empty name is refused.
      const colon = word.indexOf(':');
      if (colon >= 0) {
        const e = parseErrnoOrAction(word.slice(colon + 1), t);
        if (typeof e === 'string') {
          diag('seccomp-bad-errno', 'warning', `${isLog ? 'Failed to parse syscall' : 'Failed to parse syscall:errno'}, ignoring: ${word} (${e})`, a, span);
          return;
        }
        errno = e;
        name = word.slice(0, colon);
      }
      if (name === '') {
        diag('seccomp-bad-errno', 'warning', `${isLog ? 'Failed to parse syscall' : 'Failed to parse syscall:errno'}, ignoring: ${word} (no system call name)`, a, span);
        return;
      }
      if (isLog) {
        // v247: an errno is not allowed in SystemCallLog=; entries are stored with 0.
        if (errno >= 0) {
          diag('seccomp-bad-errno', 'warning', `Failed to parse syscall, ignoring: ${word} (SystemCallLog= takes no errno)`, a, span);
          return;
        }
        errno = 0;
      } else if (atLeast(t, 248) && !invert && errno >= 0) {
        diag('seccomp-errno-on-allow', 'warning', `Allow-listed system calls cannot take error number, ignoring: ${word}`, a, span);
        return;
      }
    }
    const removes = !(invert !== set.allowList || (atLeast(t, 248) && invert && set.allowList && errno >= 0));
    if (removes) set.removing = { names: 0, removed: [] };
    parseSyscallName(set, name, errno, invert, true, a, span, undefined, 0);
    if (removes && set.removing) {
      if (set.removing.names > 0) set.removals.push({ source: sourceOf(a), span, name, names: set.removing.names, removed: set.removing.removed });
      set.removing = undefined;
    }
  };

  for (const a of liveAssignments(unit)) {
    const section = a.section?.name;
    if (section === undefined || !EXEC_SECTIONS.has(section)) continue;
    const key = a.key;
    const value = a.value;
    if (Object.prototype.hasOwnProperty.call(boolKeys, key)) {
      const slot = b[boolKeys[key]!];
      const v = parseBoolean(value);
      if (v === undefined) {
        if (key === 'DynamicUser') {
          // DynamicUser= is parsed with ltype "fatal": a bad value fails the unit (bad-setting).
          diag('unit-bad-setting', 'error', `Failed to parse boolean value: ${value} — systemd refuses to load the unit (bad-setting)`, a, a.valueSpan);
          refused ??= `${a.file}:${a.line}: DynamicUser=${value} is not a boolean; systemd refuses to load the unit (bad-setting)`;
        } else diag('bool-invalid', 'warning', `Failed to parse boolean value, ignoring: ${value}`, a, a.valueSpan);
        continue;
      }
      slot.value = v;
      slot.sources = [sourceOf(a)];
      continue;
    }
    switch (key) {
      case 'SystemCallFilter':
        parseSyscallSet(filter, a, false);
        break;
      case 'SystemCallLog':
        if (!atLeast(t, 247)) {
          diag('directive-unknown-in-version', 'warning', `Unknown key name 'SystemCallLog' in section '${section}', ignoring (SystemCallLog= is new in systemd 247)`, a, a.keySpan);
          break;
        }
        parseSyscallSet(log, a, true);
        break;
      case 'SystemCallErrorNumber': {
        // config_parse_syscall_errno(): empty (and, v247+, "kill") → kill; else parse_errno().
        if (value === '' || (atLeast(t, 247) && value === 'kill')) {
          errnoValue = ERRNO_KILL;
          errnoSources = value === '' ? [] : [sourceOf(a)];
          break;
        }
        const e = parseErrno(value, t);
        if (typeof e === 'string' || e === 0) {
          const why = typeof e === 'string' ? e : '0 is not an error number';
          diag('seccomp-bad-errno', 'warning', `${e === 0 && atLeast(t, 248) ? 'Invalid error number' : 'Failed to parse error number'}, ignoring: ${value} (${why}${!atLeast(t, 247) && value === 'kill' ? '; "kill" is accepted from systemd 247' : ''})`, a, a.valueSpan);
          break;
        }
        errnoValue = e;
        errnoSources = [sourceOf(a)];
        break;
      }
      case 'SystemCallArchitectures': {
        if (value === '') {
          archs = [];
          archSources = [];
          break;
        }
        archSources.push(sourceOf(a));
        const { words, error } = extractWords(value, ExtractFlags.Unquote);
        const spanOf = valueSpans(a);
        for (const w of words) {
          const arch = archFromString(w.value, t);
          if (!arch) {
            const known = Object.prototype.hasOwnProperty.call(ABIS, w.value) ? ` (${w.value} is accepted from systemd ${ABIS[w.value as AbiName].systemdSince})` : '';
            diag('seccomp-unknown-arch', 'warning', `Failed to parse system call architecture "${w.value}", ignoring${known}`, a, spanOf(w.start, w.end));
            continue;
          }
          if (!archs.includes(arch)) archs.push(arch);
        }
        if (error) diag('syntax-invalid-value', 'warning', `Invalid syntax, ignoring: ${value}`, a, valueRangeSpan(a, error.at, value.length));
        break;
      }
      case 'RestrictAddressFamilies': {
        // config_parse_address_families() (v245…v260) / parse_address_families() (v261).
        if (value === '') {
          afFamilies = null;
          afAllow = false;
          afSources = [];
          break;
        }
        if (atLeast(t, 249) && value === 'none') {
          afFamilies = null;
          afAllow = true;
          afSources = [sourceOf(a)];
          break;
        }
        afSources.push(sourceOf(a));
        const invert = value.startsWith('~');
        const offset = invert ? 1 : 0;
        if (afFamilies === null) {
          afFamilies = new Set();
          afAllow = !invert;
        }
        const { words, error } = extractWords(value.slice(offset), ExtractFlags.Unquote);
        let stopped = false;
        const spanOf = valueSpans(a);
        for (const w of words) {
          const af = afFromName(w.value, t.afMax);
          const span = spanOf(w.start + offset, w.end + offset);
          if (af === undefined) {
            const hint = w.value === 'none' ? ' ("none" is accepted from systemd 249; here it leaves an empty allow-list, which blocks every socket() call)' : '';
            if (atLeast(t, 261)) {
              diag('seccomp-unknown-af', 'warning', `Failed to parse address family, ignoring: ${value} (unknown family ${w.value}; systemd 261 ignores the rest of the line)${hint}`, a, span);
              stopped = true;
              break;
            }
            diag('seccomp-unknown-af', 'warning', `Failed to parse address family, ignoring: ${w.value}${hint}`, a, span);
            continue;
          }
          if (invert !== afAllow) afFamilies.add(af);
          else afFamilies.delete(af);
        }
        if (error && !stopped) diag('syntax-invalid-value', 'warning', `Invalid syntax, ignoring: ${value}`, a, valueRangeSpan(a, error.at + offset, value.length));
        break;
      }
      case 'RestrictNamespaces': {
        // config_parse_restrict_namespaces() (≤ v257) / config_parse_namespace_flags() (v258+).
        const all = namespaceFlagsAll(t);
        if (value === '') {
          nsRetain = undefined;
          nsSources = [];
          break;
        }
        const bv = parseBoolean(value);
        if (bv !== undefined) {
          nsRetain = bv ? 0 : all;
          nsSources = [sourceOf(a)];
          break;
        }
        const invert = value.startsWith('~');
        const list = value.slice(invert ? 1 : 0);
        const { words, error } = extractWords(list, ExtractFlags.None);
        let flags = 0;
        let bad: string | undefined = error ? 'invalid syntax' : undefined;
        const table = namespaceTable(t);
        for (const w of words) {
          const f = table.find(([n]) => n === w.value)?.[1];
          if (f === undefined) {
            bad ??= `unknown namespace type '${w.value}'${w.value === 'time' ? ' (time is accepted from systemd 252)' : ''}`;
            break;
          }
          flags = (flags | f) >>> 0;
        }
        if (bad !== undefined) {
          diag('seccomp-bad-namespaces', 'warning', `Failed to parse namespace type string, ignoring: ${value} (${bad})`, a, a.valueSpan);
          break;
        }
        // The first list after the initial value replaces it; later ones merge (SET_FLAG/UPDATE_FLAG).
        if (nsRetain === undefined) nsRetain = invert ? (~flags & all) >>> 0 : flags;
        else nsRetain = invert ? (nsRetain & ~flags) >>> 0 : (nsRetain | flags) >>> 0;
        nsSources.push(sourceOf(a));
        break;
      }
      case 'Personality': {
        if (value === '') {
          personality = undefined;
          personalitySources = [];
          break;
        }
        const names = personalityNames(t.host);
        if (value === names.native) personality = PER_LINUX;
        else if (names.secondary !== undefined && value === names.secondary) personality = PER_LINUX32;
        else {
          diag('personality-invalid', 'warning', `Failed to parse personality, ignoring: ${value} (a systemd built for ${t.host} accepts ${names.native}${names.secondary ? ` and ${names.secondary}` : ''})`, a, a.valueSpan);
          break;
        }
        personalitySources = [sourceOf(a)];
        break;
      }
      case 'ProtectHostname': {
        if (!atLeast(t, 258)) {
          const v = parseBoolean(value);
          if (v === undefined) {
            diag('bool-invalid', 'warning', `Failed to parse boolean value, ignoring: ${value}${value.startsWith('private') ? ' (ProtectHostname=private is accepted from systemd 258)' : ''}`, a, a.valueSpan);
            break;
          }
          hostname = v ? 'yes' : 'no';
          hostnameSources = [sourceOf(a)];
          break;
        }
        // config_parse_protect_hostname() (v258+): yes/no/private, optionally ":hostname".
        if (value === '') {
          hostname = 'no';
          hostnameSources = [];
          break;
        }
        const colon = value.indexOf(':');
        const mode = colon >= 0 ? value.slice(0, colon) : value;
        const hostPart = colon >= 0 ? value.slice(colon + 1) : undefined;
        if (hostPart !== undefined && !/^[A-Za-z0-9%]([A-Za-z0-9.%_-]{0,63})$/.test(hostPart)) {
          diag('protect-hostname-invalid', 'warning', `Invalid hostname is specified to ProtectHostname=, ignoring: ${hostPart}`, a, a.valueSpan);
          break;
        }
        const bv = parseBoolean(mode);
        const m: ProtectHostnameMode | undefined = bv === true ? 'yes' : bv === false ? 'no' : mode === 'private' ? 'private' : undefined;
        if (m === undefined || (m === 'no' && hostPart !== undefined)) {
          diag('protect-hostname-invalid', 'warning', `Failed to parse ProtectHostname= value, ignoring: ${value}`, a, a.valueSpan);
          break;
        }
        hostname = m;
        hostnameSources = [sourceOf(a)];
        break;
      }
      case 'User':
        user = value === '' ? undefined : value;
        userSources = value === '' ? [] : [sourceOf(a)];
        break;
      case 'Type':
        if (section !== 'Service') break;
        serviceType = value === '' ? undefined : value;
        serviceTypeSources = value === '' ? [] : [sourceOf(a)];
        break;
      default:
        if (EXEC_COMMAND_KEYS.has(key)) {
          if (value === '') {
            for (let i = commands.length - 1; i >= 0; i--) if (commands[i]!.directive === key) commands.splice(i, 1);
            break;
          }
          const m = /^[ \t]*([-@:+!|]*)/.exec(value);
          const prefix = m ? m[1]! : '';
          commands.push({
            directive: key,
            source: sourceOf(a),
            prefix,
            fullyPrivileged: prefix.includes('+'),
            ambientMagic: prefix.includes('!!'),
            noSetuid: prefix.includes('!'),
          });
        }
    }
  }

  // A file systemd cannot parse (e.g. a broken section header) makes the whole unit fail to load.
  for (const f of [unit.main, ...unit.dropins]) {
    if (f.fatal) refused ??= `${f.fileName}: ${f.fatal.message} — systemd refuses to load the unit`;
  }

  const frozen = (s: MutableSyscallSet): SyscallSetValue => ({
    active: s.active,
    allowList: s.allowList,
    entries: s.entries,
    origins: s.origins,
    droppedGroupMembers: [...s.dropped].sort(),
    sources: s.sources,
    removals: s.removals,
  });

  const rsuid = b.restrictSUIDSGID.value || b.dynamicUser.value;
  return {
    systemCallFilter: frozen(filter),
    systemCallLog: frozen(log),
    systemCallErrorNumber: { value: errnoValue, sources: errnoSources },
    systemCallArchitectures: { value: archs, sources: archs.length > 0 ? archSources : [] },
    restrictAddressFamilies: { families: afFamilies, allowList: afAllow, sources: afSources },
    restrictNamespaces: { value: nsRetain, sources: nsSources },
    memoryDenyWriteExecute: b.memoryDenyWriteExecute,
    lockPersonality: b.lockPersonality,
    personality: { value: personality, sources: personalitySources },
    restrictRealtime: b.restrictRealtime,
    restrictSUIDSGID: b.restrictSUIDSGID,
    dynamicUser: b.dynamicUser,
    protectKernelLogs: b.protectKernelLogs,
    protectKernelTunables: b.protectKernelTunables,
    protectKernelModules: b.protectKernelModules,
    protectClock: b.protectClock,
    protectHostname: { value: hostname, sources: hostnameSources },
    privateDevices: b.privateDevices,
    noNewPrivileges: { value: b.noNewPrivileges.value || b.dynamicUser.value, sources: b.noNewPrivileges.value ? b.noNewPrivileges.sources : b.dynamicUser.value ? b.dynamicUser.sources : b.noNewPrivileges.sources },
    user: { value: user, sources: userSources },
    serviceType: { value: serviceType, sources: serviceTypeSources },
    restrictSUIDSGIDEffective: {
      value: rsuid,
      sources: b.restrictSUIDSGID.value ? b.restrictSUIDSGID.sources : b.dynamicUser.value ? b.dynamicUser.sources : [],
    },
    commands,
    hasExecContext: unit.unitType === undefined || EXEC_UNIT_TYPES.has(unit.unitType),
    refused,
    diagnostics: diags,
  };
}

/** The values of a unit that sets nothing (systemd's defaults); used when a unit cannot be read at all. */
export function emptyEffectiveValues(): EffectiveValues {
  const off: Tracked<boolean> = { value: false, sources: [] };
  const set: SyscallSetValue = { active: false, allowList: false, entries: new Map(), origins: new Map(), droppedGroupMembers: [], sources: [], removals: [] };
  return {
    systemCallFilter: set,
    systemCallLog: set,
    systemCallErrorNumber: { value: ERRNO_KILL, sources: [] },
    systemCallArchitectures: { value: [], sources: [] },
    restrictAddressFamilies: { families: null, allowList: false, sources: [] },
    restrictNamespaces: { value: undefined, sources: [] },
    memoryDenyWriteExecute: off,
    lockPersonality: off,
    personality: { value: undefined, sources: [] },
    restrictRealtime: off,
    restrictSUIDSGID: off,
    dynamicUser: off,
    protectKernelLogs: off,
    protectKernelTunables: off,
    protectKernelModules: off,
    protectClock: off,
    protectHostname: { value: 'no', sources: [] },
    privateDevices: off,
    noNewPrivileges: off,
    user: { value: undefined, sources: [] },
    serviceType: { value: undefined, sources: [] },
    restrictSUIDSGIDEffective: off,
    commands: [],
    hasExecContext: true,
    refused: undefined,
    diagnostics: [],
  };
}
