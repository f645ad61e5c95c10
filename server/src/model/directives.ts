/**
 * Lookups over the generated directive table (directives.generated.ts): which sections a unit
 * type has, what a key means in a section, and "did you mean" suggestions. Pure data, no IO.
 */

import { DIRECTIVES, NEWEST_TRACKED_VERSION, OLDEST_TRACKED_VERSION } from './directives.generated';
import type { DirectiveInfo } from './directiveTypes';

export { NEWEST_TRACKED_VERSION, OLDEST_TRACKED_VERSION };

/** Unit types that are configured through unit files with their own sections. */
export const UNIT_TYPES: readonly string[] = ['service', 'socket', 'timer', 'path', 'mount', 'automount', 'swap', 'target', 'slice', 'scope'];

/** Every section systemd's unit-file parser knows, in the order of its gperf table. */
export const KNOWN_SECTIONS: readonly string[] = ['Unit', 'Service', 'Socket', 'Mount', 'Automount', 'Swap', 'Timer', 'Path', 'Slice', 'Scope', 'Install'];

/**
 * Sections per unit type: [Unit], the type's own section (its unit_vtable's `sections`, see
 * src/core/{service,socket,…}.c), and [Install], which systemctl reads. Targets have no own
 * section; scopes are transient and cannot be enabled, so they have no [Install].
 */
const SECTIONS_OF_TYPE: Readonly<Record<string, readonly string[]>> = {
  service: ['Unit', 'Service', 'Install'],
  socket: ['Unit', 'Socket', 'Install'],
  timer: ['Unit', 'Timer', 'Install'],
  path: ['Unit', 'Path', 'Install'],
  mount: ['Unit', 'Mount', 'Install'],
  automount: ['Unit', 'Automount', 'Install'],
  swap: ['Unit', 'Swap', 'Install'],
  target: ['Unit', 'Install'],
  slice: ['Unit', 'Slice', 'Install'],
  scope: ['Unit', 'Scope'],
};

const byKey = new Map<string, DirectiveInfo>();
const bySection = new Map<string, DirectiveInfo[]>();
const sectionsByName = new Map<string, string[]>();
for (const info of DIRECTIVES) {
  for (const s of info.sections) {
    byKey.set(`${s}\0${info.name}`, info);
    let list = bySection.get(s);
    if (!list) bySection.set(s, (list = []));
    list.push(info);
    let secs = sectionsByName.get(info.name);
    if (!secs) sectionsByName.set(info.name, (secs = []));
    if (!secs.includes(s)) secs.push(s);
  }
}
for (const secs of sectionsByName.values()) secs.sort((a, b) => KNOWN_SECTIONS.indexOf(a) - KNOWN_SECTIONS.indexOf(b));
for (const list of bySection.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** The unit type a file configures, from its name or the drop-in directory it sits in. */
export function unitTypeFromFileName(fileName: string): string | undefined {
  const parts = fileName.split(/[/\\]/).filter((p) => p !== '');
  let base = parts[parts.length - 1];
  if (base === undefined) return undefined;
  const parent = parts.length > 1 ? parts[parts.length - 2] : undefined;

  // Drop-ins (`foo.service.d/10-x.conf`, type-wide `service.d/x.conf`) and the temporary copies
  // `systemctl edit` writes next to them (`.#override.conf<16 hex digits>`).
  if (parent?.endsWith('.d') && (base.endsWith('.conf') || base.startsWith('.#'))) {
    const owner = parent.slice(0, -2);
    return UNIT_TYPES.includes(owner) ? owner : typeOfUnitName(owner);
  }
  // `systemctl edit --full` edits `.#foo.service<16 hex digits>`.
  if (base.startsWith('.#')) base = base.slice(2).replace(/[0-9a-f]{16}$/, '');
  // Build-time templates such as `foo.service.in`.
  if (base.endsWith('.in')) base = base.slice(0, -3);
  return typeOfUnitName(base);
}

function typeOfUnitName(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const t = name.slice(dot + 1);
  return UNIT_TYPES.includes(t) ? t : undefined;
}

/** Sections a unit of this type may contain; every known section when the type is unknown. */
export function sectionsForUnitType(unitType: string | undefined): readonly string[] {
  return (unitType !== undefined ? SECTIONS_OF_TYPE[unitType] : undefined) ?? KNOWN_SECTIONS;
}

/** The directive `key` in `section`, matched case-sensitively like load_fragment_gperf_lookup(). */
export function lookupDirective(section: string, key: string): DirectiveInfo | undefined {
  return byKey.get(`${section}\0${key}`);
}

/** All directives valid in a section, sorted by name. */
export function directivesInSection(section: string): readonly DirectiveInfo[] {
  return bySection.get(section) ?? [];
}

/** Every section in which some version of systemd accepts `key` (for "wrong section" hints). */
export function sectionsOfDirective(key: string): readonly string[] {
  return sectionsByName.get(key) ?? [];
}

/** Whether systemd `version` accepts the directive (an ignored legacy key still counts as accepted). */
export function isAvailableIn(info: DirectiveInfo, version: number): boolean {
  if (info.since !== undefined && version < info.since) return false;
  if (info.removedIn !== undefined && version >= info.removedIn) return false;
  return true;
}

/** Link to the directive in the man page that documents it (the replacement's entry for old names). */
export function manPageUrl(info: DirectiveInfo): string {
  const page = info.manPage ?? pageOfSection(info.sections[0]);
  const anchor = info.replacedBy ?? info.name;
  return `https://www.freedesktop.org/software/systemd/man/${page}.html#${anchor}=`;
}

function pageOfSection(section: string | undefined): string {
  return section === undefined || section === 'Install' ? 'systemd.unit' : `systemd.${section.toLowerCase()}`;
}

// --- "did you mean" --------------------------------------------------------------------------

interface Candidate {
  readonly name: string;
  readonly lower: string;
  readonly words: readonly string[];
  readonly sections: readonly string[];
}

function candidates(filter: (info: DirectiveInfo) => boolean): readonly Candidate[] {
  const names = new Map<string, string[]>();
  for (const info of DIRECTIVES) {
    if (!filter(info)) continue;
    names.set(info.name, [...(names.get(info.name) ?? []), ...info.sections]);
  }
  return [...names]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, sections]) => ({ name, lower: name.toLowerCase(), words: camelWords(name), sections }));
}

// Built on first use, not at start-up: most runs of the CLI never need a suggestion.
let pools: { allNames: readonly Candidate[]; suggestable: readonly Candidate[] } | undefined;
function candidatePools(): { allNames: readonly Candidate[]; suggestable: readonly Candidate[] } {
  pools ??= {
    /** Every name, for exact case-insensitive matches (even a legacy name is what the user meant). */
    allNames: candidates(() => true),
    /** Names worth suggesting for a typo: current spellings only (no aliases, nothing removed or ignored). */
    suggestable: candidates((i) => !i.replacedBy && i.legacy?.handling !== 'removed' && i.legacy?.handling !== 'ignored'),
  };
  return pools;
}

/** `ProtectKernelLogs` → ['protect', 'kernel', 'logs']; runs of capitals stay together (`SUIDSGID`). */
function camelWords(name: string): string[] {
  return (name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? [name]).map((w) => w.toLowerCase());
}

/** Optimal-string-alignment (restricted Damerau-Levenshtein) distance, capped at `max + 1`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * A likely intended directive for an unknown `key` in `section`: a case-insensitive match first,
 * then the closest name by edit distance (≤ 2, or ≤ 3 for names of 12+ characters), then a name
 * that differs in exactly one CamelCase word (`ProtectDevices` → `PrivateDevices`, the usual
 * Protect/Private/Restrict mix-up). Each step prefers names valid in `section`.
 */
export function suggestDirective(section: string, key: string): string | undefined {
  if (key === '') return undefined;
  const { allNames, suggestable } = candidatePools();
  const lower = key.toLowerCase();
  for (const pool of [allNames.filter((c) => c.sections.includes(section)), allNames]) {
    const hit = pool.find((c) => c.lower === lower && c.name !== key);
    if (hit) return hit.name;
  }

  const pools = [suggestable.filter((c) => c.sections.includes(section)), suggestable];

  const max = key.length >= 12 ? 3 : 2;
  for (const pool of pools) {
    let best: string | undefined;
    let bestD = max + 1;
    for (const c of pool) {
      const d = editDistance(lower, c.lower, max);
      if (d < bestD && c.name !== key) {
        best = c.name;
        bestD = d;
      }
    }
    if (best) return best;
  }

  // One word off. Swapping the sandboxing verbs (ProtectTmp → PrivateTmp) ranks first, because
  // the noun after them says what the user wanted; otherwise the smaller edit distance wins.
  const words = camelWords(key);
  if (words.length >= 2) {
    for (const pool of pools) {
      let best: string | undefined;
      let bestRank = Infinity;
      for (const c of pool) {
        if (c.words.length !== words.length) continue;
        const differing = c.words.flatMap((w, i) => (w !== words[i] ? [i] : []));
        if (differing.length !== 1) continue;
        const verbSwap = differing[0] === 0 && SANDBOX_VERBS.has(words[0]) && SANDBOX_VERBS.has(c.words[0]);
        const rank = (verbSwap ? 0 : 1000) + editDistance(lower, c.lower, 64);
        if (rank < bestRank) {
          best = c.name;
          bestRank = rank;
        }
      }
      if (best) return best;
    }
  }
  return undefined;
}

/** First words of the sandboxing directives that people mix up. */
const SANDBOX_VERBS: ReadonlySet<string> = new Set(['protect', 'private', 'restrict']);
