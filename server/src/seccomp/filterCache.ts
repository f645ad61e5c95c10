/**
 * A bounded memo in front of the libseccomp port's buildFilter(): many units install identical
 * filters (RestrictRealtime=, LockPersonality=, the same @system-service list…), and the planner
 * builds each one again for every unit, every re-plan of an edited copy, and every document.
 *
 * Keyed by the COMPLETE FilterSpec, serialised field by field with JSON (every ABI, action, rule,
 * argument comparison with its 64-bit datums, optimize level, exact flag, log flag, host byte order
 * and libseccomp version): buildFilter() is a pure function of the spec, so a hit returns exactly
 * the program and rule results a fresh build would. A field added to FilterSpec later is part of
 * the key without touching this file. The results are frozen, since every unit sharing one may
 * read it (and the emulator's and cost model's WeakMap caches then share their work too).
 * Bounded: least recently used entries go first.
 */

import type { FilterSpec } from './filterTypes';
import { buildFilter, type BuildResult } from './libseccomp';

const MAX_ENTRIES = 256;
/** Specs with enormous keys (thousands of rules) are built without being remembered. */
const MAX_KEY_LENGTH = 256 * 1024;

const memo = new Map<string, BuildResult>();

function specKey(spec: FilterSpec): string {
  return JSON.stringify(spec, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
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
  if (hit) {
    // Map order is insertion order: re-insert to mark it most recently used.
    memo.delete(key);
    memo.set(key, hit);
    return hit;
  }
  const built = freeze(buildFilter(spec));
  if (key.length <= MAX_KEY_LENGTH) {
    memo.set(key, built);
    if (memo.size > MAX_ENTRIES) memo.delete(memo.keys().next().value as string);
  }
  return built;
}

/** Forgets every remembered filter (tests; memory pressure). */
export function clearFilterCache(): void {
  memo.clear();
}
