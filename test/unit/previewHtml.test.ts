/**
 * The preview page builder (client/src/preview/html.ts) is a pure function of the server's
 * preview object: check escaping, the lanes and bars, the CSP and that nothing leaves the page.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { buildPreviewHtml, effectOf, escapeHtml, lanesOf, paletteIndex, DIRECTIVE_ORDER } from '../../client/src/preview/html';
import type { PreviewData, PreviewFilter } from '../../client/src/preview/types';

function filter(index: number, directive: string, abis: string[], instructions: number, extra: Partial<PreviewFilter> = {}): PreviewFilter {
  return { index, directive, abis, defaultAction: 'allow', rules: 1, line: 3 + index, instructions, ruleList: ['personality(a0 != 0) → errno(EPERM)'], sources: [{ file: '/u/x.service', line: 3 + index }], disasm: ` 0000: 0x20 0x00 0x00 0x00000004   ld  $data[4]\n`, ...extra };
}

const EVIL = '<img src=x onerror="alert(1)">&\'';

const DATA: PreviewData = {
  unit: `x${EVIL}.service`,
  systemd: '252.39',
  arch: 'x86-64',
  kernel: '6.1',
  filters: [
    filter(0, 'LockPersonality', ['x86'], 10),
    filter(1, 'LockPersonality', ['x32'], 11),
    filter(2, 'LockPersonality', ['x86-64'], 12, { note: `note ${EVIL}` }),
    filter(3, 'SystemCallFilter', ['x86-64'], 300, { ruleList: [`allow: ${EVIL}`], disasm: `0000: ${EVIL}\n` }),
    filter(4, `Custom${EVIL}`, ['x86-64', 'x86'], 7),
  ],
  totals: { filters: 5, instructions: 340, byAbi: { x86: 2, x32: 1, 'x86-64': 3 } },
  cost: {
    kernel: '6.1',
    actionCache: true,
    native: { abi: 'x86-64', cacheable: true, miss: { count: 3, min: 20, median: 40, max: 330, minSyscall: 'read', maxSyscall: EVIL }, cachedSyscalls: 300, uncachedSyscalls: 10 },
    otherAbis: [{ abi: 'x86', cacheable: true, miss: { count: 0, min: 0, median: 0, max: 0 }, cachedSyscalls: 0, uncachedSyscalls: 1 }],
    hot: [
      { name: 'read', instructions: 20, cached: true, allowed: true },
      { name: 'openat', instructions: 200, cached: false, allowed: true, uncachedBy: [EVIL] },
    ],
    allowedUncached: [{ name: 'openat', instructions: 200, directives: ['RestrictSUIDSGID'] }],
    limits: { totalInstructions: 340, pathTotal: 360, maxInsnsPerPath: 32768, maxInsnsPerFilter: 4096, tooLong: [] },
  },
  diagnostics: [{ code: 'plan-x', severity: 'warning', message: `bad ${EVIL}`, file: '/u/x.service', line: 2 }],
};

test('escapeHtml escapes the five HTML characters', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('text from the unit is escaped everywhere', () => {
  const html = buildPreviewHtml(DATA, { nonce: 'n0nce' });
  assert.ok(!html.includes('<img'), 'raw markup from the data reached the page');
  assert.ok(!html.includes('onerror="'));
  assert.ok(html.includes('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;'));
});

test('one bar per filter, one lane per ABI in the server order, install order kept', () => {
  const html = buildPreviewHtml(DATA, { nonce: 'n0nce' });
  assert.deepEqual(lanesOf(DATA), ['x86', 'x32', 'x86-64']);
  assert.deepEqual([...html.matchAll(/<div class="lane" data-abi="([^"]+)"/g)].map((m) => m[1]), ['x86', 'x32', 'x86-64']);
  const bars = [...html.matchAll(/class="bar slot s(\d+) d\d+" data-index="(\d+)"/g)];
  assert.deepEqual(
    bars.map((m) => Number(m[2])).sort((a, b) => a - b),
    [0, 1, 2, 3, 4],
  );
  // A program checking two ABIs is drawn once, and echoed (dimmed) in its other lane.
  assert.equal(html.match(/class="bar echo /g)?.length, 1);
  // Each lane has a slot for every filter, so columns line up; widths are the instruction counts.
  assert.equal(html.match(/class="slot s0"><\/span>/g)?.length, 2);
  assert.match(html, /\.s3 \{ flex-grow: 300; \}/);
  // Table rows and their hidden details (rules + disassembly) in install order.
  assert.deepEqual([...html.matchAll(/<tr class="row" id="row-(\d+)"/g)].map((m) => Number(m[1])), [0, 1, 2, 3, 4]);
  assert.equal(html.match(/<tr class="detail" id="detail-\d+" hidden>/g)?.length, 5);
  assert.equal(html.match(/<pre class="disasm">/g)?.length, 5);
});

test('a stable palette: known directives keep their colour, with a legend entry each', () => {
  assert.equal(paletteIndex('SystemCallFilter'), 0);
  assert.equal(paletteIndex('LockPersonality'), DIRECTIVE_ORDER.indexOf('LockPersonality'));
  assert.equal(paletteIndex('Whatever'), paletteIndex('Whatever'));
  assert.ok(paletteIndex('Whatever') >= DIRECTIVE_ORDER.length);
  const html = buildPreviewHtml(DATA, { nonce: 'n0nce' });
  assert.equal(html.match(/<li><span class="swatch d\d+"><\/span>/g)?.length, 3);
  assert.match(html, /\.d0 \{ background-color: var\(--vscode-charts-blue, #3794ff\);/);
});

test('offline and under a nonce CSP: no external URL, no inline handlers or style attributes', () => {
  const html = buildPreviewHtml(DATA, { nonce: 'n0nce', cspSource: 'https://file+.vscode-resource.vscode-cdn.net' });
  const withoutCsp = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
  assert.ok(!/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]/i.test(withoutCsp), 'an external URL in the page');
  assert.ok(!/\bsrc=/i.test(withoutCsp.replace(/&lt;img src=x/g, '')), 'a src attribute in the page');
  assert.ok(!/\sstyle="/.test(html), 'a style attribute (blocked by the CSP)');
  assert.ok(!/\son[a-z]+="/.test(html), 'an inline event handler');
  assert.match(html, /default-src 'none'; style-src 'nonce-n0nce'; script-src 'nonce-n0nce'/);
  assert.equal(html.match(/<script nonce="n0nce">/g)?.length, 1);
  assert.equal(html.match(/<script/g)?.length, 1);
  assert.equal(html.match(/<style nonce="n0nce">/g)?.length, 1);
});

test('the cost: native min/median/max, hot syscalls cached or not, the kernel path limit', () => {
  const html = buildPreviewHtml(DATA, { nonce: 'n0nce' });
  assert.match(html, /min <b>20<\/b> · median <b>40<\/b> · max <b>330<\/b>/);
  assert.match(html, /<li class="chip cached"[^>]*>read<\/li>/);
  assert.match(html, /<li class="chip uncached"[^>]*>openat <b>200<\/b><\/li>/);
  assert.match(html, /every call is refused/);
  assert.match(html, /<b>360<\/b> of 32768 instructions/);
});

test('the table shows default ← rule actions like the CLI', () => {
  assert.equal(effectOf(filter(0, 'LockPersonality', ['x86'], 10)), 'allow ← errno(EPERM)');
  assert.equal(
    effectOf(filter(0, 'SystemCallFilter', ['x86'], 10, { defaultAction: 'errno(EPERM)', ruleList: ['allow: read, write', 'kill-process: reboot', 'socket(a0 == AF_X25 | AF_ROSE) → errno(EAFNOSUPPORT)'] })),
    'errno(EPERM) ← allow, kill-process, errno(EAFNOSUPPORT)',
  );
  assert.equal(effectOf(filter(0, 'SystemCallArchitectures', ['x86'], 7, { ruleList: [] })), 'allow');
});

test('a message page when there is no plan', () => {
  const html = buildPreviewHtml(null, { nonce: 'n', message: 'server <starting>' });
  assert.match(html, /<p class="message">server &lt;starting&gt;<\/p>/);
  assert.ok(!html.includes('class="lane"'));
  const err = buildPreviewHtml({ unit: 'a.service', error: 'No target' }, { nonce: 'n' });
  assert.match(err, /No target/);
  const empty = buildPreviewHtml({ unit: 'a.service', filters: [], totals: { filters: 0, instructions: 0, byAbi: {} } }, { nonce: 'n' });
  assert.match(empty, /No seccomp filters/);
});
