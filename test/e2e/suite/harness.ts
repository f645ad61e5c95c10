/**
 * A tiny test runner for code that runs inside the VS Code extension host: checks register with
 * `check()`, run one after another with a timeout each, print one line per result and optionally
 * write them as JSON (UNIT_HARDEN_E2E_RESULTS). `waitFor` polls instead of sleeping.
 */

import * as fs from 'node:fs';
import * as util from 'node:util';

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
}

interface Check {
  readonly name: string;
  readonly fn: () => Promise<void>;
  readonly timeoutMs: number;
}

const checks: Check[] = [];

/** Registers a check; they run in registration order. */
export function check(name: string, fn: () => Promise<void>, timeoutMs = 30_000): void {
  checks.push({ name, fn, timeoutMs });
}

/** Fails with `message` (and the value, pretty-printed) unless `cond` holds. */
export function expect(cond: unknown, message: string, value?: unknown): asserts cond {
  if (!cond) throw new Error(value === undefined ? message : `${message}\n  got: ${show(value)}`);
}

/** Deep equality through JSON, which is all the checks need (plain data from the VS Code API). */
export function expectEqual<T>(actual: T, expected: T, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}\n  expected: ${e}\n  actual:   ${a}`);
}

export function show(v: unknown): string {
  return util.inspect(v, { depth: 6, breakLength: 140 });
}

/**
 * Polls `probe` every `intervalMs` until it returns something other than undefined, then returns
 * that. On timeout the error names `what` and the last value `describe()` reports.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  opts: { timeoutMs?: number; intervalMs?: number; describe?: () => unknown } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const intervalMs = opts.intervalMs ?? 50;
  const start = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() - start > timeoutMs) {
      const last = opts.describe ? `\n  last seen: ${show(opts.describe())}` : '';
      const err = lastError ? `\n  last error: ${String(lastError)}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}${err}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs every registered check whose name contains `grep` (all when unset). Returns the results;
 * the caller decides what a failure means.
 */
export async function runChecks(grep = process.env['UNIT_HARDEN_E2E_GREP'] ?? ''): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const selected = checks.filter((c) => c.name.includes(grep));
  console.log(`[e2e] running ${selected.length} checks in VS Code's extension host`);
  for (const c of selected) {
    const start = Date.now();
    try {
      await withTimeout(c.fn(), c.timeoutMs, `check "${c.name}"`);
      results.push({ name: c.name, ok: true, ms: Date.now() - start });
      console.log(`[e2e]   ok    ${c.name} (${Date.now() - start} ms)`);
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      results.push({ name: c.name, ok: false, ms: Date.now() - start, error });
      console.log(`[e2e]   FAIL  ${c.name} (${Date.now() - start} ms)\n${error.replace(/^/gm, '        ')}`);
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`[e2e] ${results.length - failed} passed, ${failed} failed`);
  const out = process.env['UNIT_HARDEN_E2E_RESULTS'];
  if (out) fs.writeFileSync(out, JSON.stringify(results, null, 2));
  return results;
}
