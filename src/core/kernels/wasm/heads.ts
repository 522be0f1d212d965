/**
 * Moving attention heads in and out of the wasm heap in place. tfjs-backend-wasm's
 * Slice and Unpack first copy the whole source tensor out of the heap (readSync), so
 * cutting 96 head blocks out of one c_attn output copied it 96 times (~9 ms a block).
 * These kernels read and write heap views directly, one pass each:
 *
 *   StudioSplitHeads  x [B*T, C] -> B*H blocks [T, hd] (or [hd, T], transposed) taken
 *                     from columns offset + h*hd, in (b, h) order
 *   StudioMergeHeads  G groups of B*H blocks [T, w] -> [B*T, G*H*w], heads side by side
 *   StudioUnstack     x [N, ...] -> N tensors
 *   StudioStack       N tensors of one shape -> [N, ...]
 *
 * No gradients: they only run inside the hand-written attention gradient.
 */
import { tf } from '../../backend';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

export const H_KERNELS = { split: 'StudioSplitHeads', merge: 'StudioMergeHeads', unstack: 'StudioUnstack', stack: 'StudioStack' } as const;

const list = (inputs: unknown): tf.TensorInfo[] => (Array.isArray(inputs) ? inputs : Object.values(inputs as object)) as tf.TensorInfo[];

export function registerWasmHeadKernels(): void {
  const reg = (kernelName: string, kernelFunc: tf.KernelFunc) => {
    if (!tf.getKernel(kernelName, 'wasm')) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  };
  reg(H_KERNELS.split, ({ inputs, attrs, backend }) => {
    const be = backend as unknown as WasmBackendLike;
    const x = (inputs as { x: tf.TensorInfo }).x;
    const { T, H, hd, offset, transpose } = attrs as unknown as { T: number; H: number; hd: number; offset: number; transpose: boolean };
    const C = x.shape[1];
    const B = x.shape[0] / T;
    const outs: tf.TensorInfo[] = [];
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        const out = be.makeOutput(transpose ? [hd, T] : [T, hd], 'float32');
        outs.push(out);
      }
    }
    // Views after every allocation: a heap growth would detach earlier ones.
    const src = be.typedArrayFromHeap(x);
    outs.forEach((out, i) => {
      const b = Math.floor(i / H);
      const col = offset + (i % H) * hd;
      const dst = be.typedArrayFromHeap(out);
      for (let t = 0; t < T; t++) {
        const s = (b * T + t) * C + col;
        if (transpose) for (let e = 0; e < hd; e++) dst[e * T + t] = src[s + e];
        else dst.set(src.subarray(s, s + hd), t * hd);
      }
    });
    return outs;
  });
  reg(H_KERNELS.merge, ({ inputs, attrs, backend }) => {
    const be = backend as unknown as WasmBackendLike;
    const blocks = list(inputs);
    const { B, H, groups } = attrs as unknown as { B: number; H: number; groups: number };
    const [T, w] = blocks[0].shape;
    const C = groups * H * w;
    const out = be.makeOutput([B * T, C], 'float32');
    const dst = be.typedArrayFromHeap(out);
    blocks.forEach((blk, i) => {
      const g = Math.floor(i / (B * H));
      const b = Math.floor((i % (B * H)) / H);
      const h = i % H;
      const src = be.typedArrayFromHeap(blk);
      const col = g * H * w + h * w;
      for (let t = 0; t < T; t++) dst.set(src.subarray(t * w, (t + 1) * w), (b * T + t) * C + col);
    });
    return out;
  });
  reg(H_KERNELS.unstack, ({ inputs, backend }) => {
    const be = backend as unknown as WasmBackendLike;
    const x = (inputs as { x: tf.TensorInfo }).x;
    const [N, ...rest] = x.shape;
    const size = rest.reduce((p, q) => p * q, 1);
    const outs = Array.from({ length: N }, () => be.makeOutput(rest, 'float32'));
    const src = be.typedArrayFromHeap(x);
    outs.forEach((o, i) => be.typedArrayFromHeap(o).set(src.subarray(i * size, (i + 1) * size)));
    return outs;
  });
  reg(H_KERNELS.stack, ({ inputs, backend }) => {
    const be = backend as unknown as WasmBackendLike;
    const xs = list(inputs);
    const size = xs[0].shape.reduce((p, q) => p * q, 1);
    const out = be.makeOutput([xs.length, ...xs[0].shape], 'float32');
    const dst = be.typedArrayFromHeap(out);
    xs.forEach((x, i) => dst.set(be.typedArrayFromHeap(x), i * size));
    return out;
  });
}

const run = (name: string, inputs: tf.Tensor[] | Record<string, tf.Tensor>, attrs: Record<string, unknown> = {}) =>
  tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap);

/** B*H blocks [T, hd] (or [hd, T]) of columns offset + h*hd of x [B*T, C]. */
export function splitHeads(x: tf.Tensor2D, T: number, H: number, hd: number, offset: number, transpose = false): tf.Tensor2D[] {
  return run(H_KERNELS.split, { x }, { T, H, hd, offset, transpose }) as tf.Tensor2D[];
}

/** Groups of B*H blocks [T, w] -> [B*T, groups*H*w]. */
export function mergeHeads(blocks: tf.Tensor[], B: number, H: number, groups = 1): tf.Tensor2D {
  return run(H_KERNELS.merge, blocks, { B, H, groups }) as tf.Tensor2D;
}

export function unstack0(x: tf.Tensor): tf.Tensor[] {
  return run(H_KERNELS.unstack, { x }) as tf.Tensor[];
}

export function stack0(xs: tf.Tensor[]): tf.Tensor {
  return run(H_KERNELS.stack, xs) as tf.Tensor;
}
