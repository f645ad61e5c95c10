/**
 * How many cases the property tests generate, in one place.
 *
 * Every property has a CI default sized for its cost. UNIT_HARDEN_PROPERTY_RUNS=N scales all of
 * them alike: a property whose CI default is 300 runs N cases, a costlier one with default 30 runs
 * N/10 (at least 1). UNIT_HARDEN_PROPERTY_SEED replaces each file's fixed seed (nightly runs use a
 * fresh one). Each property reports the cases it actually checked as a `# cases: N` diagnostic
 * line (TAP reporter), which tools/nightly.mjs adds up.
 */

import type { TestContext } from 'node:test';

/** The CI default of a "standard" property: UNIT_HARDEN_PROPERTY_RUNS is measured in these. */
export const STANDARD_RUNS = 300;

function positiveEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not ${JSON.stringify(raw)}`);
  return n;
}

/** The number of cases for a property whose CI default is `ciDefault`. */
export function propertyRuns(ciDefault: number): number {
  const n = positiveEnv('UNIT_HARDEN_PROPERTY_RUNS');
  return n === undefined ? ciDefault : Math.max(1, Math.round((ciDefault * n) / STANDARD_RUNS));
}

/** The seed: UNIT_HARDEN_PROPERTY_SEED when set, else the file's own fixed seed. */
export function propertySeed(fileDefault: number): number {
  const raw = process.env['UNIT_HARDEN_PROPERTY_SEED'];
  if (raw === undefined || raw.trim() === '') return fileDefault;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`UNIT_HARDEN_PROPERTY_SEED must be an integer, not ${JSON.stringify(raw)}`);
  return n | 0;
}

/** Counts the cases a property body really ran (not those fc.pre rejected). */
export class CaseCounter {
  count = 0;

  /** Wraps a property body: a case counts once the body returned without throwing. */
  wrap<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      const r = fn(...args);
      this.count++;
      return r;
    };
  }
}

/** Emits the `# cases: N` line tools/nightly.mjs sums. */
export function reportCases(t: TestContext, cases: number): void {
  t.diagnostic(`cases: ${cases}`);
}
