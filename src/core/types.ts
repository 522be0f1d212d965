/**
 * Shared shapes of the engine: what goes into a training run and what comes out.
 * The CLI, the workers and the UI all speak these types.
 */
import type { BackendChoice } from './backend';

/** A model folder in Hugging Face layout, file name -> bytes (config.json, model.safetensors, tokenizer.json, ...). */
export type ModelFiles = Record<string, Uint8Array>;

export type Task = 'lm' | 'classify';
export type Method = 'full' | 'freeze' | 'lora';
export type ScheduleKind = 'constant' | 'linear' | 'cosine';

/** One training example after column mapping. */
export type Example =
  | { kind: 'text'; text: string }
  | { kind: 'prompt'; prompt: string; completion: string }
  | { kind: 'chat'; messages: { role: string; content: string }[] }
  | { kind: 'labeled'; text: string; label: string };

export interface LoraSettings {
  r: number;
  alpha: number;
  dropout: number;
  /**
   * Module names as PEFT writes them, e.g. ["c_attn"] for GPT-2 or ["q_proj", "v_proj"] for
   * LLaMA. Empty means the architecture's default targets.
   */
  targetModules: string[];
}

export interface FreezeSettings {
  /** Train only the top N transformer blocks (plus ln_f and the head). */
  trainableBlocks: number;
  trainEmbeddings: boolean;
}

export interface Hyperparams {
  learningRate: number;
  epochs: number;
  batchSize: number;
  gradAccumSteps: number;
  maxLength: number;
  /** Overrides the config's embd/attn/resid dropout during training. */
  dropout: number;
  weightDecay: number;
  warmupSteps: number;
  schedule: ScheduleKind;
  maxGradNorm: number;
  seed: number;
  valSplit: number;
  /** Validate every N optimizer steps (0: once per epoch). */
  evalEvery: number;
  /** Early stopping: stop after this many validations without improvement (0: off). */
  patience: number;
  /** Classification only: weight classes by inverse frequency. */
  classWeights: boolean;
  /** Stop after this many optimizer steps (0: no limit). */
  maxSteps: number;
  /** Batch rows of about the same length (transformers' group_by_length): less padding, faster steps. Absent in older runs: off. */
  groupByLength?: boolean;
  /** Gradient checkpointing: each block runs again in the backward pass instead of keeping its tensors; far less memory, one more forward pass per step. Absent in older runs: off. */
  gradientCheckpointing?: boolean;
  lora: LoraSettings;
  freeze: FreezeSettings;
}

export interface ValMetrics {
  loss: number;
  perplexity?: number;
  accuracy?: number;
  macroF1?: number;
}

export interface ProgressEvent {
  step: number;
  totalSteps: number;
  epoch: number;
  trainLoss: number;
  learningRate: number;
  gradNorm: number;
  tokensPerSec: number;
  elapsedMs: number;
  val?: ValMetrics;
}

export type StopReason = 'completed' | 'early-stopped' | 'cancelled' | 'non-finite' | 'max-steps';

export interface TrainResult {
  stopReason: StopReason;
  message: string;
  history: ProgressEvent[];
  best?: { step: number; val: ValMetrics };
  /** The fine-tuned model folder (LoRA merged into the base weights). */
  model: ModelFiles;
  /** For LoRA: the PEFT adapter folder (adapter_config.json, adapter_model.safetensors). */
  adapter?: ModelFiles;
  /** The rows as encoded (training and validation): how many were cut to `maxLength` tokens, the longest before cutting. */
  data?: { rows: number; cut: number; longest: number; maxLength: number };
}

export interface TrainRequest {
  task: Task;
  method: Method;
  base: ModelFiles;
  train: Example[];
  /** Validation rows; when absent, `valSplit` of `train` is held out (stratified for classification). */
  val?: Example[];
  hyperparams: Hyperparams;
  backend?: BackendChoice;
}

export const DEFAULT_HYPERPARAMS: Hyperparams = {
  learningRate: 5e-4,
  epochs: 3,
  batchSize: 8,
  gradAccumSteps: 1,
  maxLength: 256,
  dropout: 0.1,
  weightDecay: 0.01,
  warmupSteps: 10,
  schedule: 'linear',
  maxGradNorm: 1.0,
  seed: 42,
  valSplit: 0.1,
  evalEvery: 0,
  patience: 0,
  classWeights: false,
  maxSteps: 0,
  groupByLength: false,
  gradientCheckpointing: false,
  lora: { r: 8, alpha: 16, dropout: 0.05, targetModules: [] },
  freeze: { trainableBlocks: 1, trainEmbeddings: false },
};
