/**
 * The answer of the server's `unitHarden/preview` request: the object `unit-harden preview --json`
 * prints (server/src/cli/preview.ts planToJson), with each filter's disassembly and the document
 * it describes. Declared here because the client does not import server code; every field the
 * panel reads is optional or checked, so an older or newer server cannot break the page.
 */

export interface PreviewFilter {
  readonly index: number;
  readonly directive: string;
  readonly abis: readonly string[];
  readonly defaultAction: string;
  readonly rules: number;
  readonly line: number | null;
  readonly instructions: number | null;
  readonly ruleList?: readonly string[];
  readonly sources?: readonly { readonly file: string; readonly line: number }[];
  readonly note?: string;
  readonly optimize?: string;
  /** "Default ← rules" as the CLI table shows it, e.g. `allow ← errno(EPERM)`. */
  readonly effect?: string | null;
  /** scmp_bpf_disasm-style listing; null when the filter has no program. */
  readonly disasm?: string | null;
}

export interface PreviewCostStats {
  readonly count: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly minSyscall?: string;
  readonly maxSyscall?: string;
}

export interface PreviewAbiCost {
  readonly abi: string;
  readonly cacheable: boolean;
  readonly miss: PreviewCostStats;
  readonly cachedSyscalls: number;
  readonly uncachedSyscalls: number;
}

export interface PreviewCost {
  readonly kernel?: string;
  readonly actionCache?: boolean;
  readonly native?: PreviewAbiCost;
  readonly otherAbis?: readonly PreviewAbiCost[];
  readonly hot?: readonly { readonly name: string; readonly instructions: number; readonly cached: boolean; readonly allowed: boolean; readonly uncachedBy?: readonly string[] }[];
  readonly allowedUncached?: readonly { readonly name: string; readonly instructions: number; readonly directives?: readonly string[] }[];
  readonly limits?: {
    readonly totalInstructions: number;
    readonly pathTotal: number;
    readonly maxInsnsPerPath: number;
    readonly maxInsnsPerFilter: number;
    readonly tooLong: readonly number[];
    readonly firstOverPath?: number;
  };
}

export interface PreviewData {
  readonly unit: string;
  readonly systemd?: string;
  readonly arch?: string;
  readonly kernel?: string;
  readonly libseccomp?: string;
  readonly preset?: string | null;
  readonly uri?: string;
  readonly version?: number;
  /** Set instead of the plan when the server has no target to plan for. */
  readonly error?: string;
  readonly filters?: readonly PreviewFilter[];
  readonly totals?: { readonly filters: number; readonly instructions: number | null; readonly byAbi: Readonly<Record<string, number>> };
  readonly cost?: PreviewCost;
  readonly diagnostics?: readonly { readonly code: string; readonly severity: string; readonly message: string; readonly file: string | null; readonly line: number | null }[];
  readonly noNewPrivileges?: { readonly value: boolean; readonly implied: boolean };
  readonly refused?: string;
}
