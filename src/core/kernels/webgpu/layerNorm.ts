/**
 * LayerNorm over the last axis, forward and backward, one invocation per row (or per
 * column for the weight/bias gradients): no workgroup reductions, which are slow on
 * SwiftShader. Statistics follow tf.moments: mean, then the mean squared deviation.
 *
 *   y = (x - mean) * rsqrt(var + eps) * w + b
 *   dx = rstd * (g - mean(g) - xhat * mean(g * xhat)),  g = dy * w
 *   dw = sum_rows dy * xhat,  db = sum_rows dy
 * Each gradient is computed on its own (tfjs runs only those a step needs, each in its
 * own scope), so dx recomputes the row statistics rather than sharing a buffer.
 */
import type { tf } from '../../backend';
import { f32, run, type WebGPUBackendLike } from './common';

const rowStats = (D: number) => `
    let base = index * ${D};
    var mean = 0.0;
    for (var c = 0; c < ${D}; c = c + 1) { mean = mean + X[base + c]; }
    mean = mean / ${D}.0;
    var vsum = 0.0;
    for (var c = 0; c < ${D}; c = c + 1) { let t = X[base + c] - mean; vsum = vsum + t * t; }
    let rstd = inverseSqrt(vsum / ${D}.0 + uniforms.eps);`;

/** x [N, D], w [D], b [D] -> y [N, D]. */
export function layerNormForward(backend: WebGPUBackendLike, x: tf.TensorInfo, w: tf.TensorInfo, b: tf.TensorInfo, eps: number): tf.TensorInfo {
  const D = x.shape[x.shape.length - 1];
  const N = x.shape.reduce((p, q) => p * q, 1) / D;
  return run(
    backend,
    {
      key: `ln_fwd_${D}`,
      inputs: ['X', 'W', 'Bias'],
      outputShape: x.shape,
      threads: N,
      uniforms: 'eps : f32,',
      body: `${rowStats(D)}
    for (var c = 0; c < ${D}; c = c + 1) {
      result[base + c] = (X[base + c] - mean) * rstd * W[c] + Bias[c];
    }`,
    },
    [x, w, b],
    [f32(eps)],
  );
}

/** Per-row [mean, rstd] as [N, 2]. */
export function layerNormStats(backend: WebGPUBackendLike, x: tf.TensorInfo, eps: number): tf.TensorInfo {
  const D = x.shape[x.shape.length - 1];
  const N = x.shape.reduce((p, q) => p * q, 1) / D;
  return run(
    backend,
    { key: `ln_stats_${D}`, inputs: ['X'], outputShape: [N, 2], threads: N, uniforms: 'eps : f32,', body: `${rowStats(D)}\n    result[index * 2] = mean;\n    result[index * 2 + 1] = rstd;` },
    [x],
    [f32(eps)],
  );
}

/** dx [N, D] from dy, x and w (row statistics recomputed in place). */
export function layerNormGradX(backend: WebGPUBackendLike, dy: tf.TensorInfo, x: tf.TensorInfo, w: tf.TensorInfo, eps: number): tf.TensorInfo {
  const D = x.shape[x.shape.length - 1];
  const N = x.shape.reduce((p, q) => p * q, 1) / D;
  return run(
    backend,
    {
      key: `ln_dx_${D}`,
      inputs: ['DY', 'X', 'W'],
      outputShape: x.shape,
      threads: N,
      uniforms: 'eps : f32,',
      body: `${rowStats(D)}
    var sg = 0.0;
    var sgx = 0.0;
    for (var c = 0; c < ${D}; c = c + 1) {
      let g = DY[base + c] * W[c];
      sg = sg + g;
      sgx = sgx + g * (X[base + c] - mean) * rstd;
    }
    sg = sg / ${D}.0;
    sgx = sgx / ${D}.0;
    for (var c = 0; c < ${D}; c = c + 1) {
      let g = DY[base + c] * W[c];
      let xhat = (X[base + c] - mean) * rstd;
      result[base + c] = rstd * (g - sg - xhat * sgx);
    }`,
    },
    [dy, x, w],
    [f32(eps)],
  );
}

/** dw [D] = sum over rows of dy * xhat. (db is a plain column sum of dy.) */
export function layerNormGradW(backend: WebGPUBackendLike, dy: tf.TensorInfo, x: tf.TensorInfo, stats: tf.TensorInfo): tf.TensorInfo {
  const D = x.shape[x.shape.length - 1];
  const N = x.shape.reduce((p, q) => p * q, 1) / D;
  return run(
    backend,
    {
      key: `ln_dw_${D}_${N}`,
      inputs: ['DY', 'X', 'Stats'],
      outputShape: [D],
      threads: D,
      body: `
    var dw = 0.0;
    for (var r = 0; r < ${N}; r = r + 1) {
      dw = dw + DY[r * ${D} + index] * (X[r * ${D} + index] - Stats[r * 2]) * Stats[r * 2 + 1];
    }
    result[index] = dw;`,
    },
    [dy, x, stats],
  );
}
