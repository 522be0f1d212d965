/**
 * What our WGSL kernels need from tfjs-backend-webgpu: its program contract
 * (`WebGPUProgram`, compiled and cached by `runWebGPUProgram`) and a small builder for
 * the one shape of program we write: N invocations over a flat dispatch, each reading
 * its inputs and writing the single output by raw index.
 *
 * In the body, `index` is the invocation id (already checked against `uniforms.nThreads`),
 * every input is an array named after it, the output is `result`. Constants baked into
 * the code must be part of `key`: pipelines are cached by key, not by source.
 */
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { tf } from '../../backend';

export type Uniform = { type: 'int32' | 'float32' | 'uint32'; data: number[] };

export interface WebGPUBackendLike {
  device: GPUDevice;
  /** dtype is that of the GPU buffer, which can differ from the tensor's (a bool cast to float shares its i32 buffer). */
  tensorMap: { get(dataId: tf.DataId): { dtype: tf.DataType } };
  runWebGPUProgram(program: WebGPUProgram, inputs: tf.TensorInfo[], outputDtype: tf.DataType, uniforms?: Uniform[], output?: tf.TensorInfo): tf.TensorInfo;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

export interface ProgramSpec {
  /** Stable pipeline-cache key: every constant baked into `body` must appear here. */
  key: string;
  inputs: string[];
  outputShape: number[];
  /** Invocations to launch. */
  threads: number;
  /** Extra uniforms as WGSL struct fields, e.g. "eps : f32, rows : i32,"; values passed at run time in the same order. */
  uniforms?: string;
  /** Helper functions placed before main. */
  prelude?: string;
  body: string;
  workgroupSize?: number;
  /** Elements per array entry of each input (4: array<vec4<f32>>); default 1. */
  components?: number[];
  /** Elements per entry of `result`; default 1. */
  outputComponent?: number;
}

export function program(spec: ProgramSpec): WebGPUProgram {
  const wg = spec.workgroupSize ?? 64;
  return {
    variableNames: spec.inputs,
    outputShape: spec.outputShape,
    shaderKey: `studio_${spec.key}`,
    dispatchLayout: { x: spec.outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(spec.threads / wg), 1, 1],
    workgroupSize: [wg, 1, 1],
    uniforms: `nThreads : i32, ${spec.uniforms ?? ''}`,
    variableComponents: spec.components ?? spec.inputs.map(() => 1),
    outputComponent: spec.outputComponent ?? 1,
    getUserCode: () => `
      ${spec.prelude ?? ''}
      fn main(index : i32) {
        if (index >= uniforms.nThreads) { return; }
        ${spec.body}
      }
    `,
  };
}

/**
 * Run a program built with `program()`: `threads` goes first among the uniforms.
 * Inputs are float32 buffers except those named in `intInputs`; a float tensor backed
 * by an i32 buffer is converted first, since the code indexes it as f32.
 */
export function run(backend: WebGPUBackendLike, spec: ProgramSpec, inputs: tf.TensorInfo[], uniforms: Uniform[] = [], dtype: tf.DataType = 'float32', intInputs: string[] = []): tf.TensorInfo {
  const converted: tf.TensorInfo[] = [];
  const ins = inputs.map((t, i) => {
    if (intInputs.includes(spec.inputs[i]) || backend.tensorMap.get(t.dataId).dtype === 'float32') return t;
    const n = t.shape.reduce((p, q) => p * q, 1);
    const f = backend.runWebGPUProgram(program({ key: 'to_f32', inputs: ['X'], outputShape: t.shape, threads: n, body: 'result[index] = f32(X[index]);' }), [t], 'float32', [{ type: 'int32', data: [n] }]);
    converted.push(f);
    return f;
  });
  const out = backend.runWebGPUProgram(program(spec), ins, dtype, [{ type: 'int32', data: [spec.threads] }, ...uniforms]);
  for (const t of converted) backend.disposeData(t.dataId);
  return out;
}

export const i32 = (x: number): Uniform => ({ type: 'int32', data: [x] });
export const f32 = (x: number): Uniform => ({ type: 'float32', data: [x] });

/** WebGPU's default is 8 storage buffers per stage (tfjs does not raise it); one is the output. */
export function maxInputs(backend: WebGPUBackendLike): number {
  return Math.max(2, (backend.device.limits.maxStorageBuffersPerShaderStage ?? 8) - 1);
}
