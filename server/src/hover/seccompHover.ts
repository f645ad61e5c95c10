/**
 * Seccomp hovers: a seccomp directive's own filters, the whole chain on the section header, a
 * syscall name, an @group, and SystemCallArchitectures=. Numbers come from the unit's analysis;
 * the "what would SystemCallArchitectures=native change" figures come from planning an edited copy
 * of the unit (memoised per unit object).
 */

import { type Hover, MarkupKind, type Position, type Range } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeUnit, type UnitAnalysis } from '../analysis';
import { isAvailableIn, lookupDirective, manPageUrl } from '../model/directives';
import { docsFor } from '../model/directiveDocs';
import { SECCOMP_DIRECTIVES } from '../model/hardening';
import { loadUnit, type FileReader, type UnitDocument } from '../model/unit';
import type { Assignment, Section, Span } from '../parser/nodes';
import { nodeAt } from '../parser/query';
import { compactRules } from '../seccomp/ruleText';
import { localArchs, X32_SYSCALL_BIT, type AbiName } from '../seccomp/abi';
import type { SyscallCost } from '../seccomp/cost';
import type { NotConstReason } from '../seccomp/kernelCache';
import { decodeAction } from '../seccomp/emulator';
import { formatAction, type FilterPlan, type PlannedFilter } from '../seccomp/planner';
import { groupInfo, groupsContaining, expandGroup, suggestGroup } from '../seccomp/groups';
import { isKnownSyscall, ruleTargets, suggestSyscall } from '../seccomp/syscalls';
import { EXEC_SECTIONS, type EffectiveValues } from '../seccomp/directiveValues';
import { afName } from '../seccomp/addressFamilies';


const MAX_RULE_TEXT = 140;
const MAX_GROUP_MEMBERS = 60;

// ---------------------------------------------------------------------------------------------
// Edited copies of a unit (SystemCallArchitectures=native added, or the directive removed).

const variants = new WeakMap<UnitDocument, Map<string, UnitDocument>>();

/** A reader serving the unit's own drop-ins, so a re-parsed copy merges the same files. */
function dropinReader(unit: UnitDocument): FileReader | undefined {
  if (unit.dropins.length === 0) return undefined;
  const files = new Map(unit.dropins.map((d) => [d.fileName, d.text]));
  const dirOf = (p: string): string => p.slice(0, Math.max(p.lastIndexOf('/'), 0)) || '/';
  return {
    listDir(dir) {
      const names = [...files.keys()].filter((p) => dirOf(p) === dir).map((p) => p.slice(p.lastIndexOf('/') + 1));
      return names.length > 0 ? names : undefined;
    },
    readFile: (p) => files.get(p),
  };
}

/** The unit with `lines` appended to the main file in a new `[section]` (so they come last in that file). */
function unitWith(unit: UnitDocument, section: string, lines: readonly string[]): UnitDocument {
  const key = `${section}\0${lines.join('\n')}`;
  let m = variants.get(unit);
  if (!m) variants.set(unit, (m = new Map()));
  const hit = m.get(key);
  if (hit) return hit;
  const text = unit.main.text;
  const edited = `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}[${section}]\n${lines.join('\n')}\n`;
  const reader = dropinReader(unit);
  const copy = loadUnit(unit.main.fileName, edited, reader);
  m.set(key, copy);
  return copy;
}

/** The exec section of the unit's type (`Service` for .service …). */
function execSectionOf(unit: UnitDocument): string | undefined {
  const s = unit.unitType ? unit.unitType[0]!.toUpperCase() + unit.unitType.slice(1) : undefined;
  return s && EXEC_SECTIONS.has(s) ? s : undefined;
}

export interface NativeDelta {
  /** SystemCallArchitectures= is already exactly native (or the host ABI). */
  readonly already: boolean;
  readonly before: { readonly filters: number; readonly instructions: number | null };
  readonly after: { readonly filters: number; readonly instructions: number | null };
  /** Filters saved and instructions saved (before − after). */
  readonly filters: number;
  readonly instructions: number | null;
  /** The analysis of the edited copy. */
  readonly analysis: UnitAnalysis | undefined;
}

function totalInstructions(plan: FilterPlan): number | null {
  let n = 0;
  for (const f of plan.filters) {
    if (f.instructions === null) return null;
    n += f.instructions;
  }
  return n;
}

const nativeMemo = new WeakMap<UnitAnalysis, NativeDelta | undefined>();

/**
 * What `SystemCallArchitectures=native` (replacing any value set before) would change: the unit
 * is re-planned with `SystemCallArchitectures=` and `SystemCallArchitectures=native` appended.
 * undefined for unit types without an exec section.
 */
export function nativeDelta(analysis: UnitAnalysis): NativeDelta | undefined {
  if (nativeMemo.has(analysis)) return nativeMemo.get(analysis);
  const section = execSectionOf(analysis.unit);
  let result: NativeDelta | undefined;
  if (section) {
    const current = analysis.plan.values.systemCallArchitectures.value;
    const already = current.length > 0 && current.every((e) => e === 'native' || e === analysis.target.host);
    const before = { filters: analysis.plan.filters.length, instructions: totalInstructions(analysis.plan) };
    let after = before;
    let copy: UnitAnalysis | undefined;
    if (!already) {
      copy = analyzeUnit(unitWith(analysis.unit, section, ['SystemCallArchitectures=', 'SystemCallArchitectures=native']), analysis.target);
      after = { filters: copy.plan.filters.length, instructions: totalInstructions(copy.plan) };
    }
    result = {
      already,
      before,
      after,
      filters: before.filters - after.filters,
      instructions: before.instructions !== null && after.instructions !== null ? before.instructions - after.instructions : null,
      analysis: copy,
    };
  }
  nativeMemo.set(analysis, result);
  return result;
}

/** The plan without any SystemCallArchitectures= (an empty assignment appended), memoised. */
function withoutArchitectures(analysis: UnitAnalysis): UnitAnalysis | undefined {
  const section = execSectionOf(analysis.unit);
  if (!section) return undefined;
  return analyzeUnit(unitWith(analysis.unit, section, ['SystemCallArchitectures=']), analysis.target);
}

// ---------------------------------------------------------------------------------------------
// Small Markdown helpers.

function rangeOf(doc: TextDocument, span: Span): Range {
  return { start: doc.positionAt(span.offset), end: doc.positionAt(span.offset + span.length) };
}

function markdown(lines: readonly string[], range: Range): Hover {
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, range };
}

/** Escapes a table cell (pipes would split it). */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** Escapes Markdown emphasis in a name (`_llseek`). */
function esc(s: string): string {
  return s.replace(/([\\_*`])/g, '\\$1');
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function targetLine(a: UnitAnalysis): string {
  const t = a.target;
  return `systemd ${t.systemd} built for ${t.host}, kernel ${t.kernel}, libseccomp ${t.libseccomp}${t.preset ? ` (preset ${t.preset})` : ''}`;
}

function filterName(f: PlannedFilter): string {
  return `#${f.index} ${f.directive} (${f.abis.join('+')})`;
}

function reasonText(r: NotConstReason): string {
  switch (r.kind) {
    case 'loads-arg':
      return `checks argument a${r.arg}`;
    case 'loads-ip':
      return 'checks the instruction pointer';
    case 'returns':
      return `returns ${formatAction(decodeAction(r.ret))}`;
    case 'instruction':
      return 'uses an instruction the cache cannot follow';
    case 'invalid':
      return 'would be refused by the kernel';
  }
}

/**
 * What one filter blocks, compactly: for an allow list its default and how many calls it lets
 * through; otherwise the compact rule list, long name lists cut.
 */
export function blocksText(f: PlannedFilter): string {
  if (f.directive === 'SystemCallArchitectures') return `other ABIs → ${formatAction(f.spec.badArchAction)}`;
  const lines = compactRules(f);
  const def = formatAction(f.spec.defaultAction);
  const parts: string[] = [];
  if (f.spec.defaultAction.kind !== 'allow') {
    const allowed = f.spec.rules.filter((r, i) => (f.ruleErrnos[i] ?? 0) === 0 && r.action.kind === 'allow').length;
    parts.push(`everything else → ${def}; ${plural(allowed, 'syscall')} allowed`);
  }
  for (const l of lines) {
    if (l.startsWith('allow: ') && f.spec.defaultAction.kind !== 'allow') continue;
    const m = /^([^:]+): (.*)$/.exec(l);
    if (m && !l.includes('→')) {
      const names = m[2]!.split(', ');
      const shown = names.length > 8 ? `${names.slice(0, 8).join(', ')} … (+${names.length - 8})` : m[2]!;
      parts.push(`${shown} → ${m[1]}`);
    } else parts.push(l);
  }
  return clip(parts.join('; '), MAX_RULE_TEXT);
}

/** A compact table of filters: install position, ABI, instructions, what it blocks. */
function filterTable(fs: readonly PlannedFilter[], total: number, values?: EffectiveValues): string[] {
  const out = ['| # | ABI | BPF insns | blocks |', '|--:|---|--:|---|'];
  for (const f of fs) {
    out.push(`| #${f.index} of ${total} | ${f.abis.join('+')} | **${f.instructions ?? '?'}** | \`${cell(values ? summaryText(f, values) : blocksText(f))}\` |`);
  }
  return out;
}

/** blocksText(), except that an allow-list RestrictAddressFamilies= names the families it keeps. */
function summaryText(f: PlannedFilter, v: EffectiveValues): string {
  const raf = v.restrictAddressFamilies;
  if (f.directive === 'RestrictAddressFamilies' && raf.allowList) {
    const kept = [...(raf.families ?? [])].sort((x, y) => x - y).map(afName);
    const action = f.spec.rules[0] ? formatAction(f.spec.rules[0].action) : 'blocked';
    return kept.length ? `socket() of any family but ${kept.join(', ')} → ${action}` : `socket() → ${action}`;
  }
  return blocksText(f);
}

// ---------------------------------------------------------------------------------------------
// Directive key.

/** Whether a value switches the directive on, and the assignments that decide it. */
function directiveState(key: string, v: EffectiveValues): { on: boolean; lines: readonly number[] } | undefined {
  const tracked = (t: { value: unknown; sources: readonly { line: number }[] }, on: boolean): { on: boolean; lines: number[] } => ({ on, lines: t.sources.map((s) => s.line) });
  switch (key) {
    case 'MemoryDenyWriteExecute':
      return tracked(v.memoryDenyWriteExecute, v.memoryDenyWriteExecute.value);
    case 'LockPersonality':
      return tracked(v.lockPersonality, v.lockPersonality.value);
    case 'RestrictRealtime':
      return tracked(v.restrictRealtime, v.restrictRealtime.value);
    case 'RestrictSUIDSGID':
      return tracked(v.restrictSUIDSGID, v.restrictSUIDSGIDEffective.value);
    case 'DynamicUser':
      return tracked(v.dynamicUser, v.dynamicUser.value);
    case 'ProtectKernelLogs':
      return tracked(v.protectKernelLogs, v.protectKernelLogs.value);
    case 'ProtectKernelTunables':
      return tracked(v.protectKernelTunables, v.protectKernelTunables.value);
    case 'ProtectKernelModules':
      return tracked(v.protectKernelModules, v.protectKernelModules.value);
    case 'ProtectClock':
      return tracked(v.protectClock, v.protectClock.value);
    case 'PrivateDevices':
      return tracked(v.privateDevices, v.privateDevices.value);
    case 'ProtectHostname':
      return tracked(v.protectHostname, v.protectHostname.value !== 'no');
    case 'RestrictNamespaces':
      return tracked(v.restrictNamespaces, v.restrictNamespaces.value !== undefined);
    case 'RestrictAddressFamilies':
      return { on: v.restrictAddressFamilies.allowList || (v.restrictAddressFamilies.families?.size ?? 0) > 0, lines: v.restrictAddressFamilies.sources.map((s) => s.line) };
    case 'SystemCallFilter':
      return { on: v.systemCallFilter.allowList || v.systemCallFilter.entries.size > 0, lines: v.systemCallFilter.sources.map((s) => s.line) };
    case 'SystemCallLog':
      return { on: v.systemCallLog.allowList || v.systemCallLog.entries.size > 0, lines: v.systemCallLog.sources.map((s) => s.line) };
    case 'SystemCallArchitectures':
      return tracked(v.systemCallArchitectures, v.systemCallArchitectures.value.length > 0);
    default:
      return undefined;
  }
}

/** The filters a directive is responsible for (DynamicUser=: the RestrictSUIDSGID= filters it implies). */
export function filtersOf(key: string, a: UnitAnalysis): PlannedFilter[] {
  const v = a.plan.values;
  if (key === 'DynamicUser') return v.dynamicUser.value && !v.restrictSUIDSGID.value ? a.plan.filters.filter((f) => f.directive === 'RestrictSUIDSGID') : [];
  return a.plan.filters.filter((f) => f.directive === key);
}

/** The plan's own remarks about a directive (why an ABI or the whole filter is skipped). */
function planRemarks(key: string, a: UnitAnalysis): string[] {
  const prefixes = key === 'DynamicUser' ? ['RestrictSUIDSGID'] : [key];
  return a.plan.diagnostics.filter((d) => prefixes.some((p) => d.message.startsWith(`${p}=`) || d.message.startsWith(`${p} `))).map((d) => d.message);
}

function directiveHeader(a: Assignment, version: number, systemd: string): string[] {
  const info = a.section ? lookupDirective(a.section.name, a.key) : undefined;
  if (!info) return [`**${a.key}=**`];
  const since = info.since !== undefined ? ` · since systemd ${info.since}` : '';
  const out = [`**${info.name}=** · [${info.sections.join('], [')}]${since}`, '', info.description];
  if (!isAvailableIn(info, version)) out.push('', `⚠ systemd ${systemd} does not know this directive and ignores it.`);
  return out;
}

function directiveFooter(a: Assignment): string[] {
  const info = a.section ? lookupDirective(a.section.name, a.key) : undefined;
  if (!info) return [];
  const out: string[] = [];
  const docs = docsFor(info.name);
  if (docs) out.push('', '---', '', docs);
  out.push('', `[systemd documentation](${manPageUrl(info)})`);
  return out;
}

function overriddenNote(a: Assignment, key: string, analysis: UnitAnalysis): string[] {
  const state = directiveState(key, analysis.plan.values);
  if (!state || state.lines.length === 0) return [];
  const sources = key === 'SystemCallArchitectures' ? analysis.plan.values.systemCallArchitectures.sources : undefined;
  const decisive = (sources ?? []).some((s) => s.file === a.file && s.line === a.line) || state.lines.includes(a.line);
  if (decisive) return [];
  return ['', `_This line does not decide the value: ${plural(state.lines.length, 'line')} ${state.lines.join(', ')} do._`];
}

function directiveFilters(key: string, a: Assignment, analysis: UnitAnalysis): string[] {
  const plan = analysis.plan;
  const fs = filtersOf(key, analysis);
  const out: string[] = [''];
  if (plan.refused) out.push(`⚠ **${plan.refused}**`, '');
  if (fs.length > 0) {
    const insns = fs.every((f) => f.instructions !== null) ? fs.reduce((s, f) => s + f.instructions!, 0) : null;
    out.push(`**${plural(fs.length, 'filter')}** for this unit${insns !== null ? `, **${insns}** BPF instructions` : ''} (${plural(plan.filters.length, 'filter')} in the chain):`, '');
    out.push(...filterTable(fs, plan.filters.length, plan.values));
    const notes = [...new Set(fs.filter((f) => f.note).map((f) => f.note!))];
    for (const n of notes) out.push('', `_${n}_`);
  } else {
    const state = directiveState(key, plan.values);
    if (state && !state.on) out.push(`**No filter**: \`${key}=\` is off for this unit (not set, or set to no).`);
    else out.push(`**No filter** for this unit.`);
  }
  for (const r of planRemarks(key, analysis)) out.push('', `ℹ ${r}`);
  const unsandboxed = plan.commands.filter((c) => c.note);
  if (fs.length === 0 && unsandboxed.length > 0) for (const c of unsandboxed) out.push('', `ℹ ${c.directive}= (line ${c.line}): ${c.note}`);
  out.push(...overriddenNote(a, key, analysis));
  return out;
}

/** SystemCallErrorNumber=: the action it gives SystemCallFilter='s filters. */
function errorNumberBody(analysis: UnitAnalysis): string[] {
  const fs = filtersOf('SystemCallFilter', analysis);
  const v = analysis.plan.values.systemCallFilter;
  const out = [''];
  if (fs.length === 0) {
    out.push('**No effect here**: the unit has no `SystemCallFilter=` filter.');
    return out;
  }
  const action = v.allowList ? fs[0]!.spec.defaultAction : undefined;
  out.push(
    action
      ? `Unlisted system calls get **${formatAction(action)}** from the SystemCallFilter= filters:`
      : `Listed system calls get the action below from the SystemCallFilter= filters:`,
    '',
    ...filterTable(fs, analysis.plan.filters.length),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// SystemCallArchitectures=.

function archHover(analysis: UnitAnalysis): string[] {
  const plan = analysis.plan;
  const v = plan.values.systemCallArchitectures;
  const host = analysis.target.host;
  const local = localArchs(host, analysis.target.major);
  const out: string[] = [''];
  const archFilter = plan.filters.find((f) => f.directive === 'SystemCallArchitectures');
  if (v.value.length === 0) {
    out.push(`**Not set**: every ABI (${local.join(', ')}) gets every filter.`);
  } else {
    const kept = archFilter ? archFilter.abis : local.filter((x) => v.value.includes(x) || (x === host && v.value.includes('native')));
    const blocked = local.filter((x) => !kept.includes(x));
    out.push(`Keeps **${kept.join(', ') || 'none'}**${blocked.length ? `; calls from ${blocked.join(', ')} → ${archFilter ? formatAction(archFilter.spec.badArchAction) : 'blocked'}` : ''}.`);
    if (archFilter) out.push(`Installed as filter **#${archFilter.index}** of ${plan.filters.length} (**${archFilter.instructions ?? '?'}** BPF instructions).`);
    else out.push('**No filter**: it blocks no ABI that is not blocked already.');
    const without = withoutArchitectures(analysis);
    if (without && archFilter) {
      const have = new Set(plan.filters.map((f) => `${f.directive}\0${f.abis.join('+')}`));
      const pruned = without.plan.filters.filter((f) => !have.has(`${f.directive}\0${f.abis.join('+')}`));
      const blockedAbis = new Set(blocked);
      const notPruned = plan.filters.filter((f) => f.index < archFilter.index && f.abis.some((x) => blockedAbis.has(x)));
      const group = (fs: readonly PlannedFilter[]): string => {
        const m = new Map<string, string[]>();
        for (const f of fs) {
          const l = m.get(f.directive) ?? [];
          l.push(...f.abis);
          m.set(f.directive, l);
        }
        return [...m].map(([d, abis]) => `${d} (${abis.join(', ')})`).join(', ');
      };
      const insns = (fs: readonly PlannedFilter[]): number => fs.reduce((s, f) => s + (f.instructions ?? 0), 0);
      out.push('');
      if (pruned.length > 0) out.push(`**Prunes ${plural(pruned.length, 'filter')}** (${insns(pruned)} insns) installed after it: ${group(pruned)}.`);
      else out.push('Prunes no filter (nothing installed after it would have covered the blocked ABIs).');
      if (notPruned.length > 0) out.push('', `**Does not prune ${plural(notPruned.length, 'filter')}** (${insns(notPruned)} insns) installed before it: ${group(notPruned)}.`);
    }
  }
  const delta = nativeDelta(analysis);
  if (delta && !delta.already) {
    out.push('', `\`SystemCallArchitectures=native\` ${v.value.length ? 'alone ' : ''}would give **${delta.after.filters}** filters${delta.after.instructions !== null ? `, **${delta.after.instructions}** BPF instructions` : ''} (${savedText(delta)}).`);
  }
  for (const d of plan.diagnostics.filter((x) => x.code === 'plan-arch-regression')) out.push('', `⚠ ${d.message}`);
  return out;
}

function savedText(d: NativeDelta): string {
  const sign = (n: number, word: string): string => `${plural(Math.abs(n), word)} ${n >= 0 ? 'fewer' : 'more'}`;
  return `${sign(d.filters, 'filter')}${d.instructions !== null ? `, ${sign(d.instructions, 'instruction')}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// The section header: the whole chain.

function perAbi(plan: FilterPlan): { abi: string; filters: number; instructions: number | null }[] {
  const m = new Map<string, { abi: string; filters: number; instructions: number | null }>();
  for (const abi of localArchs(plan.target.host, plan.target.major)) m.set(abi, { abi, filters: 0, instructions: 0 });
  for (const f of plan.filters) {
    for (const abi of f.abis) {
      const e = m.get(abi) ?? { abi, filters: 0, instructions: 0 };
      e.filters++;
      e.instructions = e.instructions === null || f.instructions === null ? null : e.instructions + f.instructions;
      m.set(abi, e);
    }
  }
  return [...m.values()];
}

function chainHover(analysis: UnitAnalysis, section: Section): string[] {
  const plan = analysis.plan;
  const out = [`**[${section.name}]** · seccomp chain of \`${analysis.unit.unitName}\``, '', `_${targetLine(analysis)}_`, ''];
  if (plan.refused) out.push(`⚠ **${plan.refused}**`, '');
  for (const d of plan.diagnostics.filter((x) => x.severity !== 'info')) out.push(`⚠ ${d.message}`, '');
  if (plan.filters.length === 0) {
    out.push('**No seccomp filters** for the sandboxed command.');
    for (const c of plan.commands.filter((x) => x.note)) out.push('', `ℹ ${c.directive}= (line ${c.line}): ${c.note}`);
  } else {
    const total = totalInstructions(plan);
    const nnp = plan.noNewPrivileges;
    out.push(`**${plan.filters.length}** filters, **${total ?? '?'}** BPF instructions · NoNewPrivileges=${nnp.value ? 'yes' : 'no'}${nnp.implied ? ' (implied)' : ''}`, '');
    out.push('| ABI | filters | BPF insns |', '|---|--:|--:|');
    for (const e of perAbi(plan)) out.push(`| ${e.abi}${e.abi === plan.target.host ? ' (native)' : ''} | ${e.filters} | ${e.instructions ?? '?'} |`);
    const cost = analysis.cost();
    if (cost) {
      const l = cost.limits;
      const over = l.tooLong.length > 0 || l.firstOverPath !== undefined;
      out.push('', `Kernel limits: **${l.pathTotal}** of ${l.maxInsnsPerPath} path instructions, largest filter ${Math.max(...plan.filters.map((f) => f.instructions ?? 0))} of ${l.maxInsnsPerFilter} ${over ? '⚠' : '✓'}`);
      if (l.tooLong.length > 0) out.push(`⚠ over ${l.maxInsnsPerFilter} instructions: ${l.tooLong.map((i) => `#${i}`).join(', ')}`);
      if (l.firstOverPath !== undefined) out.push(`⚠ the kernel refuses filter #${l.firstOverPath} and later (path limit)`);
      const n = cost.native;
      out.push('');
      if (n.miss.count > 0) {
        out.push(`Per ${n.abi} syscall on a cache miss: min **${n.miss.min}** (${n.miss.minSyscall ?? '?'}) · median **${n.miss.median}** · max **${n.miss.max}** (${n.miss.maxSyscall ?? '?'}) instructions`);
      } else out.push(`Every ${n.abi} syscall is refused.`);
      if (cost.actionCache) out.push(`Kernel ${cost.kernel} action cache: **${n.cachedSyscalls}** syscall numbers skip the chain, **${n.uncachedSyscalls}** run it.`);
      else out.push(`Kernel ${cost.kernel} has no action cache (5.11+): every call runs the whole chain.`);
      const hot = cost.hot.filter((h) => h.allowed);
      const slow = hot.filter((h) => !(h.cached && cost.actionCache));
      const fast = hot.filter((h) => h.cached && cost.actionCache);
      if (slow.length > 0) {
        out.push('', '| hot syscall | insns per call | why not cached |', '|---|--:|---|');
        for (const h of slow) out.push(`| ${esc(h.name)} | **${h.instructions}** | ${cost.actionCache ? cell(h.uncachedBy.join('; ')) : 'no cache'} |`);
      }
      if (fast.length > 0) out.push('', `Cached (0 insns): ${fast.map((h) => esc(h.name)).join(', ')}`);
    }
  }
  const delta = nativeDelta(analysis);
  if (delta) {
    out.push('');
    if (delta.already) out.push('`SystemCallArchitectures=native` is already set ✓');
    else if (delta.filters === 0 && delta.instructions === 0) out.push('`SystemCallArchitectures=native` would change no filter here.');
    else out.push(`\`SystemCallArchitectures=native\` would give **${delta.after.filters}** filters, **${delta.after.instructions ?? '?'}** BPF instructions (${savedText(delta)}).`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Syscall names and @groups inside SystemCallFilter=/SystemCallLog=.

function numberText(name: string, abi: AbiName, a: UnitAnalysis): string {
  const ts = ruleTargets(name, abi, a.target.libseccomp);
  if (ts.length === 0) return '—';
  return ts
    .map((t) => {
      const nr = abi === 'x32' && t.nr >= X32_SYSCALL_BIT ? `${t.nr - X32_SYSCALL_BIT} (x32 bit)` : String(t.nr);
      return t.arg0 !== undefined ? `${nr} a0=${t.arg0}` : nr;
    })
    .join(', ');
}

function verdictText(c: SyscallCost, plan: FilterPlan): string {
  const by = c.decidedBy !== undefined ? plan.filters[c.decidedBy] : undefined;
  const who = by ? ` by ${filterName(by)}` : '';
  let s: string;
  switch (c.action.kind) {
    case 'allow':
      s = 'allowed';
      break;
    case 'log':
      s = `allowed, **logged**${who}`;
      break;
    case 'errno':
      s = `**denied: ${formatAction(c.action)}**${who}`;
      break;
    default:
      s = `**${formatAction(c.action)}**${who}`;
  }
  if (c.argDependent && c.mayAllow && c.mayBlock) s += c.allowed ? ' (blocked for some arguments)' : ' (allowed for some arguments)';
  return s;
}

function costText(c: SyscallCost, plan: FilterPlan, cacheOn: boolean): string {
  if (c.cached && cacheOn) return '0 (cached)';
  const range = c.minInstructions !== c.maxInstructions ? ` (${c.minInstructions}–${c.maxInstructions})` : '';
  const first = c.uncachedBy[0];
  const why = !cacheOn ? 'no cache' : first ? `${plan.filters[first.index] ? filterName(plan.filters[first.index]!) : `#${first.index}`} ${reasonText(first.reason)}` : '';
  return `**${c.instructions}**${range}${why ? `; ${why}` : ''}`;
}

function syscallHover(name: string, key: string, analysis: UnitAnalysis): string[] {
  const t = analysis.target;
  const lib = t.libseccomp;
  const out = [`**${name}()** · system call`];
  if (!isKnownSyscall(name, lib)) {
    const s = suggestSyscall(name, lib);
    out.push('', `Unknown to libseccomp ${lib}: systemd logs and ignores it.${s ? ` Did you mean \`${s}\`?` : ''}`);
    return out;
  }
  const groups = groupsContaining(name, t.systemd, t.host);
  out.push('', groups.length ? `In ${groups.map((g) => `\`${g}\``).join(', ')} (systemd ${t.major})` : `In no group of systemd ${t.major}.`);
  const set = key === 'SystemCallLog' ? analysis.plan.values.systemCallLog : analysis.plan.values.systemCallFilter;
  const origin = set.origins.get(name);
  if (set.entries.has(name)) {
    const e = set.entries.get(name)!;
    const mode = set.allowList ? 'allow list' : 'deny list';
    out.push('', `In the effective ${key}= ${mode}${origin?.via ? ` via \`${origin.via}\`` : ''}${origin?.source ? ` (line ${origin.source.line})` : ''}${e >= 0 && e < 4096 ? `, errno ${e}` : ''}.`);
  } else if (set.active) out.push('', `Not in the effective ${key}= ${set.allowList ? 'allow' : 'deny'} list.`);
  const model = analysis.costModel();
  const abis = localArchs(t.host, t.major);
  const cacheOn = model?.cache !== undefined;
  out.push('', '| ABI | number | this chain | insns per call |', '|---|---|---|---|');
  for (const abi of abis) {
    const c = model?.syscall(name, abi);
    const verdict = c ? verdictText(c, analysis.plan) : analysis.plan.filters.length === 0 ? 'allowed (no filters)' : '—';
    const cost = c ? costText(c, analysis.plan, cacheOn && abi !== 'x32') : '—';
    out.push(`| ${abi}${abi === t.host ? ' (native)' : ''} | ${numberText(name, abi, analysis)} | ${cell(verdict)} | ${cell(cost)} |`);
  }
  return out;
}

function groupHover(name: string, analysis: UnitAnalysis): string[] {
  const t = analysis.target;
  const info = groupInfo(name, t.systemd, t.host);
  if (!info) {
    const s = suggestGroup(name, t.systemd, t.host);
    return [`**${name}**`, '', `systemd ${t.systemd} has no such group: it logs and ignores it.${s ? ` Did you mean \`${s}\`?` : ''}`];
  }
  const members = [...expandGroup(name, t.systemd, t.host)].sort();
  const nested = info.members.filter((m) => m.startsWith('@'));
  const out = [`**${name}** · ${plural(members.length, 'system call')} in systemd ${t.major}`, '', info.description];
  if (nested.length) out.push('', `Includes ${nested.map((g) => `\`${g}\``).join(', ')}`);
  const shown = members.slice(0, MAX_GROUP_MEMBERS).map(esc).join(', ');
  out.push('', `${shown}${members.length > MAX_GROUP_MEMBERS ? ` … and ${members.length - MAX_GROUP_MEMBERS} more` : ''}`);
  const unknown = members.filter((m) => !isKnownSyscall(m, t.libseccomp));
  if (unknown.length) out.push('', `_Unknown to libseccomp ${t.libseccomp} (never in a filter): ${unknown.map(esc).join(', ')}_`);
  return out;
}

/** The name under the caret in a SystemCallFilter=/SystemCallLog= word (`~`, `:errno` stripped). */
function nameAt(word: { value: string; span: Span }, offset: number, doc: TextDocument): { name: string; span: Span } | undefined {
  const raw = doc.getText().slice(word.span.offset, word.span.offset + word.span.length);
  if (raw !== word.value) {
    // Quoted or continued words: use the whole word.
    const v = word.value.replace(/^~/, '').split(':')[0]!;
    return v ? { name: v, span: word.span } : undefined;
  }
  let start = 0;
  if (raw.startsWith('~')) start = 1;
  const colon = raw.indexOf(':');
  const end = colon >= 0 ? colon : raw.length;
  const rel = offset - word.span.offset;
  if (colon >= 0 && rel > colon) return undefined;
  const name = raw.slice(start, end);
  return name ? { name, span: { offset: word.span.offset + start, length: end - start } } : undefined;
}

// ---------------------------------------------------------------------------------------------

/** A hover for the position, or undefined to let the generic directive hover answer. Never throws. */
export function seccompHover(doc: TextDocument, position: Position, analysis: UnitAnalysis | undefined): Hover | undefined {
  try {
    return hoverFor(doc, position, analysis);
  } catch {
    // An engine failure must not break the editor: the generic hover answers instead.
    return undefined;
  }
}

function hoverFor(doc: TextDocument, position: Position, analysis: UnitAnalysis | undefined): Hover | undefined {
  if (!analysis) return undefined;
  const unit = analysis.unit;
  if (unit.main.text !== doc.getText() && !doc.getText().startsWith(unit.main.text)) return undefined;
  const offset = doc.offsetAt(position);
  const node = nodeAt(unit.main, offset);
  const t = analysis.target;
  if (node.kind === 'section-header') {
    const s = node.section;
    if (s.ignored || !EXEC_SECTIONS.has(s.name) || execSectionOf(unit) !== s.name) return undefined;
    return markdown(chainHover(analysis, s), rangeOf(doc, s.headerSpan));
  }
  if (node.kind !== 'key' && node.kind !== 'value') return undefined;
  const a = node.assignment;
  if (!a.section || a.section.ignored || !EXEC_SECTIONS.has(a.section.name) || !SECCOMP_DIRECTIVES.has(a.key) || !lookupDirective(a.section.name, a.key)) return undefined;
  if (node.kind === 'key') {
    const body = a.key === 'SystemCallArchitectures' ? archHover(analysis) : a.key === 'SystemCallErrorNumber' ? errorNumberBody(analysis) : directiveFilters(a.key, a, analysis);
    return markdown([...directiveHeader(a, t.major, t.systemd), ...body, ...directiveFooter(a)], rangeOf(doc, a.keySpan));
  }
  // A value.
  if (a.key === 'SystemCallArchitectures') {
    const range = node.word ? node.word.span : a.valueSpan;
    return markdown([`**SystemCallArchitectures=** for this unit`, ...archHover(analysis)], rangeOf(doc, range));
  }
  if (a.key === 'SystemCallFilter' || a.key === 'SystemCallLog') {
    const n = node.word ? nameAt(node.word, offset, doc) : undefined;
    if (!n) return undefined;
    const body = n.name.startsWith('@') ? groupHover(n.name, analysis) : syscallHover(n.name, a.key, analysis);
    return markdown(body, rangeOf(doc, n.span));
  }
  // Any other seccomp directive's value: what the unit's value installs.
  const body = a.key === 'SystemCallErrorNumber' ? errorNumberBody(analysis) : directiveFilters(a.key, a, analysis);
  return markdown([`**${a.key}=** for this unit`, ...body], rangeOf(doc, node.word ? node.word.span : a.valueSpan));
}
