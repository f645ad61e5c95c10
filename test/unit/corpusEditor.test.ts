/**
 * The editor features on real units: systemd's own unit files (../shared/corpus, v252 and
 * v261.2, rendered) on the Debian 12 target. For every unit with a seccomp chain, the code lens,
 * the [Service] hover and the preview state the plan's own totals; and every measured quick fix
 * or refactoring offered on it, applied and re-planned, changes the totals by exactly what its
 * title promised (merges: byte-identical programs).
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, MarkupContent, TextEdit } from 'vscode-languageserver-types';
import { getLanguageService } from '../../server/src/languageService';
import { planToJson } from '../../server/src/cli/preview';
import { programHex } from '../../server/src/seccomp/bpf';
import type { FilterPlan } from '../../server/src/seccomp/planner';

const CORPUS = path.resolve(__dirname, '../../../..', 'shared', 'corpus');
const DIRS = ['systemd-v252/rendered', 'systemd-v261.2/rendered'].map((d) => path.join(CORPUS, d));
// Under CI the corpus is always beside the clone: a missing corpus must fail, not skip.
const skip = !DIRS.every((d) => fs.existsSync(d)) && process.env['CI'] !== 'true' ? 'corpus not found beside the repository' : false;

function units(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const dir of DIRS) {
    for (const name of fs.readdirSync(dir).sort()) {
      if (!/\.(service|socket|mount|swap)$/.test(name)) continue;
      out.push({ file: path.join(dir, name), text: fs.readFileSync(path.join(dir, name), 'utf8') });
    }
  }
  return out;
}

const ls = getLanguageService();

function load(name: string, text: string) {
  const doc = TextDocument.create(`file:///units/${name}`, 'systemd-unit', 1, text);
  const unit = ls.parseUnit(doc, `/units/${name}`);
  return { doc, unit, analysis: ls.analyze(unit)! };
}

function totals(plan: FilterPlan): { filters: number; instructions: number } {
  return { filters: plan.filters.length, instructions: plan.filters.reduce((n, f) => n + (f.instructions ?? 0), 0) };
}

function programs(plan: FilterPlan): string[] {
  return plan.filters.map((f) => `${f.directive}/${f.abis.join('+')}/${f.program ? programHex(f.program) : '-'}`);
}

function signed(sign: string, v: string): number {
  return sign === '−' ? -Number(v) : Number(v);
}

test('corpus: code lens, [Service] hover and preview state the plan\'s totals', { skip }, () => {
  let checked = 0;
  for (const { file, text } of units()) {
    const name = path.basename(file);
    const { doc, unit, analysis } = load(name, text);
    const t = totals(analysis.plan);
    if (t.filters === 0) continue;
    checked++;
    const lens = ls.getCodeLenses(doc, unit);
    assert.equal(lens.length, 1, name);
    assert.match(lens[0]!.command!.title, new RegExp(`^${t.filters} seccomp filters? · ${t.instructions} BPF insns`), name);
    const header = unit.main.sections.find((s) => lens[0]!.range.start.line === doc.positionAt(s.headerSpan.offset).line)!;
    const hover = ls.doHover(doc, doc.positionAt(header.headerSpan.offset + 1), unit);
    const md = (hover!.contents as MarkupContent).value;
    assert.match(md, new RegExp(`\\*\\*${t.filters}\\*\\* filters?, \\*\\*${t.instructions}\\*\\* BPF instructions`), `${name}: ${md.slice(0, 300)}`);
    const json = planToJson(analysis.plan, unit.unitName) as { totals: { filters: number; instructions: number } };
    assert.deepEqual({ filters: json.totals.filters, instructions: json.totals.instructions }, t, name);
  }
  assert.ok(checked >= 50, `only ${checked} units with filters`);
});

/**
 * Each corpus unit as shipped, and two variants that give the fixes work: the unit before
 * hardening its ABIs and errors (no SystemCallArchitectures=/SystemCallErrorNumber= lines), and
 * the unit with every SystemCallFilter= word on a line of its own (same meaning, scattered).
 */
function variants(text: string): string[] {
  const bare = text.replace(/^(SystemCallArchitectures|SystemCallErrorNumber)=.*\n/gm, '');
  const scattered = text.replace(/^SystemCallFilter=(~?)(.+)$/gm, (_all, tilde: string, list: string) =>
    list
      .trim()
      .split(/\s+/)
      .map((w) => `SystemCallFilter=${tilde}${w}`)
      .join('\n'),
  );
  return [text, bare, scattered].filter((v, i, all) => all.indexOf(v) === i);
}

test('corpus: every measured quick fix and refactoring changes the plan by exactly what its title says', { skip }, () => {
  const kinds = new Map<string, number>();
  for (const { file, text: shipped } of units().flatMap((u) => variants(u.text).map((text) => ({ file: u.file, text })))) {
    const text = shipped;
    const name = path.basename(file);
    const { doc, unit, analysis } = load(name, text);
    const before = totals(analysis.plan);
    const ds = ls.doValidation(doc, unit);
    const actions: CodeAction[] = [];
    for (const d of ds) actions.push(...ls.doCodeActions(doc, d.range, [d], unit));
    // Refactorings offered on each SystemCallFilter= line.
    for (const a of unit.main.assignments.filter((x) => x.key === 'SystemCallFilter')) {
      const line = doc.positionAt(a.span.offset).line;
      actions.push(...ls.doCodeActions(doc, { start: { line, character: 0 }, end: { line, character: 0 } }, [], unit).filter((x) => x.kind === 'refactor.rewrite'));
    }
    const seen = new Set<string>();
    for (const action of actions) {
      if (seen.has(action.title)) continue;
      seen.add(action.title);
      const delta = /\(([−+±])(\d+) filters, ([−+±])(\d+) BPF insns\)$/.exec(action.title);
      const same = /\(same (\d+) filters, (\d+) BPF insns\)$/.exec(action.title);
      if (!delta && !same) continue;
      const edited = TextDocument.applyEdits(doc, (action.edit!.changes![doc.uri] ?? []) as TextEdit[]);
      const after = load(name, edited).analysis;
      const now = totals(after.plan);
      if (delta) {
        assert.deepEqual({ filters: now.filters - before.filters, instructions: now.instructions - before.instructions }, { filters: signed(delta[1]!, delta[2]!), instructions: signed(delta[3]!, delta[4]!) }, `${name}: ${action.title}`);
      } else {
        assert.deepEqual(now, { filters: Number(same![1]), instructions: Number(same![2]) }, `${name}: ${action.title}`);
        if (action.title.startsWith('Merge')) assert.deepEqual(programs(after.plan), programs(analysis.plan), `${name}: ${action.title}`);
      }
      const kind = action.title.replace(/ \(.*$/, '').replace(/[0-9]+/g, 'N').replace(/ (\S+), (which|already).*/, ' X, $2');
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
  }
  const has = (prefix: string, atLeast: number) => {
    const n = [...kinds].filter(([k]) => k.startsWith(prefix)).reduce((sum, [, v]) => sum + v, 0);
    assert.ok(n >= atLeast, `${prefix}: ${n} in ${JSON.stringify([...kinds])}`);
  };
  has('Add SystemCallArchitectures=native', 40);
  has('Add SystemCallErrorNumber=EPERM', 20);
  has('Merge SystemCallFilter= lines', 15);
  has('Remove X, which', 2);
});
