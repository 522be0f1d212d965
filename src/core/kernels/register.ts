/**
 * Every kernel we add to or replace in tfjs, registered once by backend.ts before a
 * backend starts. Registration is per backend name, so each fast path only ever runs
 * where it was written for; the ops in ./ops.ts pick it or the reference formulation.
 */
import { registerSegmentSumKernels } from './segmentSum';
import { registerWebGLKernels } from './webgl/register';
import { registerWasmCrossEntropy } from './wasm/crossEntropy';
import { registerWasmElementwise } from './wasm/elementwise';
import { registerWasmHeadKernels } from './wasm/heads';
import { registerWasmKernels } from './wasm/register';
import { registerChunkedAddN } from './webgpu/addN';
import { registerFastSum } from './webgpu/reduce';
import { registerStudioGradients, registerWebGPUKernels } from './webgpu/register';

let done = false;

export function registerStudioKernels(): void {
  if (done) return;
  done = true;
  registerSegmentSumKernels();
  registerChunkedAddN();
  registerFastSum();
  registerStudioGradients();
  registerWebGPUKernels();
  registerWasmKernels();
  registerWasmHeadKernels();
  registerWasmCrossEntropy();
  registerWasmElementwise();
  registerWebGLKernels();
}
