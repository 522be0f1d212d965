/**
 * How much memory a training run needs, before it starts: weights, gradients, AdamW
 * state and the activations autodiff keeps, per method and batch. Parameter counts
 * come from the architecture itself (paramShapes, headShapes, linearModules) and the
 * trainable set from the trainer's own `selectTrainable`, so the estimate follows
 * every registered family and the same freeze/LoRA rules as the real run.
 */
import type { tf } from '../backend';
import type { Architecture, BaseConfig, LinearModule } from '../model/arch';
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
  /** Gradient checkpointing on: the blocks keep their inputs and output gradients, and one block's tensors live at a time. */
  checkpointing?: boolean;
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
 * (not measured). With gradient checkpointing the blocks' own terms count one block (the
 * one the backward pass is running again) and the checkpoint terms count what every block
 * still keeps.
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
  /**
   * Per value of a vocabulary-sized tensor that trains (the token embedding, an untied LM
   * head): its gradient's way back through the lookup (a dense [V, d] scatter) and, with
   * embeddingLm, through the LM head's matmul; several copies of it, whatever the batch.
   */
  embedding: number;
  embeddingLm: number;
  /** Gradient checkpointing: per block gradients flow through, per batch x length x hidden (its input, output and their gradients). */
  checkpointBlock: number;
  /** Gradient checkpointing: per frozen block below every trainable one. */
  checkpointFrozen: number;
}

export type MemoryBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type MemoryFamily = 'gpt2' | 'llama';

/**
 * From `npm run bench:memory` (2026-11-28, after the AdamW and gradient-norm scopes were narrowed): the fit cases' least-squares values, rounded,
 * for GPT-2 and for LLaMA (SwiGLU MLP, RoPE, grouped KV heads: the fused GPT-2 kernels do
 * not apply, so its blocks cost the same on every backend). BERT models use GPT-2's.
 */
export const MEMORY_COEFFICIENTS: Record<MemoryFamily, Record<MemoryBackend, MemoryCoefficients>> = {
  gpt2: {
    webgpu: { block: 57.69, blockMaps: 0, frozenBlock: 55.78, frozenMaps: 0.07, dropout: 13.06, dropoutMaps: 0, outside: 11.94, logits: 8.42, lora: 7.4, trainable: 1.8, embedding: 3.05, embeddingLm: 1.89, checkpointBlock: 0, checkpointFrozen: 1.84 },
    webgl: { block: 230.32, blockMaps: 8.79, frozenBlock: 163.64, frozenMaps: 8.38, dropout: 12.82, dropoutMaps: 5.22, outside: 21.84, logits: 17.03, lora: 4.9, trainable: 2.78, embedding: 0.81, embeddingLm: 0.76, checkpointBlock: 0, checkpointFrozen: 3.24 },
    wasm: { block: 68.16, blockMaps: 15, frozenBlock: 41.93, frozenMaps: 0, dropout: 14.05, dropoutMaps: 5.04, outside: 11.63, logits: 8.03, lora: 7.41, trainable: 1.74, embedding: 5.42, embeddingLm: 0, checkpointBlock: 0.19, checkpointFrozen: 2.02 },
    cpu: { block: 208.14, blockMaps: 9.28, frozenBlock: 168.62, frozenMaps: 8.06, dropout: 15.59, dropoutMaps: 4.76, outside: 31.95, logits: 15.36, lora: 4.81, trainable: 1.76, embedding: 4.23, embeddingLm: 0, checkpointBlock: 0, checkpointFrozen: 1.09 },
  },
  llama: {
    webgpu: { block: 111.45, blockMaps: 13.13, frozenBlock: 99.26, frozenMaps: 11.75, dropout: 2.03, dropoutMaps: 4.77, outside: 17.82, logits: 6.35, lora: 6.17, trainable: 1.66, embedding: 3.14, embeddingLm: 0, checkpointBlock: 0.4, checkpointFrozen: 2.64 },
    webgl: { block: 110.95, blockMaps: 13.2, frozenBlock: 99.04, frozenMaps: 11.73, dropout: 2.28, dropoutMaps: 4.71, outside: 18.55, logits: 17.13, lora: 6.17, trainable: 1.74, embedding: 2.06, embeddingLm: 0.47, checkpointBlock: 0.23, checkpointFrozen: 2.43 },
    wasm: { block: 112.55, blockMaps: 13.05, frozenBlock: 98.73, frozenMaps: 11.79, dropout: 1.99, dropoutMaps: 4.87, outside: 18.59, logits: 5.31, lora: 6.22, trainable: 1.45, embedding: 5.75, embeddingLm: 0, checkpointBlock: 0.78, checkpointFrozen: 2.16 },
    cpu: { block: 111.94, blockMaps: 13.17, frozenBlock: 97.17, frozenMaps: 11.8, dropout: 2.63, dropoutMaps: 4.81, outside: 22.22, logits: 15.17, lora: 6.21, trainable: 1.62, embedding: 4.48, embeddingLm: 0, checkpointBlock: 0.38, checkpointFrozen: 0.78 },
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
  // Vocabulary-sized tensors that train (the token embedding, an untied LM head).
  const vocabTrained = [...trainable].filter(([name, v]) => arch.isEmbedding(name) && v.shape[0] === config.vocabSize).reduce((s, [, v]) => s + v.size, 0);
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
  const loraValues = (ms: LinearModule[]) => ms.reduce((s, m) => s + B * T * (m.fanIn + m.fanOut), 0);
  // With checkpointing, a block's tensors live only while the backward pass runs it again:
  // one block at a time (the largest, for adapters), and no frozen block's.
  const ckpt = input.checkpointing === true;
  const live = ckpt ? Math.min(on, 1) : on;
  const perBlock = new Map<number, LinearModule[]>();
  for (const m of adapted) {
    const b = arch.blockOf(`${m.name}.weight`) ?? -1;
    perBlock.set(b, [...(perBlock.get(b) ?? []), m]);
  }
  const features: MemoryFeatures = {
    block: live * btd,
    blockMaps: live * maps,
    frozenBlock: ckpt ? 0 : off * btd,
    frozenMaps: ckpt ? 0 : off * maps,
    dropout: dropped ? (ckpt ? live : L) * btd : 0,
    dropoutMaps: dropped ? (ckpt ? live : L) * maps : 0,
    outside: btd,
    logits: task === 'lm' ? B * T * config.vocabSize : 0,
    lora: ckpt ? Math.max(0, ...[...perBlock.values()].map(loraValues)) : loraValues(adapted),
    trainable: trainableParams,
    embedding: vocabTrained,
    embeddingLm: task === 'lm' ? vocabTrained : 0,
    checkpointBlock: ckpt ? on * btd : 0,
    checkpointFrozen: ckpt ? off * btd : 0,
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

/** The terms of the blocks that hold their tensors (with checkpointing, the one run again), and of the embedding's gradient. */
const LIVE_BLOCK: ReadonlySet<keyof MemoryFeatures> = new Set(['block', 'blockMaps', 'frozenBlock', 'frozenMaps', 'dropout', 'dropoutMaps', 'lora']);
const EMBEDDING: ReadonlySet<keyof MemoryFeatures> = new Set(['embedding', 'embeddingLm']);

export function estimateTrainingMemory(input: MemoryInput): MemoryEstimate {
  const bpv = input.bytesPerValue ?? 4;
  const { trainableParams, totalParams, features } = runShape(input);
  const k = coefficientsFor(input.config.modelType, input.backend);
  let values = 0;
  for (const key of Object.keys(features) as (keyof MemoryFeatures)[]) if (key !== 'trainable' && !LIVE_BLOCK.has(key) && !EMBEDDING.has(key)) values += k[key] * features[key];
  const sum = (keys: ReadonlySet<keyof MemoryFeatures>) => [...keys].reduce((s, key) => s + k[key] * features[key], 0);
  // Without checkpointing every block's tensors are still held when the embedding's gradient
  // is made; with it, the block run again is gone by then, so the step holds the larger of the two.
  values += input.checkpointing ? Math.max(sum(LIVE_BLOCK), sum(EMBEDDING)) : sum(LIVE_BLOCK) + sum(EMBEDDING);
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

/** Whether the run fits, in a sentence; when it does not, what to try (gradient checkpointing unless `checkpointing` is on already). */
export function fitsIn(estimate: MemoryEstimate, availableBytes: number, checkpointing = false): { fits: boolean; message: string } {
  const e = estimate;
  const parts = `weights ${formatBytes(e.weights)}, gradients ${formatBytes(e.gradients)}, optimizer ${formatBytes(e.optimizer)}, activations ${formatBytes(e.activations)}`;
  const needs = `needs about ${formatBytes(e.total)} (${parts})`;
  if (e.total <= availableBytes) return { fits: true, message: `${needs}; this device has about ${formatBytes(availableBytes)} free` };
  const tips: string[] = [];
  if (e.weights >= availableBytes) tips.push('a smaller model');
  // Suggest what shrinks the big parts: LoRA removes most gradients and optimizer state.
  if (e.gradients + e.optimizer > 0.1 * e.total) tips.push('LoRA');
  if (e.activations > 0.1 * e.total) tips.push(...(checkpointing ? [] : ['gradient checkpointing']), 'a smaller batch', 'a shorter max length');
  if (tips.length === 0) tips.push('a smaller model');
  return { fits: false, message: `${needs}; this device has about ${formatBytes(availableBytes)} free — try ${listOr(tips)}` };
}
