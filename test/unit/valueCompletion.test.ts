/**
 * Value completion of the hardening directives through the language service: syscalls and
 * @groups with their groups and descriptions, `~` and `:errno`, ABIs, errno names, address
 * families, namespace types and booleans, for the target's systemd version. A `|` marks the caret.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CompletionItem, TextEdit } from 'vscode-languageserver-types';
import { getLanguageService } from '../../server/src/languageService';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from '../../server/src/settings';
import { valueCompletions } from '../../server/src/completion/valueCompletion';
import { allSyscallNames } from '../../server/src/seccomp/syscalls';
import { groupInfo, groupNames, groupsContaining } from '../../server/src/seccomp/groups';
import { errnoNames } from '../../server/src/seccomp/errno';
import { afNames } from '../../server/src/seccomp/addressFamilies';

function complete(text: string, settings: Settings = DEFAULT_SETTINGS) {
  const caret = text.indexOf('|');
  const clean = text.slice(0, caret) + text.slice(caret + 1);
  const doc = TextDocument.create('file:///units/test.service', 'systemd-unit', 1, clean);
  const ls = getLanguageService(settings);
  const unit = ls.parseUnit(doc, '/units/test.service');
  const position = doc.positionAt(caret);
  const items = ls.doComplete(doc, position, unit);
  const direct = valueCompletions(doc, position, unit, ls.target.target);
  const labels = items.map((i) => i.label);
  const edit = (i: CompletionItem): string => doc.getText((i.textEdit as TextEdit).range);
  return { items, labels, direct, doc, edit, target: ls.target.target! };
}

const v254 = parseSettings({ target: { preset: 'debian-12-backports' } });

test('SystemCallFilter=: every libseccomp syscall and every group of the release, groups with descriptions', () => {
  const { items, labels, target: t } = complete('[Service]\nSystemCallFilter=|\n');
  const groups = groupNames(t.systemd, t.host);
  assert.equal(labels.length, 1 + groups.length + allSyscallNames(t.libseccomp).length);
  assert.equal(labels[0], '~');
  const mount = items.find((i) => i.label === '@mount')!;
  assert.ok(mount.detail!.startsWith(groupInfo('@mount', t.systemd, t.host)!.description), mount.detail);
  const openat = items.find((i) => i.label === 'openat')!;
  assert.equal(openat.detail, groupsContaining('openat', t.systemd, t.host).filter((g) => g !== '@known').join(' '));
});

test('the replace range is the current word, after a leading ~ and before :errno', () => {
  const a = complete('[Service]\nSystemCallFilter=~@mo|\n');
  assert.ok(!a.labels.includes('~'));
  assert.equal(a.edit(a.items.find((i) => i.label === '@mount')!), '@mo');
  const b = complete('[Service]\nSystemCallFilter=@system-service ope|nat\n');
  assert.equal(b.edit(b.items.find((i) => i.label === 'openat')!), 'openat');
  assert.ok(!b.labels.includes('@system-service'), 'names already in the value are left out');
  const c = complete('[Service]\nSystemCallFilter=~mo|unt:EPERM\n');
  assert.equal(c.edit(c.items.find((i) => i.label === 'mount')!), 'mount');
  const d = complete('[Service]\nSystemCallFilter=@system-service |\n');
  assert.equal(d.edit(d.items.find((i) => i.label === 'read')!), '');
});

test(':errno after a colon: errno names and kill (v247+); nothing for SystemCallLog=', () => {
  const { labels, items, edit } = complete('[Service]\nSystemCallFilter=~mount:EP|\n');
  assert.deepEqual(labels.slice().sort(), ['kill', ...errnoNames()].sort());
  assert.equal(edit(items.find((i) => i.label === 'EPERM')!), 'EP');
  assert.equal(items.find((i) => i.label === 'EPERM')!.detail, 'errno 1');
  assert.deepEqual(complete('[Service]\nSystemCallLog=openat:|\n').direct, []);
  const old = complete('[Service]\nSystemCallFilter=~mount:|\n', parseSettings({ target: { systemdVersion: '246' } }));
  assert.ok(!old.labels.includes('kill'));
});

test('groups follow the target version: @sandbox from 254', () => {
  assert.ok(!complete('[Service]\nSystemCallFilter=@|\n').labels.includes('@sandbox'));
  assert.ok(complete('[Service]\nSystemCallFilter=@|\n', v254).labels.includes('@sandbox'));
});

test('SystemCallArchitectures=, SystemCallErrorNumber=, RestrictAddressFamilies=', () => {
  const arch = complete('[Service]\nSystemCallArchitectures=|\n');
  assert.equal(arch.labels[0], 'native');
  assert.equal(arch.items[0]!.detail, 'the ABI systemd was built for (x86-64)');
  for (const abi of ['x86', 'x86-64', 'x32', 'arm64']) assert.ok(arch.labels.includes(abi), abi);

  const err = complete('[Service]\nSystemCallErrorNumber=|\n');
  assert.deepEqual(err.labels.slice().sort(), ['kill', ...errnoNames()].sort());
  assert.deepEqual(complete('[Service]\nSystemCallErrorNumber=EPERM |\n').direct, []);

  const af = complete('[Service]\nRestrictAddressFamilies=|\n');
  assert.deepEqual(af.labels.slice().sort(), ['none', ...afNames(af.target.afMax)].sort());
  const af2 = complete('[Service]\nRestrictAddressFamilies=AF_UNIX |\n');
  assert.ok(!af2.labels.includes('none') && !af2.labels.includes('AF_UNIX') && af2.labels.includes('AF_INET'));
  const af3 = complete('[Service]\nRestrictAddressFamilies=~AF_P|\n');
  assert.equal(af3.edit(af3.items.find((i) => i.label === 'AF_PACKET')!), 'AF_P');
});

test('RestrictNamespaces= (time from 252), booleans, ProtectHostname=private from 258', () => {
  const ns = complete('[Service]\nRestrictNamespaces=|\n');
  assert.deepEqual(ns.labels, ['yes', 'no', 'cgroup', 'ipc', 'net', 'mnt', 'pid', 'user', 'uts', 'time']);
  const old = complete('[Service]\nRestrictNamespaces=~|\n', parseSettings({ target: { systemdVersion: '251' } }));
  assert.deepEqual(old.labels, ['cgroup', 'ipc', 'net', 'mnt', 'pid', 'user', 'uts'], 'no yes/no after ~');
  assert.deepEqual(complete('[Service]\nRestrictNamespaces=net |\n').labels, ['cgroup', 'ipc', 'mnt', 'pid', 'user', 'uts', 'time']);

  for (const key of ['LockPersonality', 'MemoryDenyWriteExecute', 'ProtectClock', 'DynamicUser']) {
    assert.deepEqual(complete(`[Service]\n${key}=|\n`).labels, ['yes', 'no'], key);
  }
  assert.deepEqual(complete('[Service]\nProtectHostname=|\n').labels, ['yes', 'no']);
  assert.deepEqual(complete('[Service]\nProtectHostname=|\n', parseSettings({ target: { systemdVersion: '258' } })).labels, ['yes', 'no', 'private']);
});

test('other positions are left to the generic completion', () => {
  assert.equal(complete('[Service]\nExecStart=/bin/|\n').direct, undefined);
  assert.equal(complete('[Service]\nSystemCall|\n').direct, undefined);
  assert.equal(complete('[Unit]\nDescription=|\n').direct, undefined);
  assert.equal(complete('[X-Foo]\nSystemCallFilter=|\n').direct, undefined);
});
