// The filter plan against the REAL systemd: for a suite of units (each seccomp directive alone, with
// and without SystemCallArchitectures=native, arch lists, resets, the resolved-like set, DynamicUser=,
// corpus units) the number of filters the manager installs, the ABIs of each dumped program and its
// bytes must equal the plan and the libseccomp port's programs. host-252 always runs (skipped with a
// reason when the machine cannot, failing instead when CI=true); the debootstrap roots run when
// listed in $UNIT_HARDEN_ROOTS ("all" or a list), built first if missing — the same gating as
// harness.test.ts.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REAL_SYSTEMDS, RESOLVED_LINES, harnessAvailable, serviceUnit, startManager, type Manager, type RealSystemd, type UnitRun } from './harness';
import { ROOT_NAMES, buildBlocker, ensureRoot, rootInfo, type RootName } from './roots';
import { loadUnit, liveAssignments } from '../../server/src/model/unit';
import { ABIS, type AbiName } from '../../server/src/seccomp/abi';
import { encodeProgram } from '../../server/src/seccomp/bpf';
import { planFilters, type FilterPlan } from '../../server/src/seccomp/planner';
import { resolveTarget, type Target } from '../../server/src/seccomp/target';

const CI = process.env.CI === 'true';
const REPO = path.resolve(__dirname, '../../..');
const CORPUS = path.join(REPO, '..', 'shared', 'corpus', 'systemd-v252', 'rendered');

// ---------------------------------------------------------------------------------------------
// The unit suite.


const SINGLE: [string, string[]][] = [
  ['hostname', ['ProtectHostname=yes']],
  ['hostname-private', ['ProtectHostname=private']],
  ['raf-allow', ['RestrictAddressFamilies=AF_UNIX AF_INET']],
  ['raf-deny', ['RestrictAddressFamilies=~AF_PACKET AF_NETLINK']],
  ['raf-none', ['RestrictAddressFamilies=none']],
  ['mdwe', ['MemoryDenyWriteExecute=yes']],
  ['realtime', ['RestrictRealtime=yes']],
  ['suid', ['RestrictSUIDSGID=yes']],
  ['ns-yes', ['RestrictNamespaces=yes']],
  ['ns-notuser', ['RestrictNamespaces=~user']],
  ['ns-list', ['RestrictNamespaces=net ipc']],
  ['ns-merge', ['RestrictNamespaces=net', 'RestrictNamespaces=~net mnt']],
  ['ns-nottime', ['RestrictNamespaces=~time']],
  ['ns-no', ['RestrictNamespaces=no']],
  ['tunables', ['ProtectKernelTunables=yes']],
  ['modules', ['ProtectKernelModules=yes']],
  ['logs', ['ProtectKernelLogs=yes']],
  ['clock', ['ProtectClock=yes']],
  ['devices', ['PrivateDevices=yes']],
  ['lockpers', ['LockPersonality=yes']],
  ['lockpers-x86', ['LockPersonality=yes', 'Personality=x86']],
  ['log-allow', ['SystemCallLog=@mount']],
  ['log-deny', ['SystemCallLog=~@clock']],
  ['scf-allow', ['SystemCallFilter=@system-service']],
  ['scf-deny', ['SystemCallFilter=~@mount']],
  ['scf-deny-errno', ['SystemCallFilter=~@mount:EIO uname:ENOSYS', 'SystemCallErrorNumber=EPERM']],
  ['scf-allow-errno', ['SystemCallFilter=@system-service', 'SystemCallFilter=~uname:EIO', 'SystemCallErrorNumber=EPERM']],
  ['scf-tilde-space', ['SystemCallFilter=~ @clock']],
  ['scf-kill-entry', ['SystemCallFilter=~@swap:kill']],
  ['scf-deny-write', ['SystemCallFilter=~write']],
  ['scf-allow-write-errno', ['SystemCallFilter=@system-service', 'SystemCallFilter=~write:EIO']],
  ['scf-allow-default-errno', ['SystemCallFilter=@system-service', 'SystemCallFilter=~uname:EPERM', 'SystemCallErrorNumber=EPERM']],
  ['scf-unknown', ['SystemCallFilter=~@mount frobnicate @no-such-group']],
  ['dynamic', ['DynamicUser=yes']],
  ['nnp-user', ['User=nobody', 'ProtectKernelLogs=yes']],
];

const ARCH: [string, string[]][] = [
  ['arch-native', ['SystemCallArchitectures=native']],
  ['arch-native-x86', ['SystemCallArchitectures=native x86']],
  ['arch-native-x32', ['SystemCallArchitectures=native x32']],
  ['arch-all', ['SystemCallArchitectures=x86 x32 native']],
  ['arch-x86-64', ['SystemCallArchitectures=x86-64']],
  ['arch-reset', ['SystemCallArchitectures=native', 'SystemCallArchitectures=']],
];

const RESETS: [string, string[]][] = [
  ['reset-scf', ['SystemCallFilter=@system-service', 'SystemCallFilter=', 'SystemCallFilter=~@mount']],
  ['reset-raf', ['RestrictAddressFamilies=AF_UNIX', 'RestrictAddressFamilies=']],
  ['reset-ns', ['RestrictNamespaces=yes', 'RestrictNamespaces=']],
  ['resolved', [...RESOLVED_LINES]],
  ['resolved-noarch', [...RESOLVED_LINES].filter((l) => !l.startsWith('SystemCallArchitectures='))],
];

/** Keys that matter for the plan; the rest of a corpus unit (User=, paths…) would not run here. */
const PLAN_KEYS = new Set([
  'SystemCallFilter',
  'SystemCallArchitectures',
  'SystemCallErrorNumber',
  'SystemCallLog',
  'RestrictAddressFamilies',
  'RestrictNamespaces',
  'MemoryDenyWriteExecute',
  'LockPersonality',
  'Personality',
  'RestrictRealtime',
  'RestrictSUIDSGID',
  'DynamicUser',
  'ProtectKernelLogs',
  'ProtectKernelTunables',
  'ProtectKernelModules',
  'ProtectClock',
  'ProtectHostname',
  'PrivateDevices',
  'NoNewPrivileges',
]);

const CORPUS_UNITS = [
  'systemd-resolved.service',
  'systemd-logind.service',
  'systemd-journald.service',
  'systemd-timesyncd.service',
  'systemd-networkd.service',
  'systemd-hostnamed.service',
  'systemd-udevd.service',
  'systemd-oomd.service',
  'systemd-userdbd.service',
  'systemd-machined.service',
  'systemd-journal-remote.service',
];

/** The seccomp-relevant lines of a corpus unit's [Service] section, as systemd's parser receives them. */
function corpusLines(name: string): string[] | undefined {
  const file = path.join(CORPUS, name);
  if (!fs.existsSync(file)) return undefined;
  const u = loadUnit(file, fs.readFileSync(file, 'utf8'));
  return liveAssignments(u)
    .filter((a) => a.section?.name === 'Service' && PLAN_KEYS.has(a.key))
    .map((a) => `${a.key}=${a.value}`);
}

interface Case {
  name: string;
  lines: string[];
  dropins?: Record<string, string>;
}

function suite(): Case[] {
  const cases: Case[] = [];
  for (const [n, lines] of SINGLE) {
    cases.push({ name: `uh-p-${n}.service`, lines });
    cases.push({ name: `uh-p-${n}-native.service`, lines: [...lines, 'SystemCallArchitectures=native'] });
  }
  for (const [n, lines] of ARCH) {
    cases.push({ name: `uh-p-${n}.service`, lines: [...lines, 'LockPersonality=yes', 'ProtectKernelLogs=yes'] });
  }
  for (const [n, lines] of RESETS) cases.push({ name: `uh-p-${n}.service`, lines });
  cases.push({
    name: 'uh-p-dropin.service',
    lines: ['SystemCallFilter=@system-service', 'RestrictAddressFamilies=AF_UNIX'],
    dropins: { '10-reset': '[Service]\nSystemCallFilter=\nSystemCallFilter=~@mount @swap\nSystemCallArchitectures=native\n' },
  });
  for (const c of CORPUS_UNITS) {
    const lines = corpusLines(c);
    if (lines) cases.push({ name: `uh-p-corpus-${c.replace(/\.service$/, '').replace(/[^a-z0-9-]/g, '-')}.service`, lines });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Reading a dumped program.

interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

function decode(b: Buffer): Insn[] {
  const out: Insn[] = [];
  for (let i = 0; i + 8 <= b.length; i += 8) out.push({ code: b.readUInt16LE(i), jt: b[i + 2]!, jf: b[i + 3]!, k: b.readUInt32LE(i + 4) });
  return out;
}

const AUDIT_X86_64 = ABIS['x86-64'].auditArch;

/**
 * The ABIs a libseccomp program checks, in program order: after the first `ld [4]` (arch), follow
 * the chain of `jeq <AUDIT_ARCH>` block headers (each header's false branch leads to the next,
 * possibly through a `ja`). x86-64 and x32 share a token; the `ld nr; jge 0x40000000` split tells
 * them apart (true branch into `jeq -1` = x86-64, else x32); no split = both in one block.
 */
function programAbis(b: Buffer): string[] {
  const p = decode(b);
  const first = p.findIndex((x) => x.code === 0x20 && x.k === 4);
  if (first < 0) return [];
  const out: string[] = [];
  let i = first + 1;
  for (let guard = 0; guard < 64 && i < p.length; guard++) {
    let x = p[i]!;
    while (x.code === 0x05) {
      i = i + 1 + x.k;
      x = p[i]!;
    }
    if (x.code !== 0x15) break;
    const token = x.k >>> 0;
    if (token === AUDIT_X86_64) {
      const ld = p[i + 1];
      const split = p[i + 2];
      if (ld && split && ld.code === 0x20 && ld.k === 0 && split.code === 0x35 && split.k === 0x40000000) {
        const t = p[i + 3 + split.jt];
        out.push(t && t.code === 0x15 && t.k >>> 0 === 0xffffffff ? 'x86-64' : 'x32');
      } else out.push('x86-64+x32');
    } else {
      const abi = (Object.keys(ABIS) as AbiName[]).find((a) => ABIS[a].auditArch === token && a !== 'x32');
      out.push(abi ?? `0x${token.toString(16)}`);
    }
    i = i + 1 + x.jf;
  }
  return out;
}

/** The plan's ABIs of a filter in the form programAbis() reports (x86-64 and x32 together share one block: db_secondary). */
function plannedAbis(abis: readonly string[]): string[] {
  if (!(abis.includes('x86-64') && abis.includes('x32'))) return [...abis];
  return ['x86-64+x32', ...abis.filter((a) => a !== 'x86-64' && a !== 'x32')];
}

// ---------------------------------------------------------------------------------------------
// Gating (as harness.test.ts).

function requestedRoots(): Set<string> {
  const raw = (process.env.UNIT_HARDEN_ROOTS ?? '').trim();
  if (raw === 'all') return new Set(ROOT_NAMES);
  return new Set(raw.split(/[\s,]+/).filter(Boolean));
}

function gate(which: RealSystemd): { run: true } | { run: false; skip?: string; fail?: string } {
  const isRoot = which !== 'host-252';
  if (isRoot && !requestedRoots().has(which)) return { run: false, skip: `set UNIT_HARDEN_ROOTS=${which} (or all) to test the ${which} root` };
  if (isRoot && !rootInfo(which as RootName)) {
    const blocker = buildBlocker();
    if (!blocker) return { run: true };
    return { run: false, fail: `${which} requested but cannot be built: ${blocker}` };
  }
  const a = harnessAvailable(which);
  if (a.ok) return { run: true };
  if (CI || isRoot) return { run: false, fail: `${which} unavailable: ${a.reason}` };
  return { run: false, skip: `${which} unavailable: ${a.reason}` };
}

/** The libseccomp table of each real systemd (the harness reports the upstream version only). */
function libseccompOf(which: RealSystemd, reported: string): string {
  if (which === 'host-252' || which === 'debian-254') return '2.5.4-1+deb12u1';
  return reported;
}

function planFor(c: Case, t: Target): FilterPlan {
  const files = new Map<string, string>();
  const main = `/run/systemd/system/${c.name}`;
  files.set(main, serviceUnit(c.lines));
  const dropDir = `${main}.d`;
  for (const [k, v] of Object.entries(c.dropins ?? {})) files.set(`${dropDir}/${k.endsWith('.conf') ? k : `${k}.conf`}`, v);
  const u = loadUnit(main, files.get(main)!, {
    listDir: (d) => (d === dropDir ? [...files.keys()].filter((f) => f.startsWith(`${dropDir}/`)).map((f) => f.slice(dropDir.length + 1)) : undefined),
    readFile: (f) => files.get(f),
  });
  return planFilters(u, t);
}

// ---------------------------------------------------------------------------------------------

for (const which of REAL_SYSTEMDS) {
  const g = gate(which);
  if (!g.run && g.fail) {
    describe(`filter plan vs real systemd ${which}`, () => {
      it('is available', () => assert.fail(g.fail));
    });
    continue;
  }
  describe(`filter plan vs real systemd ${which}`, { skip: g.run ? false : g.skip }, () => {
    let mgr: Manager | undefined;
    let target: Target | undefined;
    const cases = suite();
    const runs = new Map<string, UnitRun>();
    const plans = new Map<string, FilterPlan>();

    before(
      async () => {
        if (which !== 'host-252' && !rootInfo(which as RootName)) await ensureRoot(which as RootName);
        mgr = await startManager(which);
        const r = resolveTarget({ systemd: mgr.version, kernel: os.release(), libseccomp: libseccompOf(which, mgr.libseccomp), arch: 'x86-64' });
        assert.ok(r.target, JSON.stringify(r.diagnostics));
        target = r.target;
        for (const c of cases) plans.set(c.name, planFor(c, target));
        const t0 = Date.now();
        const out = await mgr.runMany(cases.map((c) => ({ name: c.name, text: serviceUnit(c.lines), ...(c.dropins ? { dropins: c.dropins } : {}) })));
        console.log(`[unit-harden] plan ${which} (systemd ${mgr.version}, libseccomp ${mgr.libseccomp}, kernel ${os.release()}): ${cases.length} units in ${Date.now() - t0} ms`);
        for (const r2 of out) runs.set(r2.unitName, r2);
      },
      { timeout: 30 * 60_000 },
    );

    after(async () => {
      await mgr?.stop();
    });

    it('every unit: filter count, ABIs and programs equal the plan', (t) => {
      assert.ok(target);
      const problems: string[] = [];
      let filters = 0;
      let identical = 0;
      let sameLength = 0;
      for (const c of cases) {
        const p = plans.get(c.name)!;
        const r = runs.get(c.name);
        if (!r) {
          problems.push(`${c.name}: no result`);
          continue;
        }
        if (p.refused !== undefined) {
          if (r.activeState !== 'failed' && r.dump !== undefined) problems.push(`${c.name}: plan says refused (${p.refused}) but it runs with ${r.dump.count} filters`);
          continue;
        }
        if (!r.dump) {
          problems.push(`${c.name}: not dumped (${r.activeState}/${r.result} ${r.dumpError ?? ''}) ${r.journal ?? ''}`.trim());
          continue;
        }
        if (r.dump.count !== p.filters.length) {
          problems.push(`${c.name}: ${r.dump.count} filters, plan ${p.filters.length} (${p.filters.map((f) => `${f.directive}:${f.abis.join('+')}`).join(' ')})`);
          continue;
        }
        if (r.dump.noNewPrivs !== p.noNewPrivileges.value) problems.push(`${c.name}: NoNewPrivileges ${r.dump.noNewPrivs}, plan ${p.noNewPrivileges.value}`);
        r.dump.programs.forEach((prog, i) => {
          const f = p.filters[i]!;
          filters++;
          const got = programAbis(prog);
          const want = plannedAbis(f.abis);
          if (got.join(',') !== want.join(',')) problems.push(`${c.name} #${i} ${f.directive}: ABIs ${got.join(',')} vs plan ${want.join(',')}`);
          if (f.program) {
            const mine = Buffer.from(encodeProgram(f.program, 'little'));
            if (mine.equals(prog)) identical++;
            else problems.push(`${c.name} #${i} ${f.directive} ${f.abis.join('+')}: program differs (${prog.length / 8} vs ${mine.length / 8} instructions)`);
            if (mine.length === prog.length) sameLength++;
          }
        });
      }
      t.diagnostic(`${which}: ${cases.length} units, ${filters} filters compared, ${identical} byte-identical, ${sameLength} equal length`);
      console.log(`[unit-harden] plan ${which}: ${cases.length} units, ${filters} filters, ${identical} byte-identical, ${sameLength} equal length, ${problems.length} problems`);
      assert.deepEqual(problems, []);
    });

    it('resolved-like unit: the count the reference predicts for this version and kernel', () => {
      const r = runs.get('uh-p-resolved.service')!;
      assert.ok(r.dump);
      const major = Number(/^(\d+)/.exec(mgr!.version)![1]);
      const mdwePrctl = major >= 254 && Number(os.release().split('.')[0]) * 1000 + Number(os.release().split('.')[1]) >= 6003;
      assert.equal(r.dump.count, mdwePrctl ? 28 : 31);
      assert.equal(runs.get('uh-p-resolved-noarch.service')!.dump?.count, mdwePrctl ? 31 : 34);
    });

    it('units the plan refuses fail for real, and the unknown names are logged', () => {
      for (const c of cases) {
        const p = plans.get(c.name)!;
        if (p.refused === undefined) continue;
        const r = runs.get(c.name)!;
        assert.equal(r.activeState, 'failed', `${c.name}: ${p.refused}`);
      }
      assert.match(runs.get('uh-p-scf-unknown.service')!.journal ?? '', /Unknown system call group.*@no-such-group/);
    });
  });
}
