// @ts-check
/**
 * Generator for the directive catalogue: joins the committed facts in data/directives/
 * (upstream-keys.tsv, systemd-dump.tsv, enum-values.json from tools/extract-directives.mjs; the
 * hand-written parsers.json, legacy.json, descriptions.json) into
 * server/src/model/directives.generated.ts. Pure and deterministic: reads only those files.
 *
 *   node tools/gen-directives.mjs           write the generated file
 *   node tools/gen-directives.mjs --check   exit 1 if the committed file is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = 'data/directives';
const OUT = 'server/src/model/directives.generated.ts';
const REGEN = 'node tools/gen-directives.mjs (or `npm run gen`); CI runs it with --check';

/** Section order of `systemd --dump-configuration-items` (the gperf file order). */
const SECTION_ORDER = ['Unit', 'Service', 'Socket', 'Mount', 'Automount', 'Swap', 'Timer', 'Path', 'Slice', 'Scope', 'Install'];

/** Man page of a key by the shared block it comes from, else by its section. */
const PAGE_OF_BLOCK = { exec: 'systemd.exec', kill: 'systemd.kill', cgroup: 'systemd.resource-control' };
/** @type {Record<string, string>} */
const PAGE_OF_SECTION = {
  Unit: 'systemd.unit',
  Install: 'systemd.unit',
  Service: 'systemd.service',
  Socket: 'systemd.socket',
  Mount: 'systemd.mount',
  Automount: 'systemd.automount',
  Swap: 'systemd.swap',
  Timer: 'systemd.timer',
  Path: 'systemd.path',
  Slice: 'systemd.slice',
  Scope: 'systemd.scope',
};

/** @param {string} rel */
const read = (rel) => readFileSync(join(ROOT, rel), 'utf8');
/** @param {string} rel */
const readJson = (rel) => JSON.parse(read(rel));
/** @param {string} tag */
const tagNum = (tag) => {
  const m = /^v(\d+)$/.exec(tag);
  if (!m) throw new Error(`bad tag ${tag}`);
  return Number(m[1]);
};

/**
 * A value as TypeScript source: single-quoted strings, identifier keys unquoted, one line.
 * @param {unknown} v @returns {string}
 */
function tsLiteral(v) {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(tsLiteral).join(', ')}]`;
  if (v && typeof v === 'object') {
    const parts = Object.entries(v).map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : tsLiteral(k)}: ${tsLiteral(x)}`);
    return `{ ${parts.join(', ')} }`;
  }
  throw new Error(`cannot write ${String(v)}`);
}

/** Split a TSV file into its `#` header lines (provenance) and its rows. */
function tsvRows(/** @type {string} */ text) {
  /** @type {string[][]} */
  const rows = [];
  /** @type {string[]} */
  const header = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) header.push(line.replace(/^#\s?/, ''));
    else rows.push(line.split('\t'));
  }
  return { header, rows };
}

/**
 * @typedef {{ first: number, last: number, parser: string, ltype: string, via: string }} Run
 * @typedef {{ section: string, key: string, runs: Run[] }} KeyHistory
 */

function loadUpstream() {
  const { header, rows } = tsvRows(read(`${DATA}/upstream-keys.tsv`));
  /** @type {Map<string, KeyHistory>} */
  const keys = new Map();
  let oldest = Infinity;
  let newest = -Infinity;
  for (const r of rows) {
    if (r.length !== 7) throw new Error(`upstream-keys.tsv: bad row ${r.join(' ')}`);
    const [section, key, first, last, parser, ltype, via] = r;
    const id = `${section}.${key}`;
    let k = keys.get(id);
    if (!k) keys.set(id, (k = { section, key, runs: [] }));
    const run = { first: tagNum(first), last: tagNum(last), parser, ltype, via };
    k.runs.push(run);
    oldest = Math.min(oldest, run.first);
    newest = Math.max(newest, run.last);
  }
  const range = /tags (v\d+)\.\.(v\d+)/.exec(header.join(' '));
  if (!range || tagNum(range[1]) !== oldest || tagNum(range[2]) !== newest) {
    throw new Error('upstream-keys.tsv: header tag range does not match its rows');
  }
  for (const k of keys.values()) {
    k.runs.sort((a, b) => a.first - b.first);
    for (let i = 1; i < k.runs.length; i++) {
      // A key that vanishes and comes back would need more than since/removedIn to describe.
      if (k.runs[i].first !== k.runs[i - 1].last + 1) throw new Error(`${k.section}.${k.key} has a gap in its history`);
    }
  }
  return { keys, oldest, newest };
}

function loadDump() {
  const { header, rows } = tsvRows(read(`${DATA}/systemd-dump.tsv`));
  const version = header.map((h) => /^version: (\S+)$/.exec(h)?.[1]).find(Boolean);
  if (!version) throw new Error('systemd-dump.tsv: no "# version:" line');
  return { version, header, keys: rows.map(([section, key]) => `${section}.${key}`) };
}

/** @type {Map<string, (v: number) => boolean>} */
const tagSetCache = new Map();

/** "v245..v250,v253..v261" → predicate over version numbers. @param {string} spec */
function tagSet(spec) {
  const hit = tagSetCache.get(spec);
  if (hit) return hit;
  const ranges = spec.split(',').map((r) => {
    const m = /^(v\d+)\.\.(v\d+)$/.exec(r);
    if (!m) throw new Error(`bad tag range ${r}`);
    return [tagNum(m[1]), tagNum(m[2])];
  });
  const pred = (/** @type {number} */ v) => ranges.some(([a, b]) => v >= a && v <= b);
  tagSetCache.set(spec, pred);
  return pred;
}

/**
 * @typedef {{ handling: string, since?: number, before?: { handling: string, since?: number }[],
 *   replacedBy?: string, preferredSection?: string, note: string }} LegacyEntry
 */

/** @returns {{ path: string, content: string }[]} */
export function generate() {
  const { keys, oldest, newest } = loadUpstream();
  const dump = loadDump();
  const parsers = readJson(`${DATA}/parsers.json`);
  const enumValues = readJson(`${DATA}/enum-values.json`);
  const legacyData = readJson(`${DATA}/legacy.json`);
  const descriptions = readJson(`${DATA}/descriptions.json`);
  /** @type {Record<string, LegacyEntry>} */
  const legacyEntries = legacyData.entries;
  /** @type {Record<string, string>} */
  const descEntries = descriptions.entries;

  for (const k of dump.keys) {
    if (!keys.has(k)) throw new Error(`systemd-dump.tsv: ${k} is not in upstream-keys.tsv`);
  }

  const usedLegacy = new Set();
  const usedDesc = new Set();
  /** @type {string[]} */
  const errors = [];

  /** @type {Map<string, string[] | undefined>} */
  const valuesCache = new Map();
  /** @type {{ section: string, info: Record<string, unknown> }[]} */
  const perKey = [];
  for (const k of keys.values()) {
    const id = `${k.section}.${k.key}`;
    const first = k.runs[0].first;
    const last = k.runs[k.runs.length - 1].last;
    const real = k.runs.filter((r) => r.parser !== 'config_parse_warn_compat');
    const cur = real.length ? real[real.length - 1] : k.runs[k.runs.length - 1];
    const cls = parsers.keys[id] ?? parsers.parsers[cur.parser];
    if (!cls) {
      errors.push(`parsers.json: no classification for ${cur.parser} (${id})`);
      continue;
    }

    // Values a key accepted at each version: booleans, a DEFINE_CONFIG_PARSE_ENUM table, or a
    // list from parsers.json. `values` = the newest set; `valueSince` = when each first appeared.
    /** @param {Run} r @param {number} v @returns {string[] | undefined} */
    const valuesAt = (r, v) => {
      const ck = `${r.parser}@${v}`;
      if (!valuesCache.has(ck)) {
        const c = parsers.parsers[r.parser];
        const e = enumValues.parsers[r.parser];
        valuesCache.set(
          ck,
          c?.kind === 'boolean'
            ? ['yes', 'no']
            : e
              ? Object.entries(e.values).filter(([, spec]) => tagSet(/** @type {string} */ (spec))(v)).map(([val]) => val)
              : c?.values,
        );
      }
      return valuesCache.get(ck);
    };
    /** @type {string[] | undefined} */
    let values;
    /** @type {Record<string, number>} */
    const valueSince = {};
    if ((cls.kind === 'enum' || cls.kind === 'boolean') && !parsers.keys[id]) {
      for (const r of k.runs) {
        if (r.parser === 'config_parse_warn_compat') continue;
        for (let v = r.first; v <= r.last; v++) {
          const vs = valuesAt(r, v);
          if (!vs) continue;
          values = vs;
          for (const x of vs) if (!(x in valueSince)) valueSince[x] = v;
        }
      }
      if (values && values.length === 0) values = undefined;
    }
    const since = first > oldest ? first : undefined;
    for (const x of Object.keys(valueSince)) if (valueSince[x] <= (since ?? oldest)) delete valueSince[x];

    /** @type {LegacyEntry | undefined} */
    let legacy = legacyEntries[id] ?? legacyEntries[k.key];
    if (legacy) usedLegacy.add(legacyEntries[id] ? id : k.key);
    // The tables must agree with legacy.json about what is ignored and what is gone.
    const lastRun = k.runs[k.runs.length - 1];
    const ignoredRun = lastRun.parser === 'config_parse_warn_compat' && lastRun.ltype === 'DISABLED_LEGACY' && last === newest ? lastRun : undefined;
    if (ignoredRun) {
      const expSince = ignoredRun.first > oldest ? ignoredRun.first : undefined;
      if (!legacy || legacy.handling !== 'ignored' || legacy.since !== expSince) {
        errors.push(`legacy.json: ${id} is ignored (DISABLED_LEGACY) since ${expSince ?? 'before ' + oldest}; needs handling "ignored", since ${expSince}`);
      }
    } else if (legacy?.handling === 'ignored') {
      errors.push(`legacy.json: ${id} is marked ignored but its newest parser is ${lastRun.parser}`);
    }
    const removedIn = last < newest ? last + 1 : undefined;
    if (removedIn !== undefined && (!legacy || legacy.handling !== 'removed' || legacy.since !== removedIn)) {
      errors.push(`legacy.json: ${id} disappears in v${removedIn}; needs handling "removed", since ${removedIn}`);
    }
    if (legacy?.handling === 'removed' && removedIn === undefined) errors.push(`legacy.json: ${id} is marked removed but still exists`);

    const description = descEntries[id] ?? descEntries[k.key];
    if (description === undefined) errors.push(`descriptions.json: no description for ${id}`);
    else usedDesc.add(descEntries[id] !== undefined ? id : k.key);

    const pageSection = legacy?.preferredSection ?? k.section;
    const block = /** @type {Record<string, string>} */ (PAGE_OF_BLOCK)[cur.via];
    const manPage = legacy?.preferredSection ? PAGE_OF_SECTION[pageSection] : block ?? PAGE_OF_SECTION[k.section];

    /** @type {Record<string, unknown>} */
    const info = { name: k.key, kind: cls.kind, repeat: cls.repeat };
    if (since !== undefined) info.since = since;
    if (removedIn !== undefined) info.removedIn = removedIn;
    if (legacy?.replacedBy) info.replacedBy = legacy.replacedBy;
    if (values) info.values = values;
    if (Object.keys(valueSince).length) info.valueSince = valueSince;
    if (legacy) {
      /** @type {Record<string, unknown>} */
      const l = { handling: legacy.handling };
      if (legacy.since !== undefined) l.since = legacy.since;
      if (legacy.before) l.before = legacy.before.map((b) => (b.since !== undefined ? { handling: b.handling, since: b.since } : { handling: b.handling }));
      if (legacy.preferredSection) l.preferredSection = legacy.preferredSection;
      l.note = legacy.note;
      info.legacy = l;
    }
    info.parser = cur.parser;
    info.manPage = manPage;
    info.description = description;
    perKey.push({ section: k.section, info });
  }
  for (const l of Object.keys(legacyEntries)) if (!usedLegacy.has(l)) errors.push(`legacy.json: ${l} matches no directive`);
  for (const d of Object.keys(descEntries)) if (!usedDesc.has(d)) errors.push(`descriptions.json: ${d} matches no directive (or is shadowed by Section.Name entries)`);
  for (const [d, text] of Object.entries(descEntries)) {
    if (typeof text !== 'string' || text.trim() === '' || text.length > 120) errors.push(`descriptions.json: ${d} must be a one-liner of at most 120 characters`);
  }
  if (errors.length) throw new Error(`gen-directives: inconsistent data:\n  ${errors.join('\n  ')}`);

  // One entry per name and set of facts; the sections sharing those facts are listed together.
  /** @type {Map<string, { info: Record<string, unknown>, sections: string[] }>} */
  const groups = new Map();
  for (const { section, info } of perKey) {
    const sig = JSON.stringify(info);
    const g = groups.get(sig);
    if (g) g.sections.push(section);
    else groups.set(sig, { info, sections: [section] });
  }
  const secIdx = (/** @type {string} */ s) => {
    const i = SECTION_ORDER.indexOf(s);
    if (i < 0) throw new Error(`unknown section ${s}`);
    return i;
  };
  const entries = [...groups.values()].map((g) => ({ ...g, sections: g.sections.sort((a, b) => secIdx(a) - secIdx(b)) }));
  entries.sort((a, b) => {
    const [x, y] = [String(a.info.name), String(b.info.name)];
    return x < y ? -1 : x > y ? 1 : secIdx(a.sections[0]) - secIdx(b.sections[0]);
  });

  const body = entries.map(({ info, sections }) => `  ${tsLiteral({ name: info.name, sections, ...info })},`);

  const content = [
    '// GENERATED by tools/gen-directives.mjs — do not edit.',
    '// Sources (facts only, see each file\'s header):',
    `//   - systemd git repository, tags v${oldest}..v${newest}: src/core/load-fragment-gperf.gperf.m4 / .gperf.in`,
    '//     (data/directives/upstream-keys.tsv) and the enum string tables (data/directives/enum-values.json);',
    `//   - systemd ${dump.version} \`--dump-configuration-items\` (data/directives/systemd-dump.tsv);`,
    '//   - hand-written: data/directives/parsers.json, legacy.json, descriptions.json.',
    `// Regenerate: ${REGEN}.`,
    '',
    '/**',
    ' * The directive table systemd\'s unit-file parser knows, per section and version. Lookups live in',
    ' * directives.ts; a name whose facts differ between sections (Type=, OOMPolicy=, …) has one entry',
    ' * per set of sections sharing them.',
    ' */',
    '',
    "import type { DirectiveInfo } from './directiveTypes';",
    '',
    '/** Oldest and newest systemd versions the table covers (`since` is undefined for the oldest). */',
    `export const OLDEST_TRACKED_VERSION = ${oldest};`,
    `export const NEWEST_TRACKED_VERSION = ${newest};`,
    '/** Version of the systemd whose `--dump-configuration-items` the table was checked against. */',
    `export const DUMP_VERSION = ${tsLiteral(dump.version)};`,
    '',
    `/** ${entries.length} entries for ${keys.size} section/key pairs. */`,
    'export const DIRECTIVES: readonly DirectiveInfo[] = [',
    ...body,
    '];',
    '',
  ].join('\n');
  return [{ path: OUT, content }];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  for (const { path, content } of generate()) {
    const file = join(ROOT, path);
    let current;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (check) {
      if (current !== content) {
        console.error(`${path} is stale: run \`node tools/gen-directives.mjs\` and commit the result.`);
        process.exitCode = 1;
      }
    } else if (current !== content) {
      writeFileSync(file, content);
      console.log(`wrote ${path}`);
    }
  }
}
