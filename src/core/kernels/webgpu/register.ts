/**
 * Registers the WGSL kernels with tfjs under Studio* names, for the webgpu backend only,
 * with their gradients. Gradients are registered per kernel (not tf.customGrad) so
 * tfjs only computes the ones a step needs: a frozen weight's gradient is never run.
 */
import { tf } from '../../backend';
import { adamApply, adamMoments } from './adamw';
import { attentionBackward, attentionForward, attentionStats, type AttentionAttrs } from './attention';
import type { WebGPUBackendLike } from './common';
import { crossEntropyBackward, crossEntropyForward } from './crossEntropy';
import { columnSum, geluBackward, geluForward } from './elementwise';
import { layerNormForward, layerNormGradW, layerNormGradX, layerNormStats } from './layerNorm';
import { runMatMul } from './matmul';

export const K = {
  matMul: 'StudioMatMul',
  linear: 'StudioLinear',
  colSum: 'StudioColSum',
  layerNorm: 'StudioLayerNorm',
  layerNormStats: 'StudioLayerNormStats',
  layerNormGradX: 'StudioLayerNormGradX',
  layerNormGradW: 'StudioLayerNormGradW',
  gelu: 'StudioGelu',
  geluGrad: 'StudioGeluGrad',
  attention: 'StudioAttention',
  attentionStats: 'StudioAttentionStats',
  attentionGrad: 'StudioAttentionGrad',
  crossEntropy: 'StudioCrossEntropy',
  crossEntropyGrad: 'StudioCrossEntropyGrad',
  adamMoments: 'StudioAdamMoments',
  adamApply: 'StudioAdamApply',
} as const;

type Infos = Record<string, tf.TensorInfo>;
type Attrs = Record<string, unknown>;

function kernel(name: string, f: (backend: WebGPUBackendLike, inputs: Infos, attrs: Attrs) => tf.TensorInfo): void {
  if (tf.getKernel(name, 'webgpu')) return;
  tf.registerKernel({
    kernelName: name,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => f(backend as unknown as WebGPUBackendLike, inputs as unknown as Infos, (attrs ?? {}) as Attrs),
  });
}

/** engine.runKernel, typed for one output. */
export function runK(name: string, inputs: Record<string, tf.Tensor>, attrs: Attrs = {}): tf.Tensor {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
}

/** op(a) op(b) for rank-3 a, b of equal batch, through our kernel. */
export function mm3(a: tf.Tensor, b: tf.Tensor, transA: boolean, transB: boolean): tf.Tensor3D {
  return runK(K.matMul, { a, b }, { transA, transB }) as tf.Tensor3D;
}

const attentionAttrs = (a: Attrs): AttentionAttrs => ({ scale: a.scale as number, rate: a.rate as number, seed: a.seed as number });

let registered = false;

export function registerWebGPUKernels(): void {
  if (registered || !tf.getKernel('Add', 'webgpu')) return;
  registered = true;

  kernel(K.matMul, (be, { a, b }, at) => runMatMul(be, a, b, at.transA as boolean, at.transB as boolean, null));

  kernel(K.linear, (be, { x, w, b }) => {
    const x3 = { ...x, shape: [1, ...x.shape] };
    const w3 = { ...w, shape: [1, ...w.shape] };
    const out = runMatMul(be, x3, w3, false, false, b);
    return { ...out, shape: [x.shape[0], w.shape[1]] };
  });

  kernel(K.colSum, (be, { x }) => columnSum(be, x));

  kernel(K.layerNorm, (be, { x, w, b }, at) => layerNormForward(be, x, w, b, at.eps as number));
  kernel(K.layerNormStats, (be, { x }, at) => layerNormStats(be, x, at.eps as number));
  kernel(K.layerNormGradX, (be, { dy, x, w }, at) => layerNormGradX(be, dy, x, w, at.eps as number));
  kernel(K.layerNormGradW, (be, { dy, x, stats }) => layerNormGradW(be, dy, x, stats));

  kernel(K.gelu, (be, { x }) => geluForward(be, x));
  kernel(K.geluGrad, (be, { dy, x }) => geluBackward(be, dy, x));

  kernel(K.attention, (be, { qkv, mask }, at) => attentionForward(be, qkv, mask, at.heads as number, attentionAttrs(at)));
  kernel(K.attentionStats, (be, { qkv, mask, out, dOut }, at) => attentionStats(be, qkv, mask, out, dOut, at.heads as number, attentionAttrs(at)));
  kernel(K.attentionGrad, (be, { qkv, mask, dOut, stats }, at) => attentionBackward(be, qkv, mask, dOut, stats, at.heads as number, attentionAttrs(at)));

  kernel(K.crossEntropy, (be, { logits, labels }) => crossEntropyForward(be, logits, labels));
  kernel(K.crossEntropyGrad, (be, { logits, labels, dy }) => crossEntropyBackward(be, logits, labels, dy));

  kernel(K.adamMoments, (be, { mv, g }, at) => adamMoments(be, mv, g, at.b1 as number, at.b2 as number));
  kernel(K.adamApply, (be, { p, mv }, at) => adamApply(be, p, mv, at.stepSize as number, at.sqrtBc2 as number, at.eps as number, at.decay as number));
}

let gradientsRegistered = false;

/** Gradients of the Studio* kernels: backend-agnostic (they call Studio* kernels, which each backend provides). */
export function registerStudioGradients(): void {
  if (gradientsRegistered) return;
  gradientsRegistered = true;
  tf.registerGradient({
    kernelName: K.matMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      const { transA, transB } = attrs as unknown as { transA: boolean; transB: boolean };
      const g = dy as tf.Tensor;
      // C = op(A) op(B): dA and dB in the stored layouts of A and B.
      return {
        a: () => (transA ? mm3(b, g, transB, true) : mm3(g, b, false, !transB)),
        b: () => (transB ? mm3(g, a, true, transA) : mm3(a, g, !transA, false)),
      };
    },
  });
  tf.registerGradient({
    kernelName: K.linear,
    inputsToSave: ['x', 'w'],
    gradFunc: (dy, saved) => {
      const [x, w] = saved;
      const g = dy as tf.Tensor2D;
      return {
        x: () => mm3(g.reshape([1, ...g.shape]), w.reshape([1, ...w.shape]), false, true).reshape(x.shape),
        w: () => mm3(x.reshape([1, ...x.shape]), g.reshape([1, ...g.shape]), true, false).reshape(w.shape),
        b: () => runK(K.colSum, { x: g }),
      };
    },
  });
  tf.registerGradient({
    kernelName: K.layerNorm,
    inputsToSave: ['x', 'w'],
    gradFunc: (dy, saved, attrs) => {
      const [x, w] = saved;
      const g = dy as tf.Tensor;
      const eps = (attrs as { eps: number }).eps;
      // Each thunk runs in its own tidy scope, so nothing is shared between them.
      return {
        x: () => runK(K.layerNormGradX, { dy: g, x, w }, { eps }),
        w: () => runK(K.layerNormGradW, { dy: g, x, stats: runK(K.layerNormStats, { x }, { eps }) }),
        b: () => runK(K.colSum, { x: g.reshape([-1, w.shape[0]]) }),
      };
    },
  });
  tf.registerGradient({
    kernelName: K.gelu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => runK(K.geluGrad, { dy: dy as tf.Tensor, x: saved[0] }) }),
  });
  tf.registerGradient({
    kernelName: K.attention,
    inputsToSave: ['qkv', 'mask'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [qkv, mask, out] = saved;
      const g = dy as tf.Tensor;
      const at = attrs as Attrs;
      return {
        qkv: () => {
          const stats = runK(K.attentionStats, { qkv, mask, out, dOut: g }, at);
          return runK(K.attentionGrad, { qkv, mask, dOut: g, stats }, at);
        },
        mask: () => tf.zerosLike(mask),
      };
    },
  });
  tf.registerGradient({
    kernelName: K.crossEntropy,
    inputsToSave: ['logits', 'labels'],
    gradFunc: (dy, saved) => {
      const [logits, labels] = saved;
      return {
        logits: () => runK(K.crossEntropyGrad, { logits, labels, dy: dy as tf.Tensor }),
        labels: () => tf.zerosLike(labels),
      };
    },
  });
}
