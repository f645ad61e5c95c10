/**
 * Restoring the seccomp preview after a window reload, outside VS Code: the state the page's
 * script saves (run in a VM with a fake webview API and DOM), and the restore decision
 * (client/src/preview/state.ts) for a unit that exists, is gone, or is not named at all.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as vm from 'node:vm';
import { buildPreviewHtml } from '../../client/src/preview/html';
import { baseNameOf, planRestore, uriOfState } from '../../client/src/preview/state';
import type { PreviewData } from '../../client/src/preview/types';

const URI = 'file:///srv/units/a%20b&c.service';
const DATA: PreviewData = { unit: 'a b&c.service', filters: [], totals: { filters: 0, instructions: 0, byAbi: {} } };

/** Runs the page's inline script against a fake `acquireVsCodeApi` and DOM; returns every setState call. */
function runScript(html: string, initial: unknown): unknown[] {
  const script = /<script nonce="[^"]*">([\s\S]*?)<\/script>/.exec(html)?.[1];
  assert.ok(script, 'the page has an inline script');
  const body = /<body([^>]*)>/.exec(html)![1]!;
  const attr = /data-uri="([^"]*)"/.exec(body)?.[1];
  const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const saved: unknown[] = [];
  const document = {
    body: { getAttribute: (name: string) => (name === 'data-uri' && attr !== undefined ? unescape(attr) : null) },
    getElementById: () => null,
    querySelectorAll: () => [],
    addEventListener: () => undefined,
  };
  const acquireVsCodeApi = () => ({ getState: () => initial, setState: (s: unknown) => saved.push(JSON.parse(JSON.stringify(s))), postMessage: () => undefined });
  vm.runInNewContext(script, { document, acquireVsCodeApi, Element: class {} });
  return saved;
}

test('the preview page carries its unit URI (escaped) and its script saves it in the webview state at once', () => {
  const html = buildPreviewHtml(DATA, { nonce: 'n', uri: URI });
  assert.match(html, /<body data-uri="file:\/\/\/srv\/units\/a%20b&amp;c\.service">/);
  assert.deepEqual(runScript(html, undefined), [{ uri: URI, open: [] }]);
});

test('the script keeps the expanded rows of the saved state and the page\'s URI wins over an older one', () => {
  const html = buildPreviewHtml(DATA, { nonce: 'n', uri: URI });
  assert.deepEqual(runScript(html, { uri: 'file:///old.service', open: [2, 5] }), [{ uri: URI, open: [2, 5] }]);
  // A malformed saved state does not break the page.
  assert.deepEqual(runScript(html, { open: 'nonsense' }), [{ uri: URI, open: [] }]);
});

test('the message page (server not running, unit gone) keeps the URI too; without one the state has none', () => {
  const msg = buildPreviewHtml(null, { nonce: 'n', message: 'gone', uri: URI });
  assert.deepEqual(runScript(msg, undefined), [{ uri: URI, open: [] }]);
  const none = buildPreviewHtml(null, { nonce: 'n', message: 'x' });
  assert.match(none, /<body>/);
  assert.deepEqual(runScript(none, undefined), [{ open: [] }]);
  assert.deepEqual(runScript(none, { uri: URI }), [{ uri: URI, open: [] }]);
});

test('an attribute-breaking URI cannot escape the body tag', () => {
  const html = buildPreviewHtml(DATA, { nonce: 'n', uri: 'file:///x"><script>alert(1)</script>.service' });
  assert.equal(html.match(/<script/g)?.length, 1);
  assert.match(html, /<body data-uri="file:\/\/\/x&quot;&gt;&lt;script&gt;/);
});

test('uriOfState accepts only a non-empty string uri', () => {
  assert.equal(uriOfState({ uri: URI, open: [] }), URI);
  for (const bad of [undefined, null, 'file:///a.service', 42, {}, { uri: '' }, { uri: 7 }, { open: [1] }]) assert.equal(uriOfState(bad), undefined, String(bad));
});

test('baseNameOf names files, untitled documents and remote URIs', () => {
  assert.equal(baseNameOf(URI), 'a b&c.service');
  assert.equal(baseNameOf('untitled:Untitled-1'), 'Untitled-1');
  assert.equal(baseNameOf('vscode-remote://remote/srv/x.service.d/override.conf'), 'override.conf');
  assert.equal(baseNameOf('file:///srv/x.service?query#frag'), 'x.service');
});

test('planRestore binds a panel whose unit exists to it again', async () => {
  const asked: string[] = [];
  const plan = await planRestore({ uri: URI, open: [1] }, async (u) => {
    asked.push(u);
    return true;
  });
  assert.deepEqual(plan, { kind: 'attach', uri: URI });
  assert.deepEqual(asked, [URI]);
});

test('planRestore explains a vanished unit instead of failing, also when the existence check throws', async () => {
  for (const exists of [async () => false, async () => Promise.reject(new Error('EACCES'))]) {
    const plan = await planRestore({ uri: URI }, exists);
    assert.equal(plan.kind, 'message');
    if (plan.kind !== 'message') return;
    assert.equal(plan.uri, URI);
    assert.equal(plan.title, 'Seccomp: a b&c.service');
    assert.match(plan.message, /^a b&c\.service no longer exists/);
  }
});

test('planRestore without a usable state says the panel cannot be restored and asks nothing', async () => {
  for (const state of [undefined, null, {}, { uri: 3 }]) {
    const plan = await planRestore(state, async () => assert.fail('exists must not be asked'));
    assert.equal(plan.kind, 'message');
    if (plan.kind === 'message') {
      assert.equal(plan.uri, undefined);
      assert.match(plan.message, /cannot be restored/);
    }
  }
});
