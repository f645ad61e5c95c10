/**
 * Types of the directive catalogue: what systemd accepts in each section, how it parses the
 * value, and since which version. The data itself is generated (directives.generated.ts).
 */

/** How systemd reads a directive's value; mirrors the parser family in load-fragment-gperf.gperf. */
export type ValueKind =
  | 'boolean'
  | 'string'
  | 'path'
  | 'paths'
  | 'command'
  | 'unit-list'
  | 'timespan'
  | 'size'
  | 'unsigned'
  | 'integer'
  | 'percent'
  | 'enum'
  | 'list'
  | 'condition'
  | 'environment'
  | 'syscall-filter'
  | 'syscall-archs'
  | 'syscall-errno'
  | 'address-families'
  | 'namespaces'
  | 'capabilities'
  | 'personality'
  | 'filesystems'
  | 'other';

/**
 * What a repeated assignment does (see "repeated assignments" in systemd.unit(5) and each
 * parser in load-fragment.c):
 * - `override`: the last assignment wins (config_parse_bool, _string, _unsigned, …);
 * - `append`: each assignment adds to a list; an empty assignment resets it (config_parse_strv,
 *   _exec, _unit_deps, _syscall_filter, …);
 * - `merge`: like append but with directive-specific semantics (RestrictNamespaces=, masks).
 */
export type RepeatMode = 'override' | 'append' | 'merge';

/**
 * What systemd does with a deprecated spelling (see config_parse_warn_compat in
 * src/shared/conf-parser.c and the deprecation messages in src/core/load-fragment.c):
 * - `alias`: parsed exactly like its replacement, silently;
 * - `deprecated`: parsed and effective, documented as deprecated, no message;
 * - `warn`: parsed (translated), with a log message asking to switch;
 * - `ignored`: accepted without effect ("Support for option X= has been removed and it is ignored");
 * - `removed`: no longer accepted at all (systemd warns "Unknown key").
 */
export type LegacyHandling = 'alias' | 'deprecated' | 'warn' | 'ignored' | 'removed';

export interface LegacyInfo {
  /** Handling in the newest version we track (or from `since` on). */
  readonly handling: LegacyHandling;
  /** First version with `handling`; undefined = already so in the oldest version we track. */
  readonly since?: number;
  /** Earlier handlings, oldest first, each valid from its `since` up to the next entry. */
  readonly before?: readonly { readonly handling: LegacyHandling; readonly since?: number }[];
  /** For names kept in a section for compatibility only, the section they belong in (`Unit`). */
  readonly preferredSection?: string;
  /** Short explanation of our own writing. */
  readonly note: string;
}

export interface DirectiveInfo {
  /** Exact spelling systemd accepts, e.g. `SystemCallFilter`. */
  readonly name: string;
  /**
   * Sections this directive is valid in, e.g. `['Service', 'Socket', 'Mount', 'Swap']`. A name whose
   * facts differ per section (Service vs Mount `Type=`, `OOMPolicy=` in [Scope] only since 253) has one
   * entry per set of sections sharing them; `sectionsOfDirective()` lists every section of a name.
   */
  readonly sections: readonly string[];
  readonly kind: ValueKind;
  readonly repeat: RepeatMode;
  /** First systemd version that accepts it; undefined = older than the oldest version we track. */
  readonly since?: number;
  /** First systemd version that no longer accepts it (it then warns "Unknown key"). */
  readonly removedIn?: number;
  /** Deprecated alias: the name systemd now prefers. */
  readonly replacedBy?: string;
  /** Allowed literal values for `enum`/`boolean` kinds (booleans list the canonical spellings). */
  readonly values?: readonly string[];
  /** First version accepting each value of `values`, for values added after the oldest tracked version. */
  readonly valueSince?: Readonly<Record<string, number>>;
  /** Set for deprecated, ignored or removed spellings. */
  readonly legacy?: LegacyInfo;
  /** systemd's parser function in the newest version that still parses it, e.g. `config_parse_syscall_filter`. */
  readonly parser?: string;
  /** Man page that documents it, e.g. `systemd.exec` (without the section number). */
  readonly manPage?: string;
  /** One-line description of our own writing. */
  readonly description: string;
}
