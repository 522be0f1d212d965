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
  /** Dropout probability of the run (masks and dropped copies when above 0; default the studio's). */
  dropout?: number;
  /** The backend that will train (its fused kernels decide how many tensors a step keeps); default webgpu. */
  backend?: string;
}

/**
 * What one training step holds on top of the weights and AdamW state, in float32 values,
 * as a sum of coefficient x feature. tfjs keeps every tensor the forward pass creates
 * and the gradient of every tensor on the way to the loss until the backward pass ends
 * (tape.ts never frees an output's gradient once used), so the activations are far more
 * than what the kernels save; and how many tensors a block makes depends on the
 * backend's fused kernels (attention, layer norm, gelu and cross-entropy on webgpu and
 * wasm; the reference formulation on cpu). The coefficients are fitted by least squares
 * to what the engine counted during the studio's own training steps (`npm run
 * bench:memory`: tiny GPT-2s, one shape changed at a time) and checked on other shapes
 * (memory.test.ts on cpu and wasm, scripts/bench/memory.spec.ts on webgpu and webgl).
 * GPT-2 and LLaMA have coefficients of their own; BERT's blocks are counted with GPT-2's
 * (not measured).
 */
export interface MemoryCoefficients {
  /** Per block gradients flow through, per batch x length x hidden value. */
  block: number;
  /** Per such block, per batch x head x length^2 (the attention maps). */
  blockMaps: number;
  /** Per frozen block below every trainable one (kept, but no gradients). */
  frozenBlock: number;
  frozenMaps: number;
  /** Per block with dropout on: masks and dropped copies. */
  dropout: number;
  dropoutMaps: number;
  /** Once per run, per batch x length x hidden: embeddings, final norm, pooling. */
  outside: number;
  /** Language modelling: per batch x length x vocabulary (logits, loss, their gradients). */
  logits: number;
  /** Per LoRA-adapted module, per batch x length x (fan-in + fan-out). */
  lora: number;
  /** Per trainable parameter: its gradient and what the clipping and update make while it lives. */
  trainable: number;
}

export type MemoryBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type MemoryFamily = 'gpt2' | 'llama';

/**
 * From `npm run bench:memory` (2026-11-28): the fit cases' least-squares values, rounded,
 * for GPT-2 and for LLaMA (SwiGLU MLP, RoPE, grouped KV heads: the fused GPT-2 kernels do
 * not apply, so its blocks cost the same on every backend). BERT models use GPT-2's.
 */
export const MEMORY_COEFFICIENTS: Record<MemoryFamily, Record<MemoryBackend, MemoryCoefficients>> = {
  gpt2: {
    webgpu: { block: 55, blockMaps: 0.04, frozenBlock: 55.36, frozenMaps: 0.07, dropout: 12.82, dropoutMaps: 0, outside: 13.07, logits: 9.24, lora: 7.42, trainable: 2.61 },
    webgl: { block: 221.99, blockMaps: 9.27, frozenBlock: 163.41, frozenMaps: 8.24, dropout: 14.45, dropoutMaps: 4.73, outside: 26.05, logits: 17.21, lora: 5.21, trainable: 4.15 },
    wasm: { block: 63.98, blockMaps: 15.38, frozenBlock: 41.92, frozenMaps: 0, dropout: 15.19, dropoutMaps: 4.64, outside: 10.81, logits: 9.37, lora: 7.45, trainable: 2.7 },
    cpu: { block: 202.25, blockMaps: 9.6, frozenBlock: 170.42, frozenMaps: 7.91, dropout: 16.12, dropoutMaps: 4.4, outside: 30.2, logits: 17.65, lora: 4.93, trainable: 2.81 },
  },
  llama: {
    webgpu: { block: 107.65, blockMaps: 13.45, frozenBlock: 99.3, frozenMaps: 11.65, dropout: 2.88, dropoutMaps: 4.52, outside: 18.6, logits: 6.75, lora: 6.24, trainable: 2.61 },
    webgl: { block: 107.65, blockMaps: 13.45, frozenBlock: 99.29, frozenMaps: 11.65, dropout: 2.9, dropoutMaps: 4.52, outside: 18.65, logits: 17.55, lora: 6.24, trainable: 2.6 },
    wasm: { block: 107.65, blockMaps: 13.45, frozenBlock: 99.3, frozenMaps: 11.65, dropout: 2.88, dropoutMaps: 4.52, outside: 18.6, logits: 6.75, lora: 6.24, trainable: 2.61 },
    cpu: { block: 107.65, blockMaps: 13.45, frozenBlock: 99.29, frozenMaps: 11.65, dropout: 2.9, dropoutMaps: 4.52, outside: 18.65, logits: 17.55, lora: 6.24, trainable: 2.6 },
  },
};

/** The sizes the coefficients multiply, one per coefficient, for a run as set up (values, not bytes). */
export type MemoryFeatures = Record<keyof MemoryCoefficients, number>;

function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Shape-only stand-in for a variable: selectTrainable only files variables into a map, so it never reads their data. */
function stub(shape: number[]): tf.Variable {
  return { shape, size: count(shape) } as unknown as tf.Variable;
}

interface RunShape {
  B: number;
  T: number;
  numLabels: number;
  trainableParams: number;
  totalParams: number;
  features: MemoryFeatures;
}

/** Parameter counts and the features of a run, from the architecture and the trainer's own choice of what trains. */
function runShape(input: MemoryInput): RunShape {
  const { arch, config, method, task } = input;
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
  const freeze = input.freeze ?? DEFAULT_HYPERPARAMS.freeze;
  const trainable = selectTrainable(model, method, { ...DEFAULT_HYPERPARAMS, freeze }, lora, task);

  const trainableParams = [...trainable.values()].reduce((s, v) => s + v.size, 0);
  const adapterParams = lora ? [...lora.modules.values()].reduce((s, m) => s + m.A.size + m.B.size, 0) : 0;
  const totalParams = [...params.values()].reduce((s, v) => s + v.size, 0) + adapterParams;

  // Gradients flow through every block from the lowest one that trains (or holds an
  // adapter) up to the loss; the blocks below only keep their forward tensors.
  const L = config.numLayers;
  let lowest = L;
  if (method === 'full' || (method === 'freeze' && freeze.trainEmbeddings)) lowest = 0;
  else if (method === 'freeze') lowest = L - Math.max(0, Math.min(L, freeze.trainableBlocks));
  else for (const m of adapted) lowest = Math.min(lowest, arch.blockOf(`${m.name}.weight`) ?? 0);
  const on = L - lowest;
  const off = lowest;
  const btd = B * T * config.hiddenSize;
  const maps = B * config.numHeads * T * T;
  const dropped = (input.dropout ?? DEFAULT_HYPERPARAMS.dropout) > 0;
  const features: MemoryFeatures = {
    block: on * btd,
    blockMaps: on * maps,
    frozenBlock: off * btd,
    frozenMaps: off * maps,
    dropout: dropped ? L * btd : 0,
    dropoutMaps: dropped ? L * maps : 0,
    outside: btd,
    logits: task === 'lm' ? B * T * config.vocabSize : 0,
    lora: adapted.reduce((s, m) => s + B * T * (m.fanIn + m.fanOut), 0),
    trainable: trainableParams,
  };
  return { B, T, numLabels, trainableParams, totalParams, features };
}

export function memoryFeatures(input: MemoryInput): MemoryFeatures {
  return runShape(input).features;
}

function coefficientsFor(modelType: string, backend: string | undefined): MemoryCoefficients {
  const family = MEMORY_COEFFICIENTS[modelType === 'llama' ? 'llama' : 'gpt2'];
  return family[(backend && backend in family ? backend : 'webgpu') as MemoryBackend];
}

export function estimateTrainingMemory(input: MemoryInput): MemoryEstimate {
  const bpv = input.bytesPerValue ?? 4;
  const { trainableParams, totalParams, features } = runShape(input);
  const k = coefficientsFor(input.config.modelType, input.backend);
  let values = 0;
  for (const key of Object.keys(features) as (keyof MemoryFeatures)[]) if (key !== 'trainable') values += k[key] * features[key];
  const weights = totalParams * bpv;
  const gradients = k.trainable * trainableParams * bpv;
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
