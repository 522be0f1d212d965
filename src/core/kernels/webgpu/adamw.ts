/**
 * AdamW as two passes per parameter instead of about a dozen: the moments (kept
 * interleaved, m_i and v_i side by side, in one buffer) and then the parameter.
 * Same float32 arithmetic, in the same order, as src/core/train/adamw.ts:
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   p = p * decay - (m / (sqrt(v) / sqrtBc2 + eps)) * stepSize
 */
import type { tf } from '../../backend';
import { f32, run, type WebGPUBackendLike } from './common';

const size = (t: tf.TensorInfo) => t.shape.reduce((p, q) => p * q, 1);

/** mv [2n] (m0, v0, m1, v1, ...), g [n] -> mv' [2n]. */
export function adamMoments(backend: WebGPUBackendLike, mv: tf.TensorInfo, g: tf.TensorInfo, b1: number, b2: number): tf.TensorInfo {
  return run(
    backend,
    {
      key: 'adam_moments',
      inputs: ['MV', 'G'],
      outputShape: mv.shape,
      threads: size(g),
      uniforms: 'b1 : f32, b2 : f32,',
      body: `
    let gi = G[index];
    result[2 * index] = uniforms.b1 * MV[2 * index] + (1.0 - uniforms.b1) * gi;
    result[2 * index + 1] = uniforms.b2 * MV[2 * index + 1] + (1.0 - uniforms.b2) * (gi * gi);`,
    },
    [mv, g],
    [f32(b1), f32(b2)],
  );
}

/** p [n], mv' [2n] -> p' [n]. */
export function adamApply(backend: WebGPUBackendLike, p: tf.TensorInfo, mv: tf.TensorInfo, stepSize: number, sqrtBc2: number, eps: number, decay: number): tf.TensorInfo {
  return run(
    backend,
    {
      key: 'adam_apply',
      inputs: ['P', 'MV'],
      outputShape: p.shape,
      threads: size(p),
      uniforms: 'stepSize : f32, sqrtBc2 : f32, eps : f32, decay : f32,',
      body: `
    let m = MV[2 * index];
    let v = MV[2 * index + 1];
    let denom = sqrt(v) / uniforms.sqrtBc2 + uniforms.eps;
    result[index] = P[index] * uniforms.decay - (m / denom) * uniforms.stepSize;`,
    },
    [p, mv],
    [f32(stepSize), f32(sqrtBc2), f32(eps), f32(decay)],
  );
}
