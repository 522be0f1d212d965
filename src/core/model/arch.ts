/**
 * What every architecture (gpt2, llama, bert) provides to the engine. The trainer,
 * evaluation, generation and I/O only talk to this interface, so a new family is two
 * files (its spec, tensor-free, and the code that runs it) plus a line in specs.ts and
 * one in registry.ts.
 */
import type { tf } from '../backend';
import type { Task } from '../types';
import type { LoraState } from './lora';

export type Params = Map<string, tf.Tensor>;

/** Fields every config has, under one set of names whatever the family calls them. */
export interface BaseConfig {
  modelType: string;
  vocabSize: number;
  maxPositions: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  bosTokenId: number | null;
  eosTokenId: number | null;
  padTokenId: number | null;
  id2label: Record<string, string> | null;
  /** Every key of the original config.json, so saving keeps what we do not model. */
  raw: Record<string, unknown>;
}

/** Per-layer keys and values of earlier positions, for incremental decoding. */
export interface KVCache {
  /** layer -> [B, kvHeads, T_past, headDim] */
  keys: tf.Tensor4D[];
  values: tf.Tensor4D[];
  /** Tokens already in the cache. */
  length: number;
}

export interface ForwardOptions {
  training: boolean;
  /** Dropout probability used while training (default: the config's). */
  dropout?: number;
  /** Seed for this call's dropout masks; each dropout site derives its own. */
  seed?: number;
  lora?: LoraState | null;
  /** When given, attend to the cached positions first and append this call's keys/values. */
  cache?: KVCache | null;
  /**
   * Gradient checkpointing while training: each block keeps only its input and runs again
   * in the backward pass, differentiating with respect to these (the trainable tensors).
   */
  checkpoint?: ReadonlySet<tf.Tensor> | null;
}

/** A Linear/Conv1D module LoRA can adapt. */
export interface LinearModule {
  name: string; // e.g. "transformer.h.0.attn.c_attn"
  fanIn: number;
  fanOut: number;
}

/**
 * What a family is without running it: config, parameter names and shapes, LoRA modules. No
 * tensors, so the model worker can check folders and estimate memory without TensorFlow.js.
 */
export interface ArchSpec<C extends BaseConfig = BaseConfig> {
  readonly modelType: string;
  /** "in_out" for GPT-2's Conv1D ([in, out], PEFT fan_in_fan_out), "out_in" for nn.Linear. */
  readonly weightLayout: 'in_out' | 'out_in';
  readonly tasks: readonly Task[];
  /** LoRA targets offered in the studio, in PEFT's module-name form; the first entry is the default set. */
  readonly loraTargets: { default: string[]; all: string[] };
  parseConfig(raw: Record<string, unknown>): C;
  configToJson(cfg: C, head: Task, labels?: string[]): Record<string, unknown>;
  /** Base (body + LM head) parameter names and shapes. */
  paramShapes(cfg: C): Map<string, number[]>;
  /** Classification-head parameters for `numLabels` classes. */
  headShapes(cfg: C, numLabels: number): Map<string, number[]>;
  /** Checkpoint tensor name -> our name, or null for buffers and tied copies to skip. */
  canonicalName(raw: string): string | null;
  linearModules(cfg: C): LinearModule[];
  /** Transformer block index of a parameter, or null for embeddings, final norm and heads. */
  blockOf(name: string): number | null;
  isEmbedding(name: string): boolean;
}

/** A family's spec with the code that runs it. */
export interface Architecture<C extends BaseConfig = BaseConfig> extends ArchSpec<C> {
  /** Initial value rule for a parameter of this family. */
  initParam(name: string, shape: number[], cfg: C, seed: number): tf.Tensor;
  hidden(cfg: C, p: Params, ids: tf.Tensor2D, mask: tf.Tensor2D | null, opts: ForwardOptions): tf.Tensor3D;
  lmLogits?(cfg: C, p: Params, hidden: tf.Tensor3D): tf.Tensor3D;
  classLogits(cfg: C, p: Params, hidden: tf.Tensor3D, mask: tf.Tensor2D | null, opts: ForwardOptions): tf.Tensor2D;
}
