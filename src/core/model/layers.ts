/** Building blocks shared by the architectures. */
import { tf } from '../backend';
import type { KVCache, Params } from './arch';

export function param(p: Params, name: string): tf.Tensor {
  const t = p.get(name);
  if (!t) throw new Error(`model parameter "${name}" is missing`);
  return t;
}

/** [0, stride, 2*stride, ...] as int32: the flat index of each row's first element. */
export function rowOffsets(rows: number, stride: number): tf.Tensor1D {
  return tf.range(0, rows * stride, stride, 'int32') as tf.Tensor1D;
}

/** Index of the last real token of each row [B] (the last position when there is no mask). */
export function lastTokenIndex(mask: tf.Tensor2D | null, B: number, T: number): tf.Tensor1D {
  if (!mask) return tf.fill([B], T - 1, 'int32') as tf.Tensor1D;
  // position * mask, argmax -> the last position whose mask is 1 (0 for an all-pad row).
  return tf.argMax(mask.mul(tf.range(1, T + 1).reshape([1, T])), 1).toInt() as tf.Tensor1D;
}

/**
 * Additive causal attention bias [B|1, 1, T, past+T]: 0 where a query may look, -1e9
 * where it may not (future positions; padded keys when a mask [B, past+T] is given).
 */
export function attentionBias(T: number, past: number, mask: tf.Tensor2D | null): tf.Tensor4D {
  const S = past + T;
  // query i sits at absolute position past + i and sees keys 0..past+i.
  const causal = tf.linalg.bandPart(tf.ones([T, S]), -1, past); // [T, S]
  let allowed: tf.Tensor = causal.reshape([1, 1, T, S]);
  if (mask) {
    const B = mask.shape[0];
    allowed = allowed.mul(mask.reshape([B, 1, 1, S]));
  }
  return allowed.sub(1).mul(1e9) as tf.Tensor4D;
}

/** Bidirectional padding bias [B, 1, 1, T] for encoders. */
export function paddingBias(mask: tf.Tensor2D | null, B: number, T: number): tf.Tensor4D {
  if (!mask) return tf.zeros([1, 1, 1, T]) as tf.Tensor4D;
  return mask.reshape([B, 1, 1, T]).sub(1).mul(1e9) as tf.Tensor4D;
}

/**
 * Keys/values for attention: this call's alone, or appended to a layer's cache. The
 * cache keeps its tensors across tidy scopes; the previous ones are freed.
 */
export function updateCache(cache: KVCache | null | undefined, layer: number, k: tf.Tensor4D, v: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
  if (!cache) return [k, v];
  const prevK = cache.keys[layer];
  const prevV = cache.values[layer];
  const kAll = prevK ? (tf.concat([prevK, k], 2) as tf.Tensor4D) : k;
  const vAll = prevV ? (tf.concat([prevV, v], 2) as tf.Tensor4D) : v;
  cache.keys[layer] = tf.keep(kAll.clone());
  cache.values[layer] = tf.keep(vAll.clone());
  prevK?.dispose();
  prevV?.dispose();
  return [kAll, vAll];
}

export function disposeCache(cache: KVCache): void {
  for (const t of [...cache.keys, ...cache.values]) t?.dispose();
  cache.keys = [];
  cache.values = [];
  cache.length = 0;
}

export function newCache(): KVCache {
  return { keys: [], values: [], length: 0 };
}
