/**
 * Lint rules about seccomp hardening, read from the unit's filter plan: unknown names in the
 * seccomp directives, SystemCallFilter= semantics people get wrong, the cost of missing
 * SystemCallArchitectures=native, kernel limits and cache misses, and reviewer rules.
 * Every figure in a message comes from planning the unit (or an edited copy) for the target.
 */

import { DiagnosticTag } from 'vscode-languageserver-types';
import { analyzeUnit, type UnitAnalysis } from '../analysis';
import { lookupDirective, suggestDirective } from '../model/directives';
import { loadUnit, liveAssignments, type FileReader } from '../model/unit';
import type { Assignment, Section, Span } from '../parser/nodes';
import { ExtractFlags, extractWords } from '../parser/extractWord';
import { ABI_NAMES, ABIS } from '../seccomp/abi';
import { afNames } from '../seccomp/addressFamilies';
import { errnoFromName, errnoNames } from '../seccomp/errno';
import { expandGroup, groupInfo, suggestGroup } from '../seccomp/groups';
import type { FilterPlan, PlanDiagnostic } from '../seccomp/planner';
import { chainLimits } from '../seccomp/cost';
import type { BpfProgram } from '../seccomp/filterTypes';
import { hotSyscallDetails, type HotSyscallDetail } from '../seccomp/planCost';
import { EXEC_SECTIONS } from '../seccomp/directiveValues';
import { closestName, suggestSyscall } from '../seccomp/syscalls';
import { atLeast, MAX_SYSTEMD, type Target } from '../seccomp/target';
import type { Finding, LintContext, Rule } from './linter';

// ---------------------------------------------------------------------------------------------
// Helpers shared with the quick fixes (actions/seccompActions.ts).

/** Number of filters and BPF instructions of a plan (the sandboxed command's chain). */
export interface PlanTotals {
  readonly filters: number;
  readonly instructions: number;
}

export function planTotals(plan: FilterPlan): PlanTotals {
  return { filters: plan.filters.length, instructions: plan.filters.reduce((n, f) => n + (f.instructions ?? 0), 0) };
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
}

function baseOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/**
 * Re-parses the unit with `text` as its main file (its drop-ins unchanged) and plans it for the
 * same target: how the engine measures what an edit changes.
 */
export function replanWithText(analysis: UnitAnalysis, text: string): UnitAnalysis {
  // An edit that changes nothing (`native` rewritten to `native`) plans the same unit: on a long
  // document the second parse would double the time to its diagnostics.
  if (text === analysis.unit.main.text) return analysis;
  // Memoised per analysis and text: the lint rule and its quick fix measure the same edit.
  let perAnalysis = replanned.get(analysis);
  if (!perAnalysis) {
    perAnalysis = new Map();
    replanned.set(analysis, perAnalysis);
  }
  const hit = perAnalysis.get(text);
  if (hit) return hit;
  const result = replan(analysis, text);
  if (perAnalysis.size >= 16) perAnalysis.clear();
  perAnalysis.set(text, result);
  return result;
}

const replanned = new WeakMap<UnitAnalysis, Map<string, UnitAnalysis>>();

function replan(analysis: UnitAnalysis, text: string): UnitAnalysis {
  const unit = analysis.unit;
  const reader: FileReader = {
    listDir(dir) {
      const names = unit.dropins.filter((d) => dirOf(d.fileName) === dir).map((d) => baseOf(d.fileName));
      return names.length > 0 ? names : undefined;
    },
    readFile(p) {
      return unit.dropins.find((d) => d.fileName === p)?.text;
    },
  };
  const copy = loadUnit(unit.main.fileName, text, unit.dropins.length > 0 ? reader : undefined);
  return analyzeUnit(copy, analysis.target);
}

/** A text edit as offsets in the main file. */
export interface OffsetEdit {
  readonly offset: number;
  readonly length: number;
  readonly newText: string;
}

export function applyOffsetEdits(text: string, edits: readonly OffsetEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.newText + out.slice(e.offset + e.length);
  return out;
}

/** The main file's `key=` lines in exec sections systemd reads (not in an ignored section), in file order. */
export function execLines(analysis: UnitAnalysis, key: string): Assignment[] {
  return analysis.unit.main.assignments.filter((a) => a.key === key && a.section !== undefined && !a.section.ignored && EXEC_SECTIONS.has(a.section.name));
}

/** The lines after the last empty assignment (a reset): the ones whose values count. */
export function sinceLastReset(lines: readonly Assignment[]): Assignment[] {
  const lastReset = lines.reduce((i, a, k) => (a.value === '' ? k : i), -1);
  return lines.slice(lastReset + 1);
}

/**
 * The edit that makes the unit's architecture set exactly `native`: replace the value of an
 * explicit SystemCallArchitectures= line of the main file (and drop further ones), or add a line
 * after the last line of the section holding the seccomp directives. undefined if there is no
 * exec section to put it in.
 */
export function nativeArchitecturesEdit(analysis: UnitAnalysis): OffsetEdit[] | undefined {
  const text = analysis.unit.main.text;
  const archLines = execLines(analysis, 'SystemCallArchitectures');
  if (archLines.some((a) => a.value !== '')) {
    // Everything after the last reset counts; rewrite the first of those and delete the others.
    const effective = sinceLastReset(archLines);
    if (effective.length > 0) {
      const [first, ...rest] = effective;
      const edits: OffsetEdit[] = [{ offset: first!.valueSpan.offset, length: first!.valueSpan.length, newText: 'native' }];
      for (const a of rest) edits.push(lineDeletion(text, a.span));
      return edits;
    }
  }
  return appendLineEdit(analysis, 'SystemCallArchitectures=native');
}

/** Inserts `line` after the last line of the section holding the seccomp directives. */
export function appendLineEdit(analysis: UnitAnalysis, line: string): OffsetEdit[] | undefined {
  const text = analysis.unit.main.text;
  const section = seccompSection(analysis);
  if (!section) return undefined;
  const last = section.assignments[section.assignments.length - 1];
  return [lineInsertionAfter(text, last ? last.span.offset + last.span.length : section.headerSpan.offset + section.headerSpan.length, line)];
}

/** Inserts `line` as the line after the one ending at `at`, with the file's line break there. */
export function lineInsertionAfter(text: string, at: number, line: string): OffsetEdit {
  if (text.startsWith('\r\n', at)) return { offset: at + 2, length: 0, newText: `${line}\r\n` };
  if (text[at] === '\n') return { offset: at + 1, length: 0, newText: `${line}\n` };
  return { offset: at, length: 0, newText: `\n${line}` };
}

/** Deletes a whole logical line (with its line break). */
export function lineDeletion(text: string, span: Span): OffsetEdit {
  let end = span.offset + span.length;
  if (text.startsWith('\r\n', end)) end += 2;
  else if (text[end] === '\n') end += 1;
  return { offset: span.offset, length: end - span.offset, newText: '' };
}

/** The main-file section where the plan's directives live: the first filter source's, else the first exec section. */
function seccompSection(analysis: UnitAnalysis): Section | undefined {
  const main = analysis.unit.main;
  for (const f of analysis.plan.filters) {
    for (const s of f.sources) {
      if (s.file !== main.fileName) continue;
      const sec = main.sections.find((x) => !x.ignored && EXEC_SECTIONS.has(x.name) && s.span.offset >= x.span.offset && s.span.offset < x.span.offset + x.span.length);
      if (sec) return sec;
    }
  }
  return main.sections.find((x) => !x.ignored && EXEC_SECTIONS.has(x.name));
}

/** What adding SystemCallArchitectures=native changes, measured; undefined when it changes nothing. */
export interface NativeDelta {
  readonly edits: OffsetEdit[];
  readonly before: PlanTotals;
  readonly after: PlanTotals;
  /** Filters for other ABIs that remain with `native` (installed before the architecture filter). */
  readonly remaining: readonly string[];
}

export function measureNative(analysis: UnitAnalysis): NativeDelta | undefined {
  if (analysis.plan.filters.length === 0) return undefined;
  const edits = nativeArchitecturesEdit(analysis);
  if (!edits) return undefined;
  const after = replanWithText(analysis, applyOffsetEdits(analysis.unit.main.text, edits));
  const b = planTotals(analysis.plan);
  const a = planTotals(after.plan);
  if (a.filters >= b.filters && a.instructions >= b.instructions) return undefined;
  const host = analysis.target.host;
  // Per directive, the other ABIs it still has a filter for: `RestrictRealtime (x86, x32)`.
  const byDirective = new Map<string, string[]>();
  for (const f of after.plan.filters) {
    if (f.directive === 'SystemCallArchitectures') continue;
    const others = f.abis.filter((x) => x !== host);
    if (others.length === 0) continue;
    const list = byDirective.get(f.directive) ?? [];
    list.push(...others);
    byDirective.set(f.directive, list);
  }
  const remaining = [...byDirective].map(([d, abis]) => `${d} (${abis.join(', ')})`);
  return { edits, before: b, after: a, remaining };
}

/** "−3 filters, −677 BPF insns": a signed, measured change. */
export function formatDelta(before: PlanTotals, after: PlanTotals): string {
  const sign = (n: number): string => (n < 0 ? `\u2212${-n}` : n > 0 ? `+${n}` : '\u00b10');
  return `${sign(after.filters - before.filters)} filters, ${sign(after.instructions - before.instructions)} BPF insns`;
}

// ---------------------------------------------------------------------------------------------
// Shared lookups.

function mainFileOf(ctx: LintContext): string {
  return ctx.unit.main.fileName;
}

function textOf(ctx: LintContext, span: Span): string {
  return ctx.unit.main.text.slice(span.offset, span.offset + span.length);
}

/** The main-file assignment containing an offset. */
function assignmentAt(ctx: LintContext, offset: number): Assignment | undefined {
  return ctx.unit.main.assignments.find((a) => offset >= a.span.offset && offset <= a.span.offset + a.span.length);
}

function versionOf(t: Target): string {
  return `${t.major}.${t.patch}`;
}

/** The first systemd release after the target that has the group, if any. */
function groupSince(name: string, t: Target): number | undefined {
  for (let v = t.major + 1; v <= MAX_SYSTEMD; v++) {
    try {
      if (groupInfo(name, String(v), t.host)) return v;
    } catch {
      // No tables for that release: keep looking.
    }
  }
  return undefined;
}

function namespaceNames(t: Target): string[] {
  const names = ['cgroup', 'ipc', 'net', 'mnt', 'pid', 'user', 'uts'];
  if (atLeast(t, 252)) names.push('time');
  return names;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function withSuggestion(message: string, suggestion: string | undefined): string {
  return suggestion ? `${message} Did you mean ${suggestion}?` : message;
}

// ---------------------------------------------------------------------------------------------
// 1. Unknown names, mapped from the plan's diagnostics.

function unknownNameFinding(ctx: LintContext, d: PlanDiagnostic, t: Target): Finding | undefined {
  if (!d.span || d.file !== mainFileOf(ctx)) return undefined;
  const span = d.span;
  const raw = textOf(ctx, span);
  const simple = !/[\\\n"']/.test(raw);
  const a = assignmentAt(ctx, span.offset);
  const key = a?.key ?? 'the directive';
  const make = (rule: string, wordSpan: Span, message: string, suggestion: string | undefined): Finding => ({
    rule,
    span: wordSpan,
    message: withSuggestion(message, suggestion),
    ...(suggestion ? { data: { replacement: suggestion } } : {}),
  });
  switch (d.code) {
    case 'seccomp-unknown-syscall': {
      const colon = simple ? raw.indexOf(':') : -1;
      const name = colon >= 0 ? raw.slice(0, colon) : raw;
      const s = simple ? suggestSyscall(name, t.libseccomp) : undefined;
      return make(
        'unknown-syscall',
        colon >= 0 ? { offset: span.offset, length: colon } : span,
        `libseccomp ${t.libseccomp} does not know the system call ${name}: systemd ${t.systemd} logs it and drops it from ${key}=, so it is not filtered.`,
        s,
      );
    }
    case 'seccomp-unknown-group': {
      const colon = simple ? raw.indexOf(':') : -1;
      const name = colon >= 0 ? raw.slice(0, colon) : raw;
      const since = groupSince(name, t);
      const s = simple ? suggestGroup(name, versionOf(t), t.host) : undefined;
      const why = since !== undefined ? `${name} is new in systemd ${since}, so systemd ${t.systemd} does not know it` : `systemd ${t.systemd} has no group ${name}`;
      return make('unknown-syscall-group', colon >= 0 ? { offset: span.offset, length: colon } : span, `${why}: it logs the name and drops it from ${key}=, so none of its calls are filtered.`, since !== undefined ? undefined : s);
    }
    case 'seccomp-unknown-arch': {
      const candidates = ['native', ...ABI_NAMES.filter((n) => ABIS[n].systemdSince <= t.major)];
      const since = (ABI_NAMES as readonly string[]).includes(raw) ? ABIS[raw as (typeof ABI_NAMES)[number]].systemdSince : undefined;
      const s = simple && since === undefined ? closestName(raw, candidates) : undefined;
      const why = since !== undefined ? `systemd ${t.systemd} does not accept the architecture ${raw} (new in ${since})` : `${raw} is not an architecture systemd knows`;
      return make('unknown-architecture', span, `${why}: it ignores the name, so calls through that ABI are not allowed by SystemCallArchitectures=.`, s);
    }
    case 'seccomp-bad-errno': {
      // SystemCallErrorNumber=VALUE, or a `name:errno` word of SystemCallFilter=.
      let errnoSpan = span;
      let value = raw;
      if (a && a.key !== 'SystemCallErrorNumber') {
        const colon = simple ? raw.indexOf(':') : -1;
        if (colon < 0) return undefined;
        value = raw.slice(colon + 1);
        errnoSpan = { offset: span.offset + colon + 1, length: span.length - colon - 1 };
        if (value === '' || colon === 0) return undefined;
      }
      if (!simple) return undefined;
      const numeric = /^\d+$/.test(value);
      // A valid errno here is not a naming problem (e.g. SystemCallLog= takes no errno at all).
      if (errnoFromName(value) !== undefined || (numeric && Number(value) >= 1 && Number(value) <= 4095)) return undefined;
      const pool = [...errnoNames(), ...(atLeast(t, 247) && a?.key === 'SystemCallErrorNumber' ? ['kill'] : [])];
      const s = /^\d+$/.test(value) ? undefined : closestName(value, pool);
      const what = a?.key === 'SystemCallErrorNumber' ? `SystemCallErrorNumber=${value}` : `the error number in ${raw}`;
      return make('unknown-errno', errnoSpan, `systemd ${t.systemd} cannot parse ${what} (${/^\d+$/.test(value) ? 'not an errno in 1…4095' : 'unknown errno name'}) and ignores it${a?.key === 'SystemCallErrorNumber' ? ', so filtered calls still kill the process' : ' together with the system call name'}.`, s);
    }
    case 'seccomp-unknown-af': {
      const s = simple ? closestName(raw, afNames(t.afMax)) : undefined;
      const rest = atLeast(t, 261) ? `, and systemd ${t.systemd} ignores the rest of the line` : `; systemd ${t.systemd} ignores it`;
      return make('unknown-address-family', span, `${raw} is not an address family systemd knows${rest}.`, s);
    }
    case 'seccomp-bad-namespaces': {
      if (!a) return undefined;
      const names = namespaceNames(t);
      for (const w of a.words) {
        const word = w === a.words[0] && w.value.startsWith('~') ? w.value.slice(1) : w.value;
        if (names.includes(word)) continue;
        const off = w.value.length - word.length;
        const wspan = { offset: w.span.offset + off, length: Math.max(0, w.span.length - off) };
        const s = closestName(word, names);
        const note = word === 'time' ? ' (time is accepted from systemd 252)' : '';
        return make('unknown-namespace', wspan, `systemd ${t.systemd} does not know the namespace type ${word}${note} and ignores the whole RestrictNamespaces=${a.value} line.`, s);
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

const unknownNames: Rule = (ctx) => {
  const analysis = ctx.analysis();
  if (!analysis) return [];
  const out: Finding[] = [];
  for (const d of analysis.plan.diagnostics) {
    const f = unknownNameFinding(ctx, d, analysis.target);
    if (f) out.push(f);
  }
  return out;
};

// ---------------------------------------------------------------------------------------------
// 2. SystemCallFilter= semantics.

interface FilterWord {
  readonly a: Assignment;
  readonly name: string;
  readonly errno: string | undefined;
  readonly invert: boolean;
  readonly span: Span;
}

function filterWords(a: Assignment): FilterWord[] {
  const invert = a.value.startsWith('~');
  const off = invert ? 1 : 0;
  const { words } = extractWords(a.value.slice(off), ExtractFlags.None);
  const out: FilterWord[] = [];
  // Both lists are in value order: walk them together (a value can have 100 000 words).
  let k = 0;
  for (const w of words) {
    while (k < a.words.length && a.words[k]!.valueOffset + a.words[k]!.valueLength <= w.start + off) k++;
    const docWord = a.words[k];
    if (!docWord || !(docWord.valueOffset <= w.start + off)) continue;
    // The first document word may carry the `~`.
    const skip = w.start + off - docWord.valueOffset;
    const span = { offset: docWord.span.offset + skip, length: Math.max(0, docWord.span.length - skip) };
    const colon = w.value.indexOf(':');
    out.push({ a, name: colon >= 0 ? w.value.slice(0, colon) : w.value, errno: colon >= 0 ? w.value.slice(colon + 1) : undefined, invert, span });
  }
  return out;
}

const filterSemantics: Rule = (ctx) => {
  const analysis = ctx.analysis();
  if (!analysis) return [];
  const t = analysis.target;
  const mainFile = mainFileOf(ctx);
  const out: Finding[] = [];
  const lines = liveAssignments(ctx.unit).filter((a) => a.key === 'SystemCallFilter' && EXEC_SECTIONS.has(a.section!.name));
  let since: Assignment[] = [];
  let mode: { allow: boolean; a: Assignment } | undefined;
  const groups = (words: readonly FilterWord[]): void => {
    // Duplicates and entries covered by a group of the same polarity, within one run since a reset.
    const seen = new Map<string, FilterWord>();
    const dup = new Set<FilterWord>();
    for (const w of words) {
      const k = `${w.invert}|${w.name}|${w.errno ?? ''}`;
      const prev = seen.get(k);
      if (prev && w.a.file === mainFile) {
        out.push({
          rule: 'duplicate-syscall',
          span: w.span,
          message: `${w.name} is already listed${prev.a === w.a ? ' on this line' : ` on line ${prev.a.line}`}; systemd adds it once, so this entry changes nothing.`,
          data: { remove: true },
          tags: [DiagnosticTag.Unnecessary],
        });
        dup.add(w);
        continue;
      }
      seen.set(k, w);
    }
    for (const w of words) {
      if (w.name.startsWith('@') || w.errno !== undefined || w.a.file !== mainFile || dup.has(w)) continue;
      const cover = words.find((g) => g.name.startsWith('@') && g.errno === undefined && g.invert === w.invert && expandGroup(g.name, versionOf(t), t.host).has(w.name));
      if (!cover) continue;
      out.push({
        rule: 'syscall-covered-by-group',
        span: w.span,
        message: `${w.name} is already in ${cover.name} (line ${cover.a.line}) on systemd ${t.systemd}; listing it again changes nothing.`,
        data: { remove: true, group: cover.name },
        tags: [DiagnosticTag.Unnecessary],
      });
    }
  };
  let run: FilterWord[] = [];
  for (const a of lines) {
    if (a.value === '') {
      const discarded = since.filter((x) => x.file === a.file);
      if (discarded.length > 0 && a.file === mainFile) {
        out.push({
          rule: 'filter-reset-discards',
          span: a.span,
          message: `An empty SystemCallFilter= resets the list: systemd discards line${discarded.length > 1 ? 's' : ''} ${discarded.map((x) => x.line).join(', ')} above.`,
          data: { lines: discarded.map((x) => x.line) },
          related: discarded.map((x) => ({ file: x.file, span: x.span, message: 'discarded by the reset' })),
        });
      }
      groups(run);
      run = [];
      since = [];
      mode = undefined;
      continue;
    }
    const invert = a.value.startsWith('~');
    if (!mode) mode = { allow: !invert, a };
    else if (!mode.allow && !invert && a.file === mainFile) {
      out.push({
        rule: 'filter-mode-fixed',
        span: a.valueSpan,
        message: `Line ${mode.a.line} made SystemCallFilter= a deny-list; without '~' this line does not allow-list anything: systemd removes these names from the deny-list instead.`,
        data: { modeLine: mode.a.line },
        related: [{ file: mode.a.file, span: mode.a.span, message: 'this line decided the mode' }],
      });
    }
    since.push(a);
    run.push(...filterWords(a));
  }
  groups(run);
  out.push(...removalFindings(analysis, mainFile));
  return out;
};

/** `chown, fchown, … (+12 more)`: a list for a message, cut after `max` names. */
function nameList(names: readonly string[], max = 8): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} (+${names.length - max} more)`;
}

/**
 * The `~` words of an allow-list, as systemd applied them (SyscallSetValue.removals): one that
 * removes nothing (its calls were not allowed at that point, so they are refused already), and one
 * that takes calls away from a group listed earlier (what `~@privileged` really removes from
 * `@system-service` on this version). Words without `~` after a deny-list are filter-mode-fixed's.
 */
function removalFindings(analysis: UnitAnalysis, mainFile: string): Finding[] {
  const set = analysis.plan.values.systemCallFilter;
  if (!set.active || !set.allowList) return [];
  const t = analysis.target;
  const out: Finding[] = [];
  for (const r of set.removals) {
    if (r.source.file !== mainFile) continue;
    const what = r.name.startsWith('@') ? `${r.name} (${plural(r.names, 'system call')} on systemd ${t.systemd})` : r.name;
    if (r.removed.length === 0) {
      out.push({
        rule: 'filter-removes-nothing',
        span: r.span,
        message: `~${what} removes nothing: the allow-list does not contain ${r.names === 1 ? 'it' : 'any of them'} at this point, so ${r.names === 1 ? 'it is' : 'they are'} refused already.`,
        data: { remove: true },
        tags: [DiagnosticTag.Unnecessary],
      });
      continue;
    }
    // Group the removed names by the word that had allowed them.
    const by = new Map<string, { label: string; names: string[]; file?: string; span?: Span }>();
    for (const x of r.removed) {
      const src = x.origin?.source;
      const via = x.origin?.via;
      const label = via === '@default' && !src ? '@default (implied by the allow-list)' : via ? `${via}${src ? ` (line ${src.line})` : ''}` : `line ${src?.line ?? '?'}`;
      const e = by.get(label) ?? { label, names: [], ...(src ? { file: src.file, span: src.span } : {}) };
      e.names.push(x.name);
      by.set(label, e);
    }
    const parts = [...by.values()].map((e) => `${plural(e.names.length, 'call')} from ${e.label}: ${nameList(e.names)}`);
    out.push({
      rule: 'filter-removes-group-calls',
      span: r.span,
      message: `~${r.name} takes ${plural(r.removed.length, 'allowed system call')} out of the allow-list on systemd ${t.systemd} (${parts.join('; ')}); calls to them are refused.`,
      data: { removed: r.removed.length },
      related: [...by.values()].filter((e) => e.file !== undefined).map((e) => ({ file: e.file!, span: e.span!, message: `allowed ${e.names.length === 1 ? e.names[0] : `these ${e.names.length} calls`}` })),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 3. SystemCallArchitectures=native missing.

const missingNative: Rule = (ctx) => {
  const analysis = ctx.analysis();
  if (!analysis || analysis.plan.refused) return [];
  // SystemCallLog= alone only audits (a debugging setup): native would start killing calls there.
  if (analysis.plan.filters.every((f) => f.directive === 'SystemCallLog' || f.directive === 'SystemCallArchitectures')) return [];
  // A misspelt SystemCallArchitectures= is already an error with its own fix: one problem, one diagnostic.
  const misspelt = ctx.unit.main.assignments.some((a) => a.section && EXEC_SECTIONS.has(a.section.name) && !lookupDirective(a.section.name, a.key) && suggestDirective(a.section.name, a.key) === 'SystemCallArchitectures');
  if (misspelt) return [];
  const delta = measureNative(analysis);
  if (!delta) return [];
  const section = seccompSection(analysis);
  if (!section) return [];
  const t = analysis.target;
  const removed = delta.before.filters - delta.after.filters;
  const insns = delta.before.instructions - delta.after.instructions;
  const explicit = delta.edits.some((e) => e.newText === 'native');
  const what = explicit ? 'SystemCallArchitectures= allows more than the native ABI' : 'No SystemCallArchitectures=native';
  let message = `${what}: on ${t.host} with systemd ${t.systemd}, the seccomp directives install ${plural(delta.before.filters, 'filter')} (${plural(delta.before.instructions, 'BPF instruction')}); with native it would be ${delta.after.filters} (${delta.after.instructions}): ${plural(removed, 'filter')} and ${plural(insns, 'instruction')} fewer, and calls through other ABIs would be killed.`;
  if (delta.remaining.length > 0) message += ` Still installed for other ABIs on this version (before the architecture filter): ${delta.remaining.join(', ')}.`;
  const first = explicit ? ctx.unit.main.assignments.find((a) => a.key === 'SystemCallArchitectures' && a.value !== '') : undefined;
  return [
    {
      rule: 'missing-native-architectures',
      span: first ? first.valueSpan : section.headerSpan,
      message,
      data: { filters: removed, instructions: insns, remaining: [...delta.remaining] },
    },
  ];
};

// ---------------------------------------------------------------------------------------------
// 4. Cost and behaviour of the chain.

/** Deletes every main-file line of a directive (how the engine measures what the directive costs). */
function withoutDirective(analysis: UnitAnalysis, key: string): UnitAnalysis {
  const text = analysis.unit.main.text;
  return replanWithText(analysis, applyOffsetEdits(text, execLines(analysis, key).map((a) => lineDeletion(text, a.span))));
}

/** SystemCallLog=~…: every call outside the list is logged, so the kernel's action cache cannot serve it. */
export const syscallLogInverted: Rule = (ctx) => {
  const analysis = ctx.analysis();
  if (!analysis) return [];
  const log = analysis.plan.values.systemCallLog;
  if (!log.active || log.allowList || !analysis.plan.filters.some((f) => f.directive === 'SystemCallLog')) return [];
  const first = log.sources.find((src) => src.value.startsWith('~'));
  if (!first || first.file !== mainFileOf(ctx)) return [];
  const model = analysis.costModel();
  if (!model || !model.cache) return [];
  const native = analysis.target.host;
  const before = model.allowedUncached(native).length;
  const after = withoutDirective(analysis, 'SystemCallLog').costModel()?.allowedUncached(native).length ?? 0;
  if (before <= after) return [];
  const hot = hotSyscallDetails(analysis.plan, model)
    .filter((h) => h.allowed && !h.cached && h.uncachedBy.some((u) => u.directive === 'SystemCallLog'))
    .map((h) => `${h.name} ${h.instructions}`);
  if (hot.length > 6) hot.splice(6, hot.length - 6, '…');
  const t = analysis.target;
  return [
    {
      rule: 'syscall-log-inverted',
      span: first.valueSpan,
      message:
        `SystemCallLog=~… logs every system call except the listed ones, so the kernel's action cache (Linux ${t.kernel}) cannot serve them: ` +
        `${before} allowed system calls run the whole filter chain on every call, against ${after} without SystemCallLog=` +
        `${hot.length > 0 ? ` (hot calls, BPF instructions per call: ${hot.join(', ')})` : ''}. Log a short list instead of inverting it.`,
      data: { uncached: before, uncachedWithout: after },
    },
  ];
};

/** A filter longer than BPF_MAXINSNS, or a chain past MAX_INSNS_PER_PATH: the kernel refuses it. */
export const filterOverLimit: Rule = (ctx) => {
  const analysis = ctx.analysis();
  if (!analysis) return [];
  // The limits need only the programs' lengths (what planCost() reports as `limits`), not the cost model.
  const chain = analysis.plan.filters.map((f) => f.program);
  if (chain.length === 0 || chain.some((p) => p === undefined)) return [];
  const limits = chainLimits(chain as BpfProgram[]);
  const out: Finding[] = [];
  const mainFile = mainFileOf(ctx);
  const spanOf = (index: number): Span | undefined => {
    const src = analysis.plan.filters[index]?.sources.find((x) => x.file === mainFile);
    return src?.span ?? seccompSection(analysis)?.headerSpan;
  };
  for (const i of limits.tooLong) {
    const f = analysis.plan.filters[i];
    const span = spanOf(i);
    if (!f || !span) continue;
    out.push({
      rule: 'filter-over-limit',
      span,
      message: `The ${f.directive} filter for ${f.abis.join('+')} has ${f.instructions ?? '?'} BPF instructions, over the kernel's limit of ${limits.maxInsns}: loading it fails and the command does not start.`,
      data: { index: i },
    });
  }
  if (limits.firstOverPath !== undefined) {
    const f = analysis.plan.filters[limits.firstOverPath];
    const span = spanOf(limits.firstOverPath);
    if (f && span) {
      out.push({
        rule: 'filter-over-limit',
        span,
        message: `The filter chain adds up to ${limits.pathTotal} instructions as the kernel counts them, over its limit of ${limits.maxInsnsPerPath} per path: loading the ${f.directive} filter for ${f.abis.join('+')} fails and the command does not start.`,
        data: { index: limits.firstOverPath },
      });
    }
  }
  return out;
};

/**
 * Hot system calls (openat, mmap, mprotect, socket, clone …) that the unit allows but whose
 * filters check arguments: the kernel's action cache cannot serve them, so each call runs the whole
 * chain. One finding per directive responsible, with the engine's instruction counts. Inverted
 * SystemCallLog= is syscall-log-inverted's.
 */
export const hotSyscallsUncached: Rule = (ctx) => {
  const analysis = ctx.analysis();
  if (!analysis) return [];
  // Only the hot calls of the native ABI: the full summary's tables of every call of every ABI are not needed here.
  const model = analysis.costModel();
  if (!model || !model.cache) return [];
  const mainFile = mainFileOf(ctx);
  const t = analysis.target;
  const byDirective = new Map<string, { calls: HotSyscallDetail[]; why: Set<string> }>();
  for (const h of hotSyscallDetails(analysis.plan, model)) {
    if (!h.allowed || h.cached) continue;
    for (const u of h.uncachedBy) {
      if (u.directive === 'SystemCallLog') continue;
      const e = byDirective.get(u.directive) ?? { calls: [], why: new Set<string>() };
      if (!e.calls.includes(h)) e.calls.push(h);
      e.why.add(u.reason);
      byDirective.set(u.directive, e);
    }
  }
  const out: Finding[] = [];
  for (const [directive, e] of byDirective) {
    const src = analysis.plan.filters.filter((f) => f.directive === directive).flatMap((f) => f.sources).find((x) => x.file === mainFile);
    if (!src) continue;
    const a = ctx.unit.main.assignments.find((x) => x.span.offset === src.span.offset);
    out.push({
      rule: 'hot-syscalls-uncached',
      span: a ? a.keySpan : src.span,
      message:
        `${directive}= filters hot system calls by their arguments (${[...e.why].join(', ')}), so the kernel's action cache (Linux ${t.kernel}) cannot serve ` +
        `${e.calls.map((c) => c.name).join(', ')}: each call runs the whole chain on ${t.host}, ${e.calls.map((c) => `${c.name} ${c.instructions}`).join(', ')} BPF instructions, where a cached call runs none.`,
      data: { calls: e.calls.map((c) => c.name) },
    });
  }
  return out;
};

export const seccompRules: readonly Rule[] = [unknownNames, filterSemantics, missingNative, syscallLogInverted, filterOverLimit, hotSyscallsUncached];
