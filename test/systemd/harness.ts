// Runs unit files under a REAL systemd (the host's 252, or debootstrap roots with 254/257/262) booted as
// PID 1 of private namespaces by boot.sh, and reports for each unit its state and the seccomp BPF
// programs attached to its main process (read with ptrace by seccomp-dump.c), plus the manager's log lines.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheDir, rootInfo, rootPath, scriptDir, type RootName } from './roots';
import { findCommand } from '../commands';

export type RealSystemd = 'host-252' | 'debian-254' | 'debian-257' | 'debian-262';
export const REAL_SYSTEMDS: readonly RealSystemd[] = ['host-252', 'debian-254', 'debian-257', 'debian-262'];

export interface FilterDump {
  /** `Seccomp_filters:` from /proc/PID/status (falls back to programs.length on kernels < 5.9). */
  count: number;
  noNewPrivs: boolean;
  /** Seccomp mode from /proc/PID/status: 0 none, 1 strict, 2 filter. */
  seccompMode: number;
  /** Index 0 = oldest (installed first); each is the raw struct sock_filter array, 8 bytes per insn, LE. */
  programs: Buffer[];
}

export interface UnitRun {
  unitName: string;
  loadState: string;
  activeState: string;
  subState: string;
  result: string;
  /** ExecMainStatus: exit status or signal number of the main process, if it ended. */
  execMainStatus: number | undefined;
  /** MainPID as the manager reports it (inside its PID namespace). */
  mainPid: number | undefined;
  /** The same process seen from the host PID namespace. */
  hostPid: number | undefined;
  dump: FilterDump | undefined;
  dumpError?: string;
  /** The manager's log lines that mention this unit (e.g. 'Unknown system call group' warnings). */
  journal?: string;
}

export interface UnitSpec {
  name: string;
  text: string;
  /** Drop-in files for NAME.d/, keyed by file name (".conf" is appended when missing). */
  dropins?: Record<string, string>;
}

export interface Manager {
  readonly which: RealSystemd;
  /** e.g. '252.38', from `systemctl --version`. */
  readonly version: string;
  /** e.g. '2.5.4', the libseccomp2 package version inside the root (Debian revision stripped). */
  readonly libseccomp: string;
  /** Host PID of the namespace's PID 1 (the manager). */
  readonly pid1: number;
  /** Milliseconds from spawning boot.sh to a running manager. */
  readonly bootMs: number;
  /** Temporary directory with boot.sh's files (console.log = the manager's log); removed by stop(). */
  readonly stateDir: string;
  runUnit(name: string, text: string, dropins?: Record<string, string>): Promise<UnitRun>;
  runMany(units: UnitSpec[]): Promise<UnitRun[]>;
  /** Runs a command inside the manager's namespaces and root (e.g. ['systemd-analyze', 'syscall-filter']). */
  exec(argv: string[], timeoutMs?: number): Promise<ExecResult>;
  /** The manager's whole log so far. */
  log(): string;
  stop(): Promise<void>;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Path of the long-running command used by serviceUnit(); present in all supported roots. */
export const SLEEP = '/bin/sleep 600';

/** A minimal service whose main process sleeps, with the given extra [Service] lines. */
/** systemd-resolved's seccomp-relevant lines (v246+, i.e. with ProtectClock), reference section 4. */
export const RESOLVED_LINES: readonly string[] = [
  'LockPersonality=yes',
  'MemoryDenyWriteExecute=yes',
  'NoNewPrivileges=yes',
  'PrivateDevices=yes',
  'ProtectControlGroups=yes',
  'ProtectKernelModules=yes',
  'ProtectKernelTunables=yes',
  'ProtectKernelLogs=yes',
  'ProtectClock=yes',
  'RestrictAddressFamilies=AF_UNIX AF_NETLINK AF_INET AF_INET6',
  'RestrictNamespaces=yes',
  'RestrictRealtime=yes',
  'RestrictSUIDSGID=yes',
  'SystemCallArchitectures=native',
  'SystemCallErrorNumber=EPERM',
  'SystemCallFilter=@system-service',
];

export function serviceUnit(lines: string | string[], opts: { type?: string; execStart?: string } = {}): string {
  const body = Array.isArray(lines) ? lines.join('\n') : lines;
  return [
    '[Unit]',
    'Description=unit-harden probe',
    '',
    '[Service]',
    `Type=${opts.type ?? 'exec'}`,
    `ExecStart=${opts.execStart ?? SLEEP}`,
    body,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Small process helpers.

const SAFE_ENV: NodeJS.ProcessEnv = {
  PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
  SYSTEMD_PAGER: 'cat',
  SYSTEMD_COLORS: '0',
  SYSTEMD_LOG_COLOR: '0',
};

function run(cmd: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = SAFE_ENV): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout: String(stdout),
          stderr: String(stderr) + (e && typeof e.code === 'string' ? `\n${e.code}: ${e.message}` : ''),
          timedOut: Boolean(e?.killed),
        });
      },
    );
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves true if p settles within ms, false otherwise; never leaves a timer behind. */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  return Promise.race([p.then(() => true, () => true), t]).finally(() => clearTimeout(timer));
}

function statusField(pid: number | 'self', key: string): string | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(text);
    return m ? m[1] : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Availability.

function rootFor(which: RealSystemd): string | undefined {
  if (which === 'host-252') return '/';
  return rootInfo(which as RootName) ? rootPath(which as RootName) : undefined;
}

function cgroup2Available(): boolean {
  try {
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
    return mounts.some((l) => {
      const f = l.split(' ');
      const sep = f.indexOf('-');
      return sep > 0 && f[sep + 1] === 'cgroup2' && (f[4] === '/sys/fs/cgroup/unified' || f[4] === '/sys/fs/cgroup');
    });
  } catch {
    return false;
  }
}

function dumperSource(): string {
  return path.join(scriptDir(), 'seccomp-dump.c');
}

function dumperPath(): string {
  const hash = createHash('sha256').update(fs.readFileSync(dumperSource())).digest('hex').slice(0, 12);
  return path.join(cacheDir(), 'bin', `seccomp-dump-${hash}`);
}

/** Whether this machine can boot the given real systemd, and why not. Synchronous and cheap. */
export function harnessAvailable(which: RealSystemd): { ok: true } | { ok: false; reason: string } {
  const no = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });
  if (!(REAL_SYSTEMDS as readonly string[]).includes(which)) return no(`unknown systemd '${which}'`);
  if (process.platform !== 'linux') return no('not Linux');
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return no('needs root (namespaces, ptrace, cgroups)');
  for (const cmd of ['bash', 'unshare', 'nsenter', 'mkfifo', 'pivot_root']) {
    if (!findCommand(cmd)) return no(`${cmd} not found`);
  }
  let dir: string;
  try {
    dir = scriptDir();
  } catch (err) {
    return no(String((err as Error).message));
  }
  if (!fs.existsSync(path.join(dir, 'boot.sh'))) return no('boot.sh missing');
  if (statusField('self', 'Seccomp') !== '0') return no('this process is itself under seccomp (ptrace filter dumps refuse that)');
  if (!fs.existsSync('/proc/self/ns/pid') || !fs.existsSync('/proc/self/ns/cgroup')) return no('kernel lacks PID or cgroup namespaces');
  if (!cgroup2Available()) return no('no cgroup2 hierarchy at /sys/fs/cgroup/unified or /sys/fs/cgroup');
  try {
    if (!fs.readFileSync('/proc/filesystems', 'utf8').includes('overlay')) return no('kernel lacks overlayfs');
  } catch {
    return no('cannot read /proc/filesystems');
  }
  if (!fs.existsSync(dumperPath()) && !findCommand('gcc')) return no('gcc not found (needed to build seccomp-dump.c)');
  if (which === 'host-252') {
    if (!fs.existsSync('/lib/systemd/systemd') && !fs.existsSync('/usr/lib/systemd/systemd')) return no('systemd is not installed on the host');
    return { ok: true };
  }
  if (!rootFor(which)) return no(`root ${which} is not built (node out/test/systemd/roots.js ${which}; cache ${cacheDir()})`);
  return { ok: true };
}

async function ensureDumper(): Promise<string> {
  const bin = dumperPath();
  if (fs.existsSync(bin)) return bin;
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  const tmp = `${bin}.tmp-${process.pid}`;
  const r = await run(findCommand('gcc') ?? 'gcc', ['-O2', '-Wall', '-o', tmp, dumperSource()], 60_000, process.env);
  if (r.code !== 0) throw new Error(`compiling seccomp-dump.c failed:\n${r.stderr}`);
  fs.renameSync(tmp, bin);
  return bin;
}

// ---------------------------------------------------------------------------------------------
// PID translation: MainPID is a PID inside the manager's namespace; ptrace and /proc here need host PIDs.

function nsPids(pid: number): number[] | undefined {
  const v = statusField(pid, 'NSpid');
  return v ? v.trim().split(/\s+/).map(Number) : undefined;
}

/** Maps inner PIDs (as seen by the manager whose host PID is pid1) to host PIDs. */
function innerToHost(pid1: number, wanted: Set<number>): Map<number, number> {
  const out = new Map<number, number>();
  if (wanted.size === 0) return out;
  const level = (nsPids(pid1)?.length ?? 2) - 1;
  const ppid = new Map<number, number>();
  const candidates: { host: number; inner: number }[] = [];
  for (const ent of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    const host = Number(ent);
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${host}/status`, 'utf8');
    } catch {
      continue;
    }
    const pp = /^PPid:\s*(\d+)/m.exec(text);
    if (pp) ppid.set(host, Number(pp[1]));
    const ns = /^NSpid:\s*(.*)$/m.exec(text);
    if (!ns) continue;
    const ids = ns[1].trim().split(/\s+/).map(Number);
    if (ids.length > level && wanted.has(ids[level])) candidates.push({ host, inner: ids[level] });
  }
  for (const c of candidates) {
    // Must descend from this manager: other managers (other test runs) have their own PID 1..N.
    let p: number | undefined = c.host;
    for (let i = 0; i < 64 && p !== undefined && p > 1; i++) {
      if (p === pid1) {
        out.set(c.inner, c.host);
        break;
      }
      p = ppid.get(p);
    }
  }
  return out;
}

function exeBase(hostPid: number): string | undefined {
  try {
    return path.basename(fs.readlinkSync(`/proc/${hostPid}/exe`)).replace(/ \(deleted\)$/, '');
  } catch {
    return undefined;
  }
}

/** True once the process has left systemd's fork/executor code and exec'd the service binary. */
function hasExeced(hostPid: number): boolean {
  const exe = exeBase(hostPid);
  if (exe === undefined) return false;
  return exe !== 'systemd' && exe !== 'systemd-executor';
}

interface RawDump {
  pid: number;
  seccomp?: number;
  seccompFilters?: number;
  noNewPrivs?: number;
  programs?: { index: number; insns: number; hex: string }[];
  error?: string;
}

async function dumpPids(dumper: string, pids: number[]): Promise<Map<number, RawDump>> {
  const out = new Map<number, RawDump>();
  if (pids.length === 0) return out;
  const r = await run(dumper, pids.map(String), 30_000);
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    try {
      const d = JSON.parse(line) as RawDump;
      out.set(d.pid, d);
    } catch {
      /* ignore a torn line; the PID is reported as not dumped */
    }
  }
  for (const p of pids) if (!out.has(p)) out.set(p, { pid: p, error: `dumper gave no result (exit ${r.code}): ${r.stderr.trim()}` });
  return out;
}

function toFilterDump(d: RawDump): FilterDump {
  const programs = (d.programs ?? []).sort((a, b) => a.index - b.index).map((p) => Buffer.from(p.hex, 'hex'));
  const count = d.seccompFilters !== undefined && d.seccompFilters >= 0 ? d.seccompFilters : programs.length;
  return { count, noNewPrivs: d.noNewPrivs === 1, seccompMode: d.seccomp ?? -1, programs };
}

// ---------------------------------------------------------------------------------------------
// systemctl output parsing.

function parseShow(stdout: string): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  let cur = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    if (line === '') {
      if (cur.size) blocks.push(cur);
      cur = new Map();
      continue;
    }
    const i = line.indexOf('=');
    if (i > 0) cur.set(line.slice(0, i), line.slice(i + 1));
  }
  if (cur.size) blocks.push(cur);
  return blocks;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Artifacts of this sandbox, not of the unit: the host's cgroup2 has no pids controller (v257+ warn). */
const SANDBOX_NOISE = /Failed to read pids\.max for control group /;

/** Log lines that mention the unit by name (not as a prefix of a longer name). */
function linesFor(log: string, unit: string): string {
  const re = new RegExp(`(^|[^A-Za-z0-9_.@\\\\-])${escapeRe(unit)}($|[^A-Za-z0-9_@\\\\-]|\\.(?![A-Za-z0-9]))`);
  return log
    .split('\n')
    .filter((l) => l && re.test(l) && !SANDBOX_NOISE.test(l))
    .join('\n');
}

function stripRevision(v: string): string {
  // '252.38-1~deb12u1' -> '252.38'; '2.5.4-1+deb12u1' -> '2.5.4'; '1:2.3-4' -> '2.3'
  return v.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
}

const UNIT_NAME_RE = /^[A-Za-z0-9:_.\\@-]+\.service$/;

// ---------------------------------------------------------------------------------------------
// The manager.

export interface StartOptions {
  /** systemd --log-level for the manager (default info; 'debug' is much noisier). */
  logLevel?: string;
  /** Keep the state directory (logs) after stop(), for debugging. Also $UNIT_HARDEN_KEEP=1. */
  keepState?: boolean;
  bootTimeoutMs?: number;
}

class RealManager implements Manager {
  version = '';
  libseccomp = '';
  pid1 = 0;
  bootMs = 0;
  private stopped = false;
  private queue: Promise<unknown> = Promise.resolve();
  private markSeq = 0;
  private readonly exitHook = (): void => {
    // Last resort if stop() was never awaited: boot.sh also stops on stdin EOF, which follows our exit.
    if (this.pid1) {
      try {
        process.kill(this.pid1, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };

  constructor(
    readonly which: RealSystemd,
    private readonly root: string,
    readonly stateDir: string,
    private readonly dumper: string,
    private readonly opts: StartOptions,
    private child?: ChildProcess,
    private bootOutput: string[] = [],
  ) {}

  async boot(): Promise<void> {
    const started = Date.now();
    process.on('exit', this.exitHook);
    const child = spawn(
      'bash',
      [
        path.join(scriptDir(), 'boot.sh'),
        '--state', this.stateDir,
        '--root', this.root,
        '--log-level', this.opts.logLevel ?? 'info',
        // boot.sh deletes the state directory itself, so even a killed test run leaves none behind.
        ...(this.keep() ? [] : ['--remove-state']),
      ],
      { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: SAFE_ENV },
    );
    this.child = child;
    // Neither the child nor its pipes keep Node alive: if a caller never calls stop(), Node still
    // exits, boot.sh then reads EOF on stdin and tears the namespace down.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
    const collect = (b: Buffer): void => {
      this.bootOutput.push(b.toString('utf8'));
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.stdin?.on('error', () => undefined); // EPIPE once boot.sh has exited
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    const deadline = started + (this.opts.bootTimeoutMs ?? 90_000);
    const pidFile = path.join(this.stateDir, 'pid1');
    while (!this.pid1) {
      if (exited) throw new Error(`boot.sh exited early:\n${this.diagnostics()}`);
      if (Date.now() > deadline) throw new Error(`manager PID 1 did not appear in time:\n${this.diagnostics()}`);
      try {
        const v = Number(fs.readFileSync(pidFile, 'utf8').trim());
        if (v > 0) this.pid1 = v;
      } catch {
        /* not yet */
      }
      if (!this.pid1) await sleep(25);
    }
    for (;;) {
      if (exited) throw new Error(`manager exited during boot:\n${this.diagnostics()}`);
      const r = await this.exec(['systemctl', 'is-system-running'], 10_000);
      const s = r.stdout.trim();
      if (s === 'running' || s === 'degraded') break;
      if (Date.now() > deadline) throw new Error(`manager not running in time (state '${s}'):\n${this.diagnostics()}`);
      await sleep(50);
    }
    this.bootMs = Date.now() - started;
    const v = await this.exec(['systemctl', '--version'], 10_000);
    const m = /^systemd (\d+)(?: \(([^)]+)\))?/m.exec(v.stdout);
    if (!m) throw new Error(`cannot parse systemctl --version: ${v.stdout}${v.stderr}`);
    this.version = m[2] ? stripRevision(m[2]) : m[1];
    const s = await this.exec(['dpkg-query', '-W', '-f', '${Version}', 'libseccomp2'], 10_000);
    this.libseccomp = s.code === 0 && s.stdout.trim() ? stripRevision(s.stdout.trim()) : 'unknown';
  }

  private keep(): boolean {
    return Boolean(this.opts.keepState) || process.env.UNIT_HARDEN_KEEP === '1';
  }

  private diagnostics(): string {
    const read = (f: string): string => {
      try {
        return fs.readFileSync(path.join(this.stateDir, f), 'utf8');
      } catch {
        return '';
      }
    };
    return [`boot.sh: ${this.bootOutput.join('')}`, `boot.log: ${read('boot.log')}`, `manager log:\n${read('console.log')}`].join('\n');
  }

  exec(argv: string[], timeoutMs = 30_000): Promise<ExecResult> {
    if (!this.pid1) return Promise.reject(new Error('manager not started'));
    return run('nsenter', ['-t', String(this.pid1), '-m', '-p', '-r', '-w', '--', ...argv], timeoutMs);
  }

  private systemctl(args: string[], timeoutMs = 30_000): Promise<ExecResult> {
    return this.exec(['systemctl', ...args], timeoutMs);
  }

  log(): string {
    try {
      return fs.readFileSync(path.join(this.stateDir, 'console.log'), 'utf8');
    } catch {
      return '';
    }
  }

  private logSize(): number {
    try {
      return fs.statSync(path.join(this.stateDir, 'console.log')).size;
    } catch {
      return 0;
    }
  }

  /** Writes a marker into the log FIFO and waits until it has reached console.log, so that
   * everything the manager logged before this call is in the file. Returns the log since `from`. */
  private async logSince(from: number): Promise<string> {
    const mark = `unit-harden-mark-${process.pid}-${++this.markSeq}`;
    try {
      const fd = fs.openSync(path.join(this.stateDir, 'console.fifo'), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      try {
        fs.writeSync(fd, `<31>${mark}\n`);
      } finally {
        fs.closeSync(fd);
      }
      const deadline = Date.now() + 2000;
      while (Date.now() < deadline && !this.readFrom(from).includes(mark)) await sleep(10);
    } catch {
      /* the reader is gone; return what there is */
    }
    return this.readFrom(from)
      .split('\n')
      .filter((l) => !l.includes('unit-harden-mark-'))
      .join('\n');
  }

  private readFrom(from: number): string {
    try {
      const fd = fs.openSync(path.join(this.stateDir, 'console.log'), 'r');
      try {
        const size = fs.fstatSync(fd).size;
        const buf = Buffer.alloc(Math.max(0, size - from));
        fs.readSync(fd, buf, 0, buf.length, from);
        return buf.toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return '';
    }
  }

  runUnit(name: string, text: string, dropins?: Record<string, string>): Promise<UnitRun> {
    return this.runMany([{ name, text, dropins }]).then((r) => r[0]);
  }

  runMany(units: UnitSpec[]): Promise<UnitRun[]> {
    const next = this.queue.then(() => this.runBatch(units));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private unitDir(): string {
    return `/proc/${this.pid1}/root/run/systemd/system`;
  }

  private async runBatch(units: UnitSpec[]): Promise<UnitRun[]> {
    if (this.stopped || !this.pid1) throw new Error('manager is stopped');
    if (units.length === 0) return [];
    const seen = new Set<string>();
    for (const u of units) {
      if (!UNIT_NAME_RE.test(u.name)) throw new Error(`unit name must be NAME.service: '${u.name}'`);
      if (seen.has(u.name)) throw new Error(`duplicate unit name in batch: ${u.name}`);
      seen.add(u.name);
    }
    const names = units.map((u) => u.name);
    const dir = this.unitDir();
    for (const u of units) {
      fs.writeFileSync(path.join(dir, u.name), u.text);
      const dd = path.join(dir, `${u.name}.d`);
      fs.rmSync(dd, { recursive: true, force: true });
      if (u.dropins && Object.keys(u.dropins).length) {
        fs.mkdirSync(dd);
        for (const [file, body] of Object.entries(u.dropins)) {
          if (file.includes('/')) throw new Error(`bad drop-in name '${file}'`);
          fs.writeFileSync(path.join(dd, file.endsWith('.conf') ? file : `${file}.conf`), body);
        }
      }
    }
    const logFrom = this.logSize();
    try {
      const reload = await this.systemctl(['daemon-reload'], 60_000);
      if (reload.code !== 0) throw new Error(`daemon-reload failed: ${reload.stderr}`);
      // Blocks until every start job has finished (Type=exec: exec'd or failed); failures are
      // reported per unit below, so the exit code is not an error here.
      await this.systemctl(['start', '--', ...names], 30_000 + 500 * names.length);

      const props = ['Id', 'LoadState', 'ActiveState', 'SubState', 'Result', 'MainPID', 'ExecMainStatus'];
      let blocks: Map<string, string>[] = [];
      let hostMap = new Map<number, number>();
      const deadline = Date.now() + 15_000 + 100 * names.length;
      for (;;) {
        const show = await this.systemctl(['show', `--property=${props.join(',')}`, '--', ...names], 30_000);
        blocks = parseShow(show.stdout);
        if (blocks.length !== names.length) throw new Error(`systemctl show returned ${blocks.length} blocks for ${names.length} units: ${show.stderr}`);
        const inner = new Set<number>();
        for (const b of blocks) {
          const p = Number(b.get('MainPID') ?? '0');
          if (p > 0) inner.add(p);
        }
        hostMap = innerToHost(this.pid1, inner);
        const pending = blocks.filter((b) => {
          const state = b.get('ActiveState') ?? '';
          const p = Number(b.get('MainPID') ?? '0');
          if (p > 0) {
            const h = hostMap.get(p);
            return h === undefined || !hasExeced(h);
          }
          return state === 'activating' || state === 'deactivating' || state === 'reloading';
        });
        if (pending.length === 0 || Date.now() > deadline) break;
        await sleep(30);
      }

      const hostPids = [...hostMap.values()];
      const dumps = await dumpPids(this.dumper, hostPids);

      const results: UnitRun[] = blocks.map((b, i) => {
        const inner = Number(b.get('MainPID') ?? '0');
        const host = inner > 0 ? hostMap.get(inner) : undefined;
        const raw = host !== undefined ? dumps.get(host) : undefined;
        const st = b.get('ExecMainStatus');
        const r: UnitRun = {
          unitName: names[i],
          loadState: b.get('LoadState') ?? '',
          activeState: b.get('ActiveState') ?? '',
          subState: b.get('SubState') ?? '',
          result: b.get('Result') ?? '',
          execMainStatus: st !== undefined && st !== '' ? Number(st) : undefined,
          mainPid: inner > 0 ? inner : undefined,
          hostPid: host,
          dump: raw && !raw.error ? toFilterDump(raw) : undefined,
        };
        if (raw?.error) r.dumpError = raw.error;
        else if (inner > 0 && host === undefined) r.dumpError = `MainPID ${inner} not found in the host PID namespace`;
        return r;
      });

      // Remove the files first: systemctl stop/reset-failed look the units up again afterwards,
      // which would re-parse the files and repeat their warnings in the log.
      this.removeUnitFiles(units);
      await this.systemctl(['stop', '--', ...names], 30_000 + 200 * names.length);
      await this.systemctl(['reset-failed', '--', ...names], 10_000);
      const log = await this.logSince(logFrom);
      for (const r of results) r.journal = linesFor(log, r.unitName);
      return results;
    } finally {
      this.removeUnitFiles(units);
    }
  }

  private removeUnitFiles(units: UnitSpec[]): void {
    const dir = this.unitDir();
    for (const u of units) {
      fs.rmSync(path.join(dir, u.name), { force: true });
      fs.rmSync(path.join(dir, `${u.name}.d`), { recursive: true, force: true });
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.queue.catch(() => undefined);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        child.stdin?.end('stop\n');
      } catch {
        /* already closed */
      }
      const ok = await settlesWithin(exited, 20_000);
      if (!ok) {
        // boot.sh is stuck: kill the manager and boot.sh's process group, then clean up after it.
        if (this.pid1) {
          try {
            process.kill(this.pid1, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        await settlesWithin(exited, 5_000);
        removeStaleCgroups(this.bootOutput.join(''));
      }
    }
    process.removeListener('exit', this.exitHook);
    if (!this.keep()) fs.rmSync(this.stateDir, { recursive: true, force: true });
  }
}

function removeStaleCgroups(bootOutput: string): void {
  const m = /\(cgroup (\/sys\/fs\/cgroup\/\S+)\)/.exec(bootOutput);
  if (!m || !/\/unit-harden-\d+-\d+$/.test(m[1])) return;
  const rmTree = (dir: string): void => {
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) rmTree(path.join(dir, e.name));
    try {
      fs.rmdirSync(dir);
    } catch {
      /* still busy */
    }
  };
  rmTree(m[1]);
}

/** Boots the given real systemd. Throws with a reason if it is unavailable or fails to boot. */
export async function startManager(which: RealSystemd, opts: StartOptions = {}): Promise<Manager> {
  const avail = harnessAvailable(which);
  if (!avail.ok) throw new Error(`real systemd ${which} unavailable: ${avail.reason}`);
  const root = rootFor(which);
  if (!root) throw new Error(`no root for ${which}`);
  const dumper = await ensureDumper();
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'unit-harden-'));
  const mgr = new RealManager(which, root, state, dumper, opts);
  try {
    await mgr.boot();
  } catch (err) {
    await mgr.stop().catch(() => undefined);
    throw err;
  }
  return mgr;
}

/** Instruction counts of a dump's programs, oldest first. */
export function programSizes(dump: FilterDump | undefined): number[] {
  return dump ? dump.programs.map((p) => p.length / 8) : [];
}
