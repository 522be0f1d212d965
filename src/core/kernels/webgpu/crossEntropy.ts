/**
 * Softmax cross-entropy over the last axis without materialising softmax, log-softmax
 * or a one-hot matrix: for a [N, V] logits tensor that is several N x V buffers saved,
 * which is most of the peak memory of a large-vocabulary LM step. One invocation per
 * row, with the max-shifted log-sum-exp tfjs's logSoftmax uses.
 *
 *   loss[r] = logsumexp(x[r]) - x[r, t_r]   (0 where t_r is not in [0, V))
 *   dx[r, v] = dloss[r] * (softmax(x[r])[v] - [v == t_r])   (0 for the whole row where t_r is not in [0, V))
 */
import type { tf } from '../../backend';
import { run, type WebGPUBackendLike } from './common';

const LSE = (V: number) => `
    let base = index * ${V};
    var mx = -3.402823e+38;
    for (var c = 0; c < ${V}; c = c + 1) { mx = max(mx, X[base + c]); }
    var se = 0.0;
    for (var c = 0; c < ${V}; c = c + 1) { se = se + exp(X[base + c] - mx); }
    let lse = mx + log(se);
    let t = Labels[index];
    let valid = t >= 0 && t < ${V};`;

/** logits [N, V], labels [N] int32 -> per-row loss [N]. */
export function crossEntropyForward(backend: WebGPUBackendLike, logits: tf.TensorInfo, labels: tf.TensorInfo): tf.TensorInfo {
  const V = logits.shape[logits.shape.length - 1];
  const N = logits.shape.reduce((p, q) => p * q, 1) / V;
  return run(
    backend,
    {
      key: `ce_fwd_${V}`,
      inputs: ['X', 'Labels'],
      outputShape: [N],
      threads: N,
      body: `${LSE(V)}
    result[index] = select(0.0, lse - X[base + min(max(t, 0), ${V - 1})], valid);`,
    },
    [logits, labels],
    [],
    'float32',
    ['Labels'],
  );
}

/** dlogits [N, V] from dloss [N]. */
export function crossEntropyBackward(backend: WebGPUBackendLike, logits: tf.TensorInfo, labels: tf.TensorInfo, dy: tf.TensorInfo): tf.TensorInfo {
  const V = logits.shape[logits.shape.length - 1];
  const N = logits.shape.reduce((p, q) => p * q, 1) / V;
  return run(
    backend,
    {
      key: `ce_bwd_${V}`,
      inputs: ['X', 'Labels', 'DY'],
      outputShape: logits.shape,
      threads: N,
      body: `${LSE(V)}
    let g = select(0.0, DY[index], valid);
    for (var c = 0; c < ${V}; c = c + 1) {
      result[base + c] = g * (exp(X[base + c] - lse) - select(0.0, 1.0, c == t));
    }`,
    },
    [logits, labels, dy],
    [],
    'float32',
    ['Labels'],
  );
}
