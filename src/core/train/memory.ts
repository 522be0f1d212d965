/**
 * How much memory a training run needs, before it starts: weights, gradients, AdamW
 * state and the activations autodiff keeps, per method and batch. Parameter counts
 * come from the architecture itself (paramShapes, headShapes, linearModules) and the
 * trainable set from the trainer's own `selectTrainable`, so the estimate follows
 * every registered family and the same freeze/LoRA rules as the real run.
 */
import type { tf } from '../backend';
import type { ArchSpec, BaseConfig, LinearModule } from '../model/arch';
import { labelList } from '../model/config';
import type { LoraModule, LoraState } from '../model/lora';
import { matchesTarget, withDefaultTargets } from '../model/loraTargets';
import { DEFAULT_HYPERPARAMS, type FreezeSettings, type LoraSettings, type Method, type Task } from '../types';
import { selectTrainable } from './trainable';
import { formatBytes } from '../format';

/** Bytes, except the parameter counts. */
export interface MemoryEstimate {
  weights: number;
  gradients: number;
  /** AdamW's two moments, and what the update holds above the backward pass when it holds more. */
  optimizer: number;
  activations: number;
  total: number;
  trainableParams: number;
  /** Every parameter held during the run: the base model, the head and any LoRA adapters. */
  totalParams: number;
  /** Values of the largest trainable tensor (the update's temporaries scale with it). */
  largestTrainable: number;
}

export interface MemoryInput {
  arch: ArchSpec;
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
 * GPT-2, LLaMA and BERT have coefficients of their own. With gradient checkpointing the
 * blocks' own terms count one block (the one the backward pass is running again) and the
 * checkpoint terms count what every block still keeps.
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
  /** Per trainable parameter at the end of the backward pass: its gradient and what the clipping makes. */
  trainable: number;
  /**
   * Text generation: per value of the LM head's [V, d] matrix when it trains (tied to the
   * token embedding or not), its gradient's way back through the head's matmul: several
   * [V, d] copies whatever the batch. Counted once: an untied head's second matrix is one
   * gradient more (in `trainable`), not a second way back. (A classifier's lookup gradient
   * is one copy, in `trainable`; a big embedding's update is UPDATE_TEMPORARIES.)
   */
  embeddingLm: number;
  /** Gradient checkpointing: per block gradients flow through, per batch x length x hidden (its input, output and their gradients). */
  checkpointBlock: number;
  /** Gradient checkpointing: per frozen block below every trainable one. */
  checkpointFrozen: number;
}

export type MemoryBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type MemoryFamily = 'gpt2' | 'llama' | 'bert';

/**
 * From `npm run bench:memory` (2026-11-28, after the AdamW and gradient-norm scopes were
 * narrowed): least-squares values on the fit cases whose peak the update does not explain,
 * rounded, for GPT-2, for LLaMA (SwiGLU MLP, RoPE, grouped KV heads: the fused GPT-2 kernels do
 * not apply, so its blocks cost the same on every backend) and for BERT (classifiers only:
 * no logits terms; reference ops like LLaMA's).
 */
export const MEMORY_COEFFICIENTS: Record<MemoryFamily, Record<MemoryBackend, MemoryCoefficients>> = {
  gpt2: {
    webgpu: { block: 57.52, blockMaps: 0, frozenBlock: 55.11, frozenMaps: 0.09, dropout: 12.84, dropoutMaps: 0, outside: 13.85, logits: 8.23, lora: 7.36, trainable: 1.73, embeddingLm: 5.05, checkpointBlock: 0, checkpointFrozen: 1.3 },
    webgl: { block: 230.13, blockMaps: 8.84, frozenBlock: 163.62, frozenMaps: 8.37, dropout: 13.02, dropoutMaps: 5.17, outside: 21.9, logits: 16.98, lora: 4.9, trainable: 2.8, embeddingLm: 1.55, checkpointBlock: 0, checkpointFrozen: 3.19 },
    wasm: { block: 66.51, blockMaps: 15.23, frozenBlock: 41.62, frozenMaps: 0, dropout: 14.55, dropoutMaps: 4.77, outside: 12.79, logits: 8.45, lora: 7.37, trainable: 1.77, embeddingLm: 4.86, checkpointBlock: 0, checkpointFrozen: 1.92 },
    cpu: { block: 206.92, blockMaps: 9.39, frozenBlock: 170.61, frozenMaps: 7.96, dropout: 15.51, dropoutMaps: 4.57, outside: 28.15, logits: 17.37, lora: 4.76, trainable: 1.88, embeddingLm: 2.07, checkpointBlock: 0, checkpointFrozen: 2.64 },
  },
  llama: {
    webgpu: { block: 110.23, blockMaps: 13.3, frozenBlock: 98.77, frozenMaps: 11.72, dropout: 2.53, dropoutMaps: 4.6, outside: 19.83, logits: 6.19, lora: 6.16, trainable: 1.69, embeddingLm: 3.14, checkpointBlock: 0.14, checkpointFrozen: 2.2 },
    webgl: { block: 110.16, blockMaps: 13.31, frozenBlock: 98.72, frozenMaps: 11.72, dropout: 2.68, dropoutMaps: 4.59, outside: 19.8, logits: 17.02, lora: 6.16, trainable: 1.76, embeddingLm: 2.53, checkpointBlock: 0.06, checkpointFrozen: 2.15 },
    wasm: { block: 110.35, blockMaps: 13.26, frozenBlock: 99.09, frozenMaps: 11.72, dropout: 2.4, dropoutMaps: 4.65, outside: 18.24, logits: 6.9, lora: 6.13, trainable: 1.96, embeddingLm: 0, checkpointBlock: 0, checkpointFrozen: 2.49 },
    cpu: { block: 110.22, blockMaps: 13.29, frozenBlock: 98.86, frozenMaps: 11.72, dropout: 2.57, dropoutMaps: 4.61, outside: 19.43, logits: 17.22, lora: 6.15, trainable: 1.76, embeddingLm: 2.24, checkpointBlock: 0.08, checkpointFrozen: 2.3 },
  },
  bert: {
    webgpu: { block: 134.18, blockMaps: 8.95, frozenBlock: 98.28, frozenMaps: 8.04, dropout: 13.74, dropoutMaps: 4.99, outside: 9.13, logits: 0, lora: 6.03, trainable: 1.81, embeddingLm: 0, checkpointBlock: 0, checkpointFrozen: 1.37 },
    webgl: { block: 168.92, blockMaps: 8.98, frozenBlock: 114.89, frozenMaps: 8.13, dropout: 15.3, dropoutMaps: 4.82, outside: 13.5, logits: 0, lora: 5.75, trainable: 1.8, embeddingLm: 0, checkpointBlock: 0, checkpointFrozen: 0.7 },
    wasm: { block: 134.18, blockMaps: 8.95, frozenBlock: 98.28, frozenMaps: 8.04, dropout: 13.74, dropoutMaps: 4.99, outside: 9.13, logits: 0, lora: 6.03, trainable: 1.81, embeddingLm: 0, checkpointBlock: 0, checkpointFrozen: 1.37 },
    cpu: { block: 168.92, blockMaps: 8.98, frozenBlock: 114.89, frozenMaps: 8.13, dropout: 15.3, dropoutMaps: 4.82, outside: 13.5, logits: 0, lora: 5.75, trainable: 1.8, embeddingLm: 0, checkpointBlock: 0, checkpointFrozen: 0.7 },
  },
};

/**
 * The step's other peak: the AdamW update, after the backward pass has let go of its
 * tensors. It holds every gradient and the temporaries of one parameter at a time
 * (train/adamw.ts): this many values per value of the largest trainable tensor (the
 * reference formulation on cpu and wasm makes more than webgpu's fused kernels). It is the
 * peak when a big embedding trains at a small batch. The smallest ratio over all the fit
 * cases of `npm run bench:memory` (the update holds no more than any step's peak).
 */
export const UPDATE_TEMPORARIES: Record<MemoryBackend, number> = { webgpu: 4, webgl: 3, wasm: 7, cpu: 7 };

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
  /** Values of the largest trainable tensor. */
  largestTrainable: number;
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
  const model = { arch, config, params };
  const freeze = input.freeze ?? DEFAULT_HYPERPARAMS.freeze;
  const trainable = selectTrainable(model, method, { ...DEFAULT_HYPERPARAMS, freeze }, lora, task);

  const trainableParams = [...trainable.values()].reduce((s, v) => s + v.size, 0);
  const largestTrainable = Math.max(0, ...[...trainable.values()].map((v) => v.size));
  // The LM head's matrix, when a vocabulary-sized tensor trains (the token embedding, an untied LM head): one head, one way back.
  const vocabTrained = Math.min(
    config.vocabSize * config.hiddenSize,
    [...trainable].filter(([name, v]) => arch.isEmbedding(name) && v.shape[0] === config.vocabSize).reduce((s, [, v]) => s + v.size, 0),
  );
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
  const loraPerBlock = new Map<number, number>();
  for (const m of adapted) {
    const b = arch.blockOf(`${m.name}.weight`) ?? -1;
    loraPerBlock.set(b, (loraPerBlock.get(b) ?? 0) + loraValues([m]));
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
    lora: ckpt ? Math.max(0, ...loraPerBlock.values()) : loraValues(adapted),
    trainable: trainableParams,
    embeddingLm: task === 'lm' ? vocabTrained : 0,
    checkpointBlock: ckpt ? on * btd : 0,
    checkpointFrozen: ckpt ? off * btd : 0,
  };
  return { B, T, numLabels, trainableParams, largestTrainable, totalParams, features };
}

export function memoryFeatures(input: MemoryInput): MemoryFeatures {
  return runShape(input).features;
}


function memoryFamily(modelType: string): MemoryFamily {
  return modelType === 'llama' || modelType === 'bert' ? modelType : 'gpt2';
}

/** The backend the coefficients are for (Auto and unknown names: webgpu). */
function memoryBackend(backend: string | undefined): MemoryBackend {
  return backend && backend in UPDATE_TEMPORARIES ? (backend as MemoryBackend) : 'webgpu';
}

/** The terms of the blocks that hold their tensors (with checkpointing, the one run again). */
const LIVE_BLOCK: ReadonlySet<keyof MemoryFeatures> = new Set(['block', 'blockMaps', 'frozenBlock', 'frozenMaps', 'dropout', 'dropoutMaps', 'lora']);

export function estimateTrainingMemory(input: MemoryInput): MemoryEstimate {
  const bpv = input.bytesPerValue ?? 4;
  const { trainableParams, largestTrainable, totalParams, features } = runShape(input);
  const backend = memoryBackend(input.backend);
  const k = MEMORY_COEFFICIENTS[memoryFamily(input.config.modelType)][backend];
  let values = 0;
  let live = 0;
  for (const key of Object.keys(features) as (keyof MemoryFeatures)[]) {
    if (key === 'trainable' || key === 'embeddingLm') continue;
    if (LIVE_BLOCK.has(key)) live += k[key] * features[key];
    else values += k[key] * features[key];
  }
  // Without checkpointing every block's tensors are still held when the LM head's gradient
  // is made; with it, the block run again is gone by then, so the step holds the larger of the two.
  const head = k.embeddingLm * features.embeddingLm;
  values += input.checkpointing ? Math.max(live, head) : live + head;
  // The step peaks at the end of the backward pass or in the update, whichever holds more;
  // what the update holds above the backward pass shows as optimizer memory.
  const backward = values + k.trainable * trainableParams;
  const update = trainableParams + UPDATE_TEMPORARIES[backend] * largestTrainable;
  const weights = totalParams * bpv;
  const gradients = k.trainable * trainableParams * bpv;
  const optimizer = (2 * trainableParams + Math.max(0, update - backward)) * bpv; // AdamW's two moments (and the update's excess)
  const activations = values * bpv;
  return { weights, gradients, optimizer, activations, total: weights + gradients + optimizer + activations, trainableParams, totalParams, largestTrainable };
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
