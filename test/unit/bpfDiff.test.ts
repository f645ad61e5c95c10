/**
 * Property tests for the libseccomp port: random rule sets (random syscalls, actions, 0–3 argument
 * comparisons with every operator, masks, 64-bit datums; random ABIs; linear and binary tree;
 * some large enough to need long jumps) must export the same bytes and rule results as the real
 * libseccomp. Seeded (UNIT_HARDEN_PROPERTY_SEED); UNIT_HARDEN_PROPERTY_RUNS scales the number of
 * cases (default 300; see propertyRuns.ts).
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { ABIS, type AbiName } from '../../server/src/seccomp/abi';
import type { Action, ArgCmp, FilterSpec, RuleSpec } from '../../server/src/seccomp/filterTypes';
import { allSyscallNames, libseccompSupportsAbi, muxCall, type LibseccompVersion } from '../../server/src/seccomp/syscalls';
import { buildFilter } from '../../server/src/seccomp/libseccomp';
import { programHex } from '../../server/src/seccomp/bpf';
import { reference, ReferenceTimeout, referenceUnavailable as unavailable, rootLibraries, toJson, type RefResult } from './libseccompReference';
import { propertyRuns, propertySeed, reportCases } from './propertyRuns';

const IN_CI = process.env.CI === 'true';
const RUNS = propertyRuns(300);
const ROOT_RUNS = propertyRuns(150);
const SEED = propertySeed(0x5eccb9f);
const REFERENCE_CHUNK = 1000;

// ---------------------------------------------------------------------------------------------
// Arbitraries

const ABI_POOL: readonly AbiName[] = ['x86', 'x32', 'x86-64', 'arm', 'arm64', 'riscv64', 's390x', 's390', 'ppc64', 'ppc64-le', 'ppc', 'mips', 'mips-le', 'mips64', 'mips64-n32'];
/** Syscalls the systemd filters use, including multiplexed and ABI-specific ones. */
const COMMON = ['read', 'write', 'open', 'openat', 'close', 'socket', 'bind', 'sendto', 'mmap', 'mmap2', 'mprotect', 'clone', 'clone3', 'unshare', 'setns', 'personality', 'chmod', 'fchmodat', 'ioctl', 'shmat', 'ipc', 'socketcall', '_sysctl', 'sched_setscheduler', 'kill', 'futex', 'arch_prctl'];

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.constantFrom<Action>({ kind: 'allow' }, { kind: 'kill-process' }, { kind: 'kill-thread' }, { kind: 'log' }, { kind: 'trap' }),
  fc.constantFrom(1, 13, 38, 97).map((e): Action => ({ kind: 'errno', errno: e })),
  fc.integer({ min: 0, max: 0xffff }).map((d): Action => ({ kind: 'trace', data: d })),
);

const datumArb: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: 0n, max: 8n }),
  fc.bigInt({ min: 0n, max: 0xffffffffn }),
  fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
  fc.tuple(fc.bigInt({ min: 0n, max: 3n }), fc.bigInt({ min: 0n, max: 3n })).map(([h, l]) => (h << 32n) | l),
  fc.constantFrom(0xffffffffffffffffn, 0xffffffff00000000n, 0x00000000ffffffffn, 0x80000000n),
);

const cmpArb: fc.Arbitrary<ArgCmp> = fc.record({
  // mostly a0..a2 so comparisons share levels; sometimes up to a6 (invalid: -EINVAL)
  arg: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 2 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 6 }) }),
  op: fc.constantFrom<ArgCmp['op']>('ne', 'lt', 'le', 'eq', 'ge', 'gt', 'masked-eq'),
  datumA: datumArb,
  datumB: datumArb,
});

/** Rules with 0–3 argument comparisons (see untangle() for the one shape left out). */
function ruleArb(names: readonly string[], actions: readonly Action[]): fc.Arbitrary<RuleSpec> {
  return fc.record({
    syscall: fc.oneof(fc.constantFrom(...COMMON), fc.constantFrom(...names), fc.constant('no_such_syscall')),
    action: fc.constantFrom(...actions),
    args: fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 3, arbitrary: fc.array(cmpArb, { maxLength: 3 }) }),
  });
}

/**
 * Comparisons after which libseccomp's 64-bit rule tree (_db_rule_gen_64) reaches the next
 * argument's level from two nodes: NE from both the high- and low-word EQ (on false), LT/LE from
 * the high-word EQ and the low-word compare (on false), GT/GE from the high-word GT and the
 * low-word compare (on true). The next level is one shared node.
 */
const BRANCHING_OPS: ReadonlySet<ArgCmp['op']> = new Set<ArgCmp['op']>(['ne', 'lt', 'le', 'gt', 'ge']);

/** Whether a valid rule has a branching comparison before its last (highest-numbered) argument. */
function branches(rule: RuleSpec): boolean {
  const nums = rule.args.map((c) => c.arg);
  if (nums.some((n) => n > 5) || new Set(nums).size !== nums.length) return false; // -EINVAL: never merged
  const last = Math.max(...nums);
  return rule.args.some((c) => c.arg !== last && BRANCHING_OPS.has(c.op));
}

/**
 * At most one branching rule (see branches()) per syscall tree; later ones lose their non-final
 * branching comparisons. Two of them hang libseccomp (2.5.4, 2.6.0 and 2.6.1 alike) in
 * seccomp_rule_add() for good, and our faithful port with it: on a 64-bit ABI, with the same
 * leading comparison, e.g. `a0 != 5 && a1 == 5` then `a0 != 5 && a2 == 5`, _db_tree_add()
 * merges the new rule's shared next-level node once through each of its two parents. The first
 * pass inserts it before the existing level's head and updates only that parent's pointer; the
 * second pass starts from the other parent's now stale pointer and inserts the same node before
 * the same head again, linking it to itself (lvl_prv = lvl_nxt = itself), and the next walk of
 * that level never ends. It happens only when the new node sorts before the existing one (a
 * higher argument, or the same argument with a larger high word), so the order of the rules
 * matters. A level reachable from two parents exists only after a branching rule, so one per
 * tree is safe. systemd never adds such rules: its argument filters compare one argument or use
 * EQ/MASKED_EQ before the last one. Socket and SysV IPC calls share socketcall()/ipc()'s tree on
 * multiplexing ABIs, and sys_debug_setcontext/switch_endian one pseudo number, so they count
 * together.
 */
function untangle(rules: readonly RuleSpec[], lib: LibseccompVersion): RuleSpec[] {
  const seen = new Set<string>();
  return rules.map((r) => {
    if (!branches(r)) return r;
    const key = muxCall(r.syscall, lib)?.via ?? (r.syscall === 'switch_endian' ? 'sys_debug_setcontext' : r.syscall);
    if (!seen.has(key)) {
      seen.add(key);
      return r;
    }
    const last = Math.max(...r.args.map((c) => c.arg));
    return { ...r, args: r.args.filter((c) => c.arg === last || !BRANCHING_OPS.has(c.op)) };
  });
}

function specArb(lib: LibseccompVersion): fc.Arbitrary<FilterSpec> {
  const names = allSyscallNames(lib);
  const abis = ABI_POOL.filter((a) => libseccompSupportsAbi(a, lib));
  return fc
    .record({
      abi: fc.constantFrom(...abis),
      extra: fc.oneof({ weight: 7, arbitrary: fc.constant<AbiName[]>([]) }, { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...abis), { maxLength: 2 }) }),
      actions: fc.array(actionArb, { minLength: 1, maxLength: 3 }),
      defaultAction: actionArb,
      badArchAction: actionArb,
      optimize: fc.constantFrom<1 | 2>(1, 2),
      exact: fc.boolean(),
      size: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 30 }) }, { weight: 1, arbitrary: fc.integer({ min: 150, max: 400 }) }),
      focus: fc.option(fc.constantFrom(...COMMON), { nil: undefined }),
      seed: fc.integer(),
    })
    .chain((p) => {
      // several rules on one syscall build deep, merged trees
      const small = p.size <= 30;
      const rulesArb = ruleArb(names, p.actions).map((r) => (small && p.focus !== undefined && (r.args.length & 1) === 1 ? { ...r, syscall: p.focus } : r));
      return fc.array(rulesArb, { minLength: p.size, maxLength: p.size }).map((generated): FilterSpec => {
        const rules = untangle(generated, lib);
        const endian = ABIS[p.abi].endian;
        const list = [p.abi, ...p.extra.filter((a) => a !== p.abi && ABIS[a].endian === endian)];
        return {
          abis: list,
          defaultAction: p.defaultAction,
          badArchAction: p.badArchAction,
          optimize: p.optimize,
          exact: list.length > 1 ? p.exact && (p.seed & 3) === 0 : p.exact,
          rules,
          libseccomp: lib,
        };
      });
    });
}

// ---------------------------------------------------------------------------------------------

/** Whether our build of `spec` equals the reference; a description of the difference otherwise. */
function mismatch(spec: FilterSpec, r: RefResult): string | undefined {
  if (r.error !== undefined) return `reference failed: ${r.error}`;
  const ours = buildFilter(spec);
  const rc = ours.ruleResults.map((x) => (x.errno === 0 ? 0 : -x.errno));
  if (JSON.stringify(rc) !== JSON.stringify(r.rc)) return `rule results ${JSON.stringify(rc)} vs ${JSON.stringify(r.rc)}`;
  const hex = programHex(ours.program, ABIS[spec.abis[0]!].endian);
  if (hex !== r.hex) return `program of ${hex.length / 16} vs ${r.hex!.length / 16} instructions`;
  return undefined;
}

/**
 * Check `runs` random specs against one libseccomp in a single helper call. A failing case is
 * then shrunk by fast-check (one helper call per candidate) and reported with the seed.
 */
function checkAgainst(lib: LibseccompVersion, runs: number, libPath?: string): void {
  const arb = specArb(lib);
  const samples = fc.sample(arb, { seed: SEED, numRuns: runs });
  // In chunks: one helper call for a nightly-sized run holds every spec and result at once.
  const ref: RefResult[] = [];
  for (let i = 0; i < samples.length; i += REFERENCE_CHUNK) {
    try {
      ref.push(...reference(samples.slice(i, i + REFERENCE_CHUNK), libPath));
    } catch (err) {
      if (err instanceof ReferenceTimeout) assert.fail(`libseccomp ${lib}: case #${i + err.index} (seed ${SEED}): ${err.message}`);
      throw err;
    }
  }
  let large = 0;
  const failures: number[] = [];
  samples.forEach((spec, i) => {
    if ((ref[i]!.hex?.length ?? 0) / 16 > 255) large++;
    if (mismatch(spec, ref[i]!) !== undefined) failures.push(i);
  });
  if (failures.length > 0) {
    const first = samples[failures[0]!]!;
    // shrink from the failing case: fast-check replays it as an example, then simplifies it
    let smallest = first;
    try {
      fc.assert(
        fc.property(arb, (spec) => {
          const why = mismatch(spec, reference([spec], libPath)[0]!);
          if (why !== undefined) smallest = spec;
          return why === undefined;
        }),
        { examples: [[first]], numRuns: 0, endOnFailure: false },
      );
    } catch {
      // reported below
    }
    assert.fail(
      `libseccomp ${lib}: ${failures.length} of ${runs} cases differ (seed ${SEED}, first #${failures[0]}: ${mismatch(first, ref[failures[0]!]!)}); smallest failing spec:\n${toJson(smallest).slice(0, 4000)}`,
    );
  }
  if (runs >= 300) assert.ok(large > 0, 'some cases produce programs longer than 255 instructions');
}

test(`random rule sets export the same BPF as libseccomp 2.5.4 (python3-seccomp; ${RUNS} cases)`, (t) => {
  const why = unavailable();
  if (why !== undefined) {
    if (IN_CI) assert.fail(`CI=true but ${why}`);
    t.skip(why);
    return;
  }
  checkAgainst('2.5.4-1+deb12u1', RUNS);
  reportCases(t, RUNS);
});

test('random rule sets export the same BPF as libseccomp 2.6.0 and 2.6.1 (Debian roots)', (t) => {
  const why = unavailable();
  const roots = rootLibraries();
  if (why !== undefined || roots.length === 0) {
    if (why !== undefined && IN_CI) assert.fail(`CI=true but ${why}`);
    t.skip(why ?? 'no debian-257/debian-262 root built (node out/test/systemd/roots.js debian-257 debian-262)');
    return;
  }
  for (const { version, lib } of roots) checkAgainst(version, ROOT_RUNS, lib);
  reportCases(t, ROOT_RUNS * roots.length);
});
