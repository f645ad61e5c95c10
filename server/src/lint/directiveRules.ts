/**
 * Rules about directive names: unknown keys (with "did you mean"), keys in the wrong section,
 * keys the target version does not know, deprecated names and single-value keys assigned twice.
 * They mirror next_assignment() in src/shared/conf-parser.c: systemd looks keys up per section,
 * case-sensitively, warns "Unknown key name … ignoring" and ignores `X-` keys silently.
 */

import { DiagnosticTag } from 'vscode-languageserver-types';
import { isAvailableIn, lookupDirective, sectionsForUnitType, sectionsOfDirective, suggestDirective } from '../model/directives';
import { HARDENING_DIRECTIVES } from '../model/hardening';
import type { Assignment } from '../parser/nodes';
import type { Finding, LintContext, Rule } from './linter';

/** Assignments of the edited file that systemd hands to a directive parser. */
function mainAssignments(ctx: LintContext): Assignment[] {
  return ctx.unit.main.assignments.filter((a) => a.section !== undefined && !a.section.ignored);
}

const unknownDirectives: Rule = (ctx) => {
  const out: Finding[] = [];
  for (const a of mainAssignments(ctx)) {
    const section = a.section!.name;
    if (a.key.startsWith('X-')) continue;
    if (lookupDirective(section, a.key)) continue;
    // Name the sections this unit type has first; fall back to every section that knows the key.
    const all = sectionsOfDirective(a.key);
    const own = sectionsForUnitType(ctx.unit.unitType).filter((s) => all.includes(s));
    const elsewhere = own.length > 0 ? own : all;
    if (elsewhere.length > 0) {
      out.push({
        rule: 'directive-wrong-section',
        span: a.keySpan,
        message: `${a.key}= belongs in [${elsewhere.join('], [')}], not [${section}]: systemd ignores it here.`,
        data: { sections: [...elsewhere] },
      });
      continue;
    }
    const suggestion = suggestDirective(section, a.key);
    const hardening = suggestion !== undefined && HARDENING_DIRECTIVES.has(suggestion);
    if (hardening) {
      out.push({
        rule: 'misspelled-hardening-directive',
        span: a.keySpan,
        message: `Unknown directive ${a.key}= in [${section}]: did you mean ${suggestion}=? systemd ignores unknown keys, so this protection is not applied.`,
        data: { replacement: suggestion },
      });
    } else {
      out.push({
        rule: 'unknown-directive',
        span: a.keySpan,
        message: suggestion
          ? `Unknown directive ${a.key}= in [${section}]: did you mean ${suggestion}=? systemd ignores it.`
          : `Unknown directive ${a.key}= in [${section}]: systemd ignores it.`,
        ...(suggestion ? { data: { replacement: suggestion } } : {}),
      });
    }
  }
  return out;
};

const versionAndDeprecation: Rule = (ctx) => {
  const out: Finding[] = [];
  for (const a of mainAssignments(ctx)) {
    const info = lookupDirective(a.section!.name, a.key);
    if (!info) continue;
    if (!isAvailableIn(info, ctx.systemdVersion)) {
      const why =
        info.since !== undefined && ctx.systemdVersion < info.since
          ? `is new in systemd ${info.since}`
          : `was removed in systemd ${info.removedIn ?? '?'}`;
      out.push({
        rule: 'directive-not-in-version',
        span: a.keySpan,
        message: `${a.key}= ${why}; systemd ${ctx.systemdVersion} ignores it ("Unknown key name").`,
        data: { since: info.since, removedIn: info.removedIn },
      });
    }
    const legacy = info.legacy;
    const ignoredNow = legacy?.handling === 'ignored' && (legacy.since === undefined || ctx.systemdVersion >= legacy.since);
    if (ignoredNow && isAvailableIn(info, ctx.systemdVersion)) {
      out.push({
        rule: 'directive-not-in-version',
        span: a.keySpan,
        message: `${a.key}= is accepted but ignored by systemd ${ctx.systemdVersion}${legacy.since !== undefined ? ` (since ${legacy.since})` : ''}: ${legacy.note}.${info.replacedBy ? ` Use ${info.replacedBy}=.` : ''}`,
        ...(info.replacedBy ? { data: { replacement: info.replacedBy } } : {}),
        tags: [DiagnosticTag.Unnecessary],
      });
    } else if (info.replacedBy) {
      out.push({
        rule: 'deprecated-directive',
        span: a.keySpan,
        message: `${a.key}= is a deprecated name; use ${info.replacedBy}=.`,
        data: { replacement: info.replacedBy },
        tags: [DiagnosticTag.Deprecated],
      });
    } else if (legacy?.preferredSection && legacy.preferredSection !== a.section!.name) {
      out.push({
        rule: 'deprecated-directive',
        span: a.keySpan,
        message: `${a.key}= in [${a.section!.name}] is kept for compatibility; it belongs in [${legacy.preferredSection}].`,
        data: { preferredSection: legacy.preferredSection },
        tags: [DiagnosticTag.Deprecated],
      });
    }
  }
  return out;
};

const duplicates: Rule = (ctx) => {
  const out: Finding[] = [];
  for (const section of ctx.unit.main.sections) {
    if (section.ignored) continue;
    const last = new Map<string, Assignment>();
    for (const a of section.assignments) {
      const info = lookupDirective(section.name, a.key);
      if (!info || info.repeat !== 'override') continue;
      const prev = last.get(a.key);
      if (prev && prev.value !== '' && a.value !== '') {
        out.push({
          rule: 'duplicate-directive',
          span: prev.keySpan,
          message: `${a.key}= is set again on line ${a.line}; systemd keeps only the last value, so this line has no effect.`,
          tags: [DiagnosticTag.Unnecessary],
          data: { laterLine: a.line },
        });
      }
      last.set(a.key, a);
    }
  }
  return out;
};

export const directiveRules: readonly Rule[] = [unknownDirectives, versionAndDeprecation, duplicates];
