/**
 * What a planned filter chain costs the kernel, summarised for people: per-syscall instructions on
 * a cache miss (min/median/max over the syscalls the chain allows), the hot syscalls with their
 * cost and whether the kernel's action cache skips the chain for them, which directives keep
 * allowed syscalls out of the cache, and the kernel's size limits. Built on cost.ts.
 */

import type { AbiName } from './abi';
import { createCostModel, HOT_SYSCALLS, type CostModel, type CostStats } from './cost';
import type { NotConstReason } from './kernelCache';
import type { FilterPlan } from './planner';
import type { BpfProgram } from './filterTypes';
import { LruCache } from '../lru';

export interface HotSyscallCost {
  readonly name: string;
  readonly instructions: number;
  readonly programs: number;
  readonly cached: boolean;
  readonly allowed: boolean;
  /** Directives whose filters keep this call out of the cache (oldest first), with why. */
  readonly uncachedBy: readonly string[];
}

export interface AbiCost {
  readonly abi: AbiName;
  /** Whether the kernel's constant-action cache can serve calls from this ABI at all. */
  readonly cacheable: boolean;
  /** Allowed syscalls: instructions executed over the whole chain on a cache miss. */
  readonly miss: CostStats;
  readonly cachedSyscalls: number;
  readonly uncachedSyscalls: number;
}

export interface PlanCost {
  readonly kernel: string;
  /** The kernel has the constant-action cache (Linux 5.11+). */
  readonly actionCache: boolean;
  readonly native: AbiCost;
  /** Calls made through the other ABIs (x86 and x32 on x86-64), which run the chain too. */
  readonly otherAbis: readonly AbiCost[];
  readonly hot: readonly HotSyscallCost[];
  /** Allowed syscalls that still run the whole chain, with the directives responsible. */
  readonly allowedUncached: readonly { readonly name: string; readonly instructions: number; readonly directives: readonly string[] }[];
  readonly limits: {
    readonly totalInstructions: number;
    /** Σ(len + 4) as the kernel counts it (on its converted programs) against MAX_INSNS_PER_PATH. */
    readonly pathTotal: number;
    readonly maxInsnsPerPath: number;
    readonly maxInsnsPerFilter: number;
    /** Filters over BPF_MAXINSNS, by index. */
    readonly tooLong: readonly number[];
    /** First filter the kernel would refuse for the path limit. */
    readonly firstOverPath: number | undefined;
  };
}

function reasonText(r: NotConstReason): string {
  switch (r.kind) {
    case 'loads-arg':
      return `checks a${r.arg}`;
    case 'loads-ip':
      return 'checks the instruction pointer';
    case 'returns':
      return 'does not allow it';
    case 'instruction':
      return 'uses an instruction the cache cannot follow';
    case 'invalid':
      return 'is invalid';
  }
}

/** A label per filter: `Directive (abi)`. */
export function filterLabels(plan: FilterPlan): string[] {
  return plan.filters.map((f) => `${f.directive} (${f.abis.join('+')})`);
}

// Cost models are shared between plans whose chains are the same. Key: the identity of every
// program in the chain (programs are immutable, and filterCache.ts hands identical filters the
// same frozen object; a program built elsewhere just gets its own id), each filter's label, and
// the target's host, kernel and libseccomp: everything planCostModel() passes to
// createCostModel(). A model only memoises its own deterministic answers, so sharing it is safe.
// Bounded (least recently used first): a model holds per-ABI tables of every syscall.
const MAX_SHARED_MODELS = 24;
const sharedModels = new LruCache<string, CostModel>(MAX_SHARED_MODELS);
const programIds = new WeakMap<BpfProgram, number>();
let nextProgramId = 1;

function programId(p: BpfProgram): number {
  let id = programIds.get(p);
  if (id === undefined) {
    id = nextProgramId++;
    programIds.set(p, id);
  }
  return id;
}

/** The cost model of a plan's chain, or undefined when some filter has no program. */
export function planCostModel(plan: FilterPlan): CostModel | undefined {
  const chain = plan.filters.map((f) => f.program);
  if (chain.some((p) => p === undefined)) return undefined;
  const labels = filterLabels(plan);
  const t = plan.target;
  const key = JSON.stringify([t.host, t.kernel, t.libseccomp, chain.map((p) => programId(p!)), labels]);
  const hit = sharedModels.get(key);
  if (hit) return hit;
  const model = createCostModel(
    chain.map((p) => p!),
    { host: t.host, kernel: t.kernel, libseccomp: t.libseccomp, labels },
  );
  sharedModels.set(key, model);
  return model;
}

function abiCost(model: CostModel, abi: AbiName): AbiCost {
  const summary = model.cacheSummary(abi);
  return {
    abi,
    cacheable: summary.cacheable,
    miss: model.stats(abi, { includeCached: true, include: 'allowed' }),
    cachedSyscalls: summary.cached,
    uncachedSyscalls: summary.uncached,
  };
}

// Summaries per model: planCost() reads the model and, from the plan, only the number of filters,
// each filter's directive, and the target's host and kernel; those make the key. The summary is a
// read-only value shared by every plan with that key (it lives as long as its model).
const summaries = new WeakMap<CostModel, Map<string, PlanCost>>();

/** Summarises what the plan's filter chain costs; undefined when there are no programs. */
export function planCost(plan: FilterPlan, model: CostModel | undefined = planCostModel(plan)): PlanCost | undefined {
  if (!model || plan.filters.length === 0) return undefined;
  const key = JSON.stringify([plan.target.host, plan.target.kernel, plan.filters.map((f) => f.directive)]);
  let perModel = summaries.get(model);
  if (!perModel) {
    perModel = new Map();
    summaries.set(model, perModel);
  }
  let summary = perModel.get(key);
  if (!summary) {
    summary = summarise(plan, model);
    if (perModel.size >= 8) perModel.clear();
    perModel.set(key, summary);
  }
  return summary;
}

/** The directive that installs filter `index` of the plan. */
function directiveOf(plan: FilterPlan, index: number): string {
  return plan.filters[index]?.directive ?? `#${index}`;
}

/** A hot system call's cost on the native ABI, with the filters that keep it out of the cache as data. */
export interface HotSyscallDetail {
  readonly name: string;
  readonly instructions: number;
  readonly programs: number;
  readonly cached: boolean;
  readonly allowed: boolean;
  /** Oldest first, one entry per (directive, reason), as PlanCost's `uncachedBy` strings spell them. */
  readonly uncachedBy: readonly { readonly directive: string; readonly reason: string }[];
}

/**
 * The HOT_SYSCALLS on the plan's native ABI. Evaluates only those calls on that ABI (not every
 * call of every ABI, which a full planCost() summary needs), so lint rules that read nothing else
 * stay cheap.
 */
export function hotSyscallDetails(plan: FilterPlan, model: CostModel): HotSyscallDetail[] {
  const native = plan.target.host;
  const hot: HotSyscallDetail[] = [];
  for (const c of model.hot(native)) {
    if (!c.name || !HOT_SYSCALLS.includes(c.name)) continue;
    const uncachedBy: { directive: string; reason: string }[] = [];
    for (const u of c.uncachedBy) {
      const directive = directiveOf(plan, u.index);
      const reason = reasonText(u.reason);
      if (!uncachedBy.some((x) => x.directive === directive && x.reason === reason)) uncachedBy.push({ directive, reason });
    }
    hot.push({ name: c.name, instructions: c.instructions, programs: c.calls, cached: c.cached, allowed: c.allowed, uncachedBy });
  }
  return hot;
}

function summarise(plan: FilterPlan, model: CostModel): PlanCost {
  const native = plan.target.host;
  const hot: HotSyscallCost[] = hotSyscallDetails(plan, model).map((h) => ({
    ...h,
    uncachedBy: h.uncachedBy.map((u) => `${u.directive} ${u.reason}`),
  }));
  const limits = model.limits;
  return {
    kernel: plan.target.kernel,
    actionCache: model.cache !== undefined,
    native: abiCost(model, native),
    otherAbis: model.abis.filter((a) => a !== native).map((a) => abiCost(model, a)),
    hot,
    allowedUncached: model.allowedUncached(native).map((u) => ({
      name: u.name ?? `#${u.nr}`,
      instructions: u.instructions,
      directives: [...new Set(u.filters.map((f) => directiveOf(plan, f.index)))],
    })),
    limits: {
      totalInstructions: limits.totalInstructions,
      pathTotal: limits.pathTotal,
      maxInsnsPerPath: limits.maxInsnsPerPath,
      maxInsnsPerFilter: limits.maxInsns,
      tooLong: limits.tooLong,
      firstOverPath: limits.firstOverPath,
    },
  };
}
