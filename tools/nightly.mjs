// @ts-check
// Nightly-sized property runs (issue #7): runs every property test file (the test/unit/*.test.ts
// files that import fast-check, compiled to out/test/unit/) with UNIT_HARDEN_PROPERTY_RUNS raised
// and a fresh seed, adds up the `# cases: N` lines the tests print, and fails unless every file
// passed and the total reaches --min-cases. Build first (npm run build).
//
// Usage: node tools/nightly.mjs [--runs N] [--fuzz-runs N] [--seed S] [--min-cases N] [FILTER...]
//   --runs       UNIT_HARDEN_PROPERTY_RUNS for the in-process property files (default 15000:
//                102 500 cases without the libseccomp comparison, which needs python3-seccomp)
//   --fuzz-runs  the same for the language-server fuzz, whose cases are whole editor sessions
//                over stdio (default 3000: 240 sessions)
//   --seed       UNIT_HARDEN_PROPERTY_SEED (default: derived from the date, printed to repeat a run)
//   --min-cases  fail when fewer cases were generated in total (default 100000)
//   --timeout    minutes one file may take before it is killed and counted as failed (default 30)
//   FILTER       only files whose name contains one of these strings (then --min-cases is 0
//                unless given)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'test', 'unit');
const OUT = path.join(ROOT, 'out', 'test', 'unit');
/** Files whose cases are server sessions, not single calls. */
const FUZZ_FILES = new Set(['serverFuzz.test.ts']);

function parseArgs(argv) {
  const opts = { runs: 15000, fuzzRuns: 3000, seed: undefined, minCases: undefined, timeout: 30, filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || !/^-?\d+$/.test(v)) throw new Error(`${a} needs an integer`);
      return Number(v);
    };
    if (a === '--runs') opts.runs = value();
    else if (a === '--fuzz-runs') opts.fuzzRuns = value();
    else if (a === '--seed') opts.seed = value();
    else if (a === '--min-cases') opts.minCases = value();
    else if (a === '--timeout') opts.timeout = value();
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else opts.filters.push(a);
  }
  return opts;
}

/** The property test files: every unit test source that imports fast-check. */
function propertyFiles(filters) {
  return fs
    .readdirSync(SRC)
    .filter((f) => f.endsWith('.test.ts') && /from 'fast-check'/.test(fs.readFileSync(path.join(SRC, f), 'utf8')))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
}

/** Runs one compiled test file with the TAP reporter; resolves with its summary. */
function runFile(file, env, timeoutMinutes) {
  const js = path.join(OUT, file.replace(/\.ts$/, '.js'));
  if (!fs.existsSync(js)) throw new Error(`${path.relative(ROOT, js)} is missing: run npm run build first`);
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', js], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      out += `\nnightly: killed after ${timeoutMinutes} minutes\n`;
      child.kill('SIGKILL');
    }, timeoutMinutes * 60000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (s) => (out += s));
    child.stderr.on('data', (s) => (out += s));
    child.on('close', (code) => {
      clearTimeout(timer);
      const count = (re) => [...out.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
      resolve({
        file,
        code: code ?? 1,
        seconds: (Date.now() - started) / 1000,
        cases: count(/^\s*# cases: (\d+)\s*$/gm),
        steps: count(/^\s*# steps: (\d+)\s*$/gm),
        pass: count(/^# pass (\d+)$/gm),
        fail: count(/^# fail (\d+)$/gm),
        skipped: count(/^# skipped (\d+)$/gm),
        output: out,
      });
    });
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const files = propertyFiles(opts.filters);
  if (files.length === 0) throw new Error('no property test files matched');
  const today = new Date();
  const seed = opts.seed ?? (today.getUTCFullYear() * 10000 + (today.getUTCMonth() + 1) * 100 + today.getUTCDate());
  const minCases = opts.minCases ?? (opts.filters.length > 0 ? 0 : 100000);
  console.log(`nightly property runs: ${files.length} files, UNIT_HARDEN_PROPERTY_RUNS=${opts.runs} (fuzz ${opts.fuzzRuns}), UNIT_HARDEN_PROPERTY_SEED=${seed}`);
  const started = Date.now();
  const results = [];
  // One file at a time: the timings stay meaningful and the fuzz has the machine to itself.
  for (const file of files) {
    const runs = FUZZ_FILES.has(file) ? opts.fuzzRuns : opts.runs;
    const r = await runFile(file, { UNIT_HARDEN_PROPERTY_RUNS: String(runs), UNIT_HARDEN_PROPERTY_SEED: String(seed) }, opts.timeout);
    results.push(r);
    const extra = r.steps > 0 ? ` (${r.steps} LSP steps)` : '';
    const status = r.code === 0 ? 'ok' : 'FAILED';
    console.log(`${status.padEnd(6)} ${file.padEnd(28)} ${String(r.cases).padStart(8)} cases${extra}, ${r.pass} passed, ${r.fail} failed, ${r.skipped} skipped, ${r.seconds.toFixed(1)} s`);
    if (r.code !== 0) process.stdout.write(r.output.split('\n').filter((l) => !/^\s+at /.test(l)).slice(-80).join('\n') + '\n');
  }
  const total = results.reduce((n, r) => n + r.cases, 0);
  const seconds = (Date.now() - started) / 1000;
  console.log(`total: ${total} cases in ${seconds.toFixed(1)} s (seed ${seed})`);
  const failed = results.filter((r) => r.code !== 0);
  if (failed.length > 0) {
    console.error(`${failed.length} file(s) failed: ${failed.map((r) => r.file).join(', ')}; repeat with --seed ${seed}`);
    process.exit(1);
  }
  if (total < minCases) {
    console.error(`only ${total} cases, fewer than ${minCases}: raise --runs (skipped tests generate none)`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
});
