/**
 * A model ready to run: base parameters plus an optional LoRA adapter, and the task
 * head. Training, evaluation and prediction all go through `taskLogits` / `batchLoss`.
 */
import { tf } from '../backend';
import type { LoadedModel } from '../io/hf';
import type { Batch } from '../train/batches';
import { causalLmLoss, classificationLoss } from '../train/losses';
import type { Task } from '../types';
import type { KVCache } from './arch';
import type { LoraState } from './lora';

export interface ModelRun {
  model: LoadedModel;
  lora: LoraState | null;
  task: Task;
}

export interface RunOptions {
  training: boolean;
  seed?: number;
  dropout?: number;
  cache?: KVCache | null;
  /** Gradient checkpointing: the trainable tensors to differentiate when a block runs again (see model/checkpoint.ts). */
  checkpoint?: ReadonlySet<tf.Tensor> | null;
}

/** LM: [B, T, V] logits; classify: [B, C]. */
export function taskLogits(run: ModelRun, ids: tf.Tensor2D, mask: tf.Tensor2D | null, opts: RunOptions): tf.Tensor {
  const { arch, config, params } = run.model;
  const fwd = { ...opts, lora: run.lora };
  const hidden = arch.hidden(config, params, ids, mask, fwd);
  if (run.task === 'classify') return arch.classLogits(config, params, hidden, mask, fwd);
  if (!arch.lmLogits) throw new Error(`${config.modelType} models have no language-modelling head here; use them for classification`);
  return arch.lmLogits(config, params, hidden);
}

export function batchLoss(run: ModelRun, batch: Batch, opts: RunOptions & { classWeights?: number[] | null }): tf.Scalar {
  return tf.tidy(() => {
    const logits = taskLogits(run, batch.ids, batch.mask, opts);
    if (run.task === 'lm') return causalLmLoss(logits as tf.Tensor3D, batch.lmLabels!);
    return classificationLoss(logits as tf.Tensor2D, batch.classIds!, opts.classWeights);
  });
}
