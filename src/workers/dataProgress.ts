/**
 * Progress of the data studio's jobs as one bar: the core reports (done, total, step) per step; a plan
 * gives each step a weight (near-duplicate hashing dominates) and a label a person can read. Reports
 * are thinned to visible movement, and the cancel flag is polled with them.
 */
import type { AugmentRecipe } from '../core/data/augment';
import { CLEAN_STEPS, type CleanRecipe } from '../core/data/clean';
import type { RunOptions } from '../core/data/progress';
import type { SplitParams } from '../core/data/splits';

export interface JobProgress {
  /** 0..1 over the whole job. */
  fraction: number;
  /** What runs now ("Near duplicates: hashing"). */
  label: string;
}

type Plan = [stage: string, weight: number][];

const STAGE_LABEL: Record<string, string> = {
  loading: 'Loading rows',
  normalize: 'Normalising text',
  labels: 'Normalising labels',
  pii: 'Redacting personal data',
  empty: 'Dropping empty rows',
  length: 'Length filter',
  noise: 'Noise filter',
  exactDup: 'Exact duplicates',
  conflicts: 'Conflicting labels',
  nearDup: 'Near duplicates',
  'near duplicates: signatures': 'Near duplicates: hashing',
  'near duplicates: buckets': 'Near duplicates: comparing',
  augment: 'Augmenting',
  index: 'Indexing for search',
  flags: 'Finding personal data and conflicts',
  storing: 'Saving the version',
};

const NEAR_DUP: Plan = [
  ['near duplicates: signatures', 8],
  ['near duplicates: buckets', 1],
];

const on = (t: { enabled?: boolean } | undefined) => t !== undefined && t.enabled !== false;

export function cleanPlan(recipe: CleanRecipe): Plan {
  return CLEAN_STEPS.filter((s) => on(recipe[s])).flatMap((s): Plan => (s === 'nearDup' ? [...NEAR_DUP, ['nearDup', 1]] : [[s, 1]]));
}

export function splitPlan(params: SplitParams): Plan {
  return params.groupNearDuplicates === false ? [['split', 1]] : [...NEAR_DUP, ['split', 1]];
}

export function augmentPlan(_recipe: AugmentRecipe): Plan {
  return [['augment', 1]];
}

export const OPEN_PLAN: Plan = [['loading', 1], ['index', 1], ...NEAR_DUP, ['flags', 2]];

/** The fraction of `plan` done when `stage` is `within` (0..1) done; undefined for a stage not in the plan. */
export function planFraction(plan: Plan, stage: string, within: number): number | undefined {
  const total = plan.reduce((a, [, w]) => a + w, 0);
  let before = 0;
  for (const [s, w] of plan) {
    if (s === stage) return total ? (before + w * Math.min(1, Math.max(0, within))) / total : 1;
    before += w;
  }
  return undefined;
}

export const stageLabel = (stage: string) => STAGE_LABEL[stage] ?? stage;

/**
 * RunOptions for a core call: maps steps onto the plan, reports at most every percent, and polls
 * `cancelled` (the shared flag the page sets) every few thousand rows.
 */
export function planOptions(plan: Plan, onProgress: ((p: JobProgress) => void) | undefined, cancelled: () => boolean): RunOptions & { report(stage: string, within: number): void } {
  let last = -1;
  let lastLabel = '';
  const report = (stage: string, within: number) => {
    const fraction = planFraction(plan, stage, within);
    if (fraction === undefined) return;
    const label = stageLabel(stage);
    if (fraction - last < 0.01 && label === lastLabel && within < 1) return;
    last = fraction;
    lastLabel = label;
    onProgress?.({ fraction, label });
  };
  return { report, onProgress: (done, total, stage) => report(stage, total ? done / total : 1), shouldCancel: cancelled };
}
