// @ts-check
/**
 * Generator for the seccomp data tables: turns the committed extracts in data/seccomp/
 * (libseccomp-*.tsv, systemd-groups.json, systemd-known.tsv; see tools/extract-seccomp.mjs) into
 * server/src/seccomp/{syscalls,groups}.generated.ts. Pure and deterministic: reads only those files.
 *
 *   node tools/gen-seccomp.mjs           write the generated files
 *   node tools/gen-seccomp.mjs --check   exit 1 if a committed generated file is stale
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = 'data/seccomp';
const SYSCALLS_OUT = 'server/src/seccomp/syscalls.generated.ts';
const GROUPS_OUT = 'server/src/seccomp/groups.generated.ts';
const REGEN = 'node tools/gen-seccomp.mjs (or `npm run gen`); CI runs it with --check';

/** syscalls.csv columns that belong to an ABI systemd knows (m68k and sh are libseccomp-only). */
const COLUMNS = ['x86', 'x86_64', 'x32', 'arm', 'aarch64', 'loongarch64', 'mips', 'mips64', 'mips64n32', 'parisc', 'parisc64', 'ppc', 'ppc64', 'riscv64', 's390', 's390x'];

/** @param {string} rel */
function read(rel) {
  return readFileSync(join(ROOT, rel), 'utf8');
}

/**
 * Order libseccomp versions: upstream x.y.z numerically, a distribution build (`2.5.4-1+deb12u1`)
 * right after the upstream release it patches.
 * @param {string} a @param {string} b
 */
function cmpVersion(a, b) {
  const split = (/** @type {string} */ v) => {
    const m = /^(\d+)\.(\d+)\.(\d+)(.*)$/.exec(v);
    if (!m) throw new Error(`bad libseccomp version ${v}`);
    return { nums: [Number(m[1]), Number(m[2]), Number(m[3])], rest: m[4] };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return x.nums[i] - y.nums[i];
  return x.rest < y.rest ? -1 : x.rest > y.rest ? 1 : 0;
}

/** @param {string} s */
const q = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * Wrap a space-separated word list into a TS string expression of lines ≤ ~110 chars.
 * @param {string[]} words @param {string} indent @param {string} sep
 */
function wrapWords(words, indent, sep = ' ') {
  if (words.length === 0) return "''";
  /** @type {string[]} */
  const chunks = [];
  /** @type {string[]} */
  let cur = [];
  for (const w of words) {
    if (cur.length && cur.join(sep).length + sep.length + w.length > 100) {
      chunks.push(cur.join(sep) + sep);
      cur = [];
    }
    cur.push(w);
  }
  chunks.push(cur.join(sep));
  return chunks.map(q).join(` +\n${indent}`);
}

// ---------------------------------------------------------------------------------------------
// libseccomp tables

/**
 * @typedef {{version:string, source:string[], columns:string[], muxColumns:string[],
 *   names:string[], values:Map<string, Map<string, number|null>>, mux:Map<string,string>}} LibTable
 */

/** @param {string} file @returns {LibTable} */
function parseLibTsv(file) {
  const version = /^libseccomp-(.+)\.tsv$/.exec(file)?.[1];
  if (!version) throw new Error(`bad file name ${file}`);
  const lines = read(`${DATA}/${file}`).split('\n').filter((l) => l.length > 0);
  /** @type {string[]} */
  const source = [];
  /** @type {Map<string, boolean>} */
  const muxByColumn = new Map();
  /** @type {string[] | undefined} */
  let header;
  /** @type {Map<string, Map<string, number|null>>} */
  const values = new Map();
  /** @type {Map<string,string>} */
  const mux = new Map();
  let inSource = false;
  for (const line of lines) {
    if (line.startsWith('# source:') || (inSource && line.startsWith('#   '))) {
      source.push(line.replace(/^#\s*/, ''));
      inSource = true;
      continue;
    }
    inSource = false;
    if (line.startsWith('#@arch\t')) {
      const f = line.split('\t');
      const col = f[2].replace('column=', '');
      const m = f[3] === 'mux=1';
      if (muxByColumn.has(col) && muxByColumn.get(col) !== m) throw new Error(`${file}: mixed mux in column ${col}`);
      muxByColumn.set(col, m);
    } else if (line.startsWith('#')) {
      /* prose */
    } else if (!header) {
      header = line.split('\t');
      if (header[0] !== 'name' || header[1] !== 'mux') throw new Error(`${file}: unexpected header`);
    } else {
      const f = line.split('\t');
      /** @type {Map<string, number|null>} */
      const row = new Map();
      for (let i = 2; i < header.length; i++) row.set(header[i], f[i] === '-' ? null : Number(f[i]));
      values.set(f[0], row);
      if (f[1] !== '-') mux.set(f[0], f[1]);
    }
  }
  if (!header) throw new Error(`${file}: no header`);
  const columns = header.slice(2).filter((c) => COLUMNS.includes(c));
  return {
    version,
    source,
    columns,
    muxColumns: columns.filter((c) => muxByColumn.get(c)),
    names: [...values.keys()].sort(),
    values,
    mux,
  };
}

/** @param {LibTable[]} tables */
function genSyscalls(tables) {
  // numbers of the newest upstream release are stored in full, the others as changes against it
  const newest = [...tables].reverse().find((t) => /^\d+\.\d+\.\d+$/.test(t.version)) ?? tables[tables.length - 1];
  const out = [];
  out.push('// GENERATED by tools/gen-seccomp.mjs — do not edit.');
  out.push(`// Sources: ${tables.map((t) => `${DATA}/libseccomp-${t.version}.tsv`).join(', ')}, extracted from:`);
  for (const t of tables) for (const s of t.source) out.push(`//   ${t.version}: ${s}`);
  out.push(`// Regenerate: ${REGEN}.`);
  out.push('/* eslint-disable */');
  out.push('');
  out.push('/** libseccomp versions with syscall tables, oldest first; `x.y.z-…` = a distribution build of x.y.z. */');
  out.push(`export const LIBSECCOMP_VERSIONS = [${tables.map((t) => q(t.version)).join(', ')}] as const;`);
  out.push('');
  out.push('/**');
  out.push(' * One libseccomp version\'s syscall table. `names` is space-separated and sorted. Numbers are');
  out.push(' * what seccomp_syscall_resolve_name_arch() reports (x32 with X32_SYSCALL_BIT, mips with its base),');
  out.push(' * except that multiplexed names keep their direct number on `muxColumns` ABIs (see syscalls.ts).');
  out.push(' * Either `numbers` (per column, comma-separated, aligned with `names`, empty = absent) or');
  out.push(' * `base` + `changes` (`name:column=value` words, empty value = absent; everything else as in base).');
  out.push(' * `mux`: `name=socketcall:N` / `name=ipc:N` words (the call number libseccomp passes in a0).');
  out.push(' */');
  out.push('export interface LibseccompTableData {');
  out.push('  readonly source: string;');
  out.push('  readonly columns: readonly string[];');
  out.push('  readonly muxColumns: readonly string[];');
  out.push('  readonly names: string;');
  out.push('  readonly mux: string;');
  out.push('  readonly numbers?: Readonly<Record<string, string>>;');
  out.push('  readonly base?: (typeof LIBSECCOMP_VERSIONS)[number];');
  out.push('  readonly changes?: string;');
  out.push('}');
  out.push('');
  out.push('export const LIBSECCOMP_TABLES: Readonly<Record<(typeof LIBSECCOMP_VERSIONS)[number], LibseccompTableData>> = {');
  for (const t of [...tables].reverse()) {
    out.push(`  ${q(t.version)}: {`);
    out.push(`    source: ${q(t.source.join(' ').replace(/^source:\s*/, ''))},`);
    out.push(`    columns: [${t.columns.map(q).join(', ')}],`);
    out.push(`    muxColumns: [${t.muxColumns.map(q).join(', ')}],`);
    out.push(`    names:\n      ${wrapWords(t.names, '      ')},`);
    out.push(`    mux:\n      ${wrapWords([...t.mux].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, m]) => `${n}=${m}`), '      ')},`);
    if (t === newest) {
      out.push('    numbers: {');
      for (const c of t.columns) {
        const nums = t.names.map((n) => {
          const v = t.values.get(n)?.get(c);
          return v === null || v === undefined ? '' : String(v);
        });
        out.push(`      ${c}:\n        ${wrapWords(nums, '        ', ',')},`);
      }
      out.push('    },');
    } else {
      /** @type {string[]} */
      const changes = [];
      for (const n of t.names) {
        for (const c of t.columns) {
          const v = t.values.get(n)?.get(c) ?? null;
          const b = newest.columns.includes(c) ? (newest.values.get(n)?.get(c) ?? null) : null;
          if (v !== b) changes.push(`${n}:${c}=${v === null ? '' : v}`);
        }
      }
      out.push(`    base: ${q(newest.version)},`);
      out.push(`    changes:\n      ${wrapWords(changes, '      ')},`);
    }
    out.push('  },');
  }
  out.push('};');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// systemd groups

function genGroups() {
  const json = JSON.parse(read(`${DATA}/systemd-groups.json`));
  /** @type {{version:string, tag:string, repo:string, commit:string, groups:string[], known?:{list:string, file:string, dropUnlessHost:string[]}}[]} */
  const releases = json.releases;
  /** @type {Record<string, {name:string, help:string, members:string, knownList?:boolean}>} */
  const groups = json.groups;

  // known lists from the matrix TSV
  const tsv = read(`${DATA}/systemd-known.tsv`).split('\n').filter((l) => l && !l.startsWith('#'));
  const ids = tsv[0].split('\t').slice(1);
  /** @type {string[][]} */
  const lists = ids.map(() => []);
  for (const line of tsv.slice(1)) {
    const f = line.split('\t');
    ids.forEach((_, i) => {
      if (f[i + 1] === 'x') lists[i].push(f[0]);
    });
  }
  const listIndex = new Map(ids.map((id, i) => [id, i]));
  const groupIds = Object.keys(groups);
  const groupIndex = new Map(groupIds.map((id, i) => [id, i]));

  const out = [];
  out.push('// GENERATED by tools/gen-seccomp.mjs — do not edit.');
  out.push(`// Sources: ${DATA}/systemd-groups.json and ${DATA}/systemd-known.tsv, extracted from syscall_filter_sets[]`);
  out.push('// (src/shared/seccomp-util.c) and the @known list files of systemd tags v245…v261.2 in');
  out.push(`// ${[...new Set(releases.map((r) => `https://github.com/${r.repo}`))].join(', ')} (tag and commit per release below).`);
  out.push(`// Regenerate: ${REGEN}.`);
  out.push('/* eslint-disable */');
  out.push('');
  out.push('/**');
  out.push(' * A systemd release whose group tables differ from the previous tag of the same major; it stands');
  out.push(' * for every later patch release up to the next entry. `groups` index GROUP_BODIES in table order;');
  out.push(' * `known` indexes KNOWN_LISTS; `knownDrop` = generate-syscall-list.py filters (`prefix:word`:');
  out.push(' * names starting with prefix are dropped unless word is in the build host\'s `uname -m`).');
  out.push(' */');
  out.push('export interface SystemdReleaseData {');
  out.push('  readonly version: string;');
  out.push('  readonly repo: string;');
  out.push('  readonly commit: string;');
  out.push('  readonly groups: readonly number[];');
  out.push('  readonly known?: number;');
  out.push('  readonly knownDrop?: readonly string[];');
  out.push('}');
  out.push('');
  out.push('export const SYSTEMD_RELEASES: readonly SystemdReleaseData[] = [');
  for (const r of releases) {
    const parts = [
      `version: ${q(r.version)}`,
      `repo: ${q(r.repo)}`,
      `commit: ${q(r.commit)}`,
      `groups: [${r.groups.map((g) => groupIndex.get(g)).join(', ')}]`,
    ];
    if (r.known) {
      parts.push(`known: ${listIndex.get(r.known.list)}`);
      if (r.known.dropUnlessHost.length) parts.push(`knownDrop: [${r.known.dropUnlessHost.map(q).join(', ')}]`);
    }
    out.push(`  { ${parts.join(', ')} },`);
  }
  out.push('];');
  out.push('');
  out.push('/** Newest patch tag seen per major (versions past it are extrapolated). */');
  out.push(`export const SYSTEMD_LATEST_PATCH: Readonly<Record<number, number>> = ${JSON.stringify(json.latestPatch).replace(/"(\d+)"/g, '$1').replace(/,/g, ', ').replace(/:/g, ': ')};`);
  out.push('');
  out.push('/**');
  out.push(' * Distinct group entries: [name, help, members (space-separated, source order; `name?s390` = only in');
  out.push(' * s390/s390x builds), 1 if the entry also #includes the @known list].');
  out.push(' */');
  out.push('export const GROUP_BODIES: readonly (readonly [string, string, string, 0 | 1])[] = [');
  for (const id of groupIds) {
    const g = groups[id];
    out.push(`  [${q(g.name)}, ${q(g.help)},\n    ${wrapWords(g.members.split(' ').filter(Boolean), '    ')}, ${g.knownList ? 1 : 0}],`);
  }
  out.push('];');
  out.push('');
  out.push('/**');
  out.push(' * @known input lists (before host filtering): a full space-separated list, or');
  out.push(' * [index of an earlier list, names added, names removed].');
  out.push(' */');
  out.push('export const KNOWN_LISTS: readonly (string | readonly [number, string, string])[] = [');
  lists.forEach((list, i) => {
    let best = -1;
    let bestCost = list.length;
    for (let j = 0; j < i; j++) {
      const s = new Set(lists[j]);
      const t = new Set(list);
      const cost = list.filter((n) => !s.has(n)).length + lists[j].filter((n) => !t.has(n)).length;
      if (cost < bestCost) {
        best = j;
        bestCost = cost;
      }
    }
    if (best < 0) {
      out.push(`  ${wrapWords(list, '    ')},`);
    } else {
      const s = new Set(lists[best]);
      const t = new Set(list);
      const add = list.filter((n) => !s.has(n));
      const rem = lists[best].filter((n) => !t.has(n));
      out.push(`  [${best},\n    ${wrapWords(add, '    ')},\n    ${wrapWords(rem, '    ')}],`);
    }
  });
  out.push('];');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------

/** @returns {{path:string, content:string}[]} */
export function generate() {
  const tables = readdirSync(join(ROOT, DATA))
    .filter((f) => /^libseccomp-.+\.tsv$/.test(f))
    .map(parseLibTsv)
    .sort((a, b) => cmpVersion(a.version, b.version));
  if (tables.length === 0) throw new Error(`no ${DATA}/libseccomp-*.tsv`);
  return [
    { path: SYSCALLS_OUT, content: genSyscalls(tables) },
    { path: GROUPS_OUT, content: genGroups() },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { path, content } of generate()) {
    const file = join(ROOT, path);
    let current;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === content) continue;
    if (check) {
      console.error(`${path} is stale: run \`node tools/gen-seccomp.mjs\` and commit the result.`);
      stale++;
    } else {
      writeFileSync(file, content);
      console.log(`wrote ${path}`);
    }
  }
  if (stale) process.exit(1);
}
