/**
 * The training panel's sliders as data: range, step, how a slider position maps to
 * a hyperparameter (the learning rate moves on a log scale) and how it reads.
 */
import { DEFAULT_HYPERPARAMS, type Hyperparams, type Method, type Task } from '../core/types';

export type SliderKey =
  | 'learningRate'
  | 'epochs'
  | 'batchSize'
  | 'maxLength'
  | 'dropout'
  | 'weightDecay'
  | 'warmupSteps'
  | 'loraRank'
  | 'loraAlpha'
  | 'valSplit';

export interface SliderSpec {
  key: SliderKey;
  /** Accessible name, shown as the label. */
  label: string;
  /** Range of the <input type="range"> itself (for the learning rate: log10 of the value). */
  min: number;
  max: number;
  step: number;
  toSlider(value: number): number;
  fromSlider(position: number): number;
  format(value: number): string;
  /** Only shown for LoRA runs. */
  loraOnly?: boolean;
  hint: string;
}

const identity = (v: number) => v;

function linear(key: SliderKey, label: string, min: number, max: number, step: number, format: (v: number) => string, hint: string, loraOnly = false): SliderSpec {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return {
    key,
    label,
    min,
    max,
    step,
    toSlider: identity,
    // Round away float noise from the slider (0.1 + 0.2).
    fromSlider: (p) => Number(p.toFixed(decimals)),
    format,
    loraOnly,
    hint,
  };
}

export function formatLearningRate(lr: number): string {
  if (lr === 0) return '0';
  return lr.toExponential(1).replace('.0e', 'e');
}

const fixed = (d: number) => (v: number) => v.toFixed(d);
const int = (v: number) => String(Math.round(v));
const percent = (v: number) => `${Math.round(v * 100)}%`;

export const SLIDERS: SliderSpec[] = [
  {
    key: 'learningRate',
    label: 'Learning rate',
    min: -6,
    max: -2,
    step: 0.1,
    toSlider: (v) => Number(Math.log10(v).toFixed(1)),
    fromSlider: (p) => Number((10 ** p).toPrecision(2)),
    format: formatLearningRate,
    hint: 'Log scale. Large models fine-tune fully at 1e-5 to 1e-4 and with LoRA at 1e-4 to 1e-3; small ones (like the starter model) take about 5e-4.',
  },
  linear('epochs', 'Epochs', 1, 20, 1, int, 'Passes over the training set.'),
  linear('batchSize', 'Batch size', 1, 64, 1, int, 'Examples per step. Larger is smoother but slower per step.'),
  linear('maxLength', 'Max sequence length', 16, 1024, 16, int, 'Tokens per example; longer ones are cut. Capped by the model.'),
  linear('dropout', 'Dropout', 0, 0.5, 0.01, fixed(2), 'Randomly drops activations while training, against overfitting.'),
  linear('weightDecay', 'Weight decay', 0, 0.2, 0.005, fixed(3), 'AdamW decoupled weight decay.'),
  linear('warmupSteps', 'Warmup steps', 0, 500, 1, int, 'Steps over which the learning rate ramps up from zero.'),
  linear('loraRank', 'LoRA rank', 1, 64, 1, int, 'Rank r of the low-rank update B·A.', true),
  linear('loraAlpha', 'LoRA alpha', 1, 128, 1, int, 'The update is scaled by alpha / r.', true),
  linear('valSplit', 'Validation split', 0, 0.5, 0.01, percent, 'Share of rows held out to measure validation loss.'),
];

/** Reads a slider's value out of the hyperparameters. */
export function sliderValue(hp: Hyperparams, key: SliderKey): number {
  switch (key) {
    case 'loraRank':
      return hp.lora.r;
    case 'loraAlpha':
      return hp.lora.alpha;
    default:
      return hp[key];
  }
}

/** Returns new hyperparameters with one slider's value set (immutably, for the store). */
export function withSlider(hp: Hyperparams, key: SliderKey, value: number): Hyperparams {
  switch (key) {
    case 'loraRank':
      return { ...hp, lora: { ...hp.lora, r: value } };
    case 'loraAlpha':
      return { ...hp, lora: { ...hp.lora, alpha: value } };
    default:
      return { ...hp, [key]: value };
  }
}

/** The settings under "More settings" that differ from the defaults, for its folded line. */
export function moreSettingsSummary(hp: Hyperparams, method: Method, task: Task): string {
  const d = DEFAULT_HYPERPARAMS;
  const parts: string[] = [];
  if (hp.schedule !== d.schedule) parts.push(`${hp.schedule} schedule`);
  if (hp.gradAccumSteps > 1) parts.push(`effective batch ${hp.batchSize * hp.gradAccumSteps}`);
  if (hp.evalEvery > 0) parts.push(`validate every ${hp.evalEvery === 1 ? 'step' : `${hp.evalEvery} steps`}`);
  if (hp.patience > 0) parts.push(`early stopping after ${hp.patience}`);
  if (hp.maxGradNorm !== d.maxGradNorm) parts.push(hp.maxGradNorm > 0 ? `clip at ${hp.maxGradNorm}` : 'no clipping');
  if (hp.groupByLength) parts.push('grouped by length');
  if (hp.gradientCheckpointing) parts.push('gradient checkpointing');
  if (task === 'classify' && hp.classWeights) parts.push('class weights');
  if (method === 'freeze') parts.push(`top ${hp.freeze.trainableBlocks} block${hp.freeze.trainableBlocks === 1 ? '' : 's'}${hp.freeze.trainEmbeddings ? ' + embeddings' : ''}`);
  return parts.length ? parts.join(' · ') : 'the defaults';
}
