/**
 * Comparing runs side by side: one curve per run on a shared axis, the settings that differ,
 * and the results with the best of each marked. Pure functions over run records and their
 * per-step metrics.
 */
import type { ProgressEvent } from '../core/types';
import type { RunRecord } from '../storage/db';
import { formatLearningRate } from './hyperparams';
import { emaSmooth, formatDuration, trainingTime } from './metrics';

export type CompareMetric = 'valLoss' | 'smoothLoss' | 'valAccuracy';
export type CompareAxis = 'step' | 'epoch';

export const COMPARE_METRICS: readonly { id: CompareMetric; label: string }[] = [
  { id: 'valLoss', label: 'Validation loss' },
  { id: 'smoothLoss', label: 'Train loss (smoothed)' },
  { id: 'valAccuracy', label: 'Validation accuracy' },
];

/** Distinct at a glance and for the common colour blindnesses (Okabe-Ito). */
export const RUN_COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000'];

export interface CompareSeries {
  runId: number;
  name: string;
  color: string;
  points: { x: number; y: number }[];
}

/** One line per run: the metric against steps or epochs; runs without a point of the metric get an empty line. */
export function compareSeries(runs: readonly RunRecord[], events: ReadonlyMap<number, readonly ProgressEvent[]>, metric: CompareMetric, axis: CompareAxis): CompareSeries[] {
  return runs.map((run, i) => {
    const evs = events.get(run.id) ?? [];
    const smooth = metric === 'smoothLoss' ? emaSmooth(evs.map((e) => e.trainLoss)) : [];
    const points = evs.flatMap((e, k) => {
      const y = metric === 'smoothLoss' ? smooth[k] : metric === 'valLoss' ? e.val?.loss : e.val?.accuracy;
      return y === undefined || !Number.isFinite(y) ? [] : [{ x: axis === 'step' ? e.step : e.epoch, y }];
    });
    return { runId: run.id, name: run.name, color: RUN_COLORS[i % RUN_COLORS.length], points };
  });
}

export interface CompareRow {
  label: string;
  values: string[];
  /** Indexes of the runs with the best value (results only; empty when there is nothing to rank). */
  best: number[];
}

const METHOD = { full: 'full', freeze: 'freeze layers', lora: 'LoRA' } as const;

/** Every setting a run records, as the runs list writes it. */
function settingRows(runs: readonly RunRecord[]): CompareRow[] {
  const anyLora = runs.some((r) => r.method === 'lora');
  const anyFreeze = runs.some((r) => r.method === 'freeze');
  const row = (label: string, f: (r: RunRecord) => string): CompareRow => ({ label, values: runs.map(f), best: [] });
  const hp = (r: RunRecord) => r.hyperparams;
  return [
    row('Base model', (r) => r.modelName),
    row('Data', (r) => r.datasetName),
    row('Method', (r) => METHOD[r.method]),
    row('Backend', (r) => r.backend ?? r.backendChoice),
    row('Learning rate', (r) => formatLearningRate(hp(r).learningRate)),
    row('Schedule', (r) => hp(r).schedule),
    row('Warm-up steps', (r) => String(hp(r).warmupSteps)),
    row('Epochs', (r) => String(hp(r).epochs)),
    row('Batch size', (r) => (hp(r).gradAccumSteps > 1 ? `${hp(r).batchSize} × ${hp(r).gradAccumSteps} accumulated` : String(hp(r).batchSize))),
    row('Max length', (r) => String(hp(r).maxLength)),
    row('Dropout', (r) => String(hp(r).dropout)),
    row('Weight decay', (r) => String(hp(r).weightDecay)),
    row('Gradient clip', (r) => String(hp(r).maxGradNorm)),
    row('Validation split', (r) => `${Math.round(hp(r).valSplit * 100)}%`),
    row('Early stopping', (r) => (hp(r).patience > 0 ? `after ${hp(r).patience} validations` : 'off')),
    row('Max steps', (r) => (hp(r).maxSteps > 0 ? String(hp(r).maxSteps) : 'no limit')),
    row('Grouped by length', (r) => (hp(r).groupByLength ? 'on' : 'off')),
    row('Gradient checkpointing', (r) => (hp(r).gradientCheckpointing ? 'on' : 'off')),
    row('Class weights', (r) => (r.task === 'classify' ? (hp(r).classWeights ? 'on' : 'off') : '—')),
    ...(anyLora
      ? [
          row('LoRA rank / alpha', (r) => (r.method === 'lora' ? `${hp(r).lora.r} / ${hp(r).lora.alpha}` : '—')),
          row('LoRA targets', (r) => (r.method === 'lora' ? (hp(r).lora.targetModules.length ? hp(r).lora.targetModules.join(', ') : 'default') : '—')),
        ]
      : []),
    ...(anyFreeze ? [row('Trained blocks', (r) => (r.method === 'freeze' ? `top ${hp(r).freeze.trainableBlocks}${hp(r).freeze.trainEmbeddings ? ' + embeddings' : ''}` : '—'))] : []),
    row('Seed', (r) => String(hp(r).seed)),
  ];
}

/**
 * A result row: the values formatted, the best (lowest or highest) marked when at least two runs
 * have one. Ranked as shown: runs that read the same (1m 19s and 1m 19s) tie, and a row where all
 * read the same marks none.
 */
function resultRow(label: string, raw: (number | undefined)[], format: (v: number) => string, better: 'lower' | 'higher'): CompareRow | null {
  const present = raw.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (present.length === 0) return null;
  const values = raw.map((v) => (v === undefined || !Number.isFinite(v) ? '—' : format(v)));
  const top = format(better === 'lower' ? Math.min(...present) : Math.max(...present));
  const shown = values.filter((v) => v !== '—');
  const best = shown.length >= 2 && new Set(shown).size > 1 ? values.flatMap((v, i) => (v === top ? [i] : [])) : [];
  return { label, values, best };
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/**
 * The comparison table: settings that differ between the runs (`same` counts those that do
 * not), then results: final losses, validation scores, time, and held-out scores on rows
 * every run was evaluated on.
 */
export function compareTable(runs: readonly RunRecord[]): { settings: CompareRow[]; same: string[]; results: CompareRow[] } {
  const all = settingRows(runs);
  const differs = (r: CompareRow) => new Set(r.values).size > 1;
  const results: (CompareRow | null)[] = [
    resultRow('Steps', runs.map((r) => r.final?.steps), String, 'lower'),
    resultRow('Final train loss', runs.map((r) => r.final?.trainLoss), (v) => v.toFixed(4), 'lower'),
    resultRow('Validation loss', runs.map((r) => r.final?.valLoss), (v) => v.toFixed(4), 'lower'),
    resultRow('Validation accuracy', runs.map((r) => r.final?.valAccuracy), pct, 'higher'),
    resultRow('Validation perplexity', runs.map((r) => (r.task === 'lm' ? r.final?.perplexity : undefined)), (v) => v.toFixed(2), 'lower'),
    resultRow('Time', runs.map(trainingTime), formatDuration, 'lower'),
  ];
  // Steps are context, not a score.
  if (results[0]) results[0].best = [];
  const shared = [...new Set(runs.flatMap((r) => (r.evaluations ?? []).map((e) => e.on)))].filter((on) => runs.every((r) => r.evaluations?.some((e) => e.on === on)));
  for (const on of shared) {
    const evs = runs.map((r) => r.evaluations!.find((e) => e.on === on)!);
    results.push(
      resultRow(`Accuracy on ${on}`, evs.map((e) => e.accuracy), pct, 'higher'),
      resultRow(`Macro F1 on ${on}`, evs.map((e) => e.macroF1), (v) => v.toFixed(3), 'higher'),
      resultRow(`Perplexity on ${on}`, evs.map((e) => e.perplexity), (v) => v.toFixed(2), 'lower'),
      resultRow(`Exact match on ${on}`, evs.map((e) => e.exactMatch), pct, 'higher'),
      resultRow(`Token F1 on ${on}`, evs.map((e) => e.tokenF1), (v) => v.toFixed(3), 'higher'),
    );
  }
  return { settings: all.filter(differs), same: all.filter((r) => !differs(r) && r.values[0] !== '—').map((r) => `${r.label.toLowerCase()} ${r.values[0]}`), results: results.filter((r): r is CompareRow => r !== null) };
}
