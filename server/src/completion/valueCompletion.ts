/**
 * Value completion for the hardening directives: syscalls and @groups (with their groups and
 * descriptions), `~`, `:errno`, ABIs, errno names, address families, namespace types, booleans;
 * aware of the target version.
 */

import { type CompletionItem, CompletionItemKind, MarkupKind, type Position, type Range } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { UnitDocument } from '../model/unit';
import type { Assignment } from '../parser/nodes';
import { lookupDirective } from '../model/directives';
import { HARDENING_DIRECTIVES } from '../model/hardening';
import { nodeAt } from '../parser/query';
import { ABI_NAMES, localArchs } from '../seccomp/abi';
import { afNames } from '../seccomp/addressFamilies';
import { errnoFromName, errnoNames } from '../seccomp/errno';
import { expandGroup, groupInfo, groupNames } from '../seccomp/groups';
import { EXEC_SECTIONS, namespaceTable } from '../seccomp/directiveValues';
import { allSyscallNames } from '../seccomp/syscalls';
import { atLeast, type Target } from '../seccomp/target';


/** The hardening directives whose value is a plain boolean (per the directive catalogue). */
const BOOLEAN_DIRECTIVES: ReadonlySet<string> = new Set([...HARDENING_DIRECTIVES].filter((n) => lookupDirective('Service', n)?.kind === 'boolean'));

/** Directives this module completes (others fall back to the generic completion). */
export const COMPLETED_DIRECTIVES: ReadonlySet<string> = new Set([
  ...BOOLEAN_DIRECTIVES,
  'ProtectHostname',
  'SystemCallFilter',
  'SystemCallLog',
  'SystemCallArchitectures',
  'SystemCallErrorNumber',
  'RestrictAddressFamilies',
  'RestrictNamespaces',
]);

/** syscall → groups containing it, per (systemd release, host). */
const groupIndexCache = new Map<string, ReadonlyMap<string, readonly string[]>>();

function groupIndex(t: Target): ReadonlyMap<string, readonly string[]> {
  const key = `${t.systemd}|${t.host}`;
  let m = groupIndexCache.get(key);
  if (m) return m;
  const idx = new Map<string, string[]>();
  for (const g of groupNames(t.systemd, t.host)) {
    for (const s of expandGroup(g, t.systemd, t.host)) {
      let l = idx.get(s);
      if (!l) idx.set(s, (l = []));
      l.push(g);
    }
  }
  m = idx;
  groupIndexCache.set(key, m);
  return m;
}

interface Item {
  readonly label: string;
  readonly kind: CompletionItemKind;
  readonly detail?: string;
  readonly doc?: string;
  /** `0`/`1` (first or not), `0`/`1` (a @group or not), then the label. */
  readonly sortText: string;
}

/** An item; `first` sorts it before the rest (e.g. `native`, the local ABIs, yes/no). */
const item = (label: string, kind: CompletionItemKind, rest: { detail?: string; doc?: string; first?: boolean } = {}): Item => ({
  label,
  kind,
  ...(rest.detail !== undefined ? { detail: rest.detail } : {}),
  ...(rest.doc !== undefined ? { doc: rest.doc } : {}),
  sortText: `${rest.first ? '0' : '1'}${label.startsWith('@') ? '0' : '1'}${label}`,
});

function toItems(items: readonly Item[], range: Range): CompletionItem[] {
  // No filterText: it would equal the label, which is what clients filter on without one.
  return items.map((i) => ({
    label: i.label,
    kind: i.kind,
    ...(i.detail !== undefined ? { detail: i.detail } : {}),
    ...(i.doc !== undefined ? { documentation: { kind: MarkupKind.Markdown, value: i.doc } } : {}),
    textEdit: { range, newText: i.label },
    sortText: i.sortText,
  }));
}

const word = (label: string, detail?: string, first = false): Item => item(label, CompletionItemKind.EnumMember, { ...(detail !== undefined ? { detail } : {}), first });

function errnoItems(withKill: boolean): Item[] {
  const items = errnoNames().map((n) => word(n, `errno ${errnoFromName(n)}`, n === 'EPERM' || n === 'EACCES' || n === 'ENOSYS'));
  if (withKill) items.unshift(word('kill', 'kill the process (SIGSYS)', true));
  return items;
}

/**
 * Every group and syscall of the target, in the order offered. Cached per target: the list reads
 * only the systemd release (groups and their members), the host, the major version (shown in the
 * docs) and the libseccomp version (syscall names), which make the key; items are immutable.
 */
const syscallItemCache = new Map<string, readonly Item[]>();

function allSyscallItems(t: Target): readonly Item[] {
  const key = `${t.systemd}|${t.host}|${t.major}|${t.libseccomp}`;
  let items = syscallItemCache.get(key);
  if (items) return items;
  const idx = groupIndex(t);
  const out: Item[] = [];
  for (const g of groupNames(t.systemd, t.host)) {
    const info = groupInfo(g, t.systemd, t.host)!;
    const n = expandGroup(g, t.systemd, t.host).size;
    out.push(item(g, CompletionItemKind.Module, { detail: `${info.description} (${n} syscalls)`, doc: `**${g}** · systemd ${t.major}\n\n${info.description}` }));
  }
  for (const s of allSyscallNames(t.libseccomp)) {
    const groups = idx.get(s) ?? [];
    out.push(item(s, CompletionItemKind.Function, { detail: groups.length ? groups.filter((g) => g !== '@known').join(' ') || '@known' : 'in no group' }));
  }
  items = out;
  if (syscallItemCache.size >= 8) syscallItemCache.clear();
  syscallItemCache.set(key, items);
  return items;
}

function syscallItems(t: Target, exclude: ReadonlySet<string>): Item[] {
  return allSyscallItems(t).filter((i) => !exclude.has(i.label));
}

/**
 * The assignment whose value the caret is in: the parser's node, or (after trailing blanks, which
 * the value's span leaves out) the assignment on the caret's line whose `=` lies before it.
 */
function assignmentAt(unit: UnitDocument, offset: number): Assignment | undefined {
  const node = nodeAt(unit.main, offset);
  if (node.kind === 'value') return node.assignment;
  if (node.kind !== 'none') return undefined;
  const text = unit.main.text;
  return unit.main.assignments.find((x) => x.equalsOffset < offset && !text.slice(x.equalsOffset, offset).includes('\n') && offset >= x.span.offset + x.span.length);
}

/** The names already in the value, except the word under the caret (`~` and `:errno` stripped). */
function otherWords(a: Assignment, offset: number): Set<string> {
  return new Set(a.words.filter((w) => !(w.span.offset <= offset && offset <= w.span.offset + w.span.length)).map((w) => w.value.replace(/^~/, '').split(':')[0]!));
}

/** Completion items for a directive value at the position, or undefined when not in such a value. */
export function valueCompletions(doc: TextDocument, position: Position, unit: UnitDocument, target: Target | undefined): CompletionItem[] | undefined {
  if (!target) return undefined;
  const offset = doc.offsetAt(position);
  const a = assignmentAt(unit, offset);
  if (!a || !a.section || a.section.ignored || !EXEC_SECTIONS.has(a.section.name) || !COMPLETED_DIRECTIVES.has(a.key) || !lookupDirective(a.section.name, a.key)) return undefined;
  const text = doc.getText();
  // The current word: back and forward to whitespace (or the `=`).
  let start = offset;
  while (start > a.equalsOffset + 1 && !/\s/.test(text[start - 1]!)) start--;
  let end = offset;
  while (end < text.length && !/\s/.test(text[end]!)) end++;
  const valueStart = a.value === '' ? a.equalsOffset + 1 : a.valueSpan.offset;
  const firstWord = start <= valueStart;
  let from = start;
  let to = end;
  let current = text.slice(start, end);
  const inverted = firstWord && current.startsWith('~');
  if (inverted && (a.key === 'SystemCallFilter' || a.key === 'SystemCallLog' || a.key === 'RestrictAddressFamilies' || a.key === 'RestrictNamespaces')) {
    from++;
    current = current.slice(1);
  }
  const range = (f: number, e: number): Range => ({ start: doc.positionAt(f), end: doc.positionAt(e) });
  const t = target;

  switch (a.key) {
    case 'SystemCallFilter':
    case 'SystemCallLog': {
      const colon = current.indexOf(':');
      if (colon >= 0 && from + colon < offset) {
        if (a.key === 'SystemCallLog') return [];
        return toItems(errnoItems(atLeast(t, 247)), range(from + colon + 1, to));
      }
      if (colon >= 0) to = from + colon;
      const others = otherWords(a, offset);
      const items = syscallItems(t, others);
      if (firstWord && current === '' && !inverted) items.unshift(item('~', CompletionItemKind.Operator, { detail: 'deny list: forbid the names that follow', first: true }));
      return toItems(items, range(from, to));
    }
    case 'SystemCallArchitectures': {
      const local = localArchs(t.host, t.major);
      const items: Item[] = [word('native', `the ABI systemd was built for (${t.host})`, true)];
      for (const abi of ABI_NAMES) items.push(word(abi, local.includes(abi) ? `an ABI of this ${t.host} build` : undefined, local.includes(abi)));
      return toItems(items, range(from, to));
    }
    case 'SystemCallErrorNumber':
      if (!firstWord) return [];
      return toItems(errnoItems(atLeast(t, 247)), range(from, to));
    case 'RestrictAddressFamilies': {
      const others = otherWords(a, offset);
      const items: Item[] = afNames(t.afMax).filter((n) => !others.has(n)).map((n) => word(n, undefined, n === 'AF_UNIX' || n === 'AF_INET' || n === 'AF_INET6' || n === 'AF_NETLINK'));
      if (firstWord && !inverted) items.unshift(word('none', 'no socket family at all', true));
      return toItems(items, range(from, to));
    }
    case 'RestrictNamespaces': {
      const others = otherWords(a, offset);
      const items: Item[] = namespaceTable(t).filter(([n]) => !others.has(n)).map(([n]) => word(n, 'namespace type'));
      if (firstWord && !inverted) items.unshift(word('yes', 'forbid every namespace type', true), word('no', 'no restriction', true));
      return toItems(items, range(from, to));
    }
    case 'ProtectHostname': {
      if (!firstWord) return [];
      const items = [word('yes', undefined, true), word('no', undefined, true)];
      if (atLeast(t, 258)) items.push(word('private', 'own UTS namespace, hostname may change inside it (no seccomp filter)'));
      return toItems(items, range(from, to));
    }
    default:
      if (!firstWord) return [];
      return toItems([word('yes', undefined, true), word('no', undefined, true)], range(from, to));
  }
}
