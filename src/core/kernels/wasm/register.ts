/**
 * The wasm side of the Studio* matmul kernels (their gradients are registered once, in
 * ../webgpu/register.ts, and are backend-agnostic). tfjs-backend-wasm sends a matmul to
 * XNNPACK (SIMD, packed weights) only when neither operand is transposed and the batch
 * is 1; every other case runs a scalar triple loop, 5-15x slower. The backward pass of
 * y = x W is exactly those cases (dy W^T, x^T dy), so here the transposed operand is
 * first materialised with a Transpose (a copy, O(size)) and the product goes to XNNPACK.
 */
import { tf } from '../../backend';
import { K } from '../webgpu/register';

interface WasmBackend {
  disposeData(dataId: tf.DataId): boolean;
}

interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(t: Info): Float32Array;
}

type Info = tf.TensorInfo;

function kernelOf(name: string): tf.KernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} is missing`);
  return k.kernelFunc;
}

const as3 = (t: Info, shape: number[]): Info => ({ ...t, shape });

/** 2-D a [r, c] -> a^T [c, r] (a new buffer). */
function transpose2(backend: WasmBackend, t: Info): Info {
  return kernelOf('Transpose')({ inputs: { x: t }, attrs: { perm: [1, 0] }, backend: backend as unknown as tf.KernelBackend }) as Info;
}

/** A transposed operand larger than this (elements) is transposed and multiplied in column blocks. */
const CHUNK_ELEMENTS = 4 << 20;

/**
 * a [M, K] b^T for a large b [N, K] (an LM head against a 50k-token embedding): in
 * blocks of rows of b, so the transposed copy and XNNPACK's packed weights exist for
 * one block at a time instead of twice the whole matrix.
 */
function matMulNTChunked(backend: WasmBackend & WasmHeap, a: Info, b: Info): Info {
  const [M] = a.shape.slice(-2);
  const [N, Kd] = b.shape.slice(-2);
  const rows = Math.max(1, Math.floor(CHUNK_ELEMENTS / Kd));
  const out = backend.makeOutput([M, N], 'float32');
  for (let n0 = 0; n0 < N; n0 += rows) {
    const n = Math.min(rows, N - n0);
    // Contiguous rows, copied from a heap view (the stock Slice first copies all of b).
    const block = backend.makeOutput([n, Kd], 'float32');
    backend.typedArrayFromHeap(block).set(backend.typedArrayFromHeap(b).subarray(n0 * Kd, (n0 + n) * Kd));
    const part = matMul2(backend, a, block, false, true, null);
    backend.disposeData(block.dataId);
    const src = backend.typedArrayFromHeap(part);
    const dst = backend.typedArrayFromHeap(out);
    for (let m = 0; m < M; m++) dst.set(src.subarray(m * n, (m + 1) * n), m * N + n0);
    backend.disposeData(part.dataId);
  }
  return out;
}

/** op(a) op(b) (+ bias) for 2-D operands (given as [1, r, c]) through XNNPACK. */
function matMul2(backend: WasmBackend, a: Info, b: Info, transA: boolean, transB: boolean, bias: Info | null): Info {
  const owned: Info[] = [];
  const a2 = as3(a, a.shape.slice(-2));
  const b2 = as3(b, b.shape.slice(-2));
  let aa = a2;
  let bb = b2;
  if (transA) owned.push((aa = transpose2(backend, a2)));
  if (transB) owned.push((bb = transpose2(backend, b2)));
  const out = kernelOf('_FusedMatMul')({
    inputs: { a: as3(aa, [1, ...aa.shape]), b: as3(bb, [1, ...bb.shape]), ...(bias ? { bias } : {}) } as unknown as tf.NamedTensorInfoMap,
    attrs: { transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0 },
    backend: backend as unknown as tf.KernelBackend,
  }) as Info;
  for (const t of owned) backend.disposeData(t.dataId);
  return out;
}

let registered = false;

export function registerWasmKernels(): void {
  if (registered || !tf.getKernel('_FusedMatMul', 'wasm')) return;
  registered = true;
  const reg = (kernelName: string, kernelFunc: tf.KernelFunc) => {
    if (!tf.getKernel(kernelName, 'wasm')) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  };
  reg(K.matMul, ({ inputs, attrs, backend }) => {
    const { a, b } = inputs as { a: Info; b: Info };
    const { transA, transB } = attrs as unknown as { transA: boolean; transB: boolean };
    if (a.shape[0] !== 1 || b.shape[0] !== 1) {
      // Batched products stay on the stock kernel (XNNPACK is not used for them either way).
      return kernelOf('BatchMatMul')({ inputs: { a, b }, attrs: { transposeA: transA, transposeB: transB }, backend });
    }
    const be = backend as unknown as WasmBackend & WasmHeap;
    const out = !transA && transB && b.shape[1] * b.shape[2] > CHUNK_ELEMENTS ? matMulNTChunked(be, a, b) : matMul2(be, a, b, transA, transB, null);
    return { ...out, shape: [1, ...out.shape.slice(-2)] };
  });
  reg(K.linear, ({ inputs, backend }) => {
    const { x, w, b } = inputs as { x: Info; w: Info; b: Info };
    const out = matMul2(backend as unknown as WasmBackend, x, w, false, false, b);
    return { ...out, shape: [x.shape[0], w.shape[1]] };
  });
  // Sum over rows (bias gradients): the stock Sum transposes first; one pass over heap views instead.
  reg(K.colSum, ({ inputs, backend }) => {
    const be = backend as unknown as WasmHeap;
    const x = (inputs as { x: Info }).x;
    const D = x.shape[x.shape.length - 1];
    const N = x.shape.reduce((p, q) => p * q, 1) / D;
    const out = be.makeOutput([D], 'float32');
    const src = be.typedArrayFromHeap(x);
    const dst = be.typedArrayFromHeap(out);
    dst.fill(0);
    for (let r = 0; r < N; r++) {
      const o = r * D;
      for (let c = 0; c < D; c++) dst[c] += src[o + c];
    }
    return out;
  });
}
