/**
 * Typed access to systemd's syscall groups per release (groups.generated.ts, from
 * syscall_filter_sets[] in src/shared/seccomp-util.c and the @known list of each tag v245…v261.2):
 * group names, help strings, raw and expanded members, and which groups contain a syscall.
 */

import { DEFAULT_HOST, HOST_BUILDS, type AbiName } from './abi';
import { GROUP_BODIES, KNOWN_LISTS, SYSTEMD_LATEST_PATCH, SYSTEMD_RELEASES } from './groups.generated';
import { closestName } from './syscalls';

/**
 * A systemd version. A number is a major and means its `.0` release (upstream tag vN): `252` is
 * v252, not Debian 12's 252.38. A string is `N`, `N.P` or `vN.P`, optionally followed by a
 * distribution suffix (`252.38-1~deb12u1`), and selects that patch release. Fractional numbers are
 * rejected because 252.4 and 252.40 would be indistinguishable.
 */
export type SystemdVersion = number | string;

/** The data release that answers for a requested version. */
export interface SystemdRelease {
  /** The requested version, normalised (`252.38`). */
  readonly requested: string;
  /** The release whose tables are used: the newest listed change point ≤ requested (`252.32` for 252.38). */
  readonly version: string;
  readonly major: number;
  readonly patch: number;
  /** Upstream tag, repository and commit the tables were read from. */
  readonly tag: string;
  readonly repo: string;
  readonly commit: string;
  /**
   * false when the request lies outside what was read (major < 245 or > 261, or a patch newer
   * than the newest tag of that major): the nearest tables are used as an approximation.
   */
  readonly exact: boolean;
}

export interface GroupInfo {
  readonly name: string;
  readonly description: string;
  /** Raw members in source order, nested `@groups` included; for @known the syscall list follows. */
  readonly members: readonly string[];
}

interface ParsedVersion {
  major: number;
  patch: number;
}

function parseVersion(v: SystemdVersion): ParsedVersion {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`systemd version ${v}: pass patch releases as strings ('252.38')`);
    return { major: v, patch: 0 };
  }
  const m = /^v?(\d+)(?:\.(\d+))?(?:[-~+].*)?$/.exec(v.trim());
  if (!m) throw new RangeError(`not a systemd version: ${JSON.stringify(v)}`);
  return { major: Number(m[1]), patch: m[2] ? Number(m[2]) : 0 };
}

const RELEASES = SYSTEMD_RELEASES.map((r) => {
  const [major, patch = 0] = r.version.split('.').map(Number) as [number, number?];
  return { ...r, major, patch };
});
const MIN_MAJOR = RELEASES[0]!.major;
const MAX_MAJOR = RELEASES[RELEASES.length - 1]!.major;

function releaseIndex(v: ParsedVersion): { index: number; exact: boolean } {
  let { major, patch } = v;
  let exact = true;
  if (major < MIN_MAJOR) {
    major = MIN_MAJOR;
    patch = 0;
    exact = false;
  } else if (major > MAX_MAJOR) {
    major = MAX_MAJOR;
    patch = Number.POSITIVE_INFINITY;
    exact = false;
  } else if (patch > (SYSTEMD_LATEST_PATCH[major] ?? 0)) {
    exact = false;
  }
  let index = -1;
  for (let i = 0; i < RELEASES.length; i++) {
    const r = RELEASES[i]!;
    if (r.major === major && r.patch <= patch) index = i;
  }
  if (index < 0) throw new Error(`no group data for systemd ${major}`);
  return { index, exact };
}

/** Which tables answer for `version`; throws RangeError on an unparsable version. */
export function resolveSystemdRelease(version: SystemdVersion): SystemdRelease {
  const p = parseVersion(version);
  const { index, exact } = releaseIndex(p);
  const r = RELEASES[index]!;
  return {
    requested: p.patch ? `${p.major}.${p.patch}` : `${p.major}`,
    version: r.version,
    major: r.major,
    patch: r.patch,
    tag: `v${r.version}`,
    repo: r.repo,
    commit: r.commit,
    exact,
  };
}

/**
 * Every release with its own tables, oldest first ('245', '245.6', …, '261'); patch releases
 * not listed share the tables of the nearest listed one below them.
 */
export function systemdReleases(): readonly string[] {
  return RELEASES.map((r) => r.version);
}

// ---------------------------------------------------------------------------------------------

const knownCache = new Map<number, readonly string[]>();

function knownList(i: number): readonly string[] {
  let l = knownCache.get(i);
  if (!l) {
    const d = KNOWN_LISTS[i];
    if (d === undefined) throw new Error(`no known list ${i}`);
    if (typeof d === 'string') l = words(d);
    else {
      const [base, add, remove] = d;
      const drop = new Set(words(remove));
      l = [...knownList(base).filter((n) => !drop.has(n)), ...words(add)].sort();
    }
    knownCache.set(i, l);
  }
  return l;
}

function words(s: string): string[] {
  return s.split(/\s+/).filter(Boolean);
}

/** Host condition of a `name?cond` member (only 's390' occurs: #if defined __s390__ || defined __s390x__). */
function hostMatches(cond: string, host: AbiName): boolean {
  if (cond === 's390') return host === 's390' || host === 's390x';
  throw new Error(`unknown member condition ${cond}`);
}

interface Tables {
  readonly order: readonly string[];
  readonly groups: ReadonlyMap<string, GroupInfo>;
  readonly known: ReadonlySet<string>;
  readonly expanded: Map<string, ReadonlySet<string>>;
}

const tablesCache = new Map<string, Tables>();

/**
 * The same tables by the caller's own spelling of the version: every group word of every
 * SystemCallFilter= line asks for them, and parsing the version and scanning RELEASES each time
 * showed in profiles of long units. Bounded (version strings come from settings and units).
 */
const tablesByVersion = new Map<string, Tables>();
const MAX_VERSION_KEYS = 256;

function tables(version: SystemdVersion, host: AbiName): Tables {
  const spelled = `${typeof version}:${version}/${host}`;
  const hit = tablesByVersion.get(spelled);
  if (hit) return hit;
  const t = tablesFor(version, host);
  if (tablesByVersion.size >= MAX_VERSION_KEYS) tablesByVersion.clear();
  tablesByVersion.set(spelled, t);
  return t;
}

function tablesFor(version: SystemdVersion, host: AbiName): Tables {
  const { index } = releaseIndex(parseVersion(version));
  const key = `${index}/${host}`;
  let t = tablesCache.get(key);
  if (t) return t;
  const r = RELEASES[index]!;
  const build = HOST_BUILDS[host];
  if (!build) throw new RangeError(`no systemd build for host ABI ${String(host)}`);

  let known: string[] = [];
  if (r.known !== undefined) {
    // generate-syscall-list.py: `if line.startswith(prefix) and not word-in-uname-machine: continue`
    const drops = (r.knownDrop ?? []).map((d) => d.split(':') as [string, string]);
    known = knownList(r.known).filter((n) => !drops.some(([prefix, word]) => n.startsWith(prefix) && !build.unameMachine.includes(word)));
  }

  const groups = new Map<string, GroupInfo>();
  const order: string[] = [];
  for (const gi of r.groups) {
    const [name, help, members, includesKnown] = GROUP_BODIES[gi]!;
    const list: string[] = [];
    for (const m of words(members)) {
      const q = m.indexOf('?');
      if (q < 0) list.push(m);
      else if (hostMatches(m.slice(q + 1), host)) list.push(m.slice(0, q));
    }
    if (includesKnown) list.push(...known);
    groups.set(name, { name, description: help, members: list });
    order.push(name);
  }
  t = { order, groups, known: new Set(known), expanded: new Map() };
  tablesCache.set(key, t);
  return t;
}

/** Group names of the release in syscall_filter_sets[] order ('@default', '@aio', …, '@known'). */
export function groupNames(version: SystemdVersion, host: AbiName = DEFAULT_HOST): readonly string[] {
  return tables(version, host).order;
}

/** A group's description (its `.help`) and raw members; undefined if the release has no such group. */
export function groupInfo(name: string, version: SystemdVersion, host: AbiName = DEFAULT_HOST): GroupInfo | undefined {
  return tables(version, host).groups.get(name);
}

/**
 * Every syscall name a group stands for, nested groups resolved transitively the way
 * add_syscall_filter_set()/seccomp_add_syscall_filter_item() walk them (syscall_filter_set_find()
 * for `@` members). Unknown nested groups are skipped and cycles are cut (neither occurs upstream).
 * Empty for an unknown group. Names are not checked against libseccomp.
 */
export function expandGroup(name: string, version: SystemdVersion, host: AbiName = DEFAULT_HOST): ReadonlySet<string> {
  const t = tables(version, host);
  const cached = t.expanded.get(name);
  if (cached) return cached;
  const out = new Set<string>();
  const visiting = new Set<string>();
  const walk = (g: string): void => {
    const info = t.groups.get(g);
    if (!info || visiting.has(g)) return;
    visiting.add(g);
    for (const m of info.members) {
      if (m.startsWith('@')) walk(m);
      else out.add(m);
    }
  };
  walk(name);
  t.expanded.set(name, out);
  return out;
}

/** Groups whose expansion contains the syscall (directly or through a nested group), in table order. */
export function groupsContaining(syscall: string, version: SystemdVersion, host: AbiName = DEFAULT_HOST): string[] {
  return groupNames(version, host).filter((g) => expandGroup(g, version, host).has(syscall));
}

/** Groups that list the syscall themselves (not through a nested group), in table order. */
export function groupsListing(syscall: string, version: SystemdVersion, host: AbiName = DEFAULT_HOST): string[] {
  return groupNames(version, host).filter((g) => groupInfo(g, version, host)!.members.includes(syscall));
}

/**
 * The @known syscall list of the release for a build on `host` (syscall-list.txt after
 * generate-syscall-list.py), without the nested @obsolete: what v255+'s override_default_action()
 * path iterates. Empty before v247, which has no @known.
 */
export function knownSyscalls(version: SystemdVersion, host: AbiName = DEFAULT_HOST): ReadonlySet<string> {
  return tables(version, host).known;
}

/** Did-you-mean for an unknown group name in the release ('@system-servce' → '@system-service'). */
export function suggestGroup(name: string, version: SystemdVersion, host: AbiName = DEFAULT_HOST): string | undefined {
  const names = groupNames(version, host);
  if (names.includes(name)) return undefined;
  const at = name.startsWith('@') ? name : `@${name}`;
  return names.includes(at) ? at : closestName(at, names);
}
