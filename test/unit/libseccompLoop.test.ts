/**
 * Rules libseccomp never returns from (two rules on one syscall of a 64-bit ABI whose `!=`
 * comparison reaches the next argument through a shared node; see LibseccompLoopError in
 * server/src/seccomp/libseccomp/db.ts): the port must fail with an error instead of spinning.
 * Found by the nightly-sized bpfDiff run. The build runs in a child process so that a regression
 * fails this test (killed after a minute) instead of hanging the whole suite.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { ArgCmp, FilterSpec } from '../../server/src/seccomp/filterTypes';
import { buildFilter } from '../../server/src/seccomp/libseccomp';

const cmp = (arg: number, op: ArgCmp['op'], datumA: bigint): ArgCmp => ({ arg, op, datumA, datumB: 0n });

function spec(first: readonly ArgCmp[], second: readonly ArgCmp[]): FilterSpec {
  return {
    abis: ['x86-64'],
    defaultAction: { kind: 'allow' },
    badArchAction: { kind: 'allow' },
    optimize: 1,
    exact: true,
    libseccomp: '2.5.4-1+deb12u1',
    rules: [
      { syscall: 'read', action: { kind: 'errno', errno: 1 }, args: first },
      { syscall: 'read', action: { kind: 'errno', errno: 1 }, args: second },
    ],
  };
}

/** buildFilter() in a child process: its outcome, or 'hung' when it had to be killed. */
function buildInChild(s: FilterSpec): string {
  const lib = path.resolve(__dirname, '../../server/src/seccomp/libseccomp');
  const json = JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  const script = `
    const { buildFilter } = require(${JSON.stringify(lib)});
    const spec = JSON.parse(process.argv[1], (_k, v) => (typeof v === 'string' && /^\\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v));
    try { const r = buildFilter(spec); console.log('built ' + r.program.instructions.length); }
    catch (e) { console.log(e.name + ': ' + e.message); }`;
  const r = spawnSync(process.execPath, ['-e', script, json], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
  if (r.error || r.signal) return 'hung';
  return r.stdout.trim();
}

test('rules that loop libseccomp forever are an error, not a hang', () => {
  for (const op of ['ne', 'lt', 'le', 'gt', 'ge'] as const) {
    const out = buildInChild(spec([cmp(0, op, 5n), cmp(1, 'eq', 5n)], [cmp(0, op, 5n), cmp(2, 'eq', 5n)]));
    assert.equal(out, 'LibseccompLoopError: libseccomp would never return for these rules: merging them links a node of the rule tree to itself (_db_tree_add)', op);
  }
});

test('the same rules in the other order, and shapes systemd uses, still build', () => {
  assert.match(buildInChild(spec([cmp(0, 'ne', 5n), cmp(2, 'eq', 5n)], [cmp(0, 'ne', 5n), cmp(1, 'eq', 5n)])), /^built \d+$/);
  // == before the last argument, as systemd's RestrictNamespaces=/RestrictAddressFamilies= rules do
  const ok = buildFilter(spec([cmp(0, 'eq', 5n), cmp(1, 'eq', 5n)], [cmp(0, 'eq', 5n), cmp(2, 'eq', 5n)]));
  assert.ok(ok.program.instructions.length > 0);
  assert.deepEqual(ok.ruleResults.map((r) => r.errno), [0, 0]);
});
