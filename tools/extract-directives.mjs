// @ts-check
/**
 * One-off extraction of the systemd directive facts that tools/gen-directives.mjs turns into the
 * catalogue: which key exists in which section at which systemd tag, its parser function, the
 * values of enum parsers, and the `--dump-configuration-items` output of an installed systemd.
 *
 * Run by a developer (not CI); it writes data/directives/{upstream-keys.tsv,enum-values.json,
 * systemd-dump.tsv}. Nothing read from the systemd repository is written out verbatim: only facts
 * (key, section, parser name, tag range, enum spellings) in our own formats, with the source named.
 *
 * Usage:
 *   node tools/extract-directives.mjs --git-dir <systemd.git> [--git-dir <another.git>] \
 *        [--systemd <path to the systemd binary>]
 * `--git-dir` may also come from $SYSTEMD_GIT_DIR (colon-separated). Each git directory is read
 * with `git --git-dir=… show TAG:path` (bare mirrors work); a tag is looked up in each directory in
 * turn. `--systemd` is the manager binary whose `--dump-configuration-items` output is captured;
 * when omitted the dump file is left alone.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'data', 'directives');

/** Major tags we track. The catalogue's `since` is the first of these that accepts a key. */
const TAGS = Array.from({ length: 261 - 245 + 1 }, (_, i) => `v${245 + i}`);

/** Build options assumed when expanding `m4_ifdef`/`{% if %}`: a fully featured build, which is
 *  what distributions ship. The `else` branches only swap in config_parse_warn_compat. */
const ENABLED_FEATURES = new Set(['HAVE_SECCOMP', 'HAVE_PAM', 'HAVE_SELINUX', 'HAVE_APPARMOR', 'ENABLE_SMACK']);

/**
 * Parsers that are not DEFINE_CONFIG_PARSE_ENUM but still look a value up in one string table and
 * accept nothing else. Checked by reading their bodies in src/core/load-fragment.c (v252, v261).
 */
const EXTRA_ENUM_PARSERS = {
  config_parse_kill_mode: { table: 'kill_mode' }, // custom parser since v246 (warns on KillMode=none)
  config_parse_managed_oom_mode: { table: 'managed_oom_mode' },
  config_parse_emergency_action: { table: 'emergency_action' }, // parse_emergency_action(); some values are system-only
};

/** DEFINE_CONFIG_PARSE_ENUM parsers whose lookup also takes other syntax, so a value list would be
 *  incomplete: ip_tos takes numbers (WITH_FALLBACK); socket_timestamping uses a "harder" lookup. */
const NOT_EXHAUSTIVE = new Set(['config_parse_ip_tos', 'config_parse_socket_timestamping']);

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ gitDirs: string[], systemd?: string }} */
  const opts = { gitDirs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--git-dir') opts.gitDirs.push(argv[++i]);
    else if (a === '--systemd') opts.systemd = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  if (opts.gitDirs.length === 0 && process.env.SYSTEMD_GIT_DIR) {
    opts.gitDirs.push(...process.env.SYSTEMD_GIT_DIR.split(':').filter(Boolean));
  }
  if (opts.gitDirs.length === 0) {
    throw new Error('usage: node tools/extract-directives.mjs --git-dir <systemd.git> [--systemd <binary>]');
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------
// git access

class Repo {
  /** @param {string[]} gitDirs */
  constructor(gitDirs) {
    this.gitDirs = gitDirs;
    /** @type {Map<string, string | null>} */
    this.cache = new Map();
  }

  /** @param {string} tag */
  dirFor(tag) {
    for (const d of this.gitDirs) {
      try {
        execFileSync('git', ['--git-dir', d, 'rev-parse', '--verify', '-q', `refs/tags/${tag}`], { stdio: 'pipe' });
        return d;
      } catch {
        /* try the next mirror */
      }
    }
    throw new Error(`tag ${tag} not found in ${this.gitDirs.join(', ')}`);
  }

  /** @param {string} tag @param {string} path @returns {string | null} */
  show(tag, path) {
    const k = `${tag}:${path}`;
    if (!this.cache.has(k)) {
      let text = null;
      try {
        text = execFileSync('git', ['--git-dir', this.dirFor(tag), 'show', k], {
          encoding: 'utf8',
          maxBuffer: 64 << 20,
          stdio: ['ignore', 'pipe', 'ignore'],
        });
      } catch {
        text = null;
      }
      this.cache.set(k, text);
    }
    return /** @type {string | null} */ (this.cache.get(k));
  }

  /**
   * `git grep -n -E pattern tag -- paths`, as [{file, line, text}].
   * @param {string} tag @param {string} pattern @param {string[]} paths
   */
  grep(tag, pattern, paths) {
    let out = '';
    try {
      out = execFileSync('git', ['--git-dir', this.dirFor(tag), 'grep', '-n', '-E', pattern, tag, '--', ...paths], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
    } catch {
      return [];
    }
    return out
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const m = /^[^:]+:([^:]+):(\d+):(.*)$/.exec(l);
        if (!m) throw new Error(`odd git grep line ${l}`);
        return { file: m[1], line: Number(m[2]), text: m[3] };
      });
  }
}

// ---------------------------------------------------------------------------------------------
// load-fragment-gperf.gperf.{m4,in}: expand the macros the way m4 / jinja2 would for our build
// options and return the table rows in file order.

/**
 * @typedef {{ section: string, key: string, parser: string, ltype: string, via: string }} GperfItem
 */

/** Which shared macro an item came from; decides the man page that documents it. */
const MACRO_GROUP = { EXEC_CONTEXT_CONFIG_ITEMS: 'exec', KILL_CONTEXT_CONFIG_ITEMS: 'kill', CGROUP_CONTEXT_CONFIG_ITEMS: 'cgroup' };

const ENTRY_RE = /^`?(\$1|\{\{type\}\}|[A-Z][A-Za-z]*)\.([A-Za-z0-9]+)\s*,\s*([A-Za-z0-9_]+)\s*,\s*([^,]+?)\s*,/;

/**
 * @param {string} text
 * @param {'m4' | 'jinja'} flavour
 * @returns {GperfItem[]}
 */
export function parseGperf(text, flavour) {
  /** @type {Map<string, string[]>} */
  const macros = new Map();
  /** @type {string[] | null} */
  let body = null;
  /** @type {string | null} */
  let macroName = null;
  /** Stack of active conditionals; each entry tells whether the current branch is taken. */
  /** @type {{ cond: boolean, inElse: boolean }[]} */
  const conds = [];
  /** @type {{ line: string, via: string }[]} */
  const top = [];
  let inCode = false;

  const taken = () => conds.every((c) => (c.inElse ? !c.cond : c.cond));
  const emit = (/** @type {string} */ line, via = '-') => {
    if (!taken()) return;
    if (body) body.push(line);
    else top.push({ line, via });
  };
  const feature = (/** @type {string} */ name) => {
    if (!ENABLED_FEATURES.has(name) && !/^(HAVE|ENABLE)_/.test(name)) throw new Error(`unknown condition ${name}`);
    return ENABLED_FEATURES.has(name);
  };

  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.startsWith('%{')) { inCode = true; continue; }
    if (line.startsWith('%}')) { inCode = false; continue; }
    if (inCode || line.startsWith('%') || line === '') continue;

    if (flavour === 'm4') {
      if (line.startsWith('m4_dnl')) continue;
      let m;
      if ((m = /^m4_define\(`([A-Z_]+)',\s*$/.exec(line))) { macroName = m[1]; body = []; continue; }
      if (line.startsWith(')m4_dnl') && body) { macros.set(/** @type {string} */ (macroName), body); body = null; continue; }
      if ((m = /^m4_ifdef\(`([A-Z_]+)',\s*$/.exec(line))) { conds.push({ cond: feature(m[1]), inElse: false }); continue; }
      if ((m = /^([A-Z_]+)\(([A-Za-z]+)\)m4_dnl$/.exec(line))) { expand(m[1], m[2]); continue; }
      // A branch's last line ends with `',` (then) or `')` / `')'` (else); items end the branch.
      const endsThen = /',$/.test(line);
      const endsElse = /'\)'?$/.test(line);
      emit(line);
      if (conds.length && endsThen && !conds[conds.length - 1].inElse) conds[conds.length - 1].inElse = true;
      else if (conds.length && endsElse && conds[conds.length - 1].inElse) conds.pop();
      continue;
    }

    // jinja2
    let m;
    if (/^\{#.*#\}$/.test(line)) continue;
    if ((m = /^\{%-?\s*macro\s+([A-Z_]+)\(type\)\s*-?%\}$/.exec(line))) { macroName = m[1]; body = []; continue; }
    if (/^\{%-?\s*endmacro\s*-?%\}$/.test(line)) { macros.set(/** @type {string} */ (macroName), /** @type {string[]} */ (body)); body = null; continue; }
    if ((m = /^\{%-?\s*if\s+([A-Z_]+)\s*-?%\}$/.exec(line))) { conds.push({ cond: feature(m[1]), inElse: false }); continue; }
    if (/^\{%-?\s*else\s*-?%\}$/.test(line)) { conds[conds.length - 1].inElse = true; continue; }
    if (/^\{%-?\s*endif\s*-?%\}$/.test(line)) { conds.pop(); continue; }
    if ((m = /^\{\{\s*([A-Z_]+)\('([A-Za-z]+)'\)\s*\}\}$/.exec(line))) { expand(m[1], m[2]); continue; }
    if (/^\{[{%#]/.test(line) && !line.startsWith('{{type}}')) throw new Error(`unhandled jinja construct: ${line}`);
    emit(line);
  }
  if (conds.length || body) throw new Error('unbalanced conditional or macro');

  /** @param {string} name @param {string} type */
  function expand(name, type) {
    const lines = macros.get(name);
    if (!lines) throw new Error(`unknown macro ${name}`);
    const via = /** @type {Record<string, string>} */ (MACRO_GROUP)[name];
    if (!via) throw new Error(`no group for macro ${name}`);
    for (const l of lines) emit(l.replaceAll('$1', type).replaceAll('{{type}}', type), via);
  }

  /** @type {GperfItem[]} */
  const items = [];
  for (const { line: l, via } of top) {
    const m = ENTRY_RE.exec(l);
    if (!m) {
      if (/^struct ConfigPerfItem;$/.test(l) || l.startsWith('#')) continue;
      throw new Error(`unparsed gperf line: ${l}`);
    }
    items.push({ section: m[1], key: m[2], parser: m[3], ltype: m[4], via });
  }
  return items;
}

/** @param {Repo} repo @param {string} tag */
function gperfAt(repo, tag) {
  const jinja = repo.show(tag, 'src/core/load-fragment-gperf.gperf.in');
  if (jinja !== null) return { file: 'src/core/load-fragment-gperf.gperf.in', items: parseGperf(jinja, 'jinja') };
  const m4 = repo.show(tag, 'src/core/load-fragment-gperf.gperf.m4');
  if (m4 !== null) return { file: 'src/core/load-fragment-gperf.gperf.m4', items: parseGperf(m4, 'm4') };
  throw new Error(`no load-fragment gperf file at ${tag}`);
}

// ---------------------------------------------------------------------------------------------
// Enum parsers: DEFINE_CONFIG_PARSE_ENUM(config_parse_X, prefix, …) in load-fragment.c resolves
// to prefix_from_string(), which looks the value up in `prefix_table[]`.

/**
 * @param {Repo} repo @param {string} tag @param {string} prefix
 * @returns {{ values: string[], withBoolean: boolean, fallback: boolean, file: string } | null}
 */
function stringTable(repo, tag, prefix) {
  const defs = repo.grep(tag, `\\b${prefix}_table\\[[^]]*\\][[:space:]]*=`, ['src']);
  if (defs.length !== 1) return null;
  const text = repo.show(tag, defs[0].file);
  if (!text) return null;
  const lines = text.split('\n');
  /** @type {string[]} */
  const values = [];
  for (let i = defs[0].line; i < lines.length && !/^\s*\};/.test(lines[i]); i++) {
    const m = /^\s*\[[A-Z0-9_]+\]\s*=\s*"([^"]*)"/.exec(lines[i]);
    if (m) values.push(m[1]);
  }
  const lookup = new RegExp(`DEFINE_(PRIVATE_)?STRING_TABLE_LOOKUP(_FROM_STRING)?(_WITH_BOOLEAN|_WITH_FALLBACK|_FROM_STRING_WITH_FALLBACK)?\\(\\s*${prefix}\\s*,`);
  const lm = lines.map((l) => lookup.exec(l)).find(Boolean);
  if (!lm || values.length === 0) return null;
  return {
    values,
    withBoolean: lm[3] === '_WITH_BOOLEAN',
    fallback: (lm[3] ?? '').includes('FALLBACK'),
    file: defs[0].file,
  };
}

/** @param {Repo} repo @param {string} tag @param {Set<string>} parsers */
function enumValuesAt(repo, tag, parsers) {
  /** @type {Map<string, { prefix: string, withBoolean?: boolean }>} */
  const defs = new Map();
  for (const g of repo.grep(tag, 'DEFINE_CONFIG_PARSE_ENUM(_WITH_DEFAULT)?\\(', ['src/core/load-fragment.c'])) {
    const m = /DEFINE_CONFIG_PARSE_ENUM(?:_WITH_DEFAULT)?\(\s*(config_parse_\w+)\s*,\s*(\w+)\s*,/.exec(g.text);
    if (m) defs.set(m[1], { prefix: m[2] });
  }
  for (const [p, t] of Object.entries(EXTRA_ENUM_PARSERS)) if (!defs.has(p)) defs.set(p, { prefix: t.table });

  /** @type {Record<string, { table: string, file: string, values: string[] }>} */
  const out = {};
  for (const parser of [...parsers].sort()) {
    const d = defs.get(parser);
    if (!d || NOT_EXHAUSTIVE.has(parser)) continue;
    let prefix = d.prefix;
    let alsoBoolean = false;
    // socket_address_bind_ipv6_only_or_bool_from_string() (socket-label.c / socket-util.c) is the
    // plain table lookup with a parse_boolean() fallback.
    if (prefix.endsWith('_or_bool')) { prefix = prefix.slice(0, -'_or_bool'.length); alsoBoolean = true; }
    const t = stringTable(repo, tag, prefix);
    if (!t || t.fallback) continue;
    const values = [...t.values];
    if (t.withBoolean || alsoBoolean) for (const b of ['yes', 'no']) if (!values.includes(b)) values.push(b);
    out[parser] = { table: `${prefix}_table`, file: t.file, values };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The installed manager's own list.

/** @param {string} binary */
function captureDump(binary) {
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  const text = execFileSync(binary, ['--dump-configuration-items'], { encoding: 'utf8', maxBuffer: 16 << 20 });
  /** @type {{ section: string, key: string, type: string }[]} */
  const rows = [];
  let section = '';
  for (const line of text.split('\n')) {
    let m;
    if (line === '') continue;
    if ((m = /^\[([A-Za-z]+)\]$/.exec(line))) { section = m[1]; continue; }
    if ((m = /^([A-Za-z0-9]+)=(.*)$/.exec(line)) && section) { rows.push({ section, key: m[1], type: m[2] }); continue; }
    throw new Error(`unexpected dump line: ${line}`);
  }
  return { version, rows };
}

// ---------------------------------------------------------------------------------------------

/** "v245..v250,v253..v261" for a sorted list of tags from TAGS. @param {string[]} present */
function tagRanges(present) {
  /** @type {string[]} */
  const out = [];
  let start = -1;
  let prev = -1;
  for (const t of present) {
    const i = TAGS.indexOf(t);
    if (start >= 0 && i === prev + 1) { prev = i; continue; }
    if (start >= 0) out.push(`${TAGS[start]}..${TAGS[prev]}`);
    start = prev = i;
  }
  if (start >= 0) out.push(`${TAGS[start]}..${TAGS[prev]}`);
  return out.join(',');
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const repo = new Repo(opts.gitDirs);
  mkdirSync(OUT_DIR, { recursive: true });

  /** @type {Map<string, { section: string, key: string, perTag: Map<string, { parser: string, ltype: string, via: string }> }>} */
  const keys = new Map();
  for (const tag of TAGS) {
    const { file, items } = gperfAt(repo, tag);
    for (const it of items) {
      const id = `${it.section}.${it.key}`;
      let k = keys.get(id);
      if (!k) keys.set(id, (k = { section: it.section, key: it.key, perTag: new Map() }));
      if (k.perTag.has(tag)) throw new Error(`${id} listed twice at ${tag}`);
      k.perTag.set(tag, { parser: it.parser, ltype: it.ltype, via: it.via });
    }
    process.stderr.write(`${tag}: ${items.length} items from ${file}\n`);
  }

  // upstream-keys.tsv: one row per run of consecutive tags with the same parser and ltype.
  const lines = [
    '# Directive table of systemd\'s unit-file parser, per release tag.',
    '# source: systemd git repository (https://github.com/systemd/systemd), tags ' + `${TAGS[0]}..${TAGS[TAGS.length - 1]}`,
    '#         file src/core/load-fragment-gperf.gperf.m4 (v245-v248) / .gperf.in (v249+),',
    '#         with EXEC/KILL/CGROUP_CONTEXT_CONFIG_ITEMS expanded and every build option enabled',
    `#         (${[...ENABLED_FEATURES].join(', ')}).`,
    '# extracted by tools/extract-directives.mjs; facts only (key, section, parser function, ltype, tag range).',
    '# columns: section, key, first tag, last tag (inclusive), parser function, ltype argument,',
    '#          shared block it comes from (exec/kill/cgroup = EXEC/KILL/CGROUP_CONTEXT_CONFIG_ITEMS, - = none)',
  ];
  const ids = [...keys.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const id of ids) {
    const k = /** @type {NonNullable<ReturnType<typeof keys.get>>} */ (keys.get(id));
    /** @type {{ first: string, last: string, parser: string, ltype: string, via: string } | null} */
    let run = null;
    const flush = () => {
      if (run) lines.push([k.section, k.key, run.first, run.last, run.parser, run.ltype, run.via].join('\t'));
      run = null;
    };
    for (const tag of TAGS) {
      const e = k.perTag.get(tag);
      if (!e) { flush(); continue; }
      if (run && run.parser === e.parser && run.ltype === e.ltype && run.via === e.via) run.last = tag;
      else { flush(); run = { first: tag, last: tag, parser: e.parser, ltype: e.ltype, via: e.via }; }
    }
    flush();
  }
  writeFileSync(join(OUT_DIR, 'upstream-keys.tsv'), lines.join('\n') + '\n');

  // enum-values.json: values per tag of every enum parser the gperf table uses.
  /** @type {Record<string, Record<string, string[]>>} */
  const enumByParser = {};
  /** @type {Record<string, { table: string, file: string }>} */
  const tableOf = {};
  for (const tag of TAGS) {
    const parsers = new Set([...keys.values()].map((k) => k.perTag.get(tag)?.parser).filter((p) => p !== undefined));
    const vals = enumValuesAt(repo, tag, /** @type {Set<string>} */ (parsers));
    for (const [p, v] of Object.entries(vals)) {
      (enumByParser[p] ??= {})[tag] = v.values;
      tableOf[p] = { table: v.table, file: v.file };
    }
  }
  /** @type {Record<string, { table: string, file: string, values: Record<string, string> }>} */
  const enums = {};
  for (const p of Object.keys(enumByParser).sort()) {
    const perTag = enumByParser[p];
    /** @type {string[]} */
    const order = [];
    for (const tag of TAGS) for (const v of perTag[tag] ?? []) if (!order.includes(v)) order.push(v);
    /** @type {Record<string, string>} */
    const values = {};
    for (const value of order) values[value] = tagRanges(TAGS.filter((t) => perTag[t]?.includes(value)));
    enums[p] = { ...tableOf[p], values };
  }
  writeFileSync(
    join(OUT_DIR, 'enum-values.json'),
    JSON.stringify(
      {
        source:
          `systemd git repository (https://github.com/systemd/systemd), tags ${TAGS[0]}..${TAGS[TAGS.length - 1]}: ` +
          'DEFINE_CONFIG_PARSE_ENUM[_WITH_DEFAULT] in src/core/load-fragment.c (plus config_parse_kill_mode, ' +
          'config_parse_managed_oom_mode, config_parse_emergency_action, read by hand) resolved to the string ' +
          'table named below; "yes"/"no" added where the lookup is DEFINE_STRING_TABLE_LOOKUP_WITH_BOOLEAN. ' +
          'Lookups with a numeric fallback are left out. Each value maps to the tag ranges (first..last, inclusive) that accept it; "table"/"file" name the table at the newest tag.',
        extractedBy: 'tools/extract-directives.mjs',
        parsers: enums,
      },
      null,
      1,
    ).replace(/\{\n\s+("[^"\n]+": "[^"\n]*",?\n\s+)*"[^"\n]+": "[^"\n]*"\n\s+\}/g, (m) => m.replace(/\n\s+/g, ' ')) + '\n',
  );

  if (opts.systemd) {
    const dump = captureDump(opts.systemd);
    const vm = /^systemd (\d+) \(([^)]+)\)/.exec(dump.version);
    if (!vm) throw new Error(`cannot read version from "${dump.version}"`);
    const upstreamVersion = vm[2].replace(/-.*$/, ''); // "252.38-1~deb12u1" → "252.38"
    // Cross-check our macro expansion: the dump is load_fragment_gperf_nulstr in file order minus
    // DISABLED_LEGACY items (unit_dump_config_items() in load-fragment.c).
    const stableTag = `v${upstreamVersion}`;
    const { items } = gperfAt(repo, stableTag);
    const expected = items
      .filter((i) => !(i.parser === 'config_parse_warn_compat' && i.ltype === 'DISABLED_LEGACY'))
      .map((i) => `${i.section}.${i.key}`);
    const got = dump.rows.map((r) => `${r.section}.${r.key}`);
    if (expected.join('\n') !== got.join('\n')) {
      const e = new Set(expected), g = new Set(got);
      throw new Error(
        `dump of ${dump.version} does not match ${stableTag}: missing ${[...e].filter((x) => !g.has(x)).join(' ')}; ` +
          `extra ${[...g].filter((x) => !e.has(x)).join(' ')}`,
      );
    }
    process.stderr.write(`dump matches ${stableTag} (${got.length} items)\n`);
    const dl = [
      `# Output of \`systemd --dump-configuration-items\` of ${dump.version}`,
      `# source: program systemd ${vm[2]} (Debian package), captured by tools/extract-directives.mjs;`,
      `#         identical in keys and order to the expanded ${stableTag} src/core/load-fragment-gperf.gperf.in.`,
      '# The manager hides config_parse_warn_compat/DISABLED_LEGACY keys from this list.',
      `# version: ${upstreamVersion}`,
      '# columns: section, key, value type as printed by systemd',
      ...dump.rows.map((r) => [r.section, r.key, r.type].join('\t')),
    ];
    writeFileSync(join(OUT_DIR, 'systemd-dump.tsv'), dl.join('\n') + '\n');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
