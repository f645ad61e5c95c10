/**
 * The code lens over the service section: filters, BPF size, openat's per-call cost and what
 * SystemCallArchitectures=native would save, each computed from the engine (the edited copy is
 * planned independently here), plus the setting that turns it off.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { getLanguageService } from '../../server/src/languageService';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from '../../server/src/settings';
import { loadUnit } from '../../server/src/model/unit';
import { analyzeUnit } from '../../server/src/analysis';
import { SHOW_PREVIEW_COMMAND } from '../../server/src/codeLens';

const ROOT = path.resolve(__dirname, '../../..');
const RESOLVER = fs.readFileSync(path.join(ROOT, 'examples/resolver.service'), 'utf8');
const NO_ARCH = RESOLVER.replace('SystemCallArchitectures=native\n', '');

function lenses(text: string, name = 'test.service', settings: Settings = DEFAULT_SETTINGS) {
  const doc = TextDocument.create(`file:///units/${name}`, 'systemd-unit', 1, text);
  const ls = getLanguageService(settings);
  const unit = ls.parseUnit(doc, `/units/${name}`);
  return { doc, lenses: ls.getCodeLenses(doc, unit), analysis: ls.analyze(unit) };
}

const insns = (fs: readonly { instructions: number | null }[]): number => fs.reduce((s, f) => s + f.instructions!, 0);

test('resolver (already =native): filters, BPF size and openat per call, on the [Service] header', () => {
  const { doc, lenses: ls, analysis } = lenses(RESOLVER);
  assert.equal(ls.length, 1);
  const openat = analysis!.costModel()!.syscall('openat')!;
  assert.equal(ls[0]!.command!.title, `31 seccomp filters · 909 BPF insns · openat ${openat.instructions} insns per call`);
  assert.equal(ls[0]!.command!.command, SHOW_PREVIEW_COMMAND);
  assert.deepEqual(ls[0]!.command!.arguments, [doc.uri]);
  assert.equal(doc.getText(ls[0]!.range), '[Service]');
});

test('without SystemCallArchitectures=: what =native saves, against an independently planned copy', () => {
  const { lenses: ls, analysis } = lenses(NO_ARCH);
  const before = analysis!.plan;
  const after = analyzeUnit(loadUnit('/units/test.service', `${NO_ARCH}\n[Service]\nSystemCallArchitectures=native\n`), analysis!.target).plan;
  const openat = analysis!.costModel()!.syscall('openat')!;
  assert.equal(
    ls[0]!.command!.title,
    `${before.filters.length} seccomp filters · ${insns(before.filters)} BPF insns · openat ${openat.instructions} insns per call · native saves ${before.filters.length - after.filters.length} filters, ${insns(before.filters) - insns(after.filters)} insns`,
  );
  assert.equal(before.filters.length - after.filters.length, 3);
});

test('a unit without filters: =native would add its architecture filter; cached and blocked openat', () => {
  const plain = lenses('[Service]\nExecStart=/bin/true\n');
  const after = analyzeUnit(loadUnit('/units/test.service', '[Service]\nExecStart=/bin/true\nSystemCallArchitectures=native\n'), plain.analysis!.target).plan;
  assert.equal(after.filters.length, 1);
  assert.equal(plain.lenses[0]!.command!.title, `no seccomp filters · native adds 1 filter, ${after.filters[0]!.instructions} insns`);

  const cached = lenses('[Service]\nExecStart=/bin/true\nSystemCallArchitectures=native\nSystemCallFilter=@system-service\n');
  assert.equal(cached.analysis!.costModel()!.syscall('openat')!.cached, true);
  assert.match(cached.lenses[0]!.command!.title, /^2 seccomp filters · \d+ BPF insns · openat cached$/);

  const blocked = lenses('[Service]\nExecStart=/bin/true\nSystemCallArchitectures=native\nSystemCallFilter=~openat\n');
  assert.match(blocked.lenses[0]!.command!.title, /· openat blocked$/);
});

test('no lens when disabled, for units without an exec section, or outside the service section', () => {
  assert.deepEqual(lenses(RESOLVER, 'test.service', parseSettings({ codeLens: { enable: false } })).lenses, []);
  assert.deepEqual(lenses('[Timer]\nOnCalendar=daily\n', 'test.timer').lenses, []);
  const sock = lenses('[Unit]\nDescription=x\n[Socket]\nListenStream=/run/x\nRestrictRealtime=yes\n', 'test.socket');
  assert.equal(sock.lenses.length, 1);
  assert.equal(sock.doc.getText(sock.lenses[0]!.range), '[Socket]');
});
