/**
 * One analysis per parsed unit and target: the resolved target, the filter plan and (lazily) the
 * cost model of its chain. Every seccomp-aware feature (lint rules, hovers, code lens, quick-fix
 * deltas, completion, preview) reads from here, so a document is planned once per version.
 */

import type { UnitDocument } from './model/unit';
import { planFilters, type FilterPlan } from './seccomp/planner';
import { planCost, planCostModel, type PlanCost } from './seccomp/planCost';
import type { CostModel } from './seccomp/cost';
import { resolveTarget, type Target, type TargetInput } from './seccomp/target';
import type { Settings } from './settings';

export interface TargetResolution {
  readonly target: Target | undefined;
  /** Problems with the configured target (an unknown version, an approximated libseccomp…). */
  readonly messages: readonly { readonly severity: 'error' | 'warning' | 'info'; readonly message: string }[];
}

/** The target the settings describe: the preset, with single values overridden. */
export function targetFromSettings(settings: Settings): TargetResolution {
  const t = settings.target;
  const input: { -readonly [K in keyof TargetInput]: TargetInput[K] } = { preset: t.preset };
  if (t.systemdVersion) input.systemd = t.systemdVersion;
  if (t.arch) input.arch = t.arch;
  if (t.kernel) input.kernel = t.kernel;
  const r = resolveTarget(input);
  return { target: r.target, messages: r.diagnostics.map((d) => ({ severity: d.severity, message: d.message })) };
}

export interface UnitAnalysis {
  readonly unit: UnitDocument;
  readonly target: Target;
  readonly plan: FilterPlan;
  /** The cost model of the plan's chain; undefined when a filter has no program. */
  costModel(): CostModel | undefined;
  /** The summary shown in hovers, the code lens and the preview. */
  cost(): PlanCost | undefined;
}

const cache = new WeakMap<UnitDocument, Map<string, UnitAnalysis>>();

function targetKey(t: Target): string {
  return `${t.systemd}|${t.host}|${t.kernel}|${t.libseccomp}|${t.afMax}`;
}

/** Plans the unit for the target, memoised per (unit object, target). Never throws on bad units. */
export function analyzeUnit(unit: UnitDocument, target: Target): UnitAnalysis {
  let perUnit = cache.get(unit);
  if (!perUnit) {
    perUnit = new Map();
    cache.set(unit, perUnit);
  }
  const key = targetKey(target);
  const hit = perUnit.get(key);
  if (hit) return hit;
  const plan = planFilters(unit, target);
  let model: CostModel | undefined | null = null;
  let summary: PlanCost | undefined | null = null;
  const analysis: UnitAnalysis = {
    unit,
    target,
    plan,
    costModel() {
      if (model === null) model = planCostModel(plan);
      return model;
    },
    cost() {
      if (summary === null) summary = planCost(plan, this.costModel());
      return summary;
    },
  };
  perUnit.set(key, analysis);
  return analysis;
}
