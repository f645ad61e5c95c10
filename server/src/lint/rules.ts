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
  { id: 'unknown-syscall', defaultSeverity: 'warning', description: 'A system call name libseccomp does not know in SystemCallFilter=/SystemCallLog=; systemd drops it, so it is not filtered.' },
  { id: 'unknown-syscall-group', defaultSeverity: 'warning', description: 'A system call group (@…) the target systemd version does not have; systemd drops it with all of its calls.' },
  { id: 'unknown-architecture', defaultSeverity: 'warning', description: 'An ABI name SystemCallArchitectures= does not accept on the target version; systemd ignores it.' },
  { id: 'unknown-errno', defaultSeverity: 'warning', description: 'An error number systemd cannot parse in SystemCallErrorNumber= or a `syscall:errno` entry; it ignores the setting or entry.' },
  { id: 'unknown-address-family', defaultSeverity: 'warning', description: 'An address family systemd does not know in RestrictAddressFamilies=; it ignores it (v261: the rest of the line too).' },
  { id: 'unknown-namespace', defaultSeverity: 'warning', description: 'A namespace type RestrictNamespaces= does not know; systemd ignores the whole line.' },
  { id: 'filter-mode-fixed', defaultSeverity: 'warning', description: "A SystemCallFilter= line without '~' after a deny-list: the first line fixed the mode, so this line removes names from the deny-list instead of allow-listing." },
  { id: 'duplicate-syscall', defaultSeverity: 'information', description: 'An entry listed twice in SystemCallFilter=; the second changes nothing.' },
  { id: 'syscall-covered-by-group', defaultSeverity: 'information', description: 'A system call already included by a group in the same SystemCallFilter= list; listing it changes nothing.' },
  { id: 'filter-removes-nothing', defaultSeverity: 'information', description: "A '~' entry of an allow-list whose calls the list does not contain at that point: it removes nothing, they are refused already." },
  { id: 'filter-removes-group-calls', defaultSeverity: 'hint', description: "A '~' entry that takes calls out of what a group (or an earlier entry) allowed: lists exactly which, for the target version." },
  { id: 'filter-reset-discards', defaultSeverity: 'warning', description: 'An empty SystemCallFilter= after other lines of the same file: systemd discards everything above it.' },
  { id: 'missing-native-architectures', defaultSeverity: 'warning', description: 'Seccomp directives without SystemCallArchitectures=native on a host with extra ABIs: states the filters and BPF instructions native would save on the target.' },
  { id: 'syscall-log-inverted', defaultSeverity: 'warning', description: "SystemCallLog=~…: every call outside the list is logged, so allowed calls miss the kernel's action cache and run the whole chain; states how many." },
  { id: 'hot-syscalls-uncached', defaultSeverity: 'hint', description: "Hot system calls (openat, mmap, socket, clone …) whose filters check arguments: the kernel's action cache cannot serve them, so each call runs the whole chain; states the instructions per call." },
  { id: 'filter-over-limit', defaultSeverity: 'error', description: 'A seccomp filter over BPF_MAXINSNS (4096) or a chain over MAX_INSNS_PER_PATH (32768): the kernel refuses it and the command does not start.' },
  { id: 'no-new-privileges-missing', defaultSeverity: 'information', description: 'A service that neither sets nor implies NoNewPrivileges=: it can gain privileges through setuid binaries or file capabilities.' },
  { id: 'address-families-without-unix', defaultSeverity: 'information', description: 'RestrictAddressFamilies= without AF_UNIX: sd_notify(), syslog(3), D-Bus and local IPC fail with EAFNOSUPPORT.' },
  { id: 'mdwe-with-jit', defaultSeverity: 'information', description: 'MemoryDenyWriteExecute=yes for a JIT runtime (java, node, dotnet, …), which needs writable+executable memory.' },
  { id: 'restrict-filesystems-not-seccomp', defaultSeverity: 'information', description: 'RestrictFileSystems= is BPF-LSM, not seccomp: it needs +BPF_FRAMEWORK and the bpf LSM (Debian 12 ignores it).' },
  { id: 'tilde-space', defaultSeverity: 'information', description: "'~ ' followed by a space: legal, systemd reads it as '~' for the whole line." },
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
