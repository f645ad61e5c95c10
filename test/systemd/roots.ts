// Locates the harness's scripts and cache, and builds or checks the cached debootstrap roots that
// carry newer systemd versions (debian-254/257/262). Also a command-line entry for prebuilding them:
// `node out/test/systemd/roots.js [--all | --check | NAME...]`.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findCommand } from '../commands';

export type RootName = 'debian-254' | 'debian-257' | 'debian-262';
export const ROOT_NAMES: readonly RootName[] = ['debian-254', 'debian-257', 'debian-262'];

/** Cache directory shared by roots and the compiled dumper: $UNIT_HARDEN_CACHE or ~/.cache/unit-harden. */
export function cacheDir(): string {
  const env = process.env.UNIT_HARDEN_CACHE;
  if (env && env.trim() !== '') return path.resolve(env);
  return path.join(process.env.HOME || os.homedir(), '.cache', 'unit-harden');
}

/** Directory holding boot.sh, build-root.sh, common.sh and seccomp-dump.c (the sources, not out/). */
export function scriptDir(): string {
  const candidates = [
    __dirname, // if the scripts sit next to the compiled JS
    path.resolve(__dirname, '..', '..', '..', 'test', 'systemd'), // out/test/systemd -> test/systemd
  ];
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'boot.sh')) && fs.existsSync(path.join(dir, 'seccomp-dump.c'))) return dir;
  }
  throw new Error(`unit-harden: cannot find test/systemd scripts (looked in ${candidates.join(', ')})`);
}

export function isRootName(name: string): name is RootName {
  return (ROOT_NAMES as readonly string[]).includes(name);
}

export function rootPath(name: RootName): string {
  return path.join(cacheDir(), 'roots', name);
}

export interface RootInfo {
  name: string;
  suite: string;
  systemd: string;
  libseccomp: string;
  built: string;
  seconds: number;
}

/** The marker written by build-root.sh once a root is complete, or undefined if not built. */
export function rootInfo(name: RootName): RootInfo | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(rootPath(name), '.unit-harden-root'), 'utf8');
  } catch {
    return undefined;
  }
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1));
  }
  return {
    name: kv.get('name') ?? name,
    suite: kv.get('suite') ?? '',
    systemd: kv.get('systemd') ?? '',
    libseccomp: kv.get('libseccomp') ?? '',
    built: kv.get('built') ?? '',
    seconds: Number(kv.get('seconds') ?? 'NaN'),
  };
}

/** Why a root cannot be built here, or undefined if it can. */
export function buildBlocker(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'building roots needs root';
  for (const cmd of ['debootstrap', 'unshare', 'flock', 'chroot']) {
    if (findCommand(cmd) === undefined) return `${cmd} is not installed${cmd === 'debootstrap' ? ' (apt-get install debootstrap)' : ''}`;
  }
  return undefined;
}

/**
 * Builds the root if it is missing (build-root.sh is idempotent and locks per name). Resolves with
 * the root's info and the seconds spent (0 when it was already there); rejects on failure or timeout.
 */
export async function ensureRoot(
  name: RootName,
  opts: { log?: (line: string) => void; timeoutMs?: number } = {},
): Promise<{ info: RootInfo; seconds: number }> {
  const existing = rootInfo(name);
  if (existing) return { info: existing, seconds: 0 };
  const blocker = buildBlocker();
  if (blocker) throw new Error(`cannot build root ${name}: ${blocker}`);
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 20 * 60_000;
  const tail: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [path.join(scriptDir(), 'build-root.sh'), name], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        opts.log?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`building root ${name} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`building root ${name} failed (${signal ?? code}):\n${tail.join('\n')}`));
    });
  });
  const info = rootInfo(name);
  if (!info) throw new Error(`build-root.sh ${name} succeeded but left no marker`);
  return { info, seconds: (Date.now() - started) / 1000 };
}

async function main(argv: string[]): Promise<number> {
  const usage = 'usage: node out/test/systemd/roots.js [--all | --check | debian-254 | debian-257 | debian-262 ...]';
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv.includes('--check')) {
    let missing = 0;
    for (const name of ROOT_NAMES) {
      const info = rootInfo(name);
      if (info) console.log(`${name}: ready (${info.suite}, systemd ${info.systemd}, libseccomp ${info.libseccomp}) at ${rootPath(name)}`);
      else {
        console.log(`${name}: not built`);
        missing++;
      }
    }
    return missing === 0 ? 0 : 1;
  }
  const names = argv.includes('--all') ? [...ROOT_NAMES] : argv;
  for (const name of names) {
    if (!isRootName(name)) {
      console.error(`unknown root '${name}'\n${usage}`);
      return 2;
    }
  }
  for (const name of names as RootName[]) {
    try {
      const { info, seconds } = await ensureRoot(name, { log: (l) => console.log(`[${name}] ${l}`) });
      console.log(`${name}: systemd ${info.systemd}, libseccomp ${info.libseccomp}` + (seconds ? ` (built in ${seconds.toFixed(0)} s)` : ' (cached)'));
    } catch (err) {
      console.error(String(err instanceof Error ? err.message : err));
      return 1;
    }
  }
  return 0;
}

// Only as a command: not when `node --test` happens to load this file as a test module.
if (require.main === module && !process.env.NODE_TEST_CONTEXT) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
