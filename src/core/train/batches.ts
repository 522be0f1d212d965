/**
 * Token sequences (encode.ts) -> padded batches of tensors, and the order rows go in.
 */
import { tf } from '../backend';
import { IGNORE_INDEX, type Sequence } from './encode';

export interface Batch {
  ids: tf.Tensor2D; // [B, T] int32
  mask: tf.Tensor2D; // [B, T] float32, 1 for real tokens
  lmLabels?: tf.Tensor2D; // [B, T] int32
  classIds?: tf.Tensor1D; // [B] int32
  /** Real tokens in the batch (for tokens/s). */
  tokens: number;
  /** Positions that carry loss: LM target tokens, or rows for classification. */
  targets: number;
}

/** Pad a group of sequences to the longest one (right padding, as GPT-2 classification expects). */
export function makeBatch(seqs: Sequence[], padId: number): Batch {
  const T = Math.max(...seqs.map((s) => s.ids.length));
  const B = seqs.length;
  const ids = new Int32Array(B * T).fill(padId);
  const mask = new Float32Array(B * T);
  const lm = seqs[0].labels ? new Int32Array(B * T).fill(IGNORE_INDEX) : null;
  let tokens = 0;
  let targets = 0;
  seqs.forEach((s, b) => {
    s.ids.forEach((id, t) => {
      ids[b * T + t] = id;
      mask[b * T + t] = 1;
    });
    tokens += s.ids.length;
    if (lm && s.labels) {
      s.labels.forEach((y, t) => (lm[b * T + t] = y));
      targets += s.labels.slice(1).filter((y) => y !== IGNORE_INDEX).length;
    }
  });
  const classIds = seqs[0].classId !== undefined ? tf.tensor1d(seqs.map((s) => s.classId!), 'int32') : undefined;
  return {
    ids: tf.tensor2d(ids, [B, T], 'int32'),
    mask: tf.tensor2d(mask, [B, T], 'float32'),
    lmLabels: lm ? tf.tensor2d(lm, [B, T], 'int32') : undefined,
    classIds,
    tokens,
    targets: classIds ? B : targets,
  };
}

export function disposeBatch(b: Batch): void {
  b.ids.dispose();
  b.mask.dispose();
  b.lmLabels?.dispose();
  b.classIds?.dispose();
}

/**
 * transformers' `group_by_length` (its LengthGroupedSampler): the shuffled order is cut into
 * mega-batches of 50 batches, each sorted longest first, so a batch holds rows of about the
 * same length and pads little; the longest row of all opens the epoch, so a batch that does
 * not fit in memory fails at once rather than late.
 */
export function lengthGroupedOrder(order: readonly number[], lengths: readonly number[], batchSize: number): number[] {
  const size = Math.max(1, batchSize) * 50;
  const megas: number[][] = [];
  for (let i = 0; i < order.length; i += size) megas.push(order.slice(i, i + size).sort((a, b) => lengths[b] - lengths[a]));
  if (megas.length > 1) {
    let longest = 0;
    megas.forEach((m, k) => {
      if (lengths[m[0]] > lengths[megas[longest][0]]) longest = k;
    });
    [megas[0][0], megas[longest][0]] = [megas[longest][0], megas[0][0]];
  }
  return megas.flat();
}

/** Index groups of `batchSize` over the items, in the given order. */
export function chunkIndices(order: number[], batchSize: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(order.slice(i, i + batchSize));
  return out;
}
