/**
 * The playground's evaluation, as pure data and functions: the rows a model can be scored on,
 * the state of the Evaluate view, what a run keeps of a report, and which rows a run learned from.
 */
import type { DataRow } from '../core/data/rows';
import type { EvalProgress, HeldOutReport, RobustnessResult } from '../core/eval/heldout';
import { PERTURBATIONS } from '../core/eval/perturbations';
import type { AugmentOp } from '../core/data/augment';
import { AUGMENT_OPS } from './recipes';
import type { RunEvaluation, RunRecord } from '../storage/db';

/** Rows a model can be evaluated on: a version's test split, or all rows of a dataset. */
export interface EvalSource {
  /** "test:<versionId>" or "all:<datasetId>". */
  key: string;
  label: string;
  rows: number;
  datasetId: number;
}

export interface EvaluationState {
  sources: EvalSource[];
  sourceKey: string | null;
  status: 'idle' | 'running';
  progress: EvalProgress | null;
  report: HeldOutReport | null;
  /** What the report was computed on (the source's label), and for which model. */
  evaluatedOn: string | null;
  /** When the shown report was made, if it is one kept with the run rather than made in this visit. */
  savedAt: number | null;
  /** The model loaded under "Compare with", scored on the same rows (no robustness), when one was. */
  compared: { name: string; report: HeldOutReport } | null;
  error: string | null;
  /** How many of the chosen rows the loaded run trained on (null: not known, or not a run). */
  overlap: number | null;
}

export const NO_EVALUATION: EvaluationState = { sources: [], sourceKey: null, status: 'idle', progress: null, report: null, evaluatedOn: null, savedAt: null, compared: null, error: null, overlap: null };

/** What the runs list keeps of an evaluation. */
export function evaluationSummary(on: string, r: HeldOutReport, at: number): RunEvaluation {
  const m = r.metrics;
  return {
    on,
    rows: r.count,
    at,
    ...(r.task === 'classify' ? { accuracy: m.accuracy, macroF1: m.macroF1 } : { perplexity: m.perplexity }),
    ...(r.generation && { exactMatch: r.generation.exactMatch, tokenF1: r.generation.tokenF1 }),
    ...(r.baselines && { bowAccuracy: r.baselines.bow.accuracy, bowMacroF1: r.baselines.bow.macroF1 }),
  };
}

/**
 * The evaluation choices: every version's test split first, then each dataset's rows as
 * imported (for a separate test file). A run's default is the test split of the version
 * it trained on, else another test split of its dataset.
 */
export function evalSources(
  datasets: readonly { id: number; name: string; rowCount: number }[],
  versions: readonly { id: number; datasetId: number; name: string; stats: { splits: Partial<Record<string, number>> } }[],
  run: Pick<RunRecord, 'datasetId' | 'versionId'> | null,
): { sources: EvalSource[]; preferred: string | null } {
  const name = new Map(datasets.map((d) => [d.id, d.name]));
  const tests: EvalSource[] = versions
    .filter((v) => (v.stats.splits.test ?? 0) > 0 && name.has(v.datasetId))
    .map((v) => ({ key: `test:${v.id}`, label: `${name.get(v.datasetId)} · ${v.name}, test split`, rows: v.stats.splits.test!, datasetId: v.datasetId }));
  const all: EvalSource[] = datasets.map((d) => ({ key: `all:${d.id}`, label: `${d.name}, all rows`, rows: d.rowCount, datasetId: d.id }));
  let preferred: string | null = null;
  if (run) {
    const own = run.versionId != null ? tests.find((s) => s.key === `test:${run.versionId}`) : undefined;
    preferred = (own ?? tests.find((s) => s.datasetId === run.datasetId))?.key ?? null;
  }
  return { sources: [...tests, ...all], preferred };
}

/**
 * Row ids a run learned from: the train (and unsplit) rows of its version, augmented rows
 * counted as the rows they were made from. Ids are the dataset's row numbers in every
 * version, so they compare across versions. Validation rows only chose when to stop.
 */
export function trainedRowIds(rows: readonly DataRow[]): Set<number> {
  const ids = new Set<number>();
  for (const r of rows) {
    if (r.split === 'test' || r.split === 'validation') continue;
    ids.add(r.augmented && r.sourceId !== undefined ? r.sourceId : r.id);
  }
  return ids;
}

/** Accuracy points, or the share of perplexity, an edit must cost before it is worth a suggestion. */
export const WORTH_ADVICE = { accuracyPoints: 2, perplexityShare: 0.1 } as const;

/**
 * The edit the model stands worst, when it costs enough to matter, and the augmentation that
 * trains on the same edit: what to try next after a robustness check. Null when no edit costs much.
 */
export function robustnessAdvice(r: HeldOutReport): { text: string; op: AugmentOp; title: string } | null {
  const classify = r.task === 'classify';
  const cost = (x: RobustnessResult) =>
    classify ? ((r.metrics.accuracy ?? 0) - (x.accuracy ?? 0)) * 100 : (x.perplexity ?? 0) / (r.metrics.perplexity ?? Infinity) - 1;
  const worst = r.robustness.reduce<RobustnessResult | null>((w, x) => (w === null || cost(x) > cost(w) ? x : w), null);
  if (!worst || !(cost(worst) >= (classify ? WORTH_ADVICE.accuracyPoints : WORTH_ADVICE.perplexityShare))) return null;
  const edit = PERTURBATIONS.find((p) => p.id === worst.perturbation)!;
  // Each robustness edit is the Augment operation of the same name (the compiler checks the ids are a subset).
  const same: AugmentOp = worst.perturbation;
  const op = AUGMENT_OPS.find((o) => o.op === same)!;
  const costText = classify
    ? `${cost(worst).toFixed(1)} points of accuracy${worst.flipped !== undefined ? `, ${worst.flipped} of ${r.count} predictions changed` : ''}`
    : `perplexity up ${Math.round(cost(worst) * 100)}%`;
  const text = `${edit.label} costs this model the most (${costText}). To make it steadier, train on such variants: the data studio's Augment → ${op.title} makes them with the same edit.`;
  return { text, op: op.op, title: op.title };
}
