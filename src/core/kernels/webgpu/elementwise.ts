/**
 * gelu_new (GPT-2's tanh approximation) forward and backward as single passes, and a
 * column sum (bias gradients) with one invocation per column. tanh is written through
 * exp(-2|x|) so large inputs saturate instead of overflowing, as tfjs's own Tanh does.
 */
import type { tf } from '../../backend';
import { run, type WebGPUBackendLike } from './common';

const C = Math.sqrt(2 / Math.PI);
const TANH = `
  fn tanhSafe(a : f32) -> f32 {
    let e = exp(-2.0 * abs(a));
    return sign(a) * (1.0 - e) / (1.0 + e);
  }`;

const size = (t: tf.TensorInfo) => t.shape.reduce((p, q) => p * q, 1);

export function geluForward(backend: WebGPUBackendLike, x: tf.TensorInfo): tf.TensorInfo {
  return run(
    backend,
    {
      key: 'gelu_fwd',
      inputs: ['X'],
      outputShape: x.shape,
      threads: size(x),
      prelude: TANH,
      body: `
    let v = X[index];
    result[index] = 0.5 * v * (1.0 + tanhSafe(${C} * (v + 0.044715 * v * v * v)));`,
    },
    [x],
  );
}

export function geluBackward(backend: WebGPUBackendLike, dy: tf.TensorInfo, x: tf.TensorInfo): tf.TensorInfo {
  return run(
    backend,
    {
      key: 'gelu_bwd',
      inputs: ['DY', 'X'],
      outputShape: x.shape,
      threads: size(x),
      prelude: TANH,
      body: `
    let v = X[index];
    let t = tanhSafe(${C} * (v + 0.044715 * v * v * v));
    let dt = ${C} * (1.0 + 3.0 * 0.044715 * v * v);
    result[index] = DY[index] * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * dt);`,
    },
    [dy, x],
  );
}

/** x [N, D] -> [D], summing rows. */
export function columnSum(backend: WebGPUBackendLike, x: tf.TensorInfo): tf.TensorInfo {
  const D = x.shape[x.shape.length - 1];
  const N = size(x) / D;
  return run(
    backend,
    {
      key: `colsum_${D}_${N}`,
      inputs: ['X'],
      outputShape: [D],
      threads: D,
      body: `
    var s = 0.0;
    for (var r = 0; r < ${N}; r = r + 1) { s = s + X[r * ${D} + index]; }
    result[index] = s;`,
    },
    [x],
  );
}
