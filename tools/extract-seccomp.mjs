// @ts-check
/**
 * One-off extraction of the seccomp data tables into data/seccomp/ (run by a developer, not by CI):
 * libseccomp's per-ABI syscall numbers from src/syscalls.csv at each supported tag, systemd's
 * syscall_filter_sets[] groups and @known list from every v245…v261 tag, and a capture of the
 * installed `systemd-analyze syscall-filter`. tools/gen-seccomp.mjs turns these into TypeScript.
 *
 * Usage (mirror directories are bare git repositories; nothing is written outside data/seccomp/):
 *   node tools/extract-seccomp.mjs \
 *     --libseccomp seccomp/libseccomp=DIR \
 *     --systemd systemd/systemd-stable=DIR --systemd yuwata/systemd=DIR \
 *     [--analyze]      # also capture `systemd-analyze syscall-filter` from this machine
 *     [--installed]    # also tabulate this machine's libseccomp.so.2 (distributions patch its syscall list)
 * Each --X takes LABEL=DIR (LABEL is the GitHub owner/name recorded in the headers) or a bare DIR
 * (label derived from a mirror directory named owner+name). Environment fallbacks:
 * LIBSECCOMP_REPO, SYSTEMD_REPOS (colon-separated).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'data', 'seccomp');

/** libseccomp tags we ship tables for: Debian 12 (2.5.4), Debian 13 (2.6.0), sid (2.6.1). */
const LIBSECCOMP_TAGS = ['v2.5.4', 'v2.6.0', 'v2.6.1'];
/** systemd majors whose tags (and every point release) we scan. */
const SYSTEMD_MIN = 245;
const SYSTEMD_MAX = 261;

// ---------------------------------------------------------------------------------------------
// argument handling

/** @param {string} spec */
function repoArg(spec) {
  const eq = spec.indexOf('=');
  if (eq > 0) return { label: spec.slice(0, eq), dir: spec.slice(eq + 1) };
  let dir = spec;
  let base = basename(dir);
  if (base === 'repo' || base === '.git') base = basename(dirname(dir));
  return { label: base.replace('+', '/'), dir };
}

function parseArgs() {
  /** @type {{label:string, dir:string} | undefined} */
  let lib;
  /** @type {{label:string, dir:string}[]} */
  const sd = [];
  let analyze = false;
  let installed = false;
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--libseccomp') lib = repoArg(argv[++i] ?? '');
    else if (a === '--systemd') sd.push(repoArg(argv[++i] ?? ''));
    else if (a === '--analyze') analyze = true;
    else if (a === '--installed') installed = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!lib && process.env.LIBSECCOMP_REPO) lib = repoArg(process.env.LIBSECCOMP_REPO);
  if (sd.length === 0 && process.env.SYSTEMD_REPOS)
    for (const d of process.env.SYSTEMD_REPOS.split(':')) if (d) sd.push(repoArg(d));
  if (!lib || sd.length === 0) {
    console.error('usage: node tools/extract-seccomp.mjs --libseccomp LABEL=DIR --systemd LABEL=DIR [--systemd …] [--analyze] [--installed]');
    process.exit(2);
  }
  return { lib, sd, analyze, installed };
}

/** @param {string} dir @param {string[]} args */
function git(dir, args) {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}
/** @param {string} dir @param {string} tag @param {string} path @returns {string | undefined} */
function show(dir, tag, path) {
  try {
    return execFileSync('git', ['-C', dir, 'show', `${tag}:${path}`], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}
/** @param {string} dir @param {string} tag */
function commitOf(dir, tag) {
  return git(dir, ['rev-parse', `${tag}^{commit}`]).trim();
}

// ---------------------------------------------------------------------------------------------
// libseccomp

/**
 * How each libseccomp arch turns a syscalls.csv value into what seccomp_syscall_resolve_name_arch()
 * reports. Mirrors the `.syscall_resolve_name` hooks in src/arch-*.c:
 *   abi_syscall_resolve_name_munge (syscalls.c): socket/ipc names become __PNR_<name> (multiplexed);
 *   x32_syscall_resolve_name_munge: value | X32_SYSCALL_BIT;
 *   mips_syscall_resolve_name_raw / mips64*_munge: value + __SCMP_NR_BASE (4000/5000/6000);
 *   arm_syscall_resolve_name_munge: value | __SCMP_NR_BASE (0: EABI only).
 * @param {string} dir @param {string} tag @param {string[]} arches
 */
function archMunging(dir, tag, arches) {
  /** @type {Record<string, {add:number, or:number, mux:boolean, file:string}>} */
  const out = {};
  for (const arch of arches) {
    const file = { mipsel: 'mips', mipsel64: 'mips64', mipsel64n32: 'mips64n32', ppc64le: 'ppc64', sheb: 'sh' }[arch] ?? arch;
    const path = `src/arch-${file}.c`;
    const src = show(dir, tag, path);
    if (src === undefined) throw new Error(`${tag}: ${path} missing`);
    const defRe = new RegExp(`const struct arch_def arch_def_${arch} = \\{([\\s\\S]*?)\\n\\};`);
    const def = defRe.exec(src);
    if (!def) throw new Error(`${tag}: arch_def_${arch} not found in ${path}`);
    const hook = /\.syscall_resolve_name\s*=\s*(\w+)/.exec(def[1])?.[1] ?? 'none';
    const rawHook = /\.syscall_resolve_name_raw\s*=\s*(\w+)/.exec(def[1])?.[1] ?? 'none';
    let add = 0;
    let or = 0;
    let mux = false;
    const base = /#define __SCMP_NR_BASE\s+(\w+)/.exec(src)?.[1];
    if (hook === 'abi_syscall_resolve_name_munge') mux = true;
    if (hook === 'x32_syscall_resolve_name_munge') {
      const h = show(dir, tag, 'src/arch-x32.h') ?? '';
      const bit = /#define X32_SYSCALL_BIT\s+(0x[0-9a-fA-F]+)/.exec(h)?.[1];
      if (!bit) throw new Error(`${tag}: X32_SYSCALL_BIT not found`);
      or = Number(bit);
    } else if (hook.startsWith('mips64') || rawHook.startsWith('mips_syscall_resolve_name_raw') || rawHook === 'mipsel_syscall_resolve_name_raw') {
      if (base === undefined) throw new Error(`${tag}: no __SCMP_NR_BASE in ${path}`);
      add = Number(base);
    } else if (hook === 'arm_syscall_resolve_name_munge') {
      // `#if 1` selects the EABI base, which is the first __SCMP_NR_BASE definition (0)
      if (!/#if 1\s*\n#define __SCMP_NR_BASE\s+0\b/.test(src)) throw new Error(`${tag}: unexpected ARM base selection`);
      or = 0;
    } else if (hook !== 'none' && hook !== 'abi_syscall_resolve_name_munge') {
      throw new Error(`${tag}: unknown resolve hook ${hook} for ${arch}`);
    }
    out[arch] = { add, or, mux, file: path };
  }
  return out;
}

/** Arch names libseccomp accepts (arch.c arch_def_lookup_name), per table column. */
const LIB_ARCH_FOR_COLUMN = {
  x86: ['x86'],
  x86_64: ['x86_64'],
  x32: ['x32'],
  arm: ['arm'],
  aarch64: ['aarch64'],
  loongarch64: ['loongarch64'],
  m68k: ['m68k'],
  mips: ['mips', 'mipsel'],
  mips64: ['mips64', 'mipsel64'],
  mips64n32: ['mips64n32', 'mipsel64n32'],
  parisc: ['parisc'],
  parisc64: ['parisc64'],
  ppc: ['ppc'],
  ppc64: ['ppc64', 'ppc64le'],
  riscv64: ['riscv64'],
  s390: ['s390'],
  s390x: ['s390x'],
  sh: ['sh', 'sheb'],
};

/** @param {{label:string, dir:string}} repo @param {string} tag */
function extractLibseccomp(repo, tag) {
  const csv = show(repo.dir, tag, 'src/syscalls.csv');
  if (!csv) throw new Error(`${tag}: src/syscalls.csv missing`);
  const lines = csv.split('\n').filter((l) => l.length > 0);
  const header = lines[0];
  if (!header.startsWith('#syscall')) throw new Error(`${tag}: unexpected csv header`);
  const headCols = header.split(',');
  const kernelNote = headCols[0].replace(/^#syscall\s*/, '');
  /** @type {{col:string, idx:number}[]} */
  const cols = [];
  headCols.forEach((c, idx) => {
    if (idx > 0 && !c.endsWith('_kver')) cols.push({ col: c, idx });
  });
  for (const { col } of cols)
    if (!(col in LIB_ARCH_FOR_COLUMN)) throw new Error(`${tag}: unknown csv column ${col}`);

  const arches = cols.flatMap(({ col }) => LIB_ARCH_FOR_COLUMN[/** @type {keyof typeof LIB_ARCH_FOR_COLUMN} */ (col)]);
  const munge = archMunging(repo.dir, tag, arches);
  // All arches sharing a column must munge alike, otherwise one number per column is wrong.
  for (const { col } of cols) {
    const group = LIB_ARCH_FOR_COLUMN[/** @type {keyof typeof LIB_ARCH_FOR_COLUMN} */ (col)].filter((a) => a in munge);
    const m0 = munge[group[0]];
    for (const a of group) {
      const m = munge[a];
      if (m.add !== m0.add || m.or !== m0.or || m.mux !== m0.mux) throw new Error(`${tag}: ${a} munges unlike ${group[0]}`);
    }
  }

  // __PNR_ values of the multiplexed socket (-1xx) and ipc (-2xx) calls: the call number is
  // (-pnr) % 100 resp. % 200 (syscalls.c abi_rule_add).
  const hdr = show(repo.dir, tag, 'include/seccomp-syscalls.h') ?? '';
  /** @type {Map<string,string>} */
  const muxOf = new Map();
  for (const m of hdr.matchAll(/#define __PNR_(\w+)\s+(-\d+)/g)) {
    const v = Number(m[2]);
    if (v <= -100 && v >= -120) muxOf.set(m[1], `socketcall:${-v % 100}`);
    else if (v <= -200 && v >= -224) muxOf.set(m[1], `ipc:${-v % 200}`);
  }
  if (muxOf.size !== 32) throw new Error(`${tag}: expected 32 multiplexed calls, found ${muxOf.size}`);

  /** @type {{name:string, values:(number|null)[]}[]} */
  const rows = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith('#')) continue;
    const f = line.split(',');
    const name = f[0];
    const values = cols.map(({ col, idx }) => {
      const v = f[idx];
      if (v === 'PNR') return null;
      if (!/^\d+$/.test(v)) throw new Error(`${tag}: bad value ${v} for ${name}/${col}`);
      const m = munge[LIB_ARCH_FOR_COLUMN[/** @type {keyof typeof LIB_ARCH_FOR_COLUMN} */ (col)][0]];
      return m.or ? (Number(v) | m.or) >>> 0 : Number(v) + m.add;
    });
    rows.push({ name, values });
  }
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < rows.length; i++) if (rows[i].name === rows[i - 1].name) throw new Error(`${tag}: duplicate ${rows[i].name}`);

  const commit = commitOf(repo.dir, tag);
  const out = [];
  out.push(`# libseccomp ${tag.slice(1)} syscall table, extracted by tools/extract-seccomp.mjs (do not edit by hand).`);
  out.push(`# source: https://github.com/${repo.label} tag ${tag} (commit ${commit}):`);
  out.push(`#   src/syscalls.csv (its header: "${kernelNote}"), include/seccomp-syscalls.h, src/arch-*.c, src/arch-x32.h`);
  out.push('# Values are what seccomp_syscall_resolve_name_arch() reports, with the arch munging of src/arch-*.c applied:');
  out.push('#   x32 values include X32_SYSCALL_BIT (0x40000000); mips/mips64/mips64n32 values include the 4000/5000/6000 base.');
  out.push('#   "-" = PNR in syscalls.csv: libseccomp reports the negative pseudo number __PNR_<name> (no such syscall on that ABI).');
  out.push('# mux: the socketcall/ipc call number libseccomp uses for this name. On arches marked mux=1 below');
  out.push('#   (abi_syscall_resolve_name_munge) the resolver reports __PNR_<name> for these names instead of the number in');
  out.push('#   this table; an argument-free rule then goes to socketcall/ipc with a0 == call, plus the direct number if any.');
  out.push('# kver columns (libseccomp >= 2.6) are not extracted.');
  for (const { col } of cols) {
    for (const a of LIB_ARCH_FOR_COLUMN[/** @type {keyof typeof LIB_ARCH_FOR_COLUMN} */ (col)]) {
      const m = munge[a];
      out.push(`#@arch\t${a}\tcolumn=${col}\tmux=${m.mux ? 1 : 0}\tadd=${m.add}\tor=0x${m.or.toString(16)}\t(${m.file})`);
    }
  }
  out.push(['name', 'mux', ...cols.map((c) => c.col)].join('\t'));
  for (const r of rows)
    out.push([r.name, muxOf.get(r.name) ?? '-', ...r.values.map((v) => (v === null ? '-' : String(v)))].join('\t'));
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// systemd

/**
 * Preprocessor conditions seen inside syscall_filter_sets[] (v245…v261), mapped to the build
 * hosts where they hold. `null` = treated as true everywhere: __NR_statx is defined by every
 * kernel/glibc header set a v245+ build uses (kernel >= 4.11).
 * @type {Record<string, string | null>}
 */
const CONDITIONS = {
  '#ifdef __NR_s390_runtime_instr': 's390',
  '#ifdef __NR_s390_pci_mmio_read': 's390',
  '#ifdef __NR_s390_pci_mmio_write': 's390',
  '#if defined __s390__ || defined __s390x__': 's390',
  '#ifdef __NR_statx': null,
};

/**
 * Parse `const SyscallFilterSet syscall_filter_sets[] = { … }` from src/shared/seccomp-util.c.
 * @param {string} src @param {string} tag
 */
function parseFilterSets(src, tag) {
  const start = src.indexOf('const SyscallFilterSet syscall_filter_sets[');
  if (start < 0) throw new Error(`${tag}: syscall_filter_sets[] not found`);
  const end = src.indexOf('\n};', start);
  // drop comments (block and line) but keep line structure
  const body = src
    .slice(start, end)
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ''))
    .replace(/\/\/[^\n]*/g, '');
  /** @type {{name:string, help:string, members:{name:string, cond?:string}[], includesKnownList:boolean}[]} */
  const groups = [];
  /** @type {(typeof groups)[number] | undefined} */
  let cur;
  /** @type {(string|null)[]} */
  const condStack = [];
  for (const raw of body.split('\n').slice(1)) {
    const line = raw.trim();
    if (!line) continue;
    let m;
    if ((m = /^\[SYSCALL_FILTER_SET_\w+\]\s*=\s*\{$/.exec(line))) {
      cur = { name: '', help: '', members: [], includesKnownList: false };
      groups.push(cur);
    } else if ((m = /^\.name\s*=\s*"([^"]+)",$/.exec(line))) {
      if (!cur) throw new Error(`${tag}: .name outside entry`);
      cur.name = m[1];
    } else if ((m = /^\.help\s*=\s*"([^"]*)",$/.exec(line))) {
      if (!cur) throw new Error(`${tag}: .help outside entry`);
      cur.help = m[1];
    } else if (line === '.value =') {
      /* members follow */
    } else if ((m = /^"([@\w-]+)\\0"$/.exec(line))) {
      if (!cur) throw new Error(`${tag}: member outside entry`);
      const conds = condStack.filter((c) => c !== null);
      if (new Set(conds).size > 1) throw new Error(`${tag}: nested different conditions`);
      cur.members.push(conds.length ? { name: m[1], cond: /** @type {string} */ (conds[0]) } : { name: m[1] });
    } else if (/^#include "syscall-list\.(h|inc)"$/.test(line)) {
      if (!cur) throw new Error(`${tag}: include outside entry`);
      cur.includesKnownList = true;
    } else if (line.startsWith('#if')) {
      if (!(line in CONDITIONS)) throw new Error(`${tag}: unknown preprocessor condition: ${line}`);
      condStack.push(CONDITIONS[line]);
    } else if (line === '#endif') {
      if (!condStack.length) throw new Error(`${tag}: unbalanced #endif`);
      condStack.pop();
    } else if (line === '},' || line === '}') {
      cur = undefined;
    } else {
      throw new Error(`${tag}: cannot parse line in syscall_filter_sets[]: ${line}`);
    }
  }
  for (const g of groups) if (!g.name || !g.help) throw new Error(`${tag}: incomplete group entry`);
  return groups;
}

/**
 * Where the tag keeps the input of @known and how its generator filters it
 * (src/shared/generate-syscall-list.py; meson.build names the input).
 * @param {string} dir @param {string} tag
 */
function knownList(dir, tag) {
  for (const path of [
    'src/include/override/sys/syscall-list.txt', // v258+
    'src/basic/syscall-list.txt', // v248…v257
    'src/shared/syscall-names.text', // v247
  ]) {
    const txt = show(dir, tag, path);
    if (txt === undefined) continue;
    const gen = show(dir, tag, 'src/shared/generate-syscall-list.py') ?? '';
    /** @type {string[]} */
    const dropUnlessHost = [];
    // e.g. `if line.startswith('s390_') and not s390:` where s390 = 's390' in os.uname().machine
    for (const m of gen.matchAll(/line\.startswith\('(\w+)'\) and not (\w+):/g)) {
      const hostVar = new RegExp(`${m[2]} = '(\\w+)' in os\\.uname\\(\\)\\.machine`).exec(gen);
      if (!hostVar) throw new Error(`${tag}: cannot read generator condition ${m[0]}`);
      dropUnlessHost.push(`${m[1]}:${hostVar[1]}`);
    }
    if (/startswith/.test(gen) && dropUnlessHost.length === 0) throw new Error(`${tag}: unrecognised generator filter`);
    const names = txt
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    return { path, names, generator: 'src/shared/generate-syscall-list.py', dropUnlessHost };
  }
  return undefined;
}

/** @param {string} tag */
function tagVersion(tag) {
  const m = /^v(\d+)(?:\.(\d+))?$/.exec(tag);
  return m ? { major: Number(m[1]), patch: m[2] ? Number(m[2]) : 0 } : undefined;
}

/** @param {{label:string, dir:string}[]} repos */
function extractSystemd(repos) {
  /** @type {Map<string, {label:string, dir:string}>} */
  const where = new Map();
  for (const repo of repos) {
    for (const tag of git(repo.dir, ['tag', '--list', 'v*']).split('\n')) {
      const v = tagVersion(tag);
      if (!v || v.major < SYSTEMD_MIN || v.major > SYSTEMD_MAX) continue;
      if (!where.has(tag)) where.set(tag, repo); // first repo given wins
    }
  }
  const tags = [...where.keys()].sort((a, b) => {
    const x = /** @type {{major:number,patch:number}} */ (tagVersion(a));
    const y = /** @type {{major:number,patch:number}} */ (tagVersion(b));
    return x.major - y.major || x.patch - y.patch;
  });

  /** @type {Record<string, string>} content key -> id */
  const groupIds = {};
  /** @type {Record<string, unknown>} */
  const groupBodies = {};
  /** @type {Record<string, string>} */
  const listIds = {};
  /** @type {Record<string, string[]>} */
  const listBodies = {};
  /** @type {Record<number, number>} */
  const latestPatch = {};
  /** @type {unknown[]} */
  const releases = [];
  let prevKey = '';
  let prevMajor = -1;
  let nextGroupId = 0;
  let nextListId = 0;
  for (const tag of tags) {
    const repo = /** @type {{label:string, dir:string}} */ (where.get(tag));
    const v = /** @type {{major:number,patch:number}} */ (tagVersion(tag));
    latestPatch[v.major] = Math.max(latestPatch[v.major] ?? 0, v.patch);
    const src = show(repo.dir, tag, 'src/shared/seccomp-util.c');
    if (!src) throw new Error(`${tag}: src/shared/seccomp-util.c missing`);
    const groups = parseFilterSets(src, tag);
    const known = groups.some((g) => g.includesKnownList) ? knownList(repo.dir, tag) : undefined;
    if (groups.some((g) => g.includesKnownList) && !known) throw new Error(`${tag}: @known without list`);

    /** @type {string[]} */
    const gids = [];
    for (const g of groups) {
      const body = {
        name: g.name,
        help: g.help,
        members: g.members.map((m) => (m.cond ? `${m.name}?${m.cond}` : m.name)).join(' '),
        ...(g.includesKnownList ? { knownList: true } : {}),
      };
      const key = JSON.stringify(body);
      if (!(key in groupIds)) {
        groupIds[key] = `g${nextGroupId++}`;
        groupBodies[groupIds[key]] = body;
      }
      gids.push(groupIds[key]);
    }
    let listId;
    if (known) {
      const key = JSON.stringify(known.names);
      if (!(key in listIds)) {
        listIds[key] = `k${nextListId++}`;
        listBodies[listIds[key]] = known.names;
      }
      listId = listIds[key];
    }
    const contentKey = JSON.stringify([gids, listId, known?.dropUnlessHost]);
    if (v.major !== prevMajor || contentKey !== prevKey) {
      releases.push({
        version: v.patch ? `${v.major}.${v.patch}` : `${v.major}`,
        tag,
        repo: repo.label,
        commit: commitOf(repo.dir, tag),
        groups: gids,
        ...(known ? { known: { list: listId, file: known.path, generator: known.generator, dropUnlessHost: known.dropUnlessHost } } : {}),
      });
    }
    prevKey = contentKey;
    prevMajor = v.major;
  }
  // drop group bodies no release refers to (only change points are kept)
  const used = new Set(releases.flatMap((r) => /** @type {{groups:string[]}} */ (r).groups));
  const usedLists = new Set(releases.map((r) => /** @type {{known?:{list:string}}} */ (r).known?.list).filter(Boolean));
  const groups = Object.fromEntries(Object.entries(groupBodies).filter(([id]) => used.has(id)));
  const lists = Object.fromEntries(Object.entries(listBodies).filter(([id]) => usedLists.has(id)));
  const sources = [...new Set(releases.map((r) => /** @type {{repo:string}} */ (r).repo))].map((l) => `https://github.com/${l}`);

  // systemd-groups.json: one release / group per line so that diffs stay readable
  const comment = [
    'systemd syscall groups, extracted by tools/extract-seccomp.mjs (do not edit by hand).',
    `source: ${sources.join(', ')} (tag and commit per release): syscall_filter_sets[] in src/shared/seccomp-util.c.`,
    `Every tag v${SYSTEMD_MIN}[.N] … v${SYSTEMD_MAX}[.N] was read. A release is listed when its tables differ from the previous tag of`,
    'the same major, so it stands for every later patch release up to the next listed one. latestPatch = newest tag seen.',
    'Member "name?s390" = only in builds for s390/s390x (#if defined __s390__ || … / #ifdef __NR_s390_*);',
    '#ifdef __NR_statx (v245, v246) is taken as true. knownList = the entry #includes the @known list (systemd-known.tsv).',
  ];
  const j = (/** @type {unknown} */ v) => JSON.stringify(v);
  const json = [
    '{',
    ` "comment": ${j(comment)},`,
    ` "latestPatch": ${j(latestPatch)},`,
    ' "releases": [',
    releases.map((r) => `  ${j(r)}`).join(',\n'),
    ' ],',
    ' "groups": {',
    Object.entries(groups).map(([id, g]) => `  ${j(id)}: ${j(g)}`).join(',\n'),
    ' }',
    '}',
  ].join('\n') + '\n';

  // systemd-known.tsv: matrix name × list id
  const ids = Object.keys(lists);
  const names = [...new Set(Object.values(lists).flat())].sort();
  const sets = ids.map((id) => new Set(lists[id]));
  const tsv = [
    '# systemd @known lists, extracted by tools/extract-seccomp.mjs (do not edit by hand).',
    `# source: ${sources.join(', ')}: the syscall list file named per release in systemd-groups.json`,
    '#   (src/shared/syscall-names.text in v247, src/basic/syscall-list.txt in v248…v257, src/include/override/sys/syscall-list.txt',
    '#   from v258), before src/shared/generate-syscall-list.py filters it (see dropUnlessHost there).',
    '# Columns are list ids used by "known.list" in systemd-groups.json; x = listed, - = not listed.',
    ...ids.map((id) => `#@list\t${id}\t${releases.filter((r) => /** @type {{known?:{list:string}}} */ (r).known?.list === id).map((r) => /** @type {{version:string}} */ (r).version).join(' ')}`),
    ['name', ...ids].join('\t'),
    ...names.map((n) => [n, ...sets.map((s) => (s.has(n) ? 'x' : '-'))].join('\t')),
  ].join('\n') + '\n';
  return { json, tsv, releases: releases.length };
}

/**
 * Query the installed libseccomp.so.2 (through python3 ctypes) for its syscall table. Debian
 * patches the table in stable updates (2.5.4-1+deb12u1: "Add support for syscalls up to Linux
 * 6.7"), so the library systemd really links can differ from the upstream tag. Direct numbers come
 * from seccomp_syscall_resolve_num_arch() over each ABI's number range (base + 0…2047, plus ARM's
 * private 0xf0000 range); known names and multiplexing from seccomp_syscall_resolve_name_arch().
 * @param {{label:string, dir:string}} repo upstream mirror, for the candidate names of PNR-only syscalls
 */
function extractInstalled(repo) {
  const candidates = new Set();
  for (const tag of LIBSECCOMP_TAGS)
    for (const line of (show(repo.dir, tag, 'src/syscalls.csv') ?? '').split('\n'))
      if (line && !line.startsWith('#')) candidates.add(line.split(',')[0]);
  /** syscalls.csv column -> [libseccomp arch name, number ranges [start, count]] */
  const ranges = {
    x86: ['x86', [[0, 2048]]],
    x86_64: ['x86_64', [[0, 2048]]],
    x32: ['x32', [[0x40000000, 2048]]],
    arm: ['arm', [[0, 2048], [0xf0000, 256]]],
    aarch64: ['aarch64', [[0, 2048]]],
    loongarch64: ['loongarch64', [[0, 2048]]],
    mips: ['mips', [[4000, 2048]]],
    mips64: ['mips64', [[5000, 2048]]],
    mips64n32: ['mips64n32', [[6000, 2048]]],
    parisc: ['parisc', [[0, 2048]]],
    parisc64: ['parisc64', [[0, 2048]]],
    ppc: ['ppc', [[0, 2048]]],
    ppc64: ['ppc64', [[0, 2048]]],
    riscv64: ['riscv64', [[0, 2048]]],
    s390: ['s390', [[0, 2048]]],
    s390x: ['s390x', [[0, 2048]]],
  };
  const py = String.raw`
import ctypes, json, sys
lib = ctypes.CDLL('libseccomp.so.2')
libc = ctypes.CDLL(None)
libc.free.argtypes = [ctypes.c_void_p]
lib.seccomp_arch_resolve_name.argtypes = [ctypes.c_char_p]
lib.seccomp_arch_resolve_name.restype = ctypes.c_uint32
lib.seccomp_syscall_resolve_num_arch.argtypes = [ctypes.c_uint32, ctypes.c_int]
lib.seccomp_syscall_resolve_num_arch.restype = ctypes.c_void_p
lib.seccomp_syscall_resolve_name_arch.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
class V(ctypes.Structure):
    _fields_ = [('major', ctypes.c_uint), ('minor', ctypes.c_uint), ('micro', ctypes.c_uint)]
lib.seccomp_version.restype = ctypes.POINTER(V)
req = json.load(sys.stdin)
v = lib.seccomp_version().contents
out = {'version': '%d.%d.%d' % (v.major, v.minor, v.micro), 'columns': {}, 'known': [], 'pseudo': {}, 'mux': {}}
x86_64 = lib.seccomp_arch_resolve_name(b'x86_64')
for col, (arch, rngs) in req['ranges'].items():
    tok = lib.seccomp_arch_resolve_name(arch.encode())
    if tok == 0:
        continue
    m = {}
    for start, count in rngs:
        for nr in range(start, start + count):
            p = lib.seccomp_syscall_resolve_num_arch(tok, nr)
            if p:
                m[ctypes.string_at(p).decode()] = nr
                libc.free(p)
    out['columns'][col] = m
    out['mux'][col] = lib.seccomp_syscall_resolve_name_arch(tok, b'socket') == -101
names = set(req['candidates'])
for m in out['columns'].values():
    names.update(m)
for n in sorted(names):
    r = lib.seccomp_syscall_resolve_name_arch(x86_64, n.encode())
    if r != -1:
        out['known'].append(n)
        out['pseudo'][n] = lib.seccomp_syscall_resolve_name_arch(lib.seccomp_arch_resolve_name(b'x86'), n.encode())
json.dump(out, sys.stdout)
`;
  const python = ['/usr/bin/python3', 'python3'].find((p) => {
    try {
      execFileSync(p, ['-c', 'import ctypes'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  if (!python) throw new Error('--installed needs python3');
  const res = JSON.parse(
    execFileSync(python, ['-c', py], { input: JSON.stringify({ ranges, candidates: [...candidates] }), encoding: 'utf8', maxBuffer: 64 << 20 }),
  );
  let pkg = `libseccomp ${res.version}`;
  try {
    pkg = execFileSync('dpkg-query', ['-W', '-f', '${Package} ${Version} ${Architecture}', 'libseccomp2'], { encoding: 'utf8' }).trim();
  } catch {
    /* not a dpkg system */
  }
  const debVersion = /^libseccomp2 (\S+)/.exec(pkg)?.[1];
  const version = debVersion && debVersion !== res.version ? debVersion : res.version;
  const cols = Object.keys(res.columns);
  /** @type {Map<string, string>} pseudo numbers (-1xx / -2xx) on x86 name the multiplexed calls */
  const muxOf = new Map();
  for (const [n, v] of Object.entries(/** @type {Record<string, number>} */ (res.pseudo))) {
    if (v <= -100 && v >= -120) muxOf.set(n, `socketcall:${-v % 100}`);
    else if (v <= -200 && v >= -224) muxOf.set(n, `ipc:${-v % 200}`);
  }
  const out = [];
  out.push(`# libseccomp ${version} syscall table, extracted by tools/extract-seccomp.mjs --installed (do not edit by hand).`);
  out.push(`# source: program libseccomp.so.2 from package ${pkg} (seccomp_version() ${res.version}),`);
  out.push('#   queried with seccomp_syscall_resolve_num_arch() / seccomp_syscall_resolve_name_arch() via python3 ctypes');
  out.push('# Same format as the upstream tables: values as libseccomp reports them (x32 with 0x40000000, mips with its base);');
  out.push('#   "-" = no number on that ABI; mux = socketcall/ipc call for names multiplexed on arches marked mux=1.');
  for (const c of cols) out.push(`#@arch\t${ranges[/** @type {keyof typeof ranges} */ (c)][0]}\tcolumn=${c}\tmux=${res.mux[c] ? 1 : 0}\t(installed library)`);
  out.push(['name', 'mux', ...cols].join('\t'));
  for (const n of [...res.known].sort())
    out.push([n, muxOf.get(n) ?? '-', ...cols.map((c) => String(res.columns[c][n] ?? '-'))].join('\t'));
  return { file: `libseccomp-${version}.tsv`, text: out.join('\n') + '\n' };
}

/** Capture `systemd-analyze syscall-filter` (stdout only: stderr carries kernel-dependent notes). */
function captureAnalyze() {
  const version = execFileSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const m = /^systemd (\d+) \(([^)]+)\)/.exec(version);
  if (!m) throw new Error(`unexpected systemd-analyze --version: ${version}`);
  const out = execFileSync('systemd-analyze', ['syscall-filter', '--no-pager'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, SYSTEMD_COLORS: '0' },
  });
  const upstream = /^(\d+(?:\.\d+)?)/.exec(m[2])?.[1] ?? m[1];
  const arch = execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim();
  const header = [
    `;; output of \`systemd-analyze syscall-filter\` (stdout), program: systemd-analyze from ${version}`,
    `;; package build: ${m[2]} for ${arch}; captured by tools/extract-seccomp.mjs --analyze. Do not edit by hand.`,
    ';; everything after the next line is the program output, verbatim',
    ';; ---',
  ];
  return { file: `systemd-analyze-${upstream}.txt`, text: header.join('\n') + '\n' + out };
}

// ---------------------------------------------------------------------------------------------

function main() {
  const { lib, sd, analyze, installed } = parseArgs();
  mkdirSync(OUT, { recursive: true });
  for (const tag of LIBSECCOMP_TAGS) {
    const file = join(OUT, `libseccomp-${tag.slice(1)}.tsv`);
    writeFileSync(file, extractLibseccomp(lib, tag));
    console.log(`wrote ${file}`);
  }
  const sdOut = extractSystemd(sd);
  writeFileSync(join(OUT, 'systemd-groups.json'), sdOut.json);
  writeFileSync(join(OUT, 'systemd-known.tsv'), sdOut.tsv);
  console.log(`wrote ${join(OUT, 'systemd-groups.json')} and systemd-known.tsv (${sdOut.releases} releases)`);
  if (installed) {
    const t = extractInstalled(lib);
    writeFileSync(join(OUT, t.file), t.text);
    console.log(`wrote ${join(OUT, t.file)}`);
  }
  if (analyze) {
    const cap = captureAnalyze();
    writeFileSync(join(OUT, cap.file), cap.text);
    console.log(`wrote ${join(OUT, cap.file)}`);
  }
}

main();
