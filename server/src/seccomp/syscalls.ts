/**
 * Typed access to libseccomp's per-ABI syscall tables (syscalls.generated.ts, from src/syscalls.csv
 * of each supported libseccomp tag): name ↔ number per ABI as libseccomp resolves them, what an
 * argument-free seccomp_rule_add_exact() turns into on each ABI, and did-you-mean for syscall names.
 */

import { ABIS, type AbiName, type SyscallColumn } from './abi';
import { LIBSECCOMP_TABLES, LIBSECCOMP_VERSIONS, type LibseccompTableData } from './syscalls.generated';

export type LibseccompVersion = (typeof LIBSECCOMP_VERSIONS)[number];
export { LIBSECCOMP_VERSIONS };

/**
 * Debian 12's libseccomp, the one this project's numbers were checked against on a real machine.
 * It is upstream 2.5.4 plus Debian's "syscalls up to Linux 6.7" update (cachestat, fchmodat2,
 * futex_wait/wake/requeue, map_shadow_stack; parisc cacheflush, memfd_secret on riscv64/s390*).
 */
export const DEFAULT_LIBSECCOMP: LibseccompVersion = '2.5.4-1+deb12u1';

/**
 * Which systemd ships with which libseccomp in Debian (package versions as recorded in the project's
 * seccomp reference): used to pick defaults, since systemd resolves names with the libseccomp it links.
 */
export const DISTRO_PAIRINGS: readonly { distro: string; systemd: string; libseccomp: LibseccompVersion }[] = [
  { distro: 'Debian 12 (bookworm)', systemd: '252.38', libseccomp: '2.5.4-1+deb12u1' },
  { distro: 'Debian 13 (trixie)', systemd: '257', libseccomp: '2.6.0' },
  { distro: 'Debian unstable (sid)', systemd: '262', libseccomp: '2.6.1' },
];

export function isLibseccompVersion(s: string): s is LibseccompVersion {
  return (LIBSECCOMP_VERSIONS as readonly string[]).includes(s);
}

/** How libseccomp multiplexes a socket or SysV IPC call (include/seccomp-syscalls.h __PNR_* values). */
export interface MuxCall {
  readonly via: 'socketcall' | 'ipc';
  /** Call number in a0: (-__PNR_name) % 100 for socketcall, % 200 for ipc. */
  readonly call: number;
}

/** One BPF comparison an argument-free rule for a name becomes on one ABI. */
export interface RuleTarget {
  readonly nr: number;
  /** Present for the multiplexed form: the rule also requires a0 == arg0. */
  readonly arg0?: number;
}

interface Table {
  readonly names: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly numbers: ReadonlyMap<string, Int32Array>;
  readonly byNumber: ReadonlyMap<string, ReadonlyMap<number, string>>;
  readonly mux: ReadonlyMap<string, MuxCall>;
  readonly muxColumns: ReadonlySet<string>;
}

const tables = new Map<LibseccompVersion, Table>();

function words(s: string): string[] {
  return s.split(/\s+/).filter(Boolean);
}

function buildTable(lib: LibseccompVersion): Table {
  const d: LibseccompTableData = LIBSECCOMP_TABLES[lib];
  const names = words(d.names);
  const index = new Map(names.map((n, i) => [n, i]));
  const numbers = new Map<string, Int32Array>();
  if (d.numbers) {
    for (const c of d.columns) {
      const cells = (d.numbers[c] ?? '').split(',');
      if (cells.length !== names.length) throw new Error(`libseccomp ${lib}: column ${c} has ${cells.length} cells`);
      numbers.set(c, Int32Array.from(cells, (v) => (v === '' ? -1 : Number(v))));
    }
  } else {
    if (!d.base) throw new Error(`libseccomp ${lib}: neither numbers nor base`);
    const base = table(d.base);
    for (const c of d.columns) {
      const col = new Int32Array(names.length).fill(-1);
      const src = base.numbers.get(c);
      if (src) names.forEach((n, i) => {
        const j = base.index.get(n);
        if (j !== undefined) col[i] = src[j]!;
      });
      numbers.set(c, col);
    }
    for (const w of words(d.changes ?? '')) {
      const m = /^([^:]+):([^=]+)=(\d*)$/.exec(w);
      const i = m ? index.get(m[1]!) : undefined;
      const col = m ? numbers.get(m[2]!) : undefined;
      if (!m || i === undefined || !col) throw new Error(`libseccomp ${lib}: bad change ${w}`);
      col[i] = m[3] === '' ? -1 : Number(m[3]);
    }
  }
  const byNumber = new Map<string, Map<number, string>>();
  for (const [c, col] of numbers) {
    const m = new Map<number, string>();
    col.forEach((nr, i) => {
      if (nr >= 0) m.set(nr, names[i]!);
    });
    byNumber.set(c, m);
  }
  const mux = new Map<string, MuxCall>();
  for (const w of words(d.mux)) {
    const m = /^([^=]+)=(socketcall|ipc):(\d+)$/.exec(w);
    if (!m) throw new Error(`libseccomp ${lib}: bad mux ${w}`);
    mux.set(m[1]!, { via: m[2] as 'socketcall' | 'ipc', call: Number(m[3]) });
  }
  return { names, index, numbers, byNumber, mux, muxColumns: new Set(d.muxColumns) };
}

function table(lib: LibseccompVersion): Table {
  let t = tables.get(lib);
  if (!t) {
    if (!isLibseccompVersion(lib)) throw new RangeError(`no syscall table for libseccomp ${String(lib)}`);
    t = buildTable(lib);
    tables.set(lib, t);
  }
  return t;
}

function column(abi: AbiName): SyscallColumn {
  const info = ABIS[abi];
  if (!info) throw new RangeError(`unknown ABI ${String(abi)}`);
  return info.column;
}

/**
 * The syscall's number in libseccomp's table for `abi`, ignoring socket/IPC multiplexing
 * (e.g. shmat on x86 → 397, socket on x86 → 359). -1 if the table has none (PNR) or the
 * libseccomp version does not support the ABI (loongarch64 before 2.6.0).
 */
export function directSyscallNumber(name: string, abi: AbiName, lib: LibseccompVersion = DEFAULT_LIBSECCOMP): number {
  const t = table(lib);
  const i = t.index.get(name);
  if (i === undefined) return -1;
  return t.numbers.get(column(abi))?.[i] ?? -1;
}

/**
 * The number seccomp_syscall_resolve_name_arch() returns for `name` on `abi`, or -1 where it
 * returns a negative value: name unknown, no such syscall on that ABI (__PNR_*), or a socket/IPC
 * call on an ABI where libseccomp multiplexes them (x86, mips o32, ppc*, s390*: it reports
 * __PNR_<name> even when a direct syscall exists; see {@link ruleTargets}). x32 numbers include
 * X32_SYSCALL_BIT (0x40000000); mips numbers include the 4000/5000/6000 ABI base.
 */
export function syscallNumber(name: string, abi: AbiName, lib: LibseccompVersion = DEFAULT_LIBSECCOMP): number {
  const t = table(lib);
  const col = column(abi);
  if (t.muxColumns.has(col) && t.mux.has(name)) return -1;
  return directSyscallNumber(name, abi, lib);
}

/**
 * The name libseccomp gives a syscall number on `abi` (seccomp_syscall_resolve_num_arch();
 * direct numbers only, so 397 on x86 is 'shmat'). undefined if the number is not in the table.
 */
export function syscallName(nr: number, abi: AbiName, lib: LibseccompVersion = DEFAULT_LIBSECCOMP): string | undefined {
  return table(lib).byNumber.get(column(abi))?.get(nr);
}

/** How libseccomp multiplexes `name` (socketcall/ipc call number), whatever the ABI; undefined if it does not. */
export function muxCall(name: string, lib: LibseccompVersion = DEFAULT_LIBSECCOMP): MuxCall | undefined {
  return table(lib).mux.get(name);
}

/**
 * What an argument-free `seccomp_rule_add_exact(ctx, action, SCMP_SYS(name), 0)` adds to a filter
 * for `abi` (libseccomp's arch_filter_rule_add(); abi_rule_add() in src/syscalls.c on multiplexing
 * ABIs). Empty = the call fails with -EDOM (no such syscall there), which systemd ignores.
 * On multiplexing ABIs a socket/IPC name yields its direct number (if the ABI has one) plus
 * socketcall/ipc with a0 == call; e.g. shmat on x86 → [{nr: 397}, {nr: 117, arg0: 21}] and
 * send on x86 → [{nr: 102, arg0: 9}]. A rule *with* argument conditions on such a name fails with
 * -EINVAL in exact mode instead.
 * Caveat (all tabulated versions): include/seccomp-syscalls.h gives sys_debug_setcontext and
 * switch_endian the same pseudo number (-10191), so a build on which both are pseudo syscalls
 * (e.g. x86-64) maps sys_debug_setcontext to switch_endian when it adds the rule for a ppc ABI.
 * No systemd build filters ppc ABIs while lacking both calls natively, so this is not modelled.
 */
export function ruleTargets(name: string, abi: AbiName, lib: LibseccompVersion = DEFAULT_LIBSECCOMP): readonly RuleTarget[] {
  const t = table(lib);
  if (!t.index.has(name)) return [];
  const col = column(abi);
  const direct = directSyscallNumber(name, abi, lib);
  const mux = t.mux.get(name);
  if (!mux || !t.muxColumns.has(col)) return direct >= 0 ? [{ nr: direct }] : [];
  const out: RuleTarget[] = [];
  if (direct >= 0) out.push({ nr: direct });
  const via = directSyscallNumber(mux.via, abi, lib);
  if (via >= 0) out.push({ nr: via, arg0: mux.call });
  return out;
}

/** Whether the libseccomp version knows the name at all (some ABI, or only as a pseudo syscall). */
export function isKnownSyscall(name: string, lib: LibseccompVersion = DEFAULT_LIBSECCOMP): boolean {
  return table(lib).index.has(name);
}

/** Every name in the libseccomp version's table, sorted. */
export function allSyscallNames(lib: LibseccompVersion = DEFAULT_LIBSECCOMP): readonly string[] {
  return table(lib).names;
}

/** Whether the libseccomp version can build filters for the ABI at all (has its syscalls.csv column). */
export function libseccompSupportsAbi(abi: AbiName, lib: LibseccompVersion = DEFAULT_LIBSECCOMP): boolean {
  return table(lib).numbers.has(column(abi));
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transposition), stopping early
 * once every cell of a row exceeds `max`.
 */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The closest name among `candidates` to `name` within edit distance 2 (1 for names of up to 4
 * characters, where 2 edits change too much), preferring the smallest distance, then the first in
 * sorted order. A case-insensitive exact match wins. undefined if none.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  const limit = name.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestD = limit + 1;
  for (const c of candidates) {
    if (c === name) return undefined;
    if (c.toLowerCase() === lower) return c;
    const d = editDistance(lower, c.toLowerCase(), limit);
    if (d < bestD || (d === bestD && best !== undefined && c < best)) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= limit ? best : undefined;
}

/**
 * Did-you-mean for a syscall name unknown to `lib` (default: the union of every table, so
 * names only newer libseccomp knows are still suggested). undefined if the name is known or
 * nothing is close.
 */
export function suggestSyscall(name: string, lib?: LibseccompVersion): string | undefined {
  if (lib ? isKnownSyscall(name, lib) : LIBSECCOMP_VERSIONS.some((v) => isKnownSyscall(name, v))) return undefined;
  const pool = lib ? allSyscallNames(lib) : new Set(LIBSECCOMP_VERSIONS.flatMap((v) => allSyscallNames(v)));
  return closestName(name, pool);
}
