/**
 * Softmax cross-entropy rows on the wasm heap, same contract as the WGSL kernels
 * (../webgpu/crossEntropy.ts): loss[r] = logsumexp(x[r]) - x[r, t_r], dx = dloss[r] *
 * (softmax(x[r]) - onehot(t_r)), both 0 where t_r is outside [0, V). The reference
 * formulation allocates a sliced copy, log-softmax temporaries and a one-hot matrix,
 * each N x V floats: for GPT-2's 50k vocabulary that is most of a step's peak memory.
 */
import { tf } from '../../backend';
import { K } from '../webgpu/register';

interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array;
}

/** max and log-sum-exp of row r. */
function lse(x: Float32Array, base: number, V: number): number {
  let mx = -Infinity;
  for (let c = 0; c < V; c++) if (x[base + c] > mx) mx = x[base + c];
  let se = 0;
  for (let c = 0; c < V; c++) se += Math.exp(x[base + c] - mx);
  return mx + Math.log(se);
}

export function registerWasmCrossEntropy(): void {
  const reg = (kernelName: string, kernelFunc: tf.KernelFunc) => {
    if (!tf.getKernel(kernelName, 'wasm')) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  };
  reg(K.crossEntropy, ({ inputs, backend }) => {
    const be = backend as unknown as WasmHeap;
    const { logits, labels } = inputs as { logits: tf.TensorInfo; labels: tf.TensorInfo };
    const V = logits.shape[logits.shape.length - 1];
    const N = logits.shape.reduce((p, q) => p * q, 1) / V;
    const out = be.makeOutput([N], 'float32');
    const x = be.typedArrayFromHeap(logits) as Float32Array;
    const t = be.typedArrayFromHeap(labels);
    const o = be.typedArrayFromHeap(out) as Float32Array;
    for (let r = 0; r < N; r++) {
      const target = t[r];
      o[r] = target >= 0 && target < V ? lse(x, r * V, V) - x[r * V + target] : 0;
    }
    return out;
  });
  reg(K.crossEntropyGrad, ({ inputs, backend }) => {
    const be = backend as unknown as WasmHeap;
    const { logits, labels, dy } = inputs as { logits: tf.TensorInfo; labels: tf.TensorInfo; dy: tf.TensorInfo };
    const V = logits.shape[logits.shape.length - 1];
    const N = logits.shape.reduce((p, q) => p * q, 1) / V;
    const out = be.makeOutput(logits.shape, 'float32');
    const x = be.typedArrayFromHeap(logits) as Float32Array;
    const t = be.typedArrayFromHeap(labels);
    const g = be.typedArrayFromHeap(dy) as Float32Array;
    const o = be.typedArrayFromHeap(out) as Float32Array;
    for (let r = 0; r < N; r++) {
      const base = r * V;
      const target = t[r];
      if (!(target >= 0 && target < V)) {
        o.fill(0, base, base + V);
        continue;
      }
      const l = lse(x, base, V);
      const gr = g[r];
      for (let c = 0; c < V; c++) o[base + c] = gr * Math.exp(x[base + c] - l);
      o[base + target] -= gr;
    }
    return out;
  });
}
