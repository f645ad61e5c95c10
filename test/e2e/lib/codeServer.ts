/**
 * Installs (through setup.sh), starts and stops code-server 4.96.4 — the real VS Code server and
 * workbench — fully isolated in a temp folder, and builds workbench URLs that load an extension
 * under development and a test module through the `payload` parameter.
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { IN_CI, REPO_ROOT, freePort, log, requireComponent, waitFor } from './steps';

export const CODE_SERVER_VERSION = '4.96.4';
export const CACHE_DIR = process.env['UNIT_HARDEN_CACHE'] || path.join(os.homedir(), '.cache', 'unit-harden');
export const CHROMIUM = process.env['UNIT_HARDEN_CHROMIUM'] || '/usr/bin/chromium';
const SETUP = path.join(REPO_ROOT, 'test', 'e2e', 'setup.sh');
const ENTRY = path.join(CACHE_DIR, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const STAMP = path.join(CACHE_DIR, `code-server-${CODE_SERVER_VERSION}`, '.unit-harden-complete');

/**
 * Returns code-server's entry script. Under CI (or with UNIT_HARDEN_E2E_SETUP=1) runs setup.sh,
 * which installs whatever is missing; otherwise a missing install is a skip with the command to run.
 */
export function ensureCodeServer(extraSetupArgs: string[] = []): string {
  const install = IN_CI || process.env['UNIT_HARDEN_E2E_SETUP'] === '1';
  if (install) {
    const r = spawnSync('bash', [SETUP, ...extraSetupArgs], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', timeout: 15 * 60_000 });
    if (r.status !== 0) throw new Error(`test/e2e/setup.sh failed (status ${r.status}${r.error ? `, ${r.error.message}` : ''})`);
  }
  requireComponent(fs.existsSync(STAMP) && fs.existsSync(ENTRY), `code-server ${CODE_SERVER_VERSION} is not installed in ${path.dirname(STAMP)}: run \`bash test/e2e/setup.sh\``);
  requireComponent(fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run \`bash test/e2e/setup.sh\` (apt-get install chromium)`);
  return ENTRY;
}

/** User settings that keep the workbench quiet and quick: no welcome page, tips, updates or git. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'editor.hover.delay': 200,
  'files.autoSave': 'off',
};

export interface CodeServerOptions {
  /** Root of all isolated state (XDG dirs, user data, extensions, tmp). */
  readonly home: string;
  /** Extra environment for the server (and so for the extension host). */
  readonly env?: Record<string, string>;
  readonly settings?: Record<string, unknown>;
}

export class CodeServer {
  private constructor(
    readonly entry: string,
    readonly home: string,
    readonly port: number,
    private readonly proc: ChildProcess,
    readonly logFile: string,
    private exited: Promise<void>,
  ) {}

  static dirs(home: string) {
    return {
      userData: path.join(home, 'user-data'),
      extensions: path.join(home, 'extensions'),
      tmp: path.join(home, 'tmp'),
      config: path.join(home, 'xdg-config'),
      data: path.join(home, 'xdg-data'),
      cache: path.join(home, 'xdg-cache'),
    };
  }

  static env(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const d = CodeServer.dirs(home);
    return {
      ...process.env,
      XDG_CONFIG_HOME: d.config,
      XDG_DATA_HOME: d.data,
      XDG_CACHE_HOME: d.cache,
      TMPDIR: d.tmp,
      // No password prompts, no browser opening, no gallery calls that cannot work offline anyway.
      PASSWORD: '',
      BROWSER: 'true',
      ...extra,
    };
  }

  static prepare(home: string, settings: Record<string, unknown> = {}): void {
    const d = CodeServer.dirs(home);
    for (const dir of Object.values(d)) fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(path.join(d.userData, 'User'), { recursive: true });
    fs.writeFileSync(path.join(d.userData, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  }

  /** Installs a .vsix into the isolated extensions folder with code-server's CLI; returns the extension's folder. */
  static installVsix(entry: string, home: string, vsix: string, id: string): string {
    const d = CodeServer.dirs(home);
    const r = spawnSync(process.execPath, [entry, '--user-data-dir', d.userData, '--extensions-dir', d.extensions, '--install-extension', vsix], {
      env: CodeServer.env(home),
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    log(out.trim().replace(/^/gm, '    code-server: '));
    if (r.status !== 0 || !/successfully installed/i.test(out)) throw new Error(`--install-extension ${vsix} failed (status ${r.status})`);
    const dir = fs.readdirSync(d.extensions).find((n) => n.toLowerCase().startsWith(`${id.toLowerCase()}-`));
    if (!dir) throw new Error(`the installed extension ${id} is not in ${d.extensions}: ${fs.readdirSync(d.extensions).join(', ')}`);
    return path.join(d.extensions, dir);
  }

  /**
   * Starts code-server on a free port of 127.0.0.1. The port is probed and released before
   * code-server binds it, so a run starting at the same moment (another worktree) may take it
   * first: when code-server exits with EADDRINUSE, try again on another port.
   */
  static async start(entry: string, opts: CodeServerOptions): Promise<CodeServer> {
    CodeServer.prepare(opts.home, opts.settings);
    const attempts = 4;
    for (let attempt = 1; ; attempt++) {
      try {
        return await CodeServer.startOnce(entry, opts, await freePort());
      } catch (err) {
        if (!(err instanceof PortInUseError) || attempt >= attempts) throw err;
        log(`port ${err.port} was taken before code-server could bind it; trying another (attempt ${attempt + 1} of ${attempts})`);
      }
    }
  }

  private static async startOnce(entry: string, opts: CodeServerOptions, port: number): Promise<CodeServer> {
    const d = CodeServer.dirs(opts.home);
    const logFile = path.join(opts.home, 'code-server.log');
    const out = fs.openSync(logFile, 'a');
    const logStart = fs.fstatSync(out).size;
    const args = [
      entry,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--disable-proxy',
      '--user-data-dir', d.userData,
      '--extensions-dir', d.extensions,
      '--log', 'debug',
    ];
    // Its own process group, so stop() reaches the extension hosts and language servers it forks.
    const proc = spawn(process.execPath, args, { env: CodeServer.env(opts.home, opts.env), stdio: ['ignore', out, out], detached: true });
    fs.closeSync(out);
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const server = new CodeServer(entry, opts.home, port, proc, logFile, exited);
    const early = (): Error => {
      const text = server.log().slice(logStart);
      return /EADDRINUSE/.test(text) ? new PortInUseError(port, text) : new Error(`code-server exited early; log:\n${text}`);
    };
    let started = false;
    // An exit before /healthz answers ends the wait at once (waitFor alone would poll until its timeout).
    const exitedEarly = exited.then(() => {
      if (!started) throw early();
    });
    exitedEarly.catch(() => undefined);
    try {
      await Promise.race([
        waitFor(
          `code-server /healthz on port ${port}`,
          // Once the start has failed, the probe stops polling.
          async () => (started || (await httpGet(`http://127.0.0.1:${port}/healthz`)) === 200 ? true : undefined),
          { timeoutMs: 60_000, intervalMs: 100, describe: () => server.log().split('\n').slice(-5).join('\n') },
        ),
        exitedEarly,
      ]);
      started = true;
    } catch (err) {
      started = true;
      await server.stop().catch(() => undefined);
      throw err;
    }
    log(`code-server ${CODE_SERVER_VERSION} (pid ${proc.pid}) on http://127.0.0.1:${port}/`);
    return server;
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /**
   * Workbench URL opening `folder`; with `payload` the page becomes an extension development host
   * (code-server's remote authority is literally `remote`).
   */
  workbenchUrl(folder: string, opts: { extensionDevelopmentPath?: string; extensionTestsPath?: string } = {}): string {
    const payload: [string, string][] = [];
    if (opts.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', `vscode-remote://remote${opts.extensionDevelopmentPath}`]);
    if (opts.extensionTestsPath) payload.push(['extensionTestsPath', `vscode-remote://remote${opts.extensionTestsPath}`]);
    const q = new URLSearchParams({ folder });
    if (payload.length) q.set('payload', JSON.stringify(payload));
    return `http://127.0.0.1:${this.port}/?${q.toString()}`;
  }

  log(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** All log files VS Code wrote: server, extension host(s), and output channels (e.g. "Unit Harden"). */
  logFiles(): string[] {
    const root = path.join(CodeServer.dirs(this.home).userData, 'logs');
    const found: string[] = [];
    const walk = (dir: string) => {
      let entries: fs.Dirent[] = [];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.log')) found.push(p);
      }
    };
    walk(root);
    return [this.logFile, ...found.sort()];
  }

  /** Copies every log into `dir` (flattened names) and returns the copied paths. */
  saveLogs(dir: string): string[] {
    const root = path.join(CodeServer.dirs(this.home).userData, 'logs');
    return this.logFiles().map((f) => {
      const rel = f === this.logFile ? 'code-server.log' : path.relative(root, f).split(path.sep).join('__');
      const dest = path.join(dir, rel);
      fs.copyFileSync(f, dest);
      return dest;
    });
  }

  /** For signal handlers: SIGKILL to the whole group, synchronously. */
  killNow(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  /** Kills the whole process group by its id, waits for it to be gone, escalates to SIGKILL. */
  async stop(): Promise<void> {
    const pgid = this.pid;
    const alive = () => {
      try {
        process.kill(-pgid, 0);
        return true;
      } catch {
        return false;
      }
    };
    if (!alive()) return;
    try {
      process.kill(-pgid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    try {
      await waitFor('code-server and its children to exit', () => (alive() ? undefined : true), { timeoutMs: 5_000, intervalMs: 50 });
    } catch {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await waitFor('code-server and its children to die', () => (alive() ? undefined : true), { timeoutMs: 5_000, intervalMs: 50 });
    }
    await this.exited;
  }
}

/** code-server could not bind its port: another process took it after freePort() released it. */
class PortInUseError extends Error {
  constructor(
    readonly port: number,
    log: string,
  ) {
    super(`port ${port} is in use; code-server log:\n${log}`);
  }
}

function httpGet(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => {
      req.destroy();
      resolve(undefined);
    });
  });
}
