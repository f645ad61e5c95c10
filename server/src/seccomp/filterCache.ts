/**
 * A bounded memo in front of the libseccomp port's buildFilter(): many units install identical
 * filters (RestrictRealtime=, LockPersonality=, the same @system-service list…), and the planner
 * builds each one again for every unit, every re-plan of an edited copy, and every document.
 *
 * Keyed by the COMPLETE FilterSpec, field by field (every ABI, action, rule, argument comparison
 * with its 64-bit datums, optimize level, exact flag, log flag, host byte order and libseccomp
 * version): buildFilter() is a pure function of the spec, so a hit returns exactly the program and
 * rule results a fresh build would. A field added to FilterSpec later does not compile until it is
 * part of the key. The results are frozen, since every unit sharing one may
 * read it (and the emulator's and cost model's WeakMap caches then share their work too).
 * Bounded: least recently used entries go first.
 */

import type { Action, ArgCmp, FilterSpec, RuleSpec } from './filterTypes';
import { buildFilter, type BuildResult } from './libseccomp';
import { LruCache } from '../lru';

const MAX_ENTRIES = 256;
/** Specs with enormous keys (thousands of rules) are built without being remembered. */
const MAX_KEY_LENGTH = 256 * 1024;

const memo = new LruCache<string, BuildResult>(MAX_ENTRIES);

// The key names every field of FilterSpec, RuleSpec and ArgCmp, and every Action kind: the
// compiler refuses this file when one is added and not keyed (the checks below), so a new field
// can never make two different specs share a program.
type KeyedSpecFields = 'abis' | 'defaultAction' | 'badArchAction' | 'optimize' | 'log' | 'rules' | 'exact' | 'libseccomp' | 'hostEndian';
type KeyedRuleFields = 'syscall' | 'action' | 'args';
type KeyedCmpFields = 'arg' | 'op' | 'datumA' | 'datumB';
type Unkeyed = Exclude<keyof FilterSpec, KeyedSpecFields> | Exclude<keyof RuleSpec, KeyedRuleFields> | Exclude<keyof ArgCmp, KeyedCmpFields>;
const allKeyed: [Unkeyed] extends [never] ? true : never = true;
void allKeyed;

function actionKey(a: Action): string {
  switch (a.kind) {
    case 'errno':
      return `e${a.errno}`;
    case 'trace':
      return `t${a.data}`;
    case 'allow':
    case 'kill-process':
    case 'kill-thread':
    case 'log':
    case 'trap':
    case 'notify':
      return a.kind;
    default: {
      const unknown: never = a;
      throw new TypeError(`no key for action ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The key: every field, written compactly (strings JSON-quoted, so no name can forge a separator;
 * operators are fixed words; datums are decimal bigints). A template per
 * shape rather than JSON.stringify with a bigint replacer, which called back for every value and
 * showed in profiles of `check` (hundreds of rules per allow-list, per ABI, per unit).
 */
function specKey(s: FilterSpec): string {
  let key = `${JSON.stringify(s.abis)}|${actionKey(s.defaultAction)}|${actionKey(s.badArchAction)}|${s.optimize}|${s.log}|${s.exact}|${JSON.stringify(s.libseccomp)}|${s.hostEndian}|`;
  for (const r of s.rules) {
    key += `${JSON.stringify(r.syscall)} ${actionKey(r.action)}`;
    for (const c of r.args) key += ` ${c.arg}${c.op}${c.datumA},${c.datumB}`;
    key += ';';
  }
  return key;
}

function freeze(r: BuildResult): BuildResult {
  for (const i of r.program.instructions) Object.freeze(i);
  Object.freeze(r.program.instructions);
  Object.freeze(r.program);
  for (const x of r.ruleResults) Object.freeze(x);
  Object.freeze(r.ruleResults);
  return Object.freeze(r);
}

/** buildFilter(spec), memoised; throws exactly when buildFilter does (errors are not cached). */
export function buildFilterCached(spec: FilterSpec): BuildResult {
  const key = specKey(spec);
  const hit = memo.get(key);
  if (hit) return hit;
  const built = freeze(buildFilter(spec));
  if (key.length <= MAX_KEY_LENGTH) memo.set(key, built);
  return built;
}

/** Forgets every remembered filter (tests; memory pressure). */
export function clearFilterCache(): void {
  memo.clear();
}
