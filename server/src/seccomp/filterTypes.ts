/**
 * The contract between the filter planner (which filters systemd installs for a unit), the BPF
 * generator (each filter's program, as libseccomp builds it) and the emulator/cost model. A
 * FilterSpec says exactly what systemd hands to libseccomp for one seccomp_load() call.
 */

import type { AbiName } from './abi';
import type { LibseccompVersion } from './syscalls';

/** A seccomp action as libseccomp names them (SCMP_ACT_*). */
export type Action =
  | { readonly kind: 'allow' }
  | { readonly kind: 'kill-process' }
  | { readonly kind: 'kill-thread' }
  | { readonly kind: 'errno'; readonly errno: number }
  | { readonly kind: 'log' }
  | { readonly kind: 'trap' }
  | { readonly kind: 'trace'; readonly data: number }
  | { readonly kind: 'notify' };

/** libseccomp's comparison operators (enum scmp_compare). */
export type CmpOp = 'ne' | 'lt' | 'le' | 'eq' | 'ge' | 'gt' | 'masked-eq';

/** One argument comparison (struct scmp_arg_cmp); datum values are 64-bit. */
export interface ArgCmp {
  readonly arg: number;
  readonly op: CmpOp;
  readonly datumA: bigint;
  readonly datumB: bigint;
}

/** One rule as systemd adds it (seccomp_rule_add_exact(ctx, action, nr, n, args…)). */
export interface RuleSpec {
  /** The syscall by name; libseccomp resolves it per ABI (a name missing on an ABI gives -EDOM, which systemd ignores). */
  readonly syscall: string;
  readonly action: Action;
  readonly args: readonly ArgCmp[];
}

/** Everything one seccomp_load() depends on. */
export interface FilterSpec {
  /**
   * The ABIs in the context, in the order libseccomp holds them: for systemd's per-ABI filters
   * (seccomp_init_for_arch) a single ABI; for the SystemCallArchitectures= filter the native ABI
   * first, then the kept ones in the order seccomp_arch_add() was called.
   */
  readonly abis: readonly AbiName[];
  readonly defaultAction: Action;
  /** SCMP_FLTATR_ACT_BADARCH: allow for per-ABI filters, libseccomp's default (kill-thread) for the arch filter. */
  readonly badArchAction: Action;
  /** SCMP_FLTATR_CTL_OPTIMIZE: 1 = linear (default, systemd ≤ 254), 2 = binary tree (systemd ≥ 255 for syscall sets). */
  readonly optimize: 1 | 2;
  /** SCMP_FLTATR_CTL_LOG (set when $SYSTEMD_LOG_SECCOMP=1); affects only the kernel flags, not the program. */
  readonly log?: boolean;
  /** Rules in the order systemd adds them. */
  readonly rules: readonly RuleSpec[];
  /** seccomp_rule_add_exact() (true, what systemd uses) or seccomp_rule_add(). */
  readonly exact: boolean;
  /** Which libseccomp builds the program (syscall tables and generator quirks). */
  readonly libseccomp: LibseccompVersion;
  /**
   * Byte order of the machine libseccomp runs on (default 'little'). It only matters for big-endian
   * ABIs filtered from a little-endian host or the reverse (mips64 builds filter both): libseccomp
   * byte-swaps the return value of the copies it makes for jumps longer than 255 instructions.
   */
  readonly hostEndian?: 'little' | 'big';
}

/** A classic BPF instruction (struct sock_filter). */
export interface BpfInstruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

/** A generated program, exactly as libseccomp's seccomp_export_bpf() writes it. */
export interface BpfProgram {
  readonly instructions: readonly BpfInstruction[];
}
