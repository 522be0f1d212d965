/**
 * The hot spots of a transformer step, each as one op with a fast path per backend and
 * the reference tfjs formulation everywhere else. Model, loss and optimizer code call
 * these; which path runs is decided here, from the running backend, and nowhere else.
 *
 * Fast paths (each checked against the reference by a parity test):
 *   webgpu: WGSL kernels (./webgpu) for linear layers and matmuls, LayerNorm, gelu_new,
 *           causal attention, softmax cross-entropy and the AdamW update.
 *   wasm:   linear layers, 2-D matmuls and attention, forward and backward, with every
 *           product on XNNPACK; LayerNorm, gelu_new and softmax cross-entropy as heap
 *           loops without full-size temporaries (./wasm).
 *   webgl:  linear layers as tfjs's fused matmul + bias; AdamW in three GLSL passes
 *           (./webgl, which also replaces the embedding-gradient kernel for small vocabularies).
 */
import { tf } from '../backend';
import { attentionBias } from '../model/layers';
import { wasmAttention } from './wasm/attention';
import { GL } from './webgl/register';
import { K, mm3, runK } from './webgpu/register';

let enabled = true;

/** Turn every fast path off (true: the default) — for parity tests and A/B measurements. */
export function setFastPaths(on: boolean): void {
  enabled = on;
}

export function webgpuFast(): boolean {
  return enabled && tf.getBackend() === 'webgpu' && tf.getKernel(K.linear, 'webgpu') !== undefined;
}

/** Backends whose Studio matmul kernels beat tf.matMul: webgpu (WGSL) and wasm (every product through XNNPACK). */
function fastMatMul(): boolean {
  const b = tf.getBackend();
  return enabled && (b === 'webgpu' || b === 'wasm') && tf.getKernel(K.linear, b) !== undefined;
}

/** x [N, in] W [in, out] + b [out]. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor): tf.Tensor2D {
  if (fastMatMul()) return runK(K.linear, { x, w, b }) as tf.Tensor2D;
  // webgl: tfjs's fused matmul adds the bias in the matmul shader (one pass fewer each way).
  if (enabled && tf.getBackend() === 'webgl') return tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D;
  return tf.matMul(x, w).add(b) as tf.Tensor2D;
}

/** tf.matMul for rank-2 or equal-batch rank-3 operands. */
export function matMul<T extends tf.Tensor>(a: T, b: tf.Tensor, transA = false, transB = false): T {
  const batchedOk = webgpuFast() && a.rank === 3 && a.shape[0] === b.shape[0];
  if (fastMatMul() && a.rank === b.rank && (a.rank === 2 || batchedOk)) {
    if (a.rank === 3) return mm3(a, b, transA, transB) as unknown as T;
    const out = mm3(a.reshape([1, ...a.shape]), b.reshape([1, ...b.shape]), transA, transB);
    return out.reshape(out.shape.slice(1)) as unknown as T;
  }
  return tf.matMul(a, b, transA, transB) as unknown as T;
}

/**
 * y + scale * (x A^T) B^T: a LoRA adapter (A [r, in], B [out, r]) on top of a linear
 * output. The scale goes on B (r x out values) rather than on the N x out product: one
 * full-size temporary (and its gradient) fewer per adapted module.
 */
export function loraAdd(y: tf.Tensor2D, x: tf.Tensor2D, A: tf.Tensor2D, B: tf.Tensor2D, scale: number): tf.Tensor2D {
  return y.add(matMul(matMul(x, A, false, true), B.mul(scale), false, true)) as tf.Tensor2D;
}

/** webgpu (WGSL) and wasm (heap loops) have single-pass LayerNorm and gelu_new kernels. */
function fastRowOps(): boolean {
  const b = tf.getBackend();
  return enabled && (b === 'webgpu' || b === 'wasm') && tf.getKernel(K.layerNorm, b) !== undefined;
}

/** LayerNorm over the last axis (moments as tf.moments computes them). */
export function layerNorm(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  if (fastRowOps()) return runK(K.layerNorm, { x, w, b }, { eps });
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).mul(tf.rsqrt(variance.add(eps))).mul(w).add(b);
}

/** gelu_new: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export function geluNew(x: tf.Tensor): tf.Tensor {
  if (fastRowOps()) return runK(K.gelu, { x });
  const c = Math.sqrt(2 / Math.PI);
  // x * x * x rather than pow(x, 3): two multiplies instead of a pow and its log/exp gradient.
  const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(c);
  return x.mul(0.5).mul(tf.tanh(inner).add(1));
}

/** Whether `causalAttention` has a fast path here for this head size (otherwise use the reference ops). */
export function fusedAttentionAvailable(headDim: number): boolean {
  return (webgpuFast() && headDim % 4 === 0) || (enabled && tf.getBackend() === 'wasm');
}

/**
 * Causal self-attention from the c_attn output. qkv [B, T, 3d] (q, k, v, each split
 * into H heads), mask [B, T] (1 = real token) -> context [B*T, d], heads merged.
 * Dropout `rate` on the probabilities with masks derived from `seed`.
 */
export function causalAttention(qkv: tf.Tensor3D, mask: tf.Tensor2D | null, heads: number, scale: number, rate: number, seed: number): tf.Tensor2D {
  const [B, T, threeD] = qkv.shape;
  if (tf.getBackend() === 'wasm') {
    const keep = rate > 0 ? tf.randomUniform([B, heads, T, T], 0, 1, 'float32', seed).greaterEqual(rate).toFloat().div(1 - rate) : null;
    return wasmAttention(qkv, attentionBias(T, 0, mask), heads, scale, keep);
  }
  const m = mask ?? tf.ones([B, T]);
  const out = runK(K.attention, { qkv, mask: m }, { heads, scale, rate, seed });
  return out.reshape([B * T, threeD / 3]) as tf.Tensor2D;
}

/** Whether `rowCrossEntropy` has a fused kernel here (WGSL on webgpu, a heap loop on wasm). */
export function fusedCrossEntropyAvailable(): boolean {
  return webgpuFast() || (enabled && tf.getBackend() === 'wasm' && tf.getKernel(K.crossEntropy, 'wasm') !== undefined);
}

/** logits [N, V], labels [N] int32 -> [N] of logsumexp - logit[label] (0 where the label is outside [0, V)). */
export function rowCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return runK(K.crossEntropy, { logits, labels }) as tf.Tensor1D;
}

/** Whether the AdamW update has a fused kernel here. */
export function fusedAdamAvailable(): boolean {
  return webgpuFast();
}

/** Whether AdamW has three-pass GLSL programs here (webgl). */
export function webglAdamAvailable(): boolean {
  return enabled && tf.getBackend() === 'webgl' && tf.getKernel(GL.adamM, 'webgl') !== undefined;
}

/** webgl: new m, v and p in three elementwise passes (same formulas as the reference). */
export function adamWebgl(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, b1: number, b2: number, stepSize: number, sqrtBc2: number, eps: number, decay: number): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const m2 = runK(GL.adamM, { m, g }, { b1 });
  const v2 = runK(GL.adamV, { v, g }, { b2 });
  return [m2, v2, runK(GL.adamP, { p, m: m2, v: v2 }, { stepSize, sqrtBc2, eps, decay })];
}

/** mv [2n] interleaved moments, g [n] -> new mv. */
export function adamMoments(mv: tf.Tensor, g: tf.Tensor, b1: number, b2: number): tf.Tensor {
  return runK(K.adamMoments, { mv, g }, { b1, b2 });
}

/** p, mv -> new p = p * decay - m / (sqrt(v) / sqrtBc2 + eps) * stepSize. */
export function adamApply(p: tf.Tensor, mv: tf.Tensor, stepSize: number, sqrtBc2: number, eps: number, decay: number): tf.Tensor {
  return runK(K.adamApply, { p, mv }, { stepSize, sqrtBc2, eps, decay });
}
