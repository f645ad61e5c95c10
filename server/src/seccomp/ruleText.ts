/**
 * Human-readable rule lists of planned filters, shared by the CLI preview, the preview request
 * and the hovers.
 */

import type { RuleSpec } from './filterTypes';
import { formatAction, formatArg, formatRule, type PlannedFilter } from './planner';

/**
 * The rule list of a filter in a compact form: argument-free rules grouped by action
 * ("errno(EPERM): init_module, finit_module, delete_module"), single `a == v` checks of one
 * syscall and action merged ("socket(a0 == AF_AX25 | AF_IPX | …) → errno(EAFNOSUPPORT)"), other
 * rules one per entry. Only rules libseccomp accepted on that ABI are listed.
 */
export function compactRules(f: PlannedFilter): string[] {
  const accepted: RuleSpec[] = f.spec.rules.filter((_, i) => (f.ruleErrnos[i] ?? 0) === 0);
  const plain = new Map<string, string[]>();
  const eqs = new Map<string, string[]>();
  const out: string[] = [];
  for (const r of accepted) {
    if (r.args.length === 0) {
      const k = formatAction(r.action);
      let l = plain.get(k);
      if (!l) plain.set(k, (l = []));
      if (!l.includes(r.syscall)) l.push(r.syscall);
    } else if (r.args.length === 1 && r.args[0]!.op === 'eq') {
      const c = r.args[0]!;
      const k = `${r.syscall}\0${c.arg}\0${formatAction(r.action)}`;
      let l = eqs.get(k);
      if (!l) {
        eqs.set(k, (l = []));
        out.push(k);
      }
      l.push(formatArg(r.syscall, c).replace(/^a\d+ == /, ''));
    } else out.push(formatRule(r));
  }
  const expanded = out.map((k) => {
    const l = eqs.get(k);
    if (!l) return k;
    const [syscall, arg, action] = k.split('\0');
    return `${syscall}(a${arg} == ${l.join(' | ')}) → ${action}`;
  });
  return [...[...plain].map(([action, names]) => `${action}: ${names.join(', ')}`), ...expanded];
}
