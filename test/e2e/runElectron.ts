/**
 * Runs the same e2e suite (test/e2e/suite) in desktop VS Code through @vscode/test-electron, for
 * machines that can download VS Code (or have one: set VSCODE_EXECUTABLE). Offline machines use
 * runCodeServer.ts instead; this runner is not part of CI.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const CACHE_DIR = process.env['UNIT_HARDEN_CACHE'] || path.join(os.homedir(), '.cache', 'unit-harden');

async function main(): Promise<number> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'unit-harden-electron-'));
  const workspace = path.join(home, 'workspace');
  fs.mkdirSync(workspace);
  const results = path.join(home, 'results.json');
  try {
    const code = await runTests({
      extensionDevelopmentPath: REPO_ROOT,
      // Downloads go to the shared cache, never into the repository.
      cachePath: path.join(CACHE_DIR, 'vscode-test'),
      timeout: 60_000,
      extensionTestsPath: path.join(REPO_ROOT, 'out', 'test', 'e2e', 'suite', 'index.js'),
      ...(process.env['VSCODE_EXECUTABLE'] ? { vscodeExecutablePath: process.env['VSCODE_EXECUTABLE'] } : { version: process.env['VSCODE_VERSION'] ?? 'stable' }),
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir',
        path.join(home, 'user-data'),
        '--extensions-dir',
        path.join(home, 'extensions'),
      ],
      extensionTestsEnv: { UNIT_HARDEN_E2E_RESULTS: results, UNIT_HARDEN_E2E_EXTENSION_ROOT: REPO_ROOT },
    });
    return code;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    console.error(`test-electron failed: ${msg}`);
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|getaddrinfo/.test(msg)) {
      console.error('VS Code could not be downloaded (offline?). Set VSCODE_EXECUTABLE, or run the code-server runner: node out/test/e2e/runCodeServer.js');
    }
    return 1;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

void main().then((code) => process.exit(code));
