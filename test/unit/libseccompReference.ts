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

/**
 * How long one helper call may take. A chunk of a thousand specs takes about a second; a spec
 * that sends libseccomp into an endless loop (see untangle() in bpfDiff.test.ts) would otherwise
 * hang the test run until an outer timeout kills it without naming the spec.
 */
export const REFERENCE_TIMEOUT_MS = 5 * 60_000;

/** The spec the helper was building when it was stopped. */
export class ReferenceTimeout extends Error {
  constructor(
    /** Index of the spec in the call's `specs`. */
    readonly index: number,
    readonly spec: FilterSpec,
    timeoutMs: number,
  ) {
    super(`libseccomp_export.py took longer than ${timeoutMs / 1000} s on spec #${index} of its call (a hang in libseccomp?):\n${toJson(spec).slice(0, 4000)}`);
  }
}

/**
 * Runs the helper's main() with a progress line on stderr before each spec, so that a stopped
 * call names the spec it was stuck on. Argument: the helper's path.
 */
const PROGRESS_DRIVER = `
import importlib.util, sys
spec = importlib.util.spec_from_file_location("libseccomp_export", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
count = [0]
def traced(build):
    def run(self, s):
        sys.stderr.write("spec %d\\n" % count[0])
        sys.stderr.flush()
        count[0] += 1
        return build(self, s)
    return run
m.ModuleBackend.build = traced(m.ModuleBackend.build)
m.CtypesBackend.build = traced(m.CtypesBackend.build)
m.main()
`;

/**
 * Build every spec with the real libseccomp; `lib` = a libseccomp.so.2 path (ctypes) or the python
 * module. Throws ReferenceTimeout when the helper takes longer than `timeoutMs`.
 */
export function reference(specs: readonly FilterSpec[], lib?: string, timeoutMs = REFERENCE_TIMEOUT_MS): RefResult[] {
  const r = spawnSync(SYS_PYTHON, ['-c', PROGRESS_DRIVER, HELPER], { input: toJson({ specs, lib }), encoding: 'utf8', maxBuffer: 1 << 28, timeout: timeoutMs, killSignal: 'SIGKILL' });
  if (r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    const started = [...(r.stderr ?? '').matchAll(/^spec (\d+)$/gm)];
    const index = started.length > 0 ? Number(started[started.length - 1]![1]) : 0;
    throw new ReferenceTimeout(index, specs[index]!, timeoutMs);
  }
  if (r.status !== 0) throw new Error(`libseccomp_export.py failed: ${r.error?.message ?? r.stderr.replace(/^spec \d+\n/gm, '')}`);
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
