// @ts-check
// Checks the extension package: `vsce ls` must list exactly the allowed files, `vsce package
// --no-dependencies` must work offline, and the .vsix must hold those files and a language server that
// answers over stdio on its own. Prints the .vsix path as the last line of stdout.
//
// Usage: node tools/package-check.mjs [--out DIR] [--list-only]
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readZip } from './zip.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VSCE = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');

/** What .vscodeignore must let through, and nothing else. */
const EXPECTED_LS = [
  'CHANGELOG.md',
  'LICENSE',
  'README.md',
  'dist/extension.js',
  'dist/server.js',
  'language-configuration.json',
  'package.json',
  'syntaxes/systemd-unit.tmLanguage.json',
];
/** The same files inside the .vsix (vsce renames README, CHANGELOG and LICENSE). */
const RENAMED = { 'README.md': 'readme.md', 'CHANGELOG.md': 'changelog.md', LICENSE: 'LICENSE.txt' };
const MAX_VSIX_BYTES = 2 * 1024 * 1024;

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outDir = outIndex >= 0 ? path.resolve(args[outIndex + 1] ?? '') : ROOT;
const listOnly = args.includes('--list-only');

const log = (/** @type {string} */ m) => process.stderr.write(`[package-check] ${m}\n`);
function fail(/** @type {string} */ m) {
  log(`FAILED: ${m}`);
  process.exit(1);
}

function vsce(/** @type {string[]} */ vsceArgs) {
  const r = spawnSync(process.execPath, [VSCE, ...vsceArgs], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  if (r.status !== 0) fail(`vsce ${vsceArgs.join(' ')} exited with ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function sameList(/** @type {string[]} */ actual, /** @type {string[]} */ expected, /** @type {string} */ what) {
  const a = [...actual].sort();
  const e = [...expected].sort();
  const extra = a.filter((x) => !e.includes(x));
  const missing = e.filter((x) => !a.includes(x));
  if (extra.length || missing.length) fail(`${what}: unexpected ${JSON.stringify(extra)}, missing ${JSON.stringify(missing)}`);
}

/** Starts the packaged server with --stdio and waits for its diagnostics on a unit with a typo. */
function lspSmoke(/** @type {string} */ serverJs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('the packaged server sent no diagnostics within 20 s'));
    }, 20_000);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => reject(new Error(`the packaged server exited (${code}): ${stderr}`)));
    const send = (/** @type {object} */ msg) => {
      const body = JSON.stringify({ jsonrpc: '2.0', ...msg });
      child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    };
    let pending = Buffer.alloc(0);
    child.stdout.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const head = pending.indexOf('\r\n\r\n');
        if (head < 0) return;
        const len = Number(/Content-Length: (\d+)/i.exec(pending.toString('ascii', 0, head))?.[1]);
        if (pending.length < head + 4 + len) return;
        const msg = JSON.parse(pending.toString('utf8', head + 4, head + 4 + len));
        pending = pending.subarray(head + 4 + len);
        if (msg.method === 'textDocument/publishDiagnostics') {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child.kill();
          resolve(msg.params.diagnostics);
        }
      }
    });
    send({ id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities: {} } });
    send({ method: 'initialized', params: {} });
    send({
      method: 'textDocument/didOpen',
      params: { textDocument: { uri: 'untitled:check.service', languageId: 'systemd-unit', version: 1, text: '[Service]\nExecStart=/bin/true\nProtectDevices=yes\n' } },
    });
  });
}

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const vsix = path.join(outDir, `${pkg.name}-${pkg.version}.vsix`);

// 1. Package offline (vscode:prepublish runs the production build); --list-only needs a build.
if (listOnly) {
  for (const f of ['dist/extension.js', 'dist/server.js']) if (!fs.existsSync(path.join(ROOT, f))) fail(`${f} is missing: run \`npm run build\` first`);
} else {
  if (!pkg.repository) log('note: package.json has no "repository": README links stay relative in the package');
  fs.mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  vsce(['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix]);
  const size = fs.statSync(vsix).size;
  log(`packaged ${vsix} (${(size / 1024).toFixed(0)} KiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (size > MAX_VSIX_BYTES) fail(`${vsix} is ${size} bytes, more than ${MAX_VSIX_BYTES}`);
}

// 2. The file list .vscodeignore yields.
const listed = vsce(['ls', '--no-dependencies'])
  .split('\n')
  .map((l) => l.trim())
  .filter(Boolean);
sameList(listed, EXPECTED_LS, 'vsce ls (fix .vscodeignore)');
log(`vsce ls: ${listed.length} files, as expected`);
if (listOnly) process.exit(0);

// 3. Its contents.
/** @type {ReturnType<typeof readZip>} */
let zip = new Map();
try {
  zip = readZip(vsix);
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
const expectedEntries = ['extension.vsixmanifest', '[Content_Types].xml', ...EXPECTED_LS.map((f) => `extension/${RENAMED[/** @type {keyof typeof RENAMED} */ (f)] ?? f}`)];
sameList([...zip.keys()], expectedEntries, 'files in the .vsix');
const inner = JSON.parse(zip.get('extension/package.json')?.().toString('utf8') ?? '{}');
if (inner.main !== pkg.main || inner.version !== pkg.version) fail(`packaged package.json differs: main ${inner.main}, version ${inner.version}`);
for (const f of ['extension/dist/extension.js', 'extension/dist/server.js']) {
  const text = zip.get(f)?.().toString('utf8') ?? '';
  if (/sourceMappingURL=/.test(text)) fail(`${f} points at a source map the package does not have (not a production build?)`);
}
log(`.vsix holds exactly ${expectedEntries.length} entries`);

// 4. The packaged server works alone (no files outside dist/ needed).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'unit-harden-vsix-'));
try {
  const serverJs = path.join(tmp, 'dist', 'server.js');
  fs.mkdirSync(path.dirname(serverJs), { recursive: true });
  fs.writeFileSync(serverJs, /** @type {() => Buffer} */ (zip.get('extension/dist/server.js'))());
  const diags = /** @type {{ code?: string }[]} */ (await lspSmoke(serverJs));
  if (!diags.some((d) => d.code === 'misspelled-hardening-directive')) fail(`the packaged server's diagnostics lack the typo: ${JSON.stringify(diags)}`);
  log('the packaged server answers over stdio');
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.stdout.write(`${vsix}\n`);
