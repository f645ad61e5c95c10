/**
 * Which assignments of a directive systemd ends up using, once the main file and its drop-ins are
 * merged: for single-value directives the last one wins; for list directives an empty assignment
 * resets everything before it and later ones append (systemd.unit(5), "the empty string resets the
 * list"; each config_parse_* callback in src/core/load-fragment.c decides which applies).
 * The seccomp directives have their own, exact model in seccomp/directiveValues.ts.
 */

import type { Assignment } from '../parser/nodes';
import { lookupDirective } from './directives';
import { liveAssignments, type UnitDocument } from './unit';

export interface EffectiveAssignments {
  /** The assignments that count, in load order. */
  readonly used: readonly Assignment[];
  /** Assignments that were overridden or reset away, in load order. */
  readonly discarded: readonly Assignment[];
}

/** The assignments of `section`/`key` that systemd applies, and those it discards. */
export function effectiveAssignments(unit: UnitDocument, section: string, key: string): EffectiveAssignments {
  const all = liveAssignments(unit).filter((a) => a.section?.name === section && a.key === key);
  const info = lookupDirective(section, key);
  if (all.length === 0) return { used: [], discarded: [] };
  if (!info || info.repeat === 'override') {
    const last = all[all.length - 1]!;
    return { used: last.value === '' && info?.repeat === 'override' ? [] : [last], discarded: all.slice(0, -1) };
  }
  let reset = -1;
  all.forEach((a, i) => {
    if (a.value === '') reset = i;
  });
  return { used: all.slice(reset + 1), discarded: all.slice(0, reset + 1) };
}
