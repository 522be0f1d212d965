/**
 * WebGL fast paths: GLSL programs run through tfjs-backend-webgl's own program runner.
 *
 * - AdamW as three elementwise passes per parameter (m, v, then p) instead of about a
 *   dozen ops; the step-dependent scalars are uniforms, so each shape compiles once.
 * - UnsortedSegmentSum (the embedding gradient) as a gather per output texel. The stock
 *   webgl kernel loops over segments with whole-tensor ops; this one is
 *   O(segments x width x ids), so it only takes small vocabularies and hands big ones
 *   back to the stock kernel.
 */
import { tf } from '../../backend';

interface WebGLBackendLike {
  runWebGLProgram(
    program: { variableNames: string[]; outputShape: number[]; userCode: string; customUniforms?: { name: string; type: 'float' }[] },
    inputs: tf.TensorInfo[],
    dtype: tf.DataType,
    customUniformValues?: number[][],
  ): tf.TensorInfo;
}

export const GL = { adamM: 'StudioAdamM', adamV: 'StudioAdamV', adamP: 'StudioAdamP' } as const;

const uniforms = (names: string[]) => names.map((name) => ({ name, type: 'float' as const }));

/** Segment sums above this many multiply-adds go to the stock kernel. */
const SEGMENT_SUM_LIMIT = 64e6;

export function registerWebGLKernels(): void {
  if (!tf.getKernel('Add', 'webgl') || tf.getKernel(GL.adamM, 'webgl')) return;
  const reg = (kernelName: string, kernelFunc: tf.KernelFunc) => tf.registerKernel({ kernelName, backendName: 'webgl', kernelFunc });
  const gl = (b: unknown) => b as WebGLBackendLike;
  reg(GL.adamM, ({ inputs, attrs, backend }) => {
    const { m, g } = inputs as { m: tf.TensorInfo; g: tf.TensorInfo };
    const program = { variableNames: ['M', 'G'], outputShape: m.shape, customUniforms: uniforms(['b1']), userCode: 'void main() { setOutput(b1 * getMAtOutCoords() + (1.0 - b1) * getGAtOutCoords()); }' };
    return gl(backend).runWebGLProgram(program, [m, g], 'float32', [[(attrs as { b1: number }).b1]]);
  });
  reg(GL.adamV, ({ inputs, attrs, backend }) => {
    const { v, g } = inputs as { v: tf.TensorInfo; g: tf.TensorInfo };
    const program = { variableNames: ['V', 'G'], outputShape: v.shape, customUniforms: uniforms(['b2']), userCode: 'void main() { float g = getGAtOutCoords(); setOutput(b2 * getVAtOutCoords() + (1.0 - b2) * (g * g)); }' };
    return gl(backend).runWebGLProgram(program, [v, g], 'float32', [[(attrs as { b2: number }).b2]]);
  });
  reg(GL.adamP, ({ inputs, attrs, backend }) => {
    const { p, m, v } = inputs as { p: tf.TensorInfo; m: tf.TensorInfo; v: tf.TensorInfo };
    const a = attrs as { stepSize: number; sqrtBc2: number; eps: number; decay: number };
    const program = {
      variableNames: ['P', 'M', 'V'],
      outputShape: p.shape,
      customUniforms: uniforms(['stepSize', 'sqrtBc2', 'epsilon', 'decay']),
      userCode: `void main() {
        float denom = sqrt(getVAtOutCoords()) / sqrtBc2 + epsilon;
        setOutput(getPAtOutCoords() * decay - (getMAtOutCoords() / denom) * stepSize);
      }`,
    };
    return gl(backend).runWebGLProgram(program, [p, m, v], 'float32', [[a.stepSize], [a.sqrtBc2], [a.eps], [a.decay]]);
  });

  const stock = tf.getKernel('UnsortedSegmentSum', 'webgl');
  if (stock) {
    tf.unregisterKernel('UnsortedSegmentSum', 'webgl');
    tf.registerKernel({
      ...stock,
      kernelFunc: (args) => {
        const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
        const numSegments = (args.attrs as { numSegments: number }).numSegments;
        const n = segmentIds.shape.reduce((p, q) => p * q, 1);
        const inner = x.shape.slice(segmentIds.shape.length).reduce((p, q) => p * q, 1);
        if (x.dtype !== 'float32' || segmentIds.shape.length !== 1 || numSegments * inner * n > SEGMENT_SUM_LIMIT) return stock.kernelFunc(args);
        const x2 = { ...x, shape: [n, inner] };
        const program = {
          variableNames: ['X', 'Ids'],
          outputShape: [numSegments, inner],
          userCode: `void main() {
            ivec2 c = getOutputCoords();
            float s = 0.0;
            for (int r = 0; r < ${n}; r++) {
              if (int(getIds(r)) == c.x) { s += getX(r, c.y); }
            }
            setOutput(s);
          }`,
        };
        const out = gl(args.backend).runWebGLProgram(program, [x2, segmentIds], 'float32');
        return { ...out, shape: [numSegments, ...x.shape.slice(segmentIds.shape.length)] };
      },
    } as tf.KernelConfig);
  }
}
