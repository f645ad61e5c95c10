/**
 * The preview page, as a pure function of the server's preview object: no VS Code API, no I/O,
 * so a plain node:test can check it. Everything is inline (CSS and a small script carrying the
 * CSP nonce); no external URL is ever referenced. All text from the unit is HTML-escaped.
 *
 * Layout: a header (unit, target, totals), a legend of directive colours, one lane per ABI with
 * one bar per filter in install order (the x axis is the chain: every filter gets a column as
 * wide as its program, so columns line up across lanes), the cost, and the table of filters whose
 * rows (like the bars) expand to the filter's rules and BPF disassembly.
 */

import type { PreviewAbiCost, PreviewCost, PreviewData, PreviewFilter } from './types';

export interface PreviewHtmlOptions {
  /** Nonce for the inline style and script (Content-Security-Policy). */
  readonly nonce: string;
  /** `webview.cspSource`; empty in tests. */
  readonly cspSource?: string;
  /** Shown instead of the plan (e.g. "the language server is starting"). */
  readonly message?: string;
  /**
   * The previewed unit's URI: the page's script keeps it in the webview state (with the expanded
   * rows) so the panel serializer can bind a restored panel to the same unit after a reload.
   */
  readonly uri?: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Directives that install seccomp filters, in a fixed order: each keeps its colour whatever the unit. */
export const DIRECTIVE_ORDER: readonly string[] = [
  'SystemCallFilter',
  'SystemCallArchitectures',
  'RestrictAddressFamilies',
  'MemoryDenyWriteExecute',
  'RestrictNamespaces',
  'RestrictSUIDSGID',
  'RestrictRealtime',
  'LockPersonality',
  'ProtectKernelModules',
  'ProtectKernelTunables',
  'ProtectKernelLogs',
  'ProtectClock',
  'PrivateDevices',
  'ProtectHostname',
  'SystemCallLog',
  'NoNewPrivileges',
];

/** VS Code chart colours with their default dark-theme values as fallbacks. */
const COLOURS: readonly (readonly [string, string])[] = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-yellow', '#cca700'],
];
/** Overlays that tell colours apart once the six are used up: solid, stripes, dots. */
const PATTERNS: readonly string[] = [
  'background-image: none;',
  'background-image: repeating-linear-gradient(45deg, rgba(0,0,0,.38) 0 3px, transparent 3px 7px);',
  'background-image: radial-gradient(rgba(0,0,0,.45) 1.2px, transparent 1.6px); background-size: 5px 5px;',
];

/** Palette slot of a directive: its place in DIRECTIVE_ORDER, or a stable hash for others. */
export function paletteIndex(directive: string): number {
  const i = DIRECTIVE_ORDER.indexOf(directive);
  if (i >= 0) return i;
  let h = 0;
  for (const c of directive) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return DIRECTIVE_ORDER.length + (h % (COLOURS.length * PATTERNS.length));
}

function swatchCss(slot: number): string {
  const [name, fallback] = COLOURS[slot % COLOURS.length]!;
  const pattern = PATTERNS[Math.floor(slot / COLOURS.length) % PATTERNS.length]!;
  return `background-color: var(${name}, ${fallback}); ${pattern}`;
}

/** The ABI lanes: the target's ABIs in the server's order (totals.byAbi), then any other ABI a filter names. */
export function lanesOf(data: PreviewData): string[] {
  const lanes = Object.keys(data.totals?.byAbi ?? {});
  for (const f of data.filters ?? []) for (const a of f.abis) if (!lanes.includes(a)) lanes.push(a);
  return lanes;
}

function num(n: number | null | undefined): string {
  return n === null || n === undefined ? '?' : String(n);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function filterTitle(f: PreviewFilter): string {
  return `#${f.index} ${f.directive} (${f.abis.join('+')}): ${num(f.instructions)} instructions, ${f.directive === 'SystemCallArchitectures' ? 'arch check' : plural(f.rules, 'rule')}, default ${f.defaultAction}${f.line !== null ? `, line ${f.line}` : ''}`;
}

function lanesHtml(data: PreviewData, filters: readonly PreviewFilter[]): string {
  const lanes = lanesOf(data);
  const out: string[] = ['<section class="chain" aria-label="Filters per ABI in install order">'];
  out.push('<div class="axis"><span>← installed first</span><span>installed last →</span></div>');
  for (const abi of lanes) {
    const mine = filters.filter((f) => f.abis.includes(abi));
    const insns = mine.reduce<number | null>((n, f) => (n === null || f.instructions === null ? null : n + f.instructions), 0);
    out.push(`<div class="lane" data-abi="${escapeHtml(abi)}">`);
    out.push(`<div class="lane-label"><strong>${escapeHtml(abi)}</strong><span>${plural(mine.length, 'filter')} · ${num(insns)} insns</span></div>`);
    out.push('<div class="track">');
    for (const f of filters) {
      const k = f.abis.indexOf(abi);
      if (k < 0) {
        out.push(`<span class="slot s${f.index}"></span>`);
        continue;
      }
      // One bar per filter, in the lane of its first ABI; a program checking several ABIs is echoed (dimmed) in the others.
      out.push(
        `<button type="button" class="${k === 0 ? 'bar' : 'bar echo'} slot s${f.index} d${paletteIndex(f.directive)}" data-index="${f.index}" title="${escapeHtml(filterTitle(f))}" aria-label="${escapeHtml(filterTitle(f))}"><span>${f.index}</span></button>`,
      );
    }
    out.push('</div></div>');
  }
  out.push('<p class="muted caption">Bar width: BPF instructions of the program. Every system call runs every filter, newest first; a filter for another ABI only checks the architecture and allows.</p>');
  out.push('</section>');
  return out.join('\n');
}

function legendHtml(filters: readonly PreviewFilter[]): string {
  const seen: string[] = [];
  for (const f of filters) if (!seen.includes(f.directive)) seen.push(f.directive);
  seen.sort((a, b) => paletteIndex(a) - paletteIndex(b));
  const items = seen.map((d) => {
    const n = filters.filter((f) => f.directive === d);
    const insns = n.reduce((s, f) => s + (f.instructions ?? 0), 0);
    return `<li><span class="swatch d${paletteIndex(d)}"></span>${escapeHtml(d)}= <span class="muted">${plural(n.length, 'filter')}, ${insns} insns</span></li>`;
  });
  return `<ul class="legend" aria-label="Directive colours">${items.join('')}</ul>`;
}

function rangeHtml(label: string, min: number, median: number, max: number, scale: number, extra = ''): string {
  const pct = (n: number): string => `${scale > 0 ? Math.round((n / scale) * 1000) / 10 : 0}`;
  // Positions are classes over a 0–1000 grid so no style attribute is needed (CSP).
  const cls = (n: number): string => `p${Math.round(Number(pct(n)) * 10)}`;
  return `<div class="range-row"><span class="range-label">${escapeHtml(label)}</span><span class="range"><span class="range-span from-${cls(min)} to-${cls(max)}"></span><span class="tick at-${cls(median)}"></span></span><span class="range-text">min <b>${min}</b> · median <b>${median}</b> · max <b>${max}</b>${extra}</span></div>`;
}

function costHtml(cost: PreviewCost | undefined, used: Set<string>): string {
  const n = cost?.native;
  if (!cost || !n) return '<section class="cost"><h2>Cost</h2><p class="muted">No cost: a filter could not be built.</p></section>';
  const out: string[] = ['<section class="cost"><h2>Cost per system call <span class="muted">(BPF instructions over the whole chain on a cache miss)</span></h2>'];
  const others = (cost.otherAbis ?? []).filter((o) => o.miss.count > 0);
  const scale = Math.max(n.miss.max, ...others.map((o) => o.miss.max), 1);
  const rows: string[] = [];
  const row = (label: string, s: PreviewAbiCost, extra: string): void => {
    const r = rangeHtml(label, s.miss.min, s.miss.median, s.miss.max, scale, extra);
    for (const m of r.matchAll(/(?:from|to|at)-p(\d+)/g)) used.add(m[0]);
    rows.push(r);
  };
  row(`${n.abi} (native)`, n, n.miss.minSyscall && n.miss.maxSyscall ? ` <span class="muted">(${escapeHtml(n.miss.minSyscall)} … ${escapeHtml(n.miss.maxSyscall)})</span>` : '');
  for (const o of cost.otherAbis ?? []) {
    if (o.miss.count > 0) row(`from ${o.abi}`, o, o.cacheable ? '' : ' <span class="muted">never cached</span>');
    else rows.push(`<div class="range-row"><span class="range-label">from ${escapeHtml(o.abi)}</span><span class="muted">every call is refused</span></div>`);
  }
  out.push(`<div class="ranges">${rows.join('')}</div>`);
  if (cost.actionCache) {
    out.push(`<p>Kernel ${escapeHtml(cost.kernel ?? '')} action cache: <b>${n.cachedSyscalls}</b> ${escapeHtml(n.abi)} syscall numbers skip every filter, <b>${n.uncachedSyscalls}</b> run the chain.</p>`);
  } else {
    out.push(`<p>Kernel ${escapeHtml(cost.kernel ?? '')} has no seccomp action cache (5.11+): every call runs the whole chain.</p>`);
  }
  const hot = (cost.hot ?? []).filter((h) => h.allowed);
  if (hot.length > 0) {
    out.push('<h3>Hot syscalls</h3><ul class="chips">');
    for (const h of hot) {
      const cached = h.cached && cost.actionCache === true;
      const why = cached ? 'served by the action cache: no filter runs' : `runs the chain: ${h.instructions} instructions${h.uncachedBy?.length ? ` (${h.uncachedBy.join('; ')})` : ''}`;
      out.push(`<li class="chip ${cached ? 'cached' : 'uncached'}" title="${escapeHtml(`${h.name}: ${why}`)}">${escapeHtml(h.name)}${cached ? '' : ` <b>${h.instructions}</b>`}</li>`);
    }
    out.push('</ul><p class="muted"><span class="chip cached">cached</span> skips the filters · <span class="chip uncached">n</span> runs n instructions on every call</p>');
  }
  const au = cost.allowedUncached ?? [];
  if (au.length > 0) {
    out.push(`<details><summary>Allowed but uncached (${au.length})</summary><ul>${au.map((u) => `<li>${escapeHtml(u.name)} <b>${u.instructions}</b>${u.directives?.length ? ` <span class="muted">${escapeHtml(u.directives.join('; '))}</span>` : ''}</li>`).join('')}</ul></details>`);
  }
  const l = cost.limits;
  if (l) {
    const pct = l.maxInsnsPerPath > 0 ? Math.min(100, Math.round((l.pathTotal / l.maxInsnsPerPath) * 100)) : 0;
    used.add(`to-p${pct * 10}`);
    out.push(
      `<div class="range-row"><span class="range-label">kernel path limit</span><span class="range"><span class="range-span from-p0 to-p${pct * 10}${l.firstOverPath !== undefined ? ' over' : ''}"></span></span><span class="range-text"><b>${l.pathTotal}</b> of ${l.maxInsnsPerPath} instructions${l.tooLong.length ? `; over ${l.maxInsnsPerFilter}: ${l.tooLong.map((i) => `#${i}`).join(', ')}` : ''}${l.firstOverPath !== undefined ? `; exceeded at filter #${l.firstOverPath}` : ''}</span></div>`,
    );
    used.add('from-p0');
  }
  out.push('</section>');
  return out.join('\n');
}

function detailHtml(f: PreviewFilter): string {
  const parts: string[] = [];
  if (f.note) parts.push(`<p class="note">${escapeHtml(f.note)}</p>`);
  const src = (f.sources ?? []).map((s) => `${s.file}:${s.line}`);
  if (src.length) parts.push(`<p class="muted">From ${escapeHtml(src.join(', '))}${f.optimize ? ` · ${escapeHtml(f.optimize)}` : ''}</p>`);
  if (f.ruleList?.length) parts.push(`<ul class="rules">${f.ruleList.map((r) => `<li><code>${escapeHtml(r)}</code></li>`).join('')}</ul>`);
  parts.push(f.disasm ? `<pre class="disasm">${escapeHtml(f.disasm)}</pre>` : '<p class="muted">No BPF program for this filter.</p>');
  return parts.join('');
}

/** `default ← rule actions`, as the CLI table shows it, from the compact rule list (`action: names` or `… → action`). */
export function effectOf(f: PreviewFilter): string {
  if (typeof f.effect === 'string') return f.effect;
  const actions: string[] = [];
  for (const r of f.ruleList ?? []) {
    const arrow = r.lastIndexOf(' → ');
    const colon = r.indexOf(': ');
    const a = arrow >= 0 ? r.slice(arrow + 3) : colon > 0 ? r.slice(0, colon) : '';
    if (a && !actions.includes(a)) actions.push(a);
  }
  return `${f.defaultAction}${actions.length ? ` ← ${actions.join(', ')}` : ''}`;
}

function tableHtml(filters: readonly PreviewFilter[]): string {
  const out: string[] = [
    '<section><h2>Filters in install order <span class="muted">(click a row or a bar for the rules and the BPF program)</span></h2>',
    '<div class="table-wrap"><table class="filters"><thead><tr><th class="n">#</th><th>ABI</th><th>Directive</th><th class="n">Line</th><th class="n">Rules</th><th class="n">Insns</th><th>Default ← rules</th></tr></thead><tbody>',
  ];
  for (const f of filters) {
    const file = f.sources?.[0]?.file;
    const line = f.line !== null ? `<a href="#" class="reveal" data-line="${f.line}"${file ? ` data-file="${escapeHtml(file)}"` : ''}>${f.line}</a>` : '';
    out.push(
      `<tr class="row" id="row-${f.index}" data-index="${f.index}" tabindex="0" aria-expanded="false"><td class="n">${f.index}</td><td>${escapeHtml(f.abis.join('+'))}</td><td><span class="swatch d${paletteIndex(f.directive)}"></span>${escapeHtml(f.directive)}</td><td class="n">${line}</td><td class="n">${f.directive === 'SystemCallArchitectures' ? '-' : f.rules}</td><td class="n">${num(f.instructions)}</td><td>${escapeHtml(effectOf(f))}</td></tr>`,
    );
    out.push(`<tr class="detail" id="detail-${f.index}" hidden><td colspan="7">${detailHtml(f)}</td></tr>`);
  }
  out.push('</tbody></table></div></section>');
  return out.join('\n');
}

function diagnosticsHtml(data: PreviewData): string {
  const shown = (data.diagnostics ?? []).filter((d) => d.severity !== 'info' || d.code.startsWith('plan-') || d.code.startsWith('target-'));
  if (shown.length === 0) return '';
  const items = shown.map((d) => `<li class="sev-${escapeHtml(d.severity)}">${d.line !== null ? `<a href="#" class="reveal" data-line="${d.line}"${d.file ? ` data-file="${escapeHtml(d.file)}"` : ''}>line ${d.line}</a>: ` : ''}${escapeHtml(d.message)}</li>`);
  return `<section><h2>Notes</h2><ul class="diags">${items.join('')}</ul></section>`;
}

const SCRIPT = `
(function () {
  const vscode = acquireVsCodeApi();
  const state = vscode.getState() || {};
  const open = new Set(Array.isArray(state.open) ? state.open : []);
  // The unit this panel shows (see state.ts): saved at once, so a reload can restore the panel.
  const uri = document.body.getAttribute('data-uri') || state.uri;
  function save() { vscode.setState(uri ? { uri: uri, open: Array.from(open) } : { open: Array.from(open) }); }
  save();
  function show(i, on, scroll) {
    const d = document.getElementById('detail-' + i);
    const r = document.getElementById('row-' + i);
    if (!d || !r) return;
    d.hidden = !on;
    r.setAttribute('aria-expanded', String(on));
    r.classList.toggle('open', on);
    document.querySelectorAll('.bar[data-index="' + i + '"]').forEach(function (b) { b.classList.toggle('selected', on); });
    if (on) open.add(i); else open.delete(i);
    if (on && scroll) r.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }
  open.forEach(function (i) { show(i, true, false); });
  document.addEventListener('click', function (e) {
    const t = e.target instanceof Element ? e.target : null;
    if (!t) return;
    const link = t.closest('.reveal');
    if (link) {
      e.preventDefault();
      e.stopPropagation();
      vscode.postMessage({ type: 'reveal', line: Number(link.getAttribute('data-line')), file: link.getAttribute('data-file') || undefined });
      return;
    }
    if (t.closest('.detail')) return;
    const el = t.closest('[data-index]');
    if (!el) return;
    const i = Number(el.getAttribute('data-index'));
    const bar = el.classList.contains('bar');
    show(i, bar ? true : !open.has(i), bar);
    save();
  });
  document.addEventListener('keydown', function (e) {
    const t = e.target instanceof Element ? e.target.closest('tr.row') : null;
    if (!t || (e.key !== 'Enter' && e.key !== ' ')) return;
    e.preventDefault();
    const i = Number(t.getAttribute('data-index'));
    show(i, !open.has(i), false);
    save();
  });
})();
`;

const BASE_CSS = `
:root { color-scheme: light dark; --label: 142px; }
@media (max-width: 640px) { :root { --label: 96px; } .range { flex-basis: 30%; } }
body { color: var(--vscode-editor-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 16px 24px; }
h1 { font-size: 1.4em; margin: 12px 0 2px; } h2 { font-size: 1.1em; margin: 22px 0 8px; } h3 { font-size: 1em; margin: 14px 0 6px; }
.muted { color: var(--vscode-descriptionForeground); font-weight: normal; }
.summary { margin: 4px 0 10px; } .summary b { font-size: 1.15em; }
.refused, .message { border-left: 3px solid var(--vscode-charts-red, #f14c4c); padding: 4px 10px; }
.legend { list-style: none; padding: 0; margin: 8px 0 12px; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.legend li { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.axis { display: flex; justify-content: space-between; margin-left: calc(var(--label) + 8px); color: var(--vscode-descriptionForeground); font-size: .85em; }
.lane { display: flex; align-items: stretch; margin: 6px 0; }
.lane-label { flex: 0 0 var(--label); margin-right: 8px; display: flex; flex-direction: column; justify-content: center; }
.lane-label span { color: var(--vscode-descriptionForeground); font-size: .85em; }
.track { flex: 1 1 auto; display: flex; gap: 1px; min-height: 34px; border-bottom: 1px solid var(--vscode-charts-lines, rgba(128,128,128,.35)); }
.slot { min-width: 4px; flex-basis: 0; flex-shrink: 1; }
.bar { border: 0; padding: 0; margin: 0; border-radius: 2px; cursor: pointer; color: var(--vscode-editor-background); font: inherit; font-size: .75em; overflow: hidden; display: flex; align-items: flex-end; justify-content: center; }
.bar span { padding-bottom: 2px; }
.bar:hover, .bar:focus-visible { outline: 2px solid var(--vscode-focusBorder); outline-offset: 1px; }
.bar.selected { outline: 2px solid var(--vscode-editor-foreground); outline-offset: 1px; }
.bar.echo { opacity: .45; }
.ranges { margin: 6px 0; }
.range-row { display: flex; align-items: center; gap: 10px; margin: 6px 0; }
.range-label { flex: 0 0 var(--label); }
.caption { font-size: .85em; margin: 4px 0 0; }
.table-wrap { overflow-x: auto; }
.range { position: relative; flex: 0 0 40%; height: 12px; background: var(--vscode-editorWidget-background, rgba(128,128,128,.15)); border: 1px solid var(--vscode-charts-lines, rgba(128,128,128,.35)); border-radius: 6px; }
.range-span { position: absolute; top: 0; bottom: 0; border-radius: 6px; background: var(--vscode-charts-blue, #3794ff); min-width: 3px; }
.range-span.over { background: var(--vscode-charts-red, #f14c4c); }
.tick { position: absolute; top: -3px; bottom: -3px; width: 3px; margin-left: -1px; background: var(--vscode-editor-foreground); }
.chips { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px; }
.chip { display: inline-block; padding: 1px 7px; border-radius: 9px; border: 1px solid; font-size: .9em; }
.chip.cached { border-color: var(--vscode-charts-green, #89d185); }
.chip.uncached { border-color: var(--vscode-charts-orange, #d18616); background: rgba(209,134,22,.12); }
table.filters { border-collapse: collapse; width: 100%; }
table.filters th, table.filters td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--vscode-charts-lines, rgba(128,128,128,.25)); vertical-align: top; }
table.filters .n { text-align: right; font-variant-numeric: tabular-nums; }
tr.row { cursor: pointer; } tr.row:hover, tr.row.open { background: var(--vscode-list-hoverBackground); }
tr.row:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
tr.detail td { background: var(--vscode-textCodeBlock-background, rgba(128,128,128,.1)); }
.rules { margin: 4px 0 8px; padding-left: 18px; }
pre.disasm { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); max-height: 420px; overflow: auto; margin: 6px 0; }
.note { border-left: 3px solid var(--vscode-charts-yellow, #cca700); padding-left: 8px; }
.diags li.sev-error { color: var(--vscode-errorForeground); }
a.reveal { color: var(--vscode-textLink-foreground); }
`;

/** Builds the whole page. `data` null/undefined or `options.message`: a page with only the message. */
export function buildPreviewHtml(data: PreviewData | null | undefined, options: PreviewHtmlOptions): string {
  const nonce = escapeHtml(options.nonce);
  const csp = [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${options.cspSource ? `${escapeHtml(options.cspSource)} ` : ''}data:`,
    `font-src ${options.cspSource ? escapeHtml(options.cspSource) : "'none'"}`,
  ].join('; ');
  const filters = [...(data?.filters ?? [])].sort((a, b) => a.index - b.index);
  const used = new Set<string>();
  const body: string[] = [];
  const title = data?.unit ? `Seccomp filters of ${data.unit}` : 'Seccomp filters';
  body.push(`<h1>${escapeHtml(title)}</h1>`);
  if (options.message !== undefined || !data || data.error !== undefined) {
    body.push(`<p class="message">${escapeHtml(options.message ?? data?.error ?? 'No preview for this document.')}</p>`);
  } else {
    const t = [data.systemd ? `systemd ${data.systemd}` : '', data.arch ? `built for ${data.arch}` : '', data.kernel ? `kernel ${data.kernel}` : '', data.libseccomp ? `libseccomp ${data.libseccomp}` : '', data.preset ? `preset ${data.preset}` : '']
      .filter(Boolean)
      .join(' · ');
    body.push(`<p class="muted">${escapeHtml(t)}</p>`);
    const insns = data.totals?.instructions ?? filters.reduce<number | null>((n, f) => (n === null || f.instructions === null ? null : n + f.instructions), 0);
    const nnp = data.noNewPrivileges;
    body.push(
      `<p class="summary"><b>${plural(filters.length, 'seccomp filter')}</b>${insns !== null ? `, <b>${insns}</b> BPF instructions` : ''}${nnp ? `; NoNewPrivileges=${nnp.value ? 'yes' : 'no'}${nnp.implied ? ' (implied)' : ''}` : ''}</p>`,
    );
    if (data.refused) body.push(`<p class="refused"><b>Refused:</b> ${escapeHtml(data.refused)}</p>`);
    if (filters.length > 0) {
      body.push(legendHtml(filters));
      body.push(lanesHtml(data, filters));
      body.push(costHtml(data.cost, used));
      body.push(tableHtml(filters));
    } else if (!data.refused) {
      body.push('<p>No seccomp filters: systemd installs none for this unit.</p>');
    }
    body.push(diagnosticsHtml(data));
  }
  // Per-page CSS: column widths (instructions) and the palette, as classes so no style attribute is needed.
  const css: string[] = [BASE_CSS];
  for (const f of filters) css.push(`.s${f.index} { flex-grow: ${Math.max(1, f.instructions ?? 1)}; }`);
  const slots = new Set(filters.map((f) => paletteIndex(f.directive)));
  for (const s of slots) css.push(`.d${s} { ${swatchCss(s)} }`);
  for (const u of used) {
    const m = /^(from|to|at)-p(\d+)$/.exec(u);
    if (!m) continue;
    const v = Number(m[2]) / 10;
    if (m[1] === 'from') css.push(`.${u} { left: ${v}%; }`);
    else if (m[1] === 'to') css.push(`.${u} { right: ${100 - v}%; }`);
    else css.push(`.${u} { left: ${v}%; }`);
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${css.join('\n')}</style>
</head>
<body${options.uri !== undefined ? ` data-uri="${escapeHtml(options.uri)}"` : ''}>
${body.join('\n')}
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}
