/**
 * A model ready to run: base GPT-2 parameters plus an optional LoRA adapter, and the
 * task head. Training, evaluation and prediction all go through `taskLogits` / `batchLoss`.
 */
import { tf } from '../backend';
import type { Gpt2Model } from '../io/hf';
import type { Batch } from '../train/batches';
import { causalLmLoss, classificationLoss } from '../train/losses';
import type { Task } from '../types';
import { classLogits, gpt2Hidden, lmLogits, type Params } from './gpt2';
import type { LoraState } from './lora';

export interface ModelRun {
  model: Gpt2Model;
  lora: LoraState | null;
  task: Task;
}

export interface RunOptions {
  training: boolean;
  seed?: number;
  dropout?: number;
}

/** LM: [B, T, V] logits; classify: [B, C]. */
export function taskLogits(run: ModelRun, ids: tf.Tensor2D, mask: tf.Tensor2D | null, opts: RunOptions): tf.Tensor {
  const p = run.model.params as Params;
  const hidden = gpt2Hidden(run.model.config, p, ids, mask, { ...opts, lora: run.lora });
  return run.task === 'lm' ? lmLogits(run.model.config, p, hidden) : classLogits(p, hidden, mask);
}

export function batchLoss(run: ModelRun, batch: Batch, opts: RunOptions & { classWeights?: number[] | null }): tf.Scalar {
  return tf.tidy(() => {
    const logits = taskLogits(run, batch.ids, batch.mask, opts);
    if (run.task === 'lm') return causalLmLoss(logits as tf.Tensor3D, batch.lmLabels!);
    return classificationLoss(logits as tf.Tensor2D, batch.classIds!, opts.classWeights);
  });
}
