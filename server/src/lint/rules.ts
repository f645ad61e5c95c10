/**
 * The table of lint rules. Rule ids are stable public API: they are Diagnostic.code, the keys of
 * the `unitHarden.rules.<id>` severity settings, the CLI's `[rule-id]` suffix and SARIF rule ids,
 * and code actions dispatch on them (never on message text).
 */

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type SeveritySetting = Severity | 'off' | 'default';

export interface RuleInfo {
  readonly id: string;
  readonly defaultSeverity: Severity;
  /** One line for README, SARIF and the settings UI. */
  readonly description: string;
}

export const RULES = [
  { id: 'syntax-invalid-section-header', defaultSeverity: 'error', description: 'A section header systemd cannot read; it refuses to load the whole file.' },
  { id: 'syntax-bad-section-characters', defaultSeverity: 'error', description: 'Quotes, backslashes or control characters in a section name; systemd refuses the file.' },
  { id: 'syntax-line-too-long', defaultSeverity: 'error', description: 'A (joined) line longer than 1 MiB; systemd refuses the file.' },
  { id: 'syntax-outside-section', defaultSeverity: 'warning', description: 'An assignment before the first section header; systemd ignores it.' },
  { id: 'syntax-missing-equals', defaultSeverity: 'warning', description: "A line without '='; systemd ignores it." },
  { id: 'syntax-missing-key', defaultSeverity: 'warning', description: "A line that starts with '='; systemd ignores it." },
  { id: 'syntax-invalid-utf8', defaultSeverity: 'warning', description: 'A line that is not valid UTF-8; systemd ignores it.' },
  { id: 'syntax-nul-byte', defaultSeverity: 'warning', description: 'A NUL byte, which systemd reads as a line break: probably not a unit file.' },
  { id: 'file-too-large', defaultSeverity: 'warning', description: 'The file is too large to analyse completely; analysis is capped.' },
  { id: 'unknown-section', defaultSeverity: 'warning', description: 'A section this unit type does not have; systemd ignores it and everything in it.' },
  { id: 'unknown-directive', defaultSeverity: 'warning', description: "A directive systemd does not know in this section; it logs 'Unknown key name' and ignores it." },
  { id: 'misspelled-hardening-directive', defaultSeverity: 'error', description: 'A misspelt security or sandboxing directive: systemd ignores it, so the protection you meant is silently missing.' },
  { id: 'directive-wrong-section', defaultSeverity: 'error', description: 'A directive that belongs to another section; systemd ignores it here.' },
  { id: 'directive-not-in-version', defaultSeverity: 'warning', description: 'A directive the target systemd version does not know yet (or no longer knows).' },
  { id: 'deprecated-directive', defaultSeverity: 'information', description: 'A deprecated directive name that systemd still accepts; use the new name.' },
  { id: 'duplicate-directive', defaultSeverity: 'warning', description: 'A single-value directive assigned twice in the same section of one file; only the last assignment counts.' },
] as const satisfies readonly RuleInfo[];

export type RuleId = (typeof RULES)[number]['id'];

const BY_ID: ReadonlyMap<string, RuleInfo> = new Map(RULES.map((r) => [r.id, r]));

export function ruleInfo(id: string): RuleInfo | undefined {
  return BY_ID.get(id);
}

export function allRuleIds(): readonly RuleId[] {
  return RULES.map((r) => r.id);
}

/** The severity a rule gets under the user's settings, or undefined when it is turned off. */
export function effectiveSeverity(id: string, settings: Readonly<Record<string, SeveritySetting | undefined>>): Severity | undefined {
  const rule = BY_ID.get(id);
  const configured = settings[id];
  if (configured === 'off') return undefined;
  if (configured && configured !== 'default') return configured;
  return rule?.defaultSeverity ?? 'warning';
}
