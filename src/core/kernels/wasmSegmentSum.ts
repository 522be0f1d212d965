/**
 * tfjs-backend-wasm ships no UnsortedSegmentSum kernel, and that kernel is the
 * gradient of tf.gather, i.e. of every embedding lookup. This registers a plain
 * loop over the wasm heap so embeddings train on wasm without a one-hot matmul
 * (which would cost B*T*V memory and flops).
 */
import * as tf from '@tensorflow/tfjs';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

let registered = false;

export function registerWasmSegmentSum(): void {
  if (registered || tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  registered = true;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const wasm = backend as unknown as WasmBackendLike;
      if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum on wasm supports float32, got ${x.dtype}`);
      const inner = x.shape.slice(segmentIds.shape.length).reduce((a, b) => a * b, 1);
      const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
      const out = wasm.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], 'float32');
      const dst = wasm.typedArrayFromHeap(out) as Float32Array;
      const src = wasm.typedArrayFromHeap(x) as Float32Array;
      const ids = wasm.typedArrayFromHeap(segmentIds) as Int32Array;
      dst.fill(0);
      for (let r = 0; r < rows; r++) {
        const s = ids[r];
        if (s < 0 || s >= numSegments) continue; // TF drops out-of-range ids
        const so = r * inner;
        const doff = s * inner;
        for (let k = 0; k < inner; k++) dst[doff + k] += src[so + k];
      }
      return out;
    },
  });
}
