import { tf } from '../backend';
import { IGNORE_INDEX } from './encode';
import { fusedCrossEntropyAvailable, rowCrossEntropy } from '../kernels/ops';

/** Label value of positions that carry no loss (prompt tokens, padding), as in PyTorch. */

/**
 * Causal-LM cross-entropy as transformers computes it: logits at position t predict
 * labels[t + 1]; positions labelled IGNORE_INDEX count for nothing; mean over the rest.
 * logits [B, T, V], labels [B, T] int32. Returns a scalar (0 when nothing counts).
 */
export function causalLmLoss(logits: tf.Tensor3D, labels: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [B, T, V] = logits.shape;
    if (fusedCrossEntropyAvailable()) {
      // Fused kernel on the unsliced logits: each position's target is the next label,
      // the last position has none. No log-softmax or one-hot [N, V] buffers.
      const next = tf.concat([labels.slice([0, 1], [B, T - 1]), tf.fill([B, 1], IGNORE_INDEX, 'int32')], 1).reshape([B * T]) as tf.Tensor1D;
      const rows = rowCrossEntropy(logits.reshape([B * T, V]) as tf.Tensor2D, next.toInt()); // [B*T], 0 where ignored
      return rows.sum().div(next.notEqual(IGNORE_INDEX).toFloat().sum().maximum(1)) as tf.Scalar;
    }
    const n = B * (T - 1);
    const pred = logits.slice([0, 0, 0], [B, T - 1, V]).reshape([n, V]); // [N, V]
    const target = labels.slice([0, 1], [B, T - 1]).reshape([n]); // [N]
    const valid = target.notEqual(IGNORE_INDEX);
    const safeTarget = tf.where(valid, target, tf.zerosLike(target)).toInt();
    // A one-hot mask instead of a gather: its backward pass is an elementwise product,
    // where a gather's would be a scatter over N*V segments.
    const picked = tf.logSoftmax(pred, -1).mul(tf.oneHot(safeTarget, V)).sum(-1); // [N]
    const w = valid.toFloat();
    return picked.mul(w).sum().neg().div(w.sum().maximum(1)) as tf.Scalar;
  });
}

/**
 * Classification cross-entropy; with class weights, sum(w_y * ce) / sum(w_y) as
 * torch.nn.functional.cross_entropy(weight=...) computes it. logits [B, C], labels [B].
 */
export function classificationLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, classWeights?: number[] | null): tf.Scalar {
  return tf.tidy(() => {
    const [B, C] = logits.shape;
    const picked = tf.logSoftmax(logits, -1).mul(tf.oneHot(labels.toInt(), C)).sum(-1); // [B]
    if (!classWeights) return picked.mean().neg() as tf.Scalar;
    const w = tf.gather(tf.tensor1d(classWeights), labels.toInt());
    return picked.mul(w).sum().neg().div(w.sum()) as tf.Scalar;
  });
}

/** Inverse-frequency class weights normalised to mean 1 over present classes (absent classes get 0). */
export function inverseFrequencyWeights(labelIds: number[], numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const y of labelIds) counts[y]++;
  const present = counts.filter((c) => c > 0).length;
  return counts.map((c) => (c > 0 ? labelIds.length / (present * c) : 0));
}
