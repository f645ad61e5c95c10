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

export interface DirectiveInfo {
  /** Exact spelling systemd accepts, e.g. `SystemCallFilter`. */
  readonly name: string;
  /** Sections this directive is valid in, e.g. `['Service', 'Socket', 'Mount', 'Swap']`. */
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
  /** One-line description of our own writing. */
  readonly description: string;
}
