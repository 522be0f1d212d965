/**
 * How much memory a training run needs, before it starts: weights, gradients, AdamW
 * state and the activations autodiff keeps, per method and batch. Parameter counts
 * come from the architecture itself (paramShapes, headShapes, linearModules) and the
 * trainable set from the trainer's own `selectTrainable`, so the estimate follows
 * every registered family and the same freeze/LoRA rules as the real run.
 */
import type { tf } from '../backend';
import type { Architecture, BaseConfig } from '../model/arch';
import { labelList } from '../model/config';
import { matchesTarget, withDefaultTargets, type LoraModule, type LoraState } from '../model/lora';
import type { LoadedModel } from '../io/hf';
import { DEFAULT_HYPERPARAMS, type FreezeSettings, type LoraSettings, type Method, type Task } from '../types';
import { selectTrainable } from './setup';

/** Bytes, except the two parameter counts. */
export interface MemoryEstimate {
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  total: number;
  trainableParams: number;
  /** Every parameter held during the run: the base model, the head and any LoRA adapters. */
  totalParams: number;
}

export interface MemoryInput {
  arch: Architecture;
  config: BaseConfig;
  method: Method;
  batchSize: number;
  seqLen: number;
  lora?: LoraSettings;
  freeze?: FreezeSettings;
  task: Task;
  /** Classes of the head (default: the config's labels, else 2). */
  numLabels?: number;
  /** 4 for float32, which is what tfjs trains in. */
  bytesPerValue?: number;
}

/**
 * Values autodiff keeps per token and hidden unit for one transformer block, counted
 * on gpt2.ts's forward pass (tfjs keeps every tensor a kernel saves for its gradient
 * until the backward pass ends):
 *   attention sublayer:  9 = layer norm (centred x, normalised x, output: 3)
 *                          + q, k, v after the head transpose (3) + context into c_proj (1)
 *                          + output dropout (mask and input: 2)
 *   MLP sublayer:       33 = layer norm (3) + output dropout (2)
 *                          + 7 tensors 4d wide = 28: c_fc output, x^3, the tanh argument,
 *                            tanh, 0.5x, 1 + tanh, and the gelu output into c_proj
 * i.e. 42 B*T*d per block. LLaMA's SwiGLU MLP (about 5 tensors of width ~2.7d) and
 * BERT's erf-gelu come out lower; the estimate errs on the large side for them.
 */
export const BLOCK_ACTIVATIONS_PER_TOKEN_DIM = 42;
/** Per block and head, T x T: the scaled scores, softmax output, dropout mask and dropped probabilities. */
export const ATTENTION_MAPS = 4;
/** Embedding sum and its dropout (mask, output: 3) plus the final norm (3), once per run. */
export const OUTSIDE_BLOCKS_PER_TOKEN_DIM = 6;
/** LM head, B*T*V each: logits, the shifted slice, the saved log-softmax and the one-hot targets of the loss. */
export const LOGITS_COPIES = 4;

function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Shape-only stand-in for a variable: selectTrainable only files variables into a map, so it never reads their data. */
function stub(shape: number[]): tf.Variable {
  return { shape, size: count(shape) } as unknown as tf.Variable;
}

export function estimateTrainingMemory(input: MemoryInput): MemoryEstimate {
  const { arch, config, method, task } = input;
  const bpv = input.bytesPerValue ?? 4;
  const B = Math.max(1, input.batchSize);
  const T = Math.max(1, Math.min(input.seqLen, config.maxPositions));
  const numLabels = input.numLabels ?? labelList(config)?.length ?? 2;
  if (!arch.tasks.includes(task)) throw new Error(`${config.modelType} models cannot be trained for ${task === 'lm' ? 'text generation' : 'classification'}`);

  const params = new Map<string, tf.Variable>();
  for (const [name, shape] of arch.paramShapes(config)) params.set(name, stub(shape));
  if (task === 'classify') for (const [name, shape] of arch.headShapes(config, numLabels)) params.set(name, stub(shape));

  let lora: LoraState | null = null;
  const settings = withDefaultTargets(input.lora ?? DEFAULT_HYPERPARAMS.lora, arch.loraTargets);
  const adapted = method === 'lora' ? arch.linearModules(config).filter((m) => matchesTarget(m.name, settings.targetModules)) : [];
  if (method === 'lora') {
    if (adapted.length === 0) throw new Error(`LoRA target modules ${JSON.stringify(settings.targetModules)} match no module of this model`);
    const modules = new Map<string, LoraModule>(adapted.map((m) => [m.name, { A: stub([settings.r, m.fanIn]), B: stub([m.fanOut, settings.r]) }]));
    lora = { ...settings, targetModules: [...settings.targetModules], modules };
  }
  const model: LoadedModel = { arch, config, params, labels: null };
  const hp = { ...DEFAULT_HYPERPARAMS, freeze: input.freeze ?? DEFAULT_HYPERPARAMS.freeze };
  const trainable = selectTrainable(model, method, hp, lora, task);

  const trainableParams = [...trainable.values()].reduce((s, v) => s + v.size, 0);
  const adapterParams = lora ? [...lora.modules.values()].reduce((s, m) => s + m.A.size + m.B.size, 0) : 0;
  const totalParams = [...params.values()].reduce((s, v) => s + v.size, 0) + adapterParams;

  // Activations (values), all methods alike: tfjs records every op while taking
  // gradients, so frozen lower blocks keep theirs too.
  //   L * (42 B T d + 4 B H T^2) + 6 B T d            blocks, attention maps, embeddings/final norm
  //   + B T V * 4                                     LM logits and loss (task 'lm')
  //   + per adapted module B T (2 in + r)             LoRA's dropout on x (mask, output) and x A^T
  const d = config.hiddenSize;
  const L = config.numLayers;
  const H = config.numHeads;
  let values = L * (BLOCK_ACTIVATIONS_PER_TOKEN_DIM * B * T * d + ATTENTION_MAPS * B * H * T * T) + OUTSIDE_BLOCKS_PER_TOKEN_DIM * B * T * d;
  if (task === 'lm') values += LOGITS_COPIES * B * T * config.vocabSize;
  else values += LOGITS_COPIES * B * numLabels;
  if (lora) {
    const dropInput = lora.dropout > 0 ? 2 : 0;
    for (const m of adapted) values += B * T * (dropInput * m.fanIn + lora.r);
  }

  const weights = totalParams * bpv;
  const gradients = trainableParams * bpv;
  const optimizer = 2 * trainableParams * bpv; // AdamW's first and second moments
  const activations = values * bpv;
  return { weights, gradients, optimizer, activations, total: weights + gradients + optimizer + activations, trainableParams, totalParams };
}

/** "1.8 GB", "500 MB": decimal units, as the OS and the browser's storage estimate show them. */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1).replace(/\.0$/, '')} GB`;
  if (n >= 1e6) return `${Math.round(n / 1e6)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} KB`;
  return `${Math.round(n)} bytes`;
}

function listOr(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

export function fitsIn(estimate: MemoryEstimate, availableBytes: number): { fits: boolean; message: string } {
  const e = estimate;
  const parts = `weights ${formatBytes(e.weights)}, gradients ${formatBytes(e.gradients)}, optimizer ${formatBytes(e.optimizer)}, activations ${formatBytes(e.activations)}`;
  const needs = `needs about ${formatBytes(e.total)} (${parts})`;
  if (e.total <= availableBytes) return { fits: true, message: `${needs}; this device has about ${formatBytes(availableBytes)} free` };
  const tips: string[] = [];
  if (e.weights >= availableBytes) tips.push('a smaller model');
  // Suggest what shrinks the big parts: LoRA removes most gradients and optimizer state.
  if (e.gradients + e.optimizer > 0.1 * e.total) tips.push('LoRA');
  if (e.activations > 0.1 * e.total) tips.push('a smaller batch', 'a shorter max length');
  if (tips.length === 0) tips.push('a smaller model');
  return { fits: false, message: `${needs}; this device has about ${formatBytes(availableBytes)} free — try ${listOr(tips)}` };
}
