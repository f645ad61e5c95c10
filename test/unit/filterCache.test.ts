/**
 * The filter memo (server/src/seccomp/filterCache.ts) must never hand one spec another's program:
 * specs that differ in any single field get their own entry, and every answer equals a fresh
 * buildFilter() of that spec.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { FilterSpec, RuleSpec } from '../../server/src/seccomp/filterTypes';
import { buildFilter } from '../../server/src/seccomp/libseccomp';
import { buildFilterCached, clearFilterCache } from '../../server/src/seccomp/filterCache';

const rule = (syscall: string, extra: Partial<RuleSpec> = {}): RuleSpec => ({ syscall, action: { kind: 'errno', errno: 1 }, args: [], ...extra });

const BASE: FilterSpec = {
  abis: ['x86-64'],
  defaultAction: { kind: 'allow' },
  badArchAction: { kind: 'allow' },
  optimize: 1,
  rules: [rule('chown'), rule('personality', { args: [{ arg: 0, op: 'ne', datumA: 0n, datumB: 0n }] }), rule('socket', { args: [{ arg: 0, op: 'masked-eq', datumA: 0xffn, datumB: 2n }] })],
  exact: true,
  libseccomp: '2.5.4-1+deb12u1',
};

const withRule = (i: number, r: Partial<RuleSpec>): FilterSpec => ({ ...BASE, rules: BASE.rules.map((x, j) => (j === i ? { ...x, ...r } : x)) });
const withCmp = (field: 'arg' | 'op' | 'datumA' | 'datumB', value: number | string | bigint): FilterSpec =>
  withRule(1, { args: [{ ...BASE.rules[1]!.args[0]!, [field]: value }] as RuleSpec['args'] });

/** One variant per field (and per action payload), each differing from BASE in that field only. */
const VARIANTS: Record<string, FilterSpec> = {
  abis: { ...BASE, abis: ['x86'] },
  'abis order': { ...BASE, abis: ['x86-64', 'x86'] },
  'abis order reversed': { ...BASE, abis: ['x86', 'x86-64'] },
  defaultAction: { ...BASE, defaultAction: { kind: 'log' } },
  badArchAction: { ...BASE, badArchAction: { kind: 'kill-thread' } },
  optimize: { ...BASE, optimize: 2 },
  log: { ...BASE, log: true },
  'log false': { ...BASE, log: false },
  exact: { ...BASE, exact: false },
  libseccomp: { ...BASE, libseccomp: '2.6.0' },
  hostEndian: { ...BASE, hostEndian: 'big' },
  'rule syscall': withRule(0, { syscall: 'fchown' }),
  'rule action kind': withRule(0, { action: { kind: 'kill-process' } }),
  'rule errno': withRule(0, { action: { kind: 'errno', errno: 13 } }),
  'rule trace data': withRule(0, { action: { kind: 'trace', data: 1 } }),
  'rule trace data 2': withRule(0, { action: { kind: 'trace', data: 11 } }),
  'rule args': withRule(0, { args: [{ arg: 1, op: 'eq', datumA: 0n, datumB: 0n }] }),
  'rule order': { ...BASE, rules: [BASE.rules[1]!, BASE.rules[0]!, BASE.rules[2]!] },
  'one rule less': { ...BASE, rules: BASE.rules.slice(1) },
  'cmp arg': withCmp('arg', 1),
  'cmp op': withCmp('op', 'gt'),
  'cmp datumA': withCmp('datumA', 1n),
  'cmp datumB': withCmp('datumB', 0xffffffff00000000n),
  'cmp datumB high': withCmp('datumB', 0x100000000n),
};

test('a spec differing from another in any single field gets its own program, equal to a fresh build', () => {
  clearFilterCache();
  const base = buildFilterCached(BASE);
  assert.deepEqual(base, buildFilter(BASE));
  const seen = new Map<object, string>([[base, 'BASE']]);
  for (const [what, spec] of Object.entries(VARIANTS)) {
    const got = buildFilterCached(spec);
    assert.ok(!seen.has(got), `${what}: served the program remembered for ${seen.get(got)}`);
    seen.set(got, what);
    assert.deepEqual(got, buildFilter(spec), what);
  }
  // Asked again, in reverse order, with equal but not identical objects: the remembered results.
  for (const [what, spec] of Object.entries(VARIANTS).reverse()) {
    const again = buildFilterCached(structuredClone(spec));
    assert.equal(seen.get(again), what);
  }
  assert.equal(seen.get(buildFilterCached(structuredClone(BASE))), 'BASE');
});

test('remembered programs are frozen and the memo never changes what buildFilter throws', () => {
  clearFilterCache();
  const r = buildFilterCached(BASE);
  assert.ok(Object.isFrozen(r) && Object.isFrozen(r.program) && Object.isFrozen(r.program.instructions) && Object.isFrozen(r.program.instructions[0]));
  const bad: FilterSpec = { ...BASE, abis: ['x86-64', 'x86-64'] };
  assert.throws(() => buildFilterCached(bad), /an ABI is listed twice/);
  assert.throws(() => buildFilterCached(bad), /an ABI is listed twice/);
});
