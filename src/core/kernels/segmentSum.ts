/**
 * UnsortedSegmentSum is the gradient of tf.gather, i.e. of every embedding lookup.
 * - wasm ships no such kernel, so embeddings could not train there at all;
 * - cpu ships one that loops over segments with whole-tensor ops, O(vocab x tokens),
 *   which makes an embedding backward pass take seconds.
 * Both get the same plain scatter-add loop here, O(tokens x width).
 * - webgpu ships one built on float atomics (compare-and-swap loops), slow on
 *   SwiftShader and order-dependent; here one invocation per segment gathers its rows.
 */
import { tf } from '../backend';
import { run, type WebGPUBackendLike } from './webgpu/common';

function scatterAdd(src: ArrayLike<number>, ids: ArrayLike<number>, dst: Float32Array, inner: number, numSegments: number): void {
  dst.fill(0);
  for (let r = 0; r < ids.length; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue; // TensorFlow drops out-of-range ids
    const so = r * inner;
    const doff = s * inner;
    for (let k = 0; k < inner; k++) dst[doff + k] += src[so + k];
  }
}

interface Args {
  x: tf.TensorInfo;
  segmentIds: tf.TensorInfo;
  numSegments: number;
  outShape: number[];
  inner: number;
}

function args(inputs: tf.NamedTensorInfoMap, attrs: unknown): Args {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum supports float32, got ${x.dtype}`);
  const tail = x.shape.slice(segmentIds.shape.length);
  return { x, segmentIds, numSegments, outShape: [numSegments, ...tail], inner: tail.reduce((a, b) => a * b, 1) };
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array;
}

interface CpuBackendLike {
  readSync(dataId: tf.DataId): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/** One invocation per output row: scan the ids, add the rows that land on it, in order. */
function webgpuSegmentSum(backend: WebGPUBackendLike, a: Args): tf.TensorInfo {
  const n = a.segmentIds.shape.reduce((p, q) => p * q, 1);
  return run(
    backend,
    {
      key: `segsum_${n}_${a.inner}`,
      inputs: ['X', 'Ids'],
      outputShape: a.outShape,
      threads: a.numSegments,
      body: `
    let base = index * ${a.inner};
    for (var c = 0; c < ${a.inner}; c = c + 1) { result[base + c] = 0.0; }
    for (var r = 0; r < ${n}; r = r + 1) {
      if (Ids[r] != index) { continue; }
      for (var c = 0; c < ${a.inner}; c = c + 1) { result[base + c] = result[base + c] + X[r * ${a.inner} + c]; }
    }`,
    },
    [a.x, a.segmentIds],
    [],
    'float32',
    ['Ids'],
  );
}

let registered = false;

export function registerSegmentSumKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    tf.registerKernel({
      kernelName: 'UnsortedSegmentSum',
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const a = args(inputs, attrs);
        const wasm = backend as unknown as WasmBackendLike;
        const out = wasm.makeOutput(a.outShape, 'float32');
        // Views into the wasm heap: no copies in or out.
        scatterAdd(wasm.typedArrayFromHeap(a.x), wasm.typedArrayFromHeap(a.segmentIds), wasm.typedArrayFromHeap(out) as Float32Array, a.inner, a.numSegments);
        return out;
      },
    });
  }
  if (tf.getKernel('UnsortedSegmentSum', 'webgpu')) {
    tf.unregisterKernel('UnsortedSegmentSum', 'webgpu');
    tf.registerKernel({
      kernelName: 'UnsortedSegmentSum',
      backendName: 'webgpu',
      kernelFunc: ({ inputs, attrs, backend }) => webgpuSegmentSum(backend as unknown as WebGPUBackendLike, args(inputs, attrs)),
    });
  }
  if (tf.getKernel('UnsortedSegmentSum', 'cpu')) tf.unregisterKernel('UnsortedSegmentSum', 'cpu');
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'cpu',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const a = args(inputs, attrs);
      const cpu = backend as unknown as CpuBackendLike;
      const dst = new Float32Array(a.outShape.reduce((p, q) => p * q, 1));
      scatterAdd(cpu.readSync(a.x.dataId), cpu.readSync(a.segmentIds.dataId), dst, a.inner, a.numSegments);
      return cpu.makeTensorInfo(a.outShape, 'float32', dst);
    },
  });
}
