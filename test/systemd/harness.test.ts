// Sanity tests of the real-systemd harness against facts measured before (reference sections 1.3 and 4):
// the host's systemd 252 always (skipped with a reason when the machine cannot run it, failing instead
// when CI=true), and the debootstrap roots named in $UNIT_HARDEN_ROOTS ("all" or a list) with 254/257/262.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { after, before, describe, it } from 'node:test';
import {
  REAL_SYSTEMDS,
  harnessAvailable,
  programSizes,
  serviceUnit,
  startManager,
  type Manager,
  type RealSystemd,
  type UnitRun,
  RESOLVED_LINES,
} from './harness';
import { ROOT_NAMES, buildBlocker, ensureRoot, rootInfo, type RootName } from './roots';

const CI = process.env.CI === 'true';


/** Measured on 252.38, install order (reference 4.2). */
const RESOLVED_252 = [51, 58, 15, 19, 29, 11, 12, 19, 42, 43, 59, 34, 35, 39, 6, 8, 8, 9, 10, 6, 7, 8, 11, 10, 11, 7, 8, 9, 7, 12, 306];

const SANITY: { name: string; lines: string[] }[] = [
  { name: 'uh-pkl.service', lines: ['ProtectKernelLogs=yes'] },
  { name: 'uh-raf.service', lines: ['RestrictAddressFamilies=AF_UNIX AF_NETLINK AF_INET AF_INET6'] },
  { name: 'uh-arch.service', lines: ['SystemCallArchitectures=native'] },
  { name: 'uh-resolved.service', lines: [...RESOLVED_LINES] },
  { name: 'uh-resolved-noarch.service', lines: [...RESOLVED_LINES].filter((l) => !l.startsWith('SystemCallArchitectures=')) },
  { name: 'uh-badgroup.service', lines: ['SystemCallFilter=@system-service @no-such-group'] },
  // The deny-list filter is installed before execve, so the service dies with SIGSYS before exec.
  { name: 'uh-noexec.service', lines: ['SystemCallFilter=~execve'] },
  { name: 'uh-plain.service', lines: [] },
];

function kernelAtLeast(major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(os.release());
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a > major || (a === major && b >= minor);
}

function requestedRoots(): Set<string> {
  const raw = (process.env.UNIT_HARDEN_ROOTS ?? '').trim();
  if (raw === 'all') return new Set(ROOT_NAMES);
  return new Set(raw.split(/[\s,]+/).filter(Boolean));
}

/** How to treat one real systemd: run it, skip it (with a reason), or fail because it was required. */
function gate(which: RealSystemd): { run: true } | { run: false; skip?: string; fail?: string } {
  const isRoot = which !== 'host-252';
  if (isRoot && !requestedRoots().has(which)) {
    return { run: false, skip: `set UNIT_HARDEN_ROOTS=${which} (or all) to test the ${which} root` };
  }
  if (isRoot && !rootInfo(which as RootName)) {
    const blocker = buildBlocker();
    if (!blocker) return { run: true }; // built in before()
    return { run: false, fail: `${which} requested but cannot be built: ${blocker}` };
  }
  const a = harnessAvailable(which);
  if (a.ok) return { run: true };
  if (CI || isRoot) return { run: false, fail: `${which} unavailable: ${a.reason}` };
  return { run: false, skip: `${which} unavailable: ${a.reason}` };
}

function expectedMajor(which: RealSystemd): number {
  return Number(/(\d+)$/.exec(which)![1]);
}

describe('harness basics', () => {
  it('reports unknown names as unavailable', () => {
    const a = harnessAvailable('debian-999' as RealSystemd);
    assert.equal(a.ok, false);
  });
  it('builds service units with a sleeping main process', () => {
    const text = serviceUnit(['ProtectKernelLogs=yes']);
    assert.match(text, /^\[Service\]$/m);
    assert.match(text, /^ExecStart=\/bin\/sleep \d+$/m);
    assert.match(text, /^ProtectKernelLogs=yes$/m);
  });
});

for (const which of REAL_SYSTEMDS) {
  const g = gate(which);
  if (!g.run && g.fail) {
    describe(`real systemd ${which}`, () => {
      it('is available', () => assert.fail(g.fail));
    });
    continue;
  }
  describe(`real systemd ${which}`, { skip: g.run ? false : g.skip }, () => {
    let mgr: Manager | undefined;
    const byName = new Map<string, UnitRun>();
    let batchMs = 0;

    before(
      async () => {
        if (which !== 'host-252' && !rootInfo(which as RootName)) {
          const { seconds } = await ensureRoot(which as RootName);
          console.log(`[unit-harden] built root ${which} in ${seconds.toFixed(0)} s`);
        }
        mgr = await startManager(which);
        console.log(`[unit-harden] ${which}: systemd ${mgr.version}, libseccomp ${mgr.libseccomp}, booted in ${mgr.bootMs} ms`);
        const t = Date.now();
        const runs = await mgr.runMany(SANITY.map((u) => ({ name: u.name, text: serviceUnit(u.lines) })));
        batchMs = Date.now() - t;
        console.log(`[unit-harden] ${which}: ${SANITY.length} units in one batch: ${batchMs} ms`);
        for (const r of runs) byName.set(r.unitName, r);
      },
      { timeout: 30 * 60_000 },
    );

    after(async () => {
      await mgr?.stop();
    });

    const get = (name: string): UnitRun => {
      const r = byName.get(name);
      assert.ok(r, `no result for ${name}`);
      return r;
    };
    const sizes = (name: string): number[] => {
      const r = get(name);
      assert.ok(r.dump, `${name} was not dumped: ${r.activeState}/${r.result} ${r.dumpError ?? ''}`);
      assert.equal(r.dump.programs.length, r.dump.count, `${name}: programs read vs Seccomp_filters`);
      return programSizes(r.dump);
    };

    it('reports the expected manager version', () => {
      assert.ok(mgr);
      const major = Number(/^(\d+)/.exec(mgr.version)?.[1]);
      if (which === 'debian-262') {
        // sid moves on; a freshly built root may carry a newer systemd than 262.
        assert.ok(major >= 262, `sid root has systemd ${mgr.version}`);
      } else {
        assert.equal(major, expectedMajor(which), `version ${mgr.version}`);
      }
      if (which === 'host-252') assert.match(mgr.version, /^252\.\d+/);
      assert.match(mgr.libseccomp, /^\d+\.\d+\.\d+/);
    });

    it('ProtectKernelLogs=yes alone gives 3 filters of 6/7/8 instructions', () => {
      assert.deepEqual(sizes('uh-pkl.service'), [6, 7, 8]);
    });

    it('RestrictAddressFamilies= gives 2 filters of 51/58 instructions', () => {
      assert.deepEqual(sizes('uh-raf.service'), [51, 58]);
    });

    it('SystemCallArchitectures=native alone gives 1 filter of 7 instructions', () => {
      assert.deepEqual(sizes('uh-arch.service'), [7]);
    });

    it('a unit without seccomp directives gets no filter', () => {
      const r = get('uh-plain.service');
      assert.ok(r.dump);
      assert.equal(r.dump.count, 0);
      assert.equal(r.dump.seccompMode, 0);
    });

    it('the systemd-resolved-like unit gets the expected filters', (t) => {
      const s = sizes('uh-resolved.service');
      t.diagnostic(`resolved-like on ${which} (${mgr?.version}): ${s.length} filters: ${s.join(', ')}`);
      assert.equal(get('uh-resolved.service').dump?.noNewPrivs, true);
      if (which === 'host-252') {
        assert.deepEqual(s, RESOLVED_252);
      } else {
        // v254+: MemoryDenyWriteExecute uses PR_SET_MDWE on kernel >= 6.3, so its 3 filters vanish.
        assert.equal(s.length, kernelAtLeast(6, 3) ? 28 : 31, `kernel ${os.release()}`);
        assert.deepEqual(s.slice(0, 2), [51, 58]);
      }
    });

    it('the resolved-like unit without SystemCallArchitectures= gets 3 more filters', (t) => {
      const s = sizes('uh-resolved-noarch.service');
      t.diagnostic(`resolved-like without arch filter on ${which}: ${s.length} filters: ${s.join(', ')}`);
      if (which === 'host-252') {
        assert.equal(s.length, 34);
        assert.deepEqual(s.slice(-3), [366, 301, 306]);
      } else {
        assert.equal(s.length, kernelAtLeast(6, 3) ? 31 : 34);
      }
    });

    it("an unknown group is ignored with the manager's warning in journal", () => {
      const r = get('uh-badgroup.service');
      assert.match(r.journal ?? '', /Unknown system call group.*@no-such-group/);
      assert.equal(sizes('uh-badgroup.service').length, 3);
    });

    it('a unit that fails to start is reported, not thrown', () => {
      const r = get('uh-noexec.service');
      assert.equal(r.activeState, 'failed');
      assert.equal(r.dump, undefined);
      assert.match(r.journal ?? '', /uh-noexec\.service/);
    });

    it('runUnit applies drop-ins', async () => {
      assert.ok(mgr);
      const t = Date.now();
      const r = await mgr.runUnit('uh-dropin.service', serviceUnit([]), { '10-logs': '[Service]\nProtectKernelLogs=yes\n' });
      console.log(`[unit-harden] ${which}: runUnit: ${Date.now() - t} ms`);
      assert.deepEqual(programSizes(r.dump), [6, 7, 8]);
    });

    it('runs a batch of 50 units in seconds', async () => {
      assert.ok(mgr);
      const kinds: [string[], number][] = [
        [['ProtectKernelLogs=yes'], 3],
        [['RestrictAddressFamilies=AF_UNIX'], 2],
        [['SystemCallArchitectures=native'], 1],
        [['SystemCallArchitectures=native', 'LockPersonality=yes'], 2],
        [[], 0],
      ];
      const units = Array.from({ length: 50 }, (_, i) => ({ name: `uh-batch-${i}.service`, text: serviceUnit(kinds[i % kinds.length][0]) }));
      const t = Date.now();
      const runs = await mgr.runMany(units);
      const ms = Date.now() - t;
      console.log(`[unit-harden] ${which}: 50 units in one batch: ${ms} ms (${(ms / 50).toFixed(0)} ms/unit)`);
      runs.forEach((r, i) => assert.equal(r.dump?.count, kinds[i % kinds.length][1], r.unitName));
      assert.ok(ms < 60_000, `batch took ${ms} ms`);
    });

    it('stop() tears everything down', async () => {
      assert.ok(mgr);
      const pid1 = mgr.pid1;
      const state = mgr.stateDir;
      await mgr.stop();
      await mgr.stop(); // idempotent
      let alive = false;
      try {
        alive = fs.readlinkSync(`/proc/${pid1}/exe`).includes('systemd');
      } catch {
        alive = false;
      }
      assert.equal(alive, false, 'manager still running');
      assert.equal(fs.existsSync(state), false, 'state directory left behind');
      await assert.rejects(mgr.runUnit('uh-late.service', serviceUnit([])), /stopped/);
    });
  });
}
