/**
 * package.json must agree with the code: settings (server/src/settings.ts is the source of
 * truth), the language id and command ids the client uses, and the grammar it points at.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_SECTION, SETTING_SPECS } from '../../server/src/settings';
import { COMMAND_RESTART, CONFIG_SECTION as CLIENT_CONFIG, LANGUAGE_ID, PREVIEW_VIEW_TYPE } from '../../client/src/constants';
import { UNIT_TYPES } from '../../server/src/model/directives';

const ROOT = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

test('every setting in settings.ts is in package.json with the same type, default and enum, and nothing else is', () => {
  const props: Record<string, Record<string, unknown>> = manifest.contributes.configuration.properties;
  const expected = SETTING_SPECS.map((s) => `${CONFIG_SECTION}.${s.key}`).sort();
  assert.deepEqual(Object.keys(props).sort(), expected);
  for (const spec of SETTING_SPECS) {
    const p = props[`${CONFIG_SECTION}.${spec.key}`]!;
    assert.equal(p['type'], spec.type, spec.key);
    assert.deepEqual(p['default'], spec.default, spec.key);
    assert.deepEqual(p['enum'], spec.enum, spec.key);
    assert.equal(p['pattern'], spec.pattern, spec.key);
    assert.equal(p['markdownDescription'], spec.description, spec.key);
    if (spec.valueEnum) assert.deepEqual((p['additionalProperties'] as { enum: string[] }).enum, spec.valueEnum);
  }
});

test('client constants match the manifest', () => {
  assert.equal(CLIENT_CONFIG, CONFIG_SECTION);
  assert.equal(manifest.contributes.languages[0].id, LANGUAGE_ID);
  assert.ok(manifest.contributes.commands.some((c: { command: string }) => c.command === COMMAND_RESTART));
  assert.equal(manifest.main, './dist/extension.js');
  assert.ok(fs.existsSync(path.join(ROOT, manifest.contributes.grammars[0].path)));
  assert.ok(fs.existsSync(path.join(ROOT, manifest.contributes.languages[0].configuration)));
});

test('a preview panel left open activates the extension after a reload, so its serializer can restore it', () => {
  assert.ok(manifest.activationEvents.includes(`onWebviewPanel:${PREVIEW_VIEW_TYPE}`), String(manifest.activationEvents));
});

test('every unit type is a registered extension, drop-ins too', () => {
  const lang = manifest.contributes.languages[0];
  assert.deepEqual([...lang.extensions].sort(), UNIT_TYPES.map((t) => `.${t}`).sort());
  for (const t of UNIT_TYPES) {
    assert.ok(lang.filenamePatterns.includes(`**/*.${t}.d/*.conf`), t);
    assert.ok(lang.filenamePatterns.includes(`**/${t}.d/*.conf`), t);
  }
});

test('engines.vscode stays at or below what code-server 4.96 (VS Code 1.96) accepts, and @types/vscode matches', () => {
  assert.match(manifest.engines.vscode, /^\^1\.(\d+)\.0$/);
  const minor = Number(/^\^1\.(\d+)/.exec(manifest.engines.vscode)![1]);
  assert.ok(minor <= 96);
  assert.equal(manifest.devDependencies['@types/vscode'], `1.${minor}.0`);
});

test('the preset names in the settings are exactly the presets the planner knows', async () => {
  const { PRESETS } = await import('../../server/src/seccomp/target');
  const { PRESET_NAMES } = await import('../../server/src/settings');
  assert.deepEqual([...PRESET_NAMES].sort(), Object.keys(PRESETS).sort());
});
