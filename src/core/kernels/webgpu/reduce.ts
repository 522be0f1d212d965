/**
 * Sum over a contiguous run of axes without workgroup barriers. tfjs's ReduceProgram
 * synchronises a workgroup per step of its tree, which SwiftShader runs as coroutine
 * switches, and reduces a non-innermost axis by transposing first: the batch sum of a
 * broadcast add's gradient ([8, 128, 128] over axis 0) took 1.3 s there.
 * Innermost axes: each invocation adds a contiguous run of up to 1024 values (then a
 * second pass adds the partial sums). Outer/middle axes: one invocation per output
 * element walks the reduced axis with a stride. Other sums (int32, non-contiguous
 * axes) go to the stock kernel.
 */
import { tf } from '../../backend';
import { run, type WebGPUBackendLike } from './common';

const CHUNK = 1024;

function sumRows(backend: WebGPUBackendLike, x: tf.TensorInfo, rows: number, inSize: number): tf.TensorInfo {
  if (inSize <= 4 * CHUNK || rows >= 256) {
    return run(
      backend,
      {
        key: `sum_rows_${inSize}`,
        inputs: ['X'],
        outputShape: [rows],
        threads: rows,
        body: `
    let base = index * ${inSize};
    var s = 0.0;
    for (var i = 0; i < ${inSize}; i = i + 1) { s = s + X[base + i]; }
    result[index] = s;`,
      },
      [x],
    );
  }
  const chunks = Math.ceil(inSize / CHUNK);
  const partial = run(
    backend,
    {
      key: `sum_chunks_${inSize}`,
      inputs: ['X'],
      outputShape: [rows, chunks],
      threads: rows * chunks,
      body: `
    let row = index / ${chunks};
    let start = (index % ${chunks}) * ${CHUNK};
    let end = min(start + ${CHUNK}, ${inSize});
    var s = 0.0;
    for (var i = start; i < end; i = i + 1) { s = s + X[row * ${inSize} + i]; }
    result[index] = s;`,
    },
    [x],
  );
  const out = sumRows(backend, partial, rows, chunks);
  backend.disposeData(partial.dataId);
  return out;
}

/** x viewed as [outer, red, inner], summed over the middle axis -> [outer, inner]. */
function sumMiddle(backend: WebGPUBackendLike, x: tf.TensorInfo, outer: number, red: number, inner: number): tf.TensorInfo {
  return run(
    backend,
    {
      key: `sum_mid_${red}_${inner}`,
      inputs: ['X'],
      outputShape: [outer, inner],
      threads: outer * inner,
      body: `
    let o = index / ${inner};
    let c = index % ${inner};
    let base = o * ${red * inner} + c;
    var s = 0.0;
    for (var r = 0; r < ${red}; r = r + 1) { s = s + X[base + r * ${inner}]; }
    result[index] = s;`,
    },
    [x],
  );
}

export function registerFastSum(): void {
  const stock = tf.getKernel('Sum', 'webgpu');
  if (!stock || (stock as { studioSum?: boolean }).studioSum) return;
  tf.unregisterKernel('Sum', 'webgpu');
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const axes = [...tf.util.parseAxisParam(axis, x.shape)].sort((a, b) => a - b);
    const size = tf.util.sizeFromShape(x.shape);
    const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1] + 1);
    if (x.dtype !== 'float32' || size === 0 || axes.length === 0 || !contiguous) return stock.kernelFunc(args);
    const prod = (dims: number[]) => dims.reduce((p, q) => p * q, 1);
    const outer = prod(x.shape.slice(0, axes[0]));
    const red = prod(x.shape.slice(axes[0], axes[axes.length - 1] + 1));
    const inner = prod(x.shape.slice(axes[axes.length - 1] + 1));
    const backend = args.backend as unknown as WebGPUBackendLike;
    const out = inner === 1 ? sumRows(backend, x, outer, red) : sumMiddle(backend, x, outer, red, inner);
    const outShape = x.shape.filter((_, i) => !axes.includes(i));
    return { ...out, shape: keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape };
  };
  tf.registerKernel({ ...stock, kernelFunc, studioSum: true } as tf.KernelConfig);
}
