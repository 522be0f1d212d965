/**
 * gelu_new and LayerNorm, forward and backward, as single loops over wasm heap views
 * (same contracts and formulas as the WGSL kernels in ../webgpu). The reference
 * formulations keep half a dozen full-size temporaries per call alive for the backward
 * pass; for GPT-2 small that is gigabytes, past wasm32's 4 GB heap. Here the backward
 * pass needs only the input.
 */
import { tf } from '../../backend';
import { K } from '../webgpu/register';

interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

const C = Math.sqrt(2 / Math.PI);
const size = (t: tf.TensorInfo) => t.shape.reduce((p, q) => p * q, 1);

/** mean and 1/sqrt(var + eps) of x[base .. base + D), two passes as tf.moments. */
function stats(x: Float32Array, base: number, D: number, eps: number): [number, number] {
  let mean = 0;
  for (let c = 0; c < D; c++) mean += x[base + c];
  mean /= D;
  let v = 0;
  for (let c = 0; c < D; c++) {
    const t = x[base + c] - mean;
    v += t * t;
  }
  return [mean, 1 / Math.sqrt(v / D + eps)];
}

export function registerWasmElementwise(): void {
  const reg = (kernelName: string, f: (be: WasmHeap, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, number>) => tf.TensorInfo) => {
    if (!tf.getKernel(kernelName, 'wasm')) {
      tf.registerKernel({
        kernelName,
        backendName: 'wasm',
        kernelFunc: ({ inputs, attrs, backend }) => f(backend as unknown as WasmHeap, inputs as Record<string, tf.TensorInfo>, attrs as Record<string, number>),
      });
    }
  };
  reg(K.gelu, (be, { x }) => {
    const out = be.makeOutput(x.shape, 'float32');
    const a = be.typedArrayFromHeap(x);
    const o = be.typedArrayFromHeap(out);
    // 0.5 v (1 + tanh(u)) = v sigmoid(2u): one Math.exp is about twice as fast as Math.tanh in V8.
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      o[i] = v / (1 + Math.exp(-2 * C * (v + 0.044715 * v * v * v)));
    }
    return out;
  });
  reg(K.geluGrad, (be, { dy, x }) => {
    const out = be.makeOutput(x.shape, 'float32');
    const a = be.typedArrayFromHeap(x);
    const g = be.typedArrayFromHeap(dy);
    const o = be.typedArrayFromHeap(out);
    // With s = sigmoid(2u) = (1 + tanh(u)) / 2: d/dv = s + 2 v s (1 - s) u'.
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      const s = 1 / (1 + Math.exp(-2 * C * (v + 0.044715 * v * v * v)));
      o[i] = g[i] * (s + 2 * v * s * (1 - s) * C * (1 + 3 * 0.044715 * v * v));
    }
    return out;
  });
  reg(K.layerNorm, (be, { x, w, b }, { eps }) => {
    const D = x.shape[x.shape.length - 1];
    const out = be.makeOutput(x.shape, 'float32');
    const [a, wv, bv, o] = [be.typedArrayFromHeap(x), be.typedArrayFromHeap(w), be.typedArrayFromHeap(b), be.typedArrayFromHeap(out)];
    for (let base = 0; base < a.length; base += D) {
      const [mean, rstd] = stats(a, base, D, eps);
      for (let c = 0; c < D; c++) o[base + c] = (a[base + c] - mean) * rstd * wv[c] + bv[c];
    }
    return out;
  });
  reg(K.layerNormStats, (be, { x }, { eps }) => {
    const D = x.shape[x.shape.length - 1];
    const N = size(x) / D;
    const out = be.makeOutput([N, 2], 'float32');
    const [a, o] = [be.typedArrayFromHeap(x), be.typedArrayFromHeap(out)];
    for (let r = 0; r < N; r++) [o[2 * r], o[2 * r + 1]] = stats(a, r * D, D, eps);
    return out;
  });
  reg(K.layerNormGradX, (be, { dy, x, w }, { eps }) => {
    const D = x.shape[x.shape.length - 1];
    const out = be.makeOutput(x.shape, 'float32');
    const [a, g, wv, o] = [be.typedArrayFromHeap(x), be.typedArrayFromHeap(dy), be.typedArrayFromHeap(w), be.typedArrayFromHeap(out)];
    for (let base = 0; base < a.length; base += D) {
      const [mean, rstd] = stats(a, base, D, eps);
      let sg = 0;
      let sgx = 0;
      for (let c = 0; c < D; c++) {
        const gc = g[base + c] * wv[c];
        sg += gc;
        sgx += gc * (a[base + c] - mean) * rstd;
      }
      sg /= D;
      sgx /= D;
      for (let c = 0; c < D; c++) o[base + c] = rstd * (g[base + c] * wv[c] - sg - (a[base + c] - mean) * rstd * sgx);
    }
    return out;
  });
  reg(K.layerNormGradW, (be, { dy, x, stats: st }) => {
    const D = x.shape[x.shape.length - 1];
    const N = size(x) / D;
    const out = be.makeOutput([D], 'float32');
    const [a, g, s, o] = [be.typedArrayFromHeap(x), be.typedArrayFromHeap(dy), be.typedArrayFromHeap(st), be.typedArrayFromHeap(out)];
    o.fill(0);
    for (let r = 0; r < N; r++) {
      const mean = s[2 * r];
      const rstd = s[2 * r + 1];
      for (let c = 0; c < D; c++) o[c] += g[r * D + c] * (a[r * D + c] - mean) * rstd;
    }
    return out;
  });
}
