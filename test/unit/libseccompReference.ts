/**
 * The real libseccomp as a test oracle, shared by the generator tests: builds FilterSpecs with
 * Debian's python3-seccomp (or, given a path, another libseccomp.so.2 through ctypes) via
 * test/tools/libseccomp_export.py, and finds the 2.6.x libraries of the harness's Debian roots.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FilterSpec } from '../../server/src/seccomp/filterTypes';
import type { LibseccompVersion } from '../../server/src/seccomp/syscalls';

/** Debian's python3-seccomp is importable only from the system interpreter. */
export const SYS_PYTHON = '/usr/bin/python3';

/**
 * The repository root: above the compiled test (out/test/unit) or, for a build elsewhere (tsc
 * --outDir /tmp/…), above the working directory.
 */
function repoRoot(): string {
  for (let start of [__dirname, process.cwd()]) {
    for (let i = 0; i < 8; i++) {
      if (fs.existsSync(path.join(start, 'test', 'tools', 'libseccomp_export.py'))) return start;
      start = path.dirname(start);
    }
  }
  return path.resolve(__dirname, '../../..');
}
const HELPER = path.join(repoRoot(), 'test', 'tools', 'libseccomp_export.py');

export interface RefResult {
  readonly hex?: string;
  readonly rc?: number[];
  readonly error?: string;
}

/** JSON with 64-bit datums (bigint) as decimal strings, as the helper expects. */
export const toJson = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));

/** Build every spec with the real libseccomp; `lib` = a libseccomp.so.2 path (ctypes) or the python module. */
export function reference(specs: readonly FilterSpec[], lib?: string): RefResult[] {
  const r = spawnSync(SYS_PYTHON, [HELPER], { input: toJson({ specs, lib }), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`libseccomp_export.py failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { results: RefResult[] }).results;
}

let moduleProbe: string | undefined | null = null;
/** Why the python3-seccomp reference cannot run here, or undefined if it can. */
export function referenceUnavailable(): string | undefined {
  if (moduleProbe !== null) return moduleProbe;
  if (!fs.existsSync(SYS_PYTHON)) moduleProbe = `${SYS_PYTHON} is missing`;
  else {
    const r = spawnSync(SYS_PYTHON, ['-c', 'import seccomp'], { encoding: 'utf8' });
    moduleProbe = r.status === 0 ? undefined : `${SYS_PYTHON} cannot import seccomp (apt-get install python3-seccomp)`;
  }
  return moduleProbe;
}

/** libseccomp.so.2 of the harness's Debian roots (test/systemd/roots.ts), by version, if built here. */
export function rootLibraries(): { version: LibseccompVersion; lib: string }[] {
  const cache = process.env.UNIT_HARDEN_CACHE ?? path.join(os.homedir(), '.cache', 'unit-harden');
  const out: { version: LibseccompVersion; lib: string }[] = [];
  for (const [root, version] of [
    ['debian-257', '2.6.0'],
    ['debian-262', '2.6.1'],
  ] as const) {
    const lib = path.join(cache, 'roots', root, 'usr', 'lib', 'x86_64-linux-gnu', 'libseccomp.so.2');
    if (fs.existsSync(lib)) out.push({ version, lib: fs.realpathSync(lib) });
  }
  return out;
}
