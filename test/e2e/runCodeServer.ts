/**
 * Runs the e2e suite (test/e2e/suite) and the UI smoke test in the real VS Code that works here:
 * code-server 4.96.4 in headless Debian Chromium. `--vsix [file]` packages (or takes) the .vsix,
 * installs it into an isolated extensions folder and tests that installed copy instead of the source tree.
 *
 * Usage: node out/test/e2e/runCodeServer.js [--suite-only|--ui-only] [--vsix [FILE]] [--screenshot FILE] [--keep]
 * (the README image is made with `--vsix --screenshot images/screenshot.png`: the installed look).
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, openWorkbench, saveBrowserLogs, type Workbench } from './lib/browser';
import { CodeServer, ensureCodeServer } from './lib/codeServer';
import { IN_CI, REPO_ROOT, SkipError, StepError, artifactsDir, currentStep, log, step } from './lib/steps';
import type { CheckResult } from './suite/harness';
import { previewReload, uiSmoke } from './uiSmoke';

const EXTENSION_ID = 'unit-harden.unit-harden';
const SUITE = path.join(REPO_ROOT, 'out', 'test', 'e2e', 'suite', 'index.js');

interface Options {
  suite: boolean;
  ui: boolean;
  vsix: string | boolean;
  screenshot: string | undefined;
  keep: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { suite: true, ui: true, vsix: false, screenshot: undefined, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--suite-only') o.ui = false;
    else if (a === '--ui-only') o.suite = false;
    else if (a === '--keep') o.keep = true;
    else if (a === '--vsix') {
      const next = argv[i + 1];
      if (next && !next.startsWith('--')) {
        o.vsix = path.resolve(next);
        i++;
      } else o.vsix = true;
    } else if (a === '--screenshot') o.screenshot = path.resolve(argv[++i] ?? '');
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

/** Packages the repo with tools/package-check.mjs (vsce package + content check); returns the .vsix path. */
function packageVsix(outDir: string): string {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'tools', 'package-check.mjs'), '--out', outDir], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 300_000,
  });
  process.stdout.write(r.stdout.replace(/^/gm, '    '));
  if (r.status !== 0) throw new Error(`tools/package-check.mjs failed (status ${r.status})`);
  const vsix = r.stdout.trim().split('\n').pop()!.trim();
  if (!vsix.endsWith('.vsix') || !fs.existsSync(vsix)) throw new Error(`package-check printed no .vsix path: ${vsix}`);
  return vsix;
}

/** A do-nothing extension: the test payload needs an extensionDevelopmentPath, and it must not be ours. */
function stubExtension(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'e2e-host', publisher: 'unit-harden-test', version: '0.0.0', engines: { vscode: '*' }, description: 'e2e test host' }, null, 2),
  );
  return dir;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const mode = opts.vsix ? 'vsix' : 'source';
  const artifacts = artifactsDir(`e2e-${mode}`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `unit-harden-e2e-${mode}-`));
  const started = Date.now();
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const pages: Workbench[] = [];
  let failed = false;
  log(`e2e (${mode}) in code-server; state in ${home}`);
  try {
    const entry = await step('install code-server and chromium (cached)', 20 * 60_000, async () => ensureCodeServer());
    await step('check the build', 5_000, async () => {
      for (const f of ['dist/extension.js', 'dist/server.js', 'out/test/e2e/suite/index.js']) {
        if (!fs.existsSync(path.join(REPO_ROOT, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
      }
    });

    let extensionRoot = REPO_ROOT;
    let devPath = REPO_ROOT;
    if (opts.vsix) {
      const vsix = typeof opts.vsix === 'string' ? opts.vsix : await step('package the .vsix (vsce package)', 300_000, async () => packageVsix(home));
      CodeServer.prepare(home);
      extensionRoot = await step(`install ${path.basename(vsix)} with --install-extension`, 120_000, async () => CodeServer.installVsix(entry, home, vsix, EXTENSION_ID));
      log(`  installed copy: ${extensionRoot}`);
      devPath = stubExtension(path.join(home, 'stub-extension'));
    }

    const results = path.join(home, 'results.json');
    server = await step('start code-server', 90_000, () =>
      CodeServer.start(entry, { home, env: { UNIT_HARDEN_E2E_RESULTS: results, UNIT_HARDEN_E2E_EXTENSION_ROOT: extensionRoot } }),
    );
    const srv = server;
    // Interrupted (Ctrl+C, CI timeout): take code-server and everything it forked down with us.
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(sig, () => {
        srv.killNow();
        console.error(`\ninterrupted (${sig}) during step: ${currentStep()}; killed code-server (pid ${srv.pid})`);
        if (!opts.keep) {
          try {
            fs.rmSync(home, { recursive: true, force: true });
          } catch {
            // Something was still writing there; it is only a temp folder.
          }
        }
        process.exit(130);
      });
    }
    browser = await step('launch headless chromium', 60_000, launchBrowser);
    const context = await newContext(browser);

    if (opts.suite) {
      await step('extension tests in the extension host (test/e2e/suite)', 240_000, async () => {
        const ws = path.join(home, 'ws-suite');
        fs.mkdirSync(ws, { recursive: true });
        const page = await openWorkbench(context, srv.workbenchUrl(ws, { extensionDevelopmentPath: devPath, extensionTestsPath: SUITE }), EXTENSION_ID);
        pages.push(page);
        const { code, logs } = await Promise.race([page.exit, page.activationFailure]);
        printResults(results);
        if (code !== 0) {
          saveBrowserLogs(logs, artifacts);
          throw new Error(`the extension tests exited with code ${code}`);
        }
        await page.close();
      });
    }

    if (opts.ui) {
      await step('UI smoke test (Quick Open, hover, quick fix; preview across a window reload)', 240_000, async () => {
        // The folder name shows in the title bar and the explorer (and so in the screenshot).
        const ws = path.join(home, 'ui', 'units');
        fs.mkdirSync(ws, { recursive: true });
        fs.copyFileSync(path.join(REPO_ROOT, 'examples', 'webapp.service'), path.join(ws, 'webapp.service'));
        // Source mode loads the extension from the tree; vsix mode relies on the installed copy alone.
        const url = opts.vsix ? srv.workbenchUrl(ws) : srv.workbenchUrl(ws, { extensionDevelopmentPath: devPath });
        const page = await openWorkbench(context, url, EXTENSION_ID);
        pages.push(page);
        const screenshot = opts.screenshot ?? path.join(artifacts, 'screenshot.png');
        await Promise.race([uiSmoke(page.page, { file: 'webapp.service', screenshot }), page.activationFailure]);
        // A real window reload with the preview open: VS Code restores it through our serializer.
        await Promise.race([previewReload(page.page, { file: 'webapp.service', text: fs.readFileSync(path.join(ws, 'webapp.service'), 'utf8') }), page.activationFailure]);
      });
    }
    log(`e2e (${mode}) passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (err) {
    if (err instanceof SkipError) {
      log(`SKIP e2e (${mode}): ${err.message}`);
      return 0;
    }
    failed = true;
    const stepName = err instanceof StepError ? err.step : currentStep();
    console.error(`\nE2E FAILED (${mode}) at step: ${stepName}\n${err instanceof StepError ? String(err.reason instanceof Error ? (err.reason.stack ?? err.reason.message) : err.reason) : String(err)}`);
    await reportFailure(artifacts, server, pages);
    return 1;
  } finally {
    for (const p of pages) await p.close();
    await browser?.close().catch(() => undefined);
    if (server) {
      await server.stop().catch((e) => console.error(`could not stop code-server: ${String(e)}`));
    }
    if (!failed && !opts.keep) fs.rmSync(home, { recursive: true, force: true });
    else log(`kept state in ${home}`);
  }
}

function printResults(file: string): void {
  if (!fs.existsSync(file)) {
    log('  (the suite wrote no results file)');
    return;
  }
  const results = JSON.parse(fs.readFileSync(file, 'utf8')) as CheckResult[];
  for (const r of results) {
    log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.ms} ms)`);
    if (r.error) console.log(r.error.replace(/^/gm, '        '));
  }
}

/** Saves every log (server, extension hosts, output channels, browser console, screenshot) and prints where. */
async function reportFailure(artifacts: string, server: CodeServer | undefined, pages: Workbench[]): Promise<void> {
  try {
    pages.forEach((p, i) => p.saveConsole(path.join(artifacts, `browser-console-${i + 1}.log`)));
    const last = pages[pages.length - 1];
    if (last) await last.page.screenshot({ path: path.join(artifacts, 'failure.png'), timeout: 10_000 }).catch(() => undefined);
    const saved = server ? server.saveLogs(artifacts) : [];
    const exthost = saved.filter((f) => /exthost/i.test(f));
    for (const f of exthost.filter((x) => /remoteexthost|Unit Harden|unitHarden/i.test(x))) {
      const text = fs.readFileSync(f, 'utf8').split('\n');
      console.error(`\n--- ${path.basename(f)} (last 40 lines) ---\n${text.slice(-40).join('\n')}`);
    }
    if (last) console.error(`\n--- browser console (last 40 lines) ---\n${last.console.slice(-40).join('\n')}`);
    console.error(`\nlogs and screenshots: ${artifacts}`);
  } catch (e) {
    console.error(`(could not collect all logs: ${String(e)})`);
  }
}

if (require.main === module) {
  if (IN_CI) log('CI=true: nothing may skip');
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
