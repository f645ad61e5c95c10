/**
 * Regression test for multiplexed socket/IPC calls an ABI has no direct syscall for (semop on x86,
 * recv on s390x): libseccomp's abi_rule_add() still adds the "direct" rule, under the pseudo
 * number __PNR_<name>. That entry is never emitted, but with no comparisons it sorts first, and
 * when the first entry is skipped no syscall block loads seccomp_data.nr, so the program compares
 * the architecture word against the syscall numbers. Found by the nightly-sized bpfDiff run.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ABIS, type AbiName } from '../../server/src/seccomp/abi';
import type { FilterSpec } from '../../server/src/seccomp/filterTypes';
import type { LibseccompVersion } from '../../server/src/seccomp/syscalls';
import { buildFilter } from '../../server/src/seccomp/libseccomp';
import { programHex } from '../../server/src/seccomp/bpf';
import { reference, referenceUnavailable, rootLibraries } from './libseccompReference';

const IN_CI = process.env.CI === 'true';
const DEB12: LibseccompVersion = '2.5.4-1+deb12u1';

function oneRule(abi: AbiName, syscall: string, lib: LibseccompVersion, optimize: 1 | 2 = 1): FilterSpec {
  return {
    abis: [abi],
    defaultAction: { kind: 'allow' },
    badArchAction: { kind: 'allow' },
    optimize,
    exact: false,
    rules: [{ syscall, action: { kind: 'trace', data: 1 }, args: [] }],
    libseccomp: lib,
  };
}

const hex = (spec: FilterSpec): string => programHex(buildFilter(spec).program, ABIS[spec.abis[0]!].endian);

test('a multiplexed call without a direct syscall leaves the syscall number unloaded, as libseccomp does', () => {
  // seccomp_export_bpf() of libseccomp 2.5.4 (python3-seccomp): ld arch; jeq x86; jeq 117 (ipc,
  // with the architecture still in A); ld a0; jeq 1 (SEMOP); trace; allow
  assert.equal(hex(oneRule('x86', 'semop', DEB12)), ['2000000004000000', '1500000403000040', '1500000375000000', '2000000010000000', '1500000101000000', '060000000100f07f', '060000000000ff7f'].join(''));
  // with a direct syscall (shmat on x86: 397) the first block loads nr
  assert.match(hex(oneRule('x86', 'shmat', DEB12)), /^20000000040000001500000[0-9a-f]030000402000000000000000/);
});

test('multiplexed calls with and without direct syscalls match libseccomp byte for byte', (t) => {
  const why = referenceUnavailable();
  if (why !== undefined) {
    if (IN_CI) assert.fail(`CI=true but ${why}`);
    t.skip(why);
    return;
  }
  const cases: [AbiName, string][] = [];
  for (const abi of ['x86', 's390x', 's390', 'ppc64', 'mips-le'] as const) for (const name of ['semop', 'semtimedop', 'shmat', 'recv', 'socket']) cases.push([abi, name]);
  const check = (lib: LibseccompVersion, path?: string): void => {
    const specs = cases.flatMap(([abi, name]) => [oneRule(abi, name, lib), oneRule(abi, name, lib, 2)]);
    const ref = reference(specs, path);
    specs.forEach((spec, i) => {
      assert.equal(hex(spec), ref[i]!.hex, `${spec.abis[0]} ${spec.rules[0]!.syscall} optimize ${spec.optimize} (libseccomp ${lib})`);
    });
  };
  check(DEB12);
  for (const { version, lib } of rootLibraries()) check(version, lib);
});
