/**
 * Seccomp hovers through the language service: a directive's own filters, the chain on the
 * [Service] header, SystemCallArchitectures=, syscall names and @groups. Every figure is computed
 * from the engine here (plans of edited copies planned independently), except the resolver's
 * known 31 filters / 909 instructions on the debian-12 preset.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Hover, MarkupContent } from 'vscode-languageserver-types';
import { getLanguageService } from '../../server/src/languageService';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from '../../server/src/settings';
import { loadUnit } from '../../server/src/model/unit';
import { analyzeUnit } from '../../server/src/analysis';
import { docsFor } from '../../server/src/model/directiveDocs';
import { seccompHover, nativeDelta, blocksText } from '../../server/src/hover/seccompHover';
import { expandGroup, groupInfo, groupsContaining } from '../../server/src/seccomp/groups';
import { syscallNumber } from '../../server/src/seccomp/syscalls';
import type { Target } from '../../server/src/seccomp/target';

const ROOT = path.resolve(__dirname, '../../..');
const RESOLVER = fs.readFileSync(path.join(ROOT, 'examples/resolver.service'), 'utf8');
const NO_ARCH = RESOLVER.replace('SystemCallArchitectures=native\n', '');

function setup(text: string, settings: Settings = DEFAULT_SETTINGS) {
  const caret = text.indexOf('|');
  const clean = caret >= 0 ? text.slice(0, caret) + text.slice(caret + 1) : text;
  const doc = TextDocument.create('file:///units/test.service', 'systemd-unit', 1, clean);
  const ls = getLanguageService(settings);
  const unit = ls.parseUnit(doc, '/units/test.service');
  const analysis = ls.analyze(unit)!;
  return { ls, doc, unit, analysis, position: doc.positionAt(Math.max(caret, 0)), text: clean };
}

/** Hover with the caret just inside the first occurrence of `needle` (after `skip` characters). */
function hoverAt(text: string, needle: string, skip = 1, settings: Settings = DEFAULT_SETTINGS) {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, needle);
  const s = setup(text.slice(0, at + skip) + '|' + text.slice(at + skip), settings);
  const h = s.ls.doHover(s.doc, s.position, s.unit);
  return { ...s, hover: h, md: h ? (h.contents as MarkupContent).value : '' };
}

function planOf(text: string, target: Target) {
  return analyzeUnit(loadUnit('/units/test.service', text), target).plan;
}

function insns(plan: { filters: readonly { instructions: number | null }[] }): number {
  return plan.filters.reduce((s, f) => s + f.instructions!, 0);
}

function rangeText(doc: TextDocument, h: Hover | null): string {
  return h?.range ? doc.getText(h.range) : '';
}

test('[Service] header: the whole chain with per-ABI rows, limits, per-call cost and =native already set', () => {
  const { md, analysis, hover, doc } = hoverAt(RESOLVER, '[Service]');
  const plan = analysis.plan;
  assert.equal(plan.filters.length, 31);
  assert.equal(insns(plan), 909);
  assert.ok(md.includes('**31** filters, **909** BPF instructions · NoNewPrivileges=yes'), md);
  for (const abi of ['x86', 'x32', 'x86-64']) {
    const fs = plan.filters.filter((f) => f.abis.includes(abi as never));
    assert.ok(md.includes(`| ${abi}${abi === 'x86-64' ? ' (native)' : ''} | ${fs.length} | ${insns({ filters: fs })} |`), `${abi}\n${md}`);
  }
  const cost = analysis.cost()!;
  assert.equal(cost.limits.pathTotal, 1241);
  assert.ok(md.includes(`Kernel limits: **1241** of ${cost.limits.maxInsnsPerPath} path instructions`), md);
  const n = cost.native.miss;
  assert.ok(md.includes(`min **${n.min}** (${n.minSyscall}) · median **${n.median}** · max **${n.max}** (${n.maxSyscall})`), md);
  const openat = analysis.costModel()!.syscall('openat')!;
  assert.equal(openat.cached, false);
  assert.ok(md.includes(`| openat | **${openat.instructions}** | RestrictSUIDSGID checks a2 |`), md);
  assert.match(md, /Cached \(0 insns\): read, write, close/);
  assert.ok(md.includes('`SystemCallArchitectures=native` is already set ✓'), md);
  assert.equal(rangeText(doc, hover), '[Service]');
});

test('[Service] header without SystemCallArchitectures=: what =native would save, from an independently planned copy', () => {
  const { md, analysis } = hoverAt(NO_ARCH, '[Service]');
  const before = analysis.plan;
  const after = planOf(`${NO_ARCH}[Service]\nSystemCallArchitectures=native\n`, analysis.target);
  assert.equal(before.filters.length, 34);
  assert.equal(after.filters.length, 31);
  const saved = insns(before) - insns(after);
  assert.ok(saved > 0);
  assert.ok(md.includes(`would give **31** filters, **${insns(after)}** BPF instructions (3 filters fewer, ${saved} instructions fewer)`), md);
  // Memoised per analysis: the copy is planned once.
  assert.equal(nativeDelta(analysis), nativeDelta(analysis));
});

test('directive key: its filters, one row per ABI with install position, size and what it blocks, then the docs', () => {
  const { md, analysis, hover, doc } = hoverAt(RESOLVER, 'RestrictRealtime');
  const fs = analysis.plan.filters.filter((f) => f.directive === 'RestrictRealtime');
  assert.deepEqual(fs.map((f) => f.abis.join()), ['x86', 'x32', 'x86-64']);
  assert.ok(md.startsWith('**RestrictRealtime=** · [Service]'), md);
  assert.ok(md.includes(`**3 filters** for this unit, **${insns({ filters: fs })}** BPF instructions (31 filters in the chain)`), md);
  for (const f of fs) {
    assert.ok(md.includes(`| #${f.index} of 31 | ${f.abis[0]} | **${f.instructions}** | \`${blocksText(f).replace(/\|/g, '\\|')}\` |`), md);
  }
  assert.match(blocksText(fs[0]!), /^sched_setscheduler\(a1 == 1 \| 2 \| 4\) → errno\(EPERM\)/);
  assert.ok(md.includes(docsFor('RestrictRealtime')!), 'docs included');
  assert.ok(md.indexOf('| #') < md.indexOf(docsFor('RestrictRealtime')!), 'filters before the long docs');
  assert.equal(rangeText(doc, hover), 'RestrictRealtime');
});

test('SystemCallFilter= key: the allow list summarised (default action, number of allowed calls)', () => {
  const { md, analysis } = hoverAt(RESOLVER, 'SystemCallFilter=');
  const f = analysis.plan.filters.find((x) => x.directive === 'SystemCallFilter')!;
  const allowed = f.spec.rules.filter((r, i) => f.ruleErrnos[i] === 0 && r.action.kind === 'allow').length;
  assert.ok(md.includes(`| #30 of 31 | x86-64 | **${f.instructions}** | \`everything else → errno(EPERM); ${allowed} syscalls allowed\` |`), md);
});

test('why a directive installs no filter: prctl on kernel ≥ 6.3, skipped ABIs, values that are off', () => {
  const deb13 = parseSettings({ target: { preset: 'debian-13' } });
  const mdwe = hoverAt(RESOLVER, 'MemoryDenyWriteExecute', 1, deb13);
  assert.equal(mdwe.analysis.target.kernel, '6.12');
  assert.ok(mdwe.md.includes('**No filter** for this unit.'), mdwe.md);
  assert.match(mdwe.md, /ℹ MemoryDenyWriteExecute= uses prctl\(PR_SET_MDWE\) on kernel 6\.12/);

  const tun = hoverAt(RESOLVER, 'ProtectKernelTunables');
  assert.ok(tun.md.includes('**2 filters** for this unit'), tun.md);
  assert.match(tun.md, /ℹ ProtectKernelTunables= installs no filter for x32: x32 has no _sysctl\(\) system call/);

  const off = hoverAt('[Service]\nExecStart=/bin/true\nLockPersonality=no\n', 'LockPersonality');
  assert.ok(off.md.includes('**No filter**: `LockPersonality=` is off for this unit (not set, or set to no).'), off.md);

  const ns = hoverAt('[Service]\nExecStart=/bin/true\nRestrictNamespaces=no\n', 'RestrictNamespaces');
  assert.match(ns.md, /ℹ RestrictNamespaces= keeps every namespace type here: no filter/);
});

test('DynamicUser= shows the RestrictSUIDSGID= filters it implies; an overridden line says so', () => {
  const text = '[Service]\nExecStart=/bin/true\nDynamicUser=yes\n';
  const { md, analysis } = hoverAt(text, 'DynamicUser');
  const fs = analysis.plan.filters.filter((f) => f.directive === 'RestrictSUIDSGID');
  assert.equal(fs.length, 3);
  assert.ok(md.includes(`**3 filters** for this unit, **${insns({ filters: fs })}** BPF instructions`), md);
  assert.match(md, /_implied by DynamicUser=yes_/);

  const over = hoverAt('[Service]\nExecStart=/bin/true\nRestrictRealtime=no\nRestrictRealtime=yes\n', 'RestrictRealtime');
  assert.ok(over.md.includes('_This line does not decide the value: 1 line 4 do._'), over.md);
});

test('SystemCallArchitectures=: ABIs kept, the filters it prunes and the ones installed before it', () => {
  const { md, analysis } = hoverAt(RESOLVER, 'SystemCallArchitectures=');
  const plan = analysis.plan;
  const arch = plan.filters.find((f) => f.directive === 'SystemCallArchitectures')!;
  const without = planOf(`${RESOLVER}[Service]\nSystemCallArchitectures=\n`, analysis.target);
  assert.equal(without.filters.length, 34);
  const have = new Set(plan.filters.map((f) => `${f.directive}/${f.abis.join()}`));
  const pruned = without.filters.filter((f) => !have.has(`${f.directive}/${f.abis.join()}`));
  assert.deepEqual(pruned.map((f) => `${f.directive}/${f.abis.join()}`), ['LockPersonality/x86', 'LockPersonality/x32', 'SystemCallFilter/x86', 'SystemCallFilter/x32']);
  const notPruned = plan.filters.filter((f) => f.index < arch.index && !f.abis.includes('x86-64'));
  assert.ok(md.includes('Keeps **x86-64**; calls from x86, x32 → kill-thread.'), md);
  assert.ok(md.includes(`Installed as filter **#${arch.index}** of 31 (**${arch.instructions}** BPF instructions).`), md);
  assert.ok(md.includes(`**Prunes 4 filters** (${insns({ filters: pruned })} insns) installed after it: LockPersonality (x86, x32), SystemCallFilter (x86, x32).`), md);
  assert.ok(md.includes(`**Does not prune ${notPruned.length} filters** (${insns({ filters: notPruned })} insns) installed before it: RestrictAddressFamilies (x32), MemoryDenyWriteExecute (x86, x32)`), md);
  // On the value too.
  const v = hoverAt(RESOLVER, '=native', 3);
  assert.ok(v.md.includes('**Prunes 4 filters**'), v.md);
  assert.equal(rangeText(v.doc, v.hover), 'native');
});

test('a syscall name: numbers per ABI, groups, verdict of the chain (errno and filter) and its cost', () => {
  const text = RESOLVER.replace('SystemCallFilter=@system-service\n', 'SystemCallFilter=@system-service\nSystemCallFilter=~mount\n');
  const { md, analysis, hover, doc } = hoverAt(text, 'mount\n');
  const t = analysis.target;
  const model = analysis.costModel()!;
  const c = model.syscall('mount', 'x86-64')!;
  assert.equal(c.action.kind, 'errno');
  const sf = analysis.plan.filters.find((f) => f.directive === 'SystemCallFilter')!;
  assert.equal(c.decidedBy, sf.index);
  assert.ok(md.startsWith('**mount()** · system call'), md);
  assert.ok(md.includes(`In ${groupsContaining('mount', t.systemd, t.host).map((g) => `\`${g}\``).join(', ')} (systemd 252)`), md);
  assert.ok(
    md.includes(`| x86-64 (native) | ${syscallNumber('mount', 'x86-64', t.libseccomp)} | **denied: errno(EPERM)** by #${sf.index} SystemCallFilter (x86-64) | **${c.instructions}**; #${sf.index} SystemCallFilter (x86-64) returns errno(EPERM) |`),
    md,
  );
  const x86 = model.syscall('mount', 'x86')!;
  assert.ok(md.includes(`| x86 | ${syscallNumber('mount', 'x86', t.libseccomp)} | **kill-thread** by #28 SystemCallArchitectures (x86-64) | **${x86.instructions}**`), md);
  assert.equal(rangeText(doc, hover), 'mount');

  const o = hoverAt(RESOLVER.replace('SystemCallFilter=@system-service\n', 'SystemCallFilter=@system-service openat\n'), 'openat');
  const oc = o.analysis.costModel()!.syscall('openat')!;
  assert.ok(o.md.includes('In the effective SystemCallFilter= allow list (line 28).'), o.md);
  assert.ok(o.md.includes(`| x86-64 (native) | 257 | allowed (blocked for some arguments) | **${oc.instructions}** (${oc.minInstructions}–${oc.maxInstructions}); #10 RestrictSUIDSGID (x86-64) checks argument a2 |`), o.md);
});

test('SystemCallLog= names are shown as logged; the :errno part and unknown names', () => {
  const text = '[Service]\nExecStart=/bin/true\nSystemCallLog=openat\nSystemCallFilter=~mount:EACCES frobnicate\n';
  const log = hoverAt(text, 'openat');
  const c = log.analysis.costModel()!.syscall('openat')!;
  assert.equal(c.action.kind, 'log');
  assert.match(log.md, /\| x86-64 \(native\) \| 257 \| allowed, \*\*logged\*\* by #\d+ SystemCallLog \(x86-64\) \|/);

  const s = setup(text.replace('EACCES', 'EA|CCES'));
  assert.equal(seccompHover(s.doc, s.position, s.analysis), undefined);

  const unknown = hoverAt(text, 'frobnicate');
  assert.match(unknown.md, /Unknown to libseccomp 2\.5\.4-1\+deb12u1: systemd logs and ignores it\./);
});

test('an @group: description and members for the target version, long lists cut', () => {
  const { md, analysis } = hoverAt(RESOLVER, '@system-service', 3);
  const t = analysis.target;
  const members = [...expandGroup('@system-service', t.systemd, t.host)];
  assert.ok(members.length > 60);
  assert.ok(md.startsWith(`**@system-service** · ${members.length} system calls in systemd 252`), md);
  assert.ok(md.includes(groupInfo('@system-service', t.systemd, t.host)!.description));
  assert.ok(md.includes(`… and ${members.length - 60} more`), md);
  assert.ok(md.includes('\\_llseek'), 'markdown-escaped names');

  // @sandbox exists from 254 on.
  const text = '[Service]\nExecStart=/bin/true\nSystemCallFilter=@sandbox\n';
  assert.match(hoverAt(text, '@sandbox', 2).md, /systemd 252\.39 has no such group/);
  const deb13 = hoverAt(text, '@sandbox', 2, parseSettings({ target: { preset: 'debian-13' } }));
  const t13 = deb13.analysis.target;
  assert.ok(deb13.md.startsWith(`**@sandbox** · ${expandGroup('@sandbox', t13.systemd, t13.host).size} system calls in systemd 257`), deb13.md);
});

test('positions the seccomp hover leaves to the generic one', () => {
  const text = '[Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\nUser=nobody\n';
  for (const needle of ['[Unit]', 'Description', 'ExecStart', 'User', '/bin/true']) {
    const at = text.indexOf(needle) + 1;
    const s = setup(text.slice(0, at) + '|' + text.slice(at));
    assert.equal(seccompHover(s.doc, s.position, s.analysis), undefined, needle);
  }
  // No filters: the header still explains.
  const none = hoverAt(text, '[Service]');
  assert.match(none.md, /\*\*No seccomp filters\*\* for the sandboxed command\./);
});

test('SystemCallErrorNumber= and other seccomp values: the filters they shape', () => {
  const key = hoverAt(RESOLVER, 'SystemCallErrorNumber');
  const sf = key.analysis.plan.filters.find((f) => f.directive === 'SystemCallFilter')!;
  assert.ok(key.md.includes(`Unlisted system calls get **errno(EPERM)** from the SystemCallFilter= filters:`), key.md);
  assert.ok(key.md.includes(`| #${sf.index} of 31 | x86-64 | **${sf.instructions}** |`), key.md);
  assert.ok(key.md.includes(docsFor('SystemCallErrorNumber')!), 'docs included');

  const af = hoverAt(RESOLVER, 'AF_NETLINK', 2);
  const raf = af.analysis.plan.filters.filter((f) => f.directive === 'RestrictAddressFamilies');
  assert.deepEqual(raf.map((f) => f.abis.join()), ['x32', 'x86-64']);
  assert.ok(af.md.startsWith('**RestrictAddressFamilies=** for this unit'), af.md);
  assert.ok(af.md.includes(`**2 filters** for this unit, **${insns({ filters: raf })}** BPF instructions`), af.md);
  assert.match(af.md, /ℹ RestrictAddressFamilies= installs no filter for x86: socket\(\) is multiplexed/);
  for (const f of raf) assert.ok(af.md.includes(`| #${f.index} of 31 | ${f.abis[0]} | **${f.instructions}** | \`socket() of any family but AF_UNIX, AF_INET, AF_INET6, AF_NETLINK → errno(EAFNOSUPPORT)\` |`), af.md);
  assert.equal(rangeText(af.doc, af.hover), 'AF_NETLINK');
});

test('the header warns about the plan’s problems (248.3’s =native regression)', () => {
  const { md, analysis } = hoverAt(RESOLVER, '[Service]', 1, parseSettings({ target: { systemdVersion: '248.3' } }));
  assert.equal(analysis.plan.filters.length, 29);
  assert.ok(md.includes(`**29** filters, **${insns(analysis.plan)}** BPF instructions`), md);
  assert.match(md, /⚠ systemd 248\.3 has the SystemCallArchitectures=native regression/);
});
