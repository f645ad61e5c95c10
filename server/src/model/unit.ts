/**
 * A unit as systemd loads it: the main file plus its drop-ins, merged in systemd's order, with
 * every assignment still pointing at the file and line it came from. Mirrors
 * unit_file_find_dropin_paths()/unit_file_find_dirs() in src/shared/dropin.c and
 * conf_files_list_strv() in src/basic/conf-files.c (v252). No IO: callers pass a reader.
 */

import type { Assignment, SyntaxProblem, UnitFileSyntax } from '../parser/nodes';
import { LONG_LINE_MAX, lineTooLong, parseUnitFile } from '../parser/parser';
import { sectionsForUnitType, unitTypeFromFileName, UNIT_TYPES } from './directives';

/** Read-only access to files beside the unit; the CLI uses the disk, the server also open buffers. */
export interface FileReader {
  /** Names of the entries of a directory, or undefined if it does not exist. */
  listDir(path: string): readonly string[] | undefined;
  /** The text of a file, or undefined if it cannot be read. */
  readFile(path: string): string | undefined;
  /** True when the path is a directory. */
  isDirectory?(path: string): boolean;
}

export interface UnitDocument {
  /** Unit name from the file name, e.g. `foo@.service`. */
  readonly unitName: string;
  /** `service`, `socket`, …; undefined when the file name says nothing. */
  readonly unitType: string | undefined;
  /** True when the parsed main file is itself a drop-in (`*.d/*.conf`). */
  readonly isDropin: boolean;
  readonly main: UnitFileSyntax;
  /** Drop-ins in the order systemd applies them (after the main file). */
  readonly dropins: readonly UnitFileSyntax[];
  /** Every assignment of every file in load order (main first), including ignored ones. */
  readonly assignments: readonly Assignment[];
}

function basename(p: string): string {
  const i = p.replace(/\/+$/, '').lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

function dirname(p: string): string {
  const i = p.replace(/\/+$/, '').lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return p.slice(0, i);
}

function joinPath(a: string, b: string): string {
  return a.endsWith('/') ? a + b : `${a}/${b}`;
}

/** unit_name_template(): `foo@bar.service` → `foo@.service`. */
function templateOf(name: string): string | undefined {
  const at = name.indexOf('@');
  const dot = name.lastIndexOf('.');
  if (at < 0 || dot < at + 1 || dot === at + 1) return undefined;
  return name.slice(0, at + 1) + name.slice(dot);
}

function typeSuffix(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const t = name.slice(dot + 1);
  return UNIT_TYPES.includes(t) ? t : undefined;
}

/**
 * The drop-in directory names searched for a unit, in systemd's priority order (a file name found
 * in an earlier directory hides the same name in later ones): `name.d`, the template's, each
 * dash prefix (`foo-bar-.service.d`, `foo-.service.d`, v246+), and finally the type-level
 * `service.d`.
 */
export function dropinDirNames(unitName: string): string[] {
  const dirs: string[] = [];
  const add = (d: string): void => {
    if (!dirs.includes(d)) dirs.push(d);
  };
  const visit = (name: string): void => {
    add(`${name}.d`);
    const tmpl = templateOf(name);
    if (tmpl && tmpl !== name) visit(tmpl);
    const type = typeSuffix(name);
    if (!type) return;
    const at = name.indexOf('@');
    const dot = name.lastIndexOf('.');
    let prefix = at >= 0 ? name.slice(0, at) : name.slice(0, dot);
    const instance = at >= 0 ? name.slice(at + 1, dot) : undefined;
    let chopped = false;
    for (;;) {
      const dash = prefix.lastIndexOf('-');
      if (dash < 0 || dash === 0) return;
      if (dash + 1 < prefix.length || chopped) {
        prefix = prefix.slice(0, dash + 1);
        break;
      }
      prefix = prefix.slice(0, dash);
      chopped = true;
    }
    const built = instance !== undefined ? `${prefix}@${instance}.${type}` : `${prefix}.${type}`;
    visit(built);
  };
  visit(unitName);
  const type = typeSuffix(unitName);
  if (type) add(`${type}.d`);
  return dirs;
}

/** FOREACH_DIRENT skips hidden and backup files (hidden_or_backup_file() in src/basic/dirent-util.c). */
function isHiddenOrBackup(name: string): boolean {
  if (name.startsWith('.')) return true;
  if (name.endsWith('~')) return true;
  return /\.(rpmnew|rpmsave|rpmorig|dpkg-old|dpkg-new|dpkg-tmp|dpkg-dist|dpkg-bak|dpkg-backup|dpkg-remove|ucf-new|ucf-old|ucf-dist|swp|bak|old|new)$/.test(name);
}

/** The drop-in files systemd applies for a unit file at `unitPath`, in application order. */
export function findDropins(unitPath: string, reader: FileReader): string[] {
  const dir = dirname(unitPath);
  const name = basename(unitPath);
  const byName = new Map<string, string>();
  for (const d of dropinDirNames(name)) {
    const full = joinPath(dir, d);
    const entries = reader.listDir(full);
    if (!entries) continue;
    for (const e of entries) {
      if (!e.endsWith('.conf') || isHiddenOrBackup(e)) continue;
      if (!byName.has(e)) byName.set(e, joinPath(full, e));
    }
  }
  // conf_files_list_strv() sorts by file name with strcmp(): compare bytes, not locale.
  return [...byName.keys()].sort(compareBytes).map((k) => byName.get(k)!);
}

function compareBytes(a: string, b: string): number {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return Buffer.compare(ba, bb);
}

/** Which unit a drop-in path belongs to: `x/foo.service.d/10.conf` → `foo.service`. */
export function unitNameForDropin(path: string): string | undefined {
  const parent = basename(dirname(path));
  return parent.endsWith('.d') ? parent.slice(0, -2) : undefined;
}

export interface LoadOptions {
  /** Merge the drop-ins found beside the file (default true when a reader is given). */
  readonly withDropins?: boolean;
  /** Overrides for file contents (open editor buffers), keyed by path. */
  readonly overrides?: ReadonlyMap<string, string>;
  /** Lines of the main file whose bytes were not valid UTF-8 (known to the CLI only). */
  readonly invalidUtf8Lines?: ReadonlySet<number>;
  /** Analyse only this many characters of each file (cut at a line break); the rest is reported, not parsed. */
  readonly maxLength?: number;
}

/** Cuts text at the last line break before `max` characters; undefined when it fits. */
function capText(text: string, max: number | undefined): string | undefined {
  if (max === undefined || text.length <= max) return undefined;
  const cut = text.lastIndexOf('\n', max);
  return text.slice(0, cut > 0 ? cut + 1 : max);
}

/**
 * The first line from `from` (a line start) on that is LONG_LINE_MAX bytes or more, which makes
 * read_line() fail with ENOBUFS: the fatal problem the parser reports for such a line.
 */
function longLineAfter(text: string, from: number): SyntaxProblem | undefined {
  let start = from;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    // Only a line long enough in characters can be too long in bytes (lineTooLong() measures them).
    if (end - start > LONG_LINE_MAX / 4) {
      let line = 1;
      for (let i = text.indexOf('\n'); i >= 0 && i < start; i = text.indexOf('\n', i + 1)) line++;
      const problem = lineTooLong(text.slice(start, end), start, line);
      if (problem) return problem;
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  return undefined;
}

/** Parses a unit (or a drop-in on its own) and, given a reader, merges its drop-ins. Never throws. */
export function loadUnit(path: string, text: string, reader?: FileReader, options: LoadOptions = {}): UnitDocument {
  const fileName = basename(path);
  const isDropin = fileName.endsWith('.conf') && unitNameForDropin(path) !== undefined;
  const unitName = isDropin ? unitNameForDropin(path)! : fileName;
  const unitType = unitTypeFromFileName(isDropin ? path : fileName);
  const knownSections = unitType ? sectionsForUnitType(unitType) : undefined;
  const capped = capText(text, options.maxLength);
  let main = parseUnitFile(capped ?? text, {
    fileName: path,
    ...(knownSections ? { knownSections } : {}),
    ...(options.invalidUtf8Lines ? { invalidUtf8Lines: options.invalidUtf8Lines } : {}),
  });
  if (capped !== undefined) {
    main.problems.unshift({
      code: 'file-too-large',
      severity: 'warning',
      span: { offset: 0, length: 0 },
      message: `This file has ${text.length} characters; only the first ${capped.length} are analysed. Unit files are normally a few kilobytes: is this a unit file?`,
    });
    // A line past systemd's limit in the part not analysed still makes systemd refuse the file.
    const problem = main.fatal ? undefined : longLineAfter(text, capped.length);
    if (problem) main = { ...main, fatal: problem, problems: [...main.problems, problem] };
  }
  const dropins: UnitFileSyntax[] = [];
  if (reader && !isDropin && options.withDropins !== false) {
    let order = main.assignments.length;
    for (const p of findDropins(path, reader)) {
      let content: string | undefined;
      try {
        content = options.overrides?.get(p) ?? reader.readFile(p);
      } catch {
        content = undefined;
      }
      if (content === undefined) continue;
      const parsed = parseUnitFile(capText(content, options.maxLength) ?? content, { fileName: p, orderBase: order, ...(knownSections ? { knownSections } : {}) });
      order += parsed.assignments.length;
      dropins.push(parsed);
    }
  }
  const assignments = [...main.assignments];
  for (const d of dropins) assignments.push(...d.assignments);
  return { unitName, unitType, isDropin, main, dropins, assignments };
}

/** Assignments systemd actually hands to a directive parser: in a known section, file not refused. */
export function liveAssignments(unit: UnitDocument): Assignment[] {
  const refused = new Set<string>();
  if (unit.main.fatal) refused.add(unit.main.fileName);
  for (const d of unit.dropins) if (d.fatal) refused.add(d.fileName);
  return unit.assignments.filter((a) => a.section !== undefined && !a.section.ignored && !refused.has(a.file));
}
