/**
 * Tests for the directive catalogue: it covers everything the installed systemd 252 accepts, the
 * parser-derived facts (kind, repeat, since) match systemd's sources, the lookups and suggestions
 * behave, and the committed generated table matches tools/gen-directives.mjs.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  KNOWN_SECTIONS,
  UNIT_TYPES,
  directivesInSection,
  isAvailableIn,
  lookupDirective,
  manPageUrl,
  sectionsForUnitType,
  sectionsOfDirective,
  suggestDirective,
  unitTypeFromFileName,
} from '../../server/src/model/directives';
import { DIRECTIVES, DUMP_VERSION } from '../../server/src/model/directives.generated';
import { HARDENING_DOCS, docsFor } from '../../server/src/model/directiveDocs';
import type { DirectiveInfo, ValueKind } from '../../server/src/model/directiveTypes';

const ROOT = path.resolve(__dirname, '../../..');

/** Rows of data/directives/systemd-dump.tsv: the `--dump-configuration-items` capture. */
function dumpRows(): { section: string; key: string; type: string }[] {
  const text = fs.readFileSync(path.join(ROOT, 'data/directives/systemd-dump.tsv'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [section, key, type] = l.split('\t');
      return { section, key, type };
    });
}

function get(section: string, key: string): DirectiveInfo {
  const info = lookupDirective(section, key);
  assert.ok(info, `${section}.${key} should be in the table`);
  return info;
}

test('every key of the captured systemd 252 dump is in the table for its section', () => {
  const rows = dumpRows();
  assert.match(DUMP_VERSION, /^252\.\d+$/);
  assert.ok(rows.length > 1100, `only ${rows.length} rows`);
  // Keys that the 252-stable branch gained after v252.0 (backports); isAvailableIn(…, 252) is false for them.
  const backported = new Set(['Scope.OOMPolicy']);
  for (const { section, key } of rows) {
    const info = get(section, key);
    assert.ok(info.sections.includes(section));
    assert.equal(isAvailableIn(info, 252), !backported.has(`${section}.${key}`), `${section}.${key} in 252`);
  }
  assert.deepEqual([...new Set(rows.map((r) => r.section))].sort(), [...KNOWN_SECTIONS].sort());
});

test('kinds agree with the value types systemd 252 prints for its parsers', () => {
  // unit_dump_config_items() in load-fragment.c names the type of each parser it knows.
  const expected: Record<string, ValueKind[]> = {
    BOOLEAN: ['boolean'],
    SECONDS: ['timespan'],
    'UNIT [...]': ['unit-list'],
    CONDITION: ['condition'],
    SYSCALLS: ['syscall-filter'],
    ARCHS: ['syscall-archs'],
    ERRNO: ['syscall-errno'],
    FAMILIES: ['address-families'],
    NAMESPACES: ['namespaces'],
    BOUNDINGSET: ['capabilities'],
    PERSONALITY: ['personality'],
    FILESYSTEMS: ['filesystems'],
    'PATH [ARGUMENT [...]]': ['command'],
    ENVIRON: ['environment'],
    SIZE: ['size'],
    UNSIGNED: ['unsigned'],
    INTEGER: ['integer'],
  };
  // Booleans that later versions turned into richer enums (PrivateTmp=disconnected, …).
  const upgraded = (info: DirectiveInfo) => info.kind === 'enum' && info.values?.includes('yes') && info.values.includes('no');
  for (const { section, key, type } of dumpRows()) {
    const want = expected[type];
    if (!want) continue;
    const info = get(section, key);
    if (type === 'BOOLEAN' && (upgraded(info) || key === 'ProtectHostname')) continue;
    assert.ok(want.includes(info.kind), `${section}.${key}=${type} has kind ${info.kind}`);
  }
});

test('seccomp directives carry the parser facts of load-fragment.c', () => {
  const filter = get('Service', 'SystemCallFilter');
  assert.equal(filter.kind, 'syscall-filter');
  assert.equal(filter.repeat, 'append');
  assert.equal(filter.parser, 'config_parse_syscall_filter');
  assert.deepEqual(filter.sections, ['Service', 'Socket', 'Mount', 'Swap']);
  assert.equal(filter.since, undefined);

  const log = get('Service', 'SystemCallLog');
  assert.equal(log.since, 247);
  assert.equal(log.kind, 'syscall-filter');
  assert.ok(!isAvailableIn(log, 246));
  assert.ok(isAvailableIn(log, 247));
  assert.ok(isAvailableIn(log, 252));

  assert.deepEqual([get('Service', 'SystemCallArchitectures').kind, get('Service', 'SystemCallArchitectures').repeat], ['syscall-archs', 'append']);
  assert.deepEqual([get('Service', 'SystemCallErrorNumber').kind, get('Service', 'SystemCallErrorNumber').repeat], ['syscall-errno', 'override']);
  assert.deepEqual([get('Service', 'RestrictAddressFamilies').kind, get('Service', 'RestrictAddressFamilies').repeat], ['address-families', 'append']);
  assert.deepEqual([get('Service', 'RestrictNamespaces').kind, get('Service', 'RestrictNamespaces').repeat], ['namespaces', 'merge']);
  assert.deepEqual([get('Service', 'CapabilityBoundingSet').kind, get('Service', 'CapabilityBoundingSet').repeat], ['capabilities', 'merge']);
  assert.equal(get('Service', 'Personality').kind, 'personality');
  assert.equal(get('Service', 'RestrictFileSystems').kind, 'filesystems');
  assert.equal(get('Service', 'RestrictFileSystems').since, 250);
  assert.deepEqual([get('Service', 'MemoryDenyWriteExecute').kind, get('Service', 'MemoryDenyWriteExecute').values], ['boolean', ['yes', 'no']]);
  assert.deepEqual([get('Service', 'ExecStart').kind, get('Service', 'ExecStart').repeat], ['command', 'append']);
  assert.deepEqual([get('Unit', 'After').kind, get('Unit', 'After').repeat], ['unit-list', 'append']);
  assert.deepEqual([get('Unit', 'ConditionPathExists').kind, get('Unit', 'ConditionPathExists').repeat], ['condition', 'append']);
  assert.deepEqual([get('Service', 'Environment').kind, get('Service', 'Environment').repeat], ['environment', 'append']);
  assert.deepEqual([get('Service', 'TimeoutStopSec').kind, get('Service', 'TimeoutStopSec').repeat], ['timespan', 'override']);
  assert.equal(get('Service', 'LimitNOFILE').repeat, 'override');
  // The kill/cgroup/exec blocks are expanded into every section that includes them.
  assert.deepEqual(sectionsOfDirective('KillMode'), ['Service', 'Socket', 'Mount', 'Swap', 'Scope']);
  assert.deepEqual(sectionsOfDirective('MemoryMax'), ['Service', 'Socket', 'Mount', 'Swap', 'Slice', 'Scope']);
  assert.equal(lookupDirective('Scope', 'SystemCallFilter'), undefined);
  assert.equal(lookupDirective('Unit', 'SystemCallFilter'), undefined);
});

test('versions: keys added after 252, removed keys, and enum values by version', () => {
  const steps = get('Service', 'RestartSteps');
  assert.equal(steps.since, 254);
  assert.ok(!isAvailableIn(steps, 252));
  assert.ok(isAvailableIn(steps, 254));
  assert.equal(get('Install', 'UpheldBy').since, 254);
  assert.equal(get('Service', 'PrivatePIDs').since, 257);

  const nul = get('Unit', 'ConditionNull');
  assert.equal(nul.removedIn, 247);
  assert.ok(isAvailableIn(nul, 246));
  assert.ok(!isAvailableIn(nul, 252));

  const pct = get('Service', 'ManagedOOMMemoryPressureLimitPercent');
  assert.deepEqual([pct.since, pct.removedIn, pct.replacedBy], [247, 248, 'ManagedOOMMemoryPressureLimit']);

  const type = get('Service', 'Type');
  assert.equal(type.kind, 'enum');
  assert.ok(type.values?.includes('exec'));
  assert.equal(type.valueSince?.['notify-reload'], 253);
  assert.equal(type.valueSince?.['exec'], undefined);
  assert.equal(get('Mount', 'Type').kind, 'string');
  assert.deepEqual(sectionsOfDirective('Type'), ['Service', 'Mount']);

  const tmp = get('Service', 'PrivateTmp');
  assert.equal(tmp.valueSince?.['disconnected'], 257);
  assert.ok(tmp.values?.includes('yes') && tmp.values.includes('no'));
  assert.deepEqual(get('Service', 'ProtectSystem').values, ['no', 'yes', 'full', 'strict']);
  assert.equal(get('Scope', 'OOMPolicy').since, 253);
  assert.equal(get('Service', 'OOMPolicy').since, undefined);
});

test('deprecated names record their replacement and what systemd does with them', () => {
  assert.equal(get('Unit', 'BindTo').replacedBy, 'BindsTo');
  assert.equal(get('Unit', 'BindTo').legacy?.handling, 'alias');
  assert.equal(get('Unit', 'StartLimitInterval').replacedBy, 'StartLimitIntervalSec');
  assert.equal(get('Service', 'StartLimitInterval').legacy?.preferredSection, 'Unit');
  assert.equal(get('Service', 'StartLimitBurst').legacy?.preferredSection, 'Unit');
  assert.equal(get('Unit', 'StartLimitBurst').legacy, undefined);
  assert.equal(get('Service', 'ReadWriteDirectories').replacedBy, 'ReadWritePaths');
  assert.equal(get('Unit', 'RequiresOverridable').legacy?.handling, 'warn');

  const mem = get('Service', 'MemoryLimit');
  assert.equal(mem.replacedBy, 'MemoryMax');
  assert.deepEqual([mem.legacy?.handling, mem.legacy?.since], ['ignored', 258]);
  assert.equal(mem.kind, 'size');
  assert.ok(isAvailableIn(mem, 261), 'ignored keys are still accepted');
  assert.equal(get('Service', 'Capabilities').legacy?.handling, 'ignored');
  assert.equal(get('Service', 'CPUAccounting').legacy?.since, 258);
  for (const info of DIRECTIVES) {
    if (info.replacedBy) assert.ok(sectionsOfDirective(info.replacedBy).length > 0, `${info.name} → ${info.replacedBy}`);
  }
});

test('suggestions for unknown keys', () => {
  assert.equal(suggestDirective('Service', 'SystemCallArchitecture'), 'SystemCallArchitectures');
  assert.equal(suggestDirective('Service', 'ProtectDevices'), 'PrivateDevices');
  assert.equal(suggestDirective('Service', 'systemcallfilter'), 'SystemCallFilter');
  assert.equal(suggestDirective('Service', 'ProtectTmp'), 'PrivateTmp');
  assert.equal(suggestDirective('Service', 'PrivateHome'), 'ProtectHome');
  assert.equal(suggestDirective('Service', 'RestrictAddressFamily'), 'RestrictAddressFamilies');
  assert.equal(suggestDirective('Service', 'NoNewPrivilege'), 'NoNewPrivileges');
  assert.equal(suggestDirective('Service', 'ExecStrat'), 'ExecStart');
  assert.equal(suggestDirective('Unit', 'Wnats'), 'Wants');
  assert.equal(suggestDirective('Service', 'memorylimit'), 'MemoryLimit');
  assert.equal(suggestDirective('Service', 'Frobnicate'), undefined);
  assert.equal(suggestDirective('Service', ''), undefined);
  // Same-section names win: Where= exists in [Mount] and [Automount].
  assert.equal(suggestDirective('Mount', 'Wher'), 'Where');
});

test('unit types from file names and their sections', () => {
  const cases: [string, string | undefined][] = [
    ['foo.service', 'service'],
    ['foo@.service', 'service'],
    ['getty@tty1.service', 'service'],
    ['/etc/systemd/system/x.service.d/10-a.conf', 'service'],
    ['x.service.d/10-a.conf', 'service'],
    ['service.d/x.conf', 'service'],
    ['foo-.socket.d/override.conf', 'socket'],
    ['/etc/systemd/system/foo.service.d/.#override.conf0123456789abcdef', 'service'],
    ['/etc/systemd/system/.#foo.timer0123456789abcdef', 'timer'],
    ['file:///etc/systemd/system/home.mount', 'mount'],
    ['C:\\units\\a.path', 'path'],
    ['multi-user.target', 'target'],
    ['system.slice', 'slice'],
    ['foo.device', undefined],
    ['README.md', undefined],
    ['service', undefined],
    ['x.conf', undefined],
  ];
  for (const [name, want] of cases) assert.equal(unitTypeFromFileName(name), want, name);

  assert.deepEqual(sectionsForUnitType('service'), ['Unit', 'Service', 'Install']);
  assert.deepEqual(sectionsForUnitType('target'), ['Unit', 'Install']);
  assert.deepEqual(sectionsForUnitType('scope'), ['Unit', 'Scope']);
  assert.deepEqual(sectionsForUnitType(undefined), KNOWN_SECTIONS);
  for (const t of UNIT_TYPES) for (const s of sectionsForUnitType(t)) assert.ok(KNOWN_SECTIONS.includes(s));
});

test('every directive has a description, a man page link and consistent sections', () => {
  const seen = new Set<string>();
  for (const info of DIRECTIVES) {
    assert.ok(info.description.trim().length > 0 && info.description.length <= 120, info.name);
    assert.match(manPageUrl(info), /^https:\/\/www\.freedesktop\.org\/software\/systemd\/man\/systemd\.[a-z-]+\.html#[A-Za-z0-9]+=$/);
    for (const s of info.sections) {
      assert.ok(!seen.has(`${s}.${info.name}`), `${s}.${info.name} listed twice`);
      seen.add(`${s}.${info.name}`);
      assert.equal(lookupDirective(s, info.name), info);
      assert.ok(directivesInSection(s).includes(info));
    }
  }
  assert.equal(manPageUrl(get('Service', 'SystemCallFilter')), 'https://www.freedesktop.org/software/systemd/man/systemd.exec.html#SystemCallFilter=');
  assert.equal(manPageUrl(get('Service', 'KillMode')), 'https://www.freedesktop.org/software/systemd/man/systemd.kill.html#KillMode=');
  assert.equal(manPageUrl(get('Slice', 'MemoryMax')), 'https://www.freedesktop.org/software/systemd/man/systemd.resource-control.html#MemoryMax=');
  assert.equal(manPageUrl(get('Unit', 'BindTo')), 'https://www.freedesktop.org/software/systemd/man/systemd.unit.html#BindsTo=');
  assert.equal(manPageUrl(get('Service', 'Restart')), 'https://www.freedesktop.org/software/systemd/man/systemd.service.html#Restart=');
  assert.equal(lookupDirective('Service', 'systemcallfilter'), undefined, 'lookups are case-sensitive');
});

test('hardening docs cover the required directives and only real ones', () => {
  const required = [
    'SystemCallFilter', 'SystemCallArchitectures', 'SystemCallErrorNumber', 'SystemCallLog', 'RestrictAddressFamilies',
    'RestrictNamespaces', 'MemoryDenyWriteExecute', 'LockPersonality', 'RestrictRealtime', 'RestrictSUIDSGID',
    'ProtectKernelLogs', 'ProtectKernelTunables', 'ProtectKernelModules', 'ProtectClock', 'ProtectHostname',
    'PrivateDevices', 'NoNewPrivileges', 'DynamicUser', 'Personality', 'RestrictFileSystems', 'CapabilityBoundingSet',
    'AmbientCapabilities', 'PrivateTmp', 'PrivateNetwork', 'PrivateUsers', 'ProtectSystem', 'ProtectHome',
    'ProtectControlGroups', 'ProtectProc', 'ProcSubset', 'IPAddressDeny', 'UMask', 'KeyringMode', 'RemoveIPC', 'PrivateMounts',
  ];
  for (const name of required) assert.ok(docsFor(name)?.includes('**What gets installed.**'), name);
  for (const name of Object.keys(HARDENING_DOCS)) assert.ok(sectionsOfDirective(name).length > 0, `${name} is not a directive`);
  assert.match(docsFor('SystemCallFilter')!, /first non-empty line decides/i);
  assert.match(docsFor('RestrictFileSystems')!, /No seccomp filter/);
  assert.equal(docsFor('NoSuchDirective'), undefined);
  assert.equal(docsFor('toString'), undefined);
});

test('the committed table matches tools/gen-directives.mjs', async () => {
  // Load the ESM generator in-process (TypeScript would turn a plain import() into require()).
  const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<{
    generate(): { path: string; content: string }[];
  }>;
  const gen = await importEsm(pathToFileURL(path.join(ROOT, 'tools/gen-directives.mjs')).href);
  const files = gen.generate();
  assert.deepEqual(
    files.map((f) => f.path),
    ['server/src/model/directives.generated.ts'],
  );
  for (const f of files) {
    const committed = fs.readFileSync(path.join(ROOT, f.path), 'utf8');
    assert.ok(committed === f.content, `${f.path} is stale: run \`node tools/gen-directives.mjs\``);
    assert.match(committed, /^\/\/ GENERATED by tools\/gen-directives\.mjs — do not edit/);
  }
});
