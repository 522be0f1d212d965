/**
 * AddN that respects the storage-buffer limit. tfjs-backend-webgpu 4.22 binds every
 * input of AddN in one shader; with more than 7 inputs (e.g. the squared norms of every
 * gradient in a global-norm clip) SwiftShader and any device at WebGPU's default limit of
 * 8 storage buffers reject the pipeline, the command buffer is dropped, and training
 * silently stops updating. Here larger sums are added in chunks with the stock kernel.
 */
import { tf } from '../../backend';
import { maxInputs, type WebGPUBackendLike } from './common';

export function registerChunkedAddN(): void {
  const stock = tf.getKernel('AddN', 'webgpu');
  if (!stock || (stock as { studioChunked?: boolean }).studioChunked) return;
  tf.unregisterKernel('AddN', 'webgpu');
  const kernelFunc: tf.KernelFunc = (args) => {
    const backend = args.backend as unknown as WebGPUBackendLike;
    let inputs = args.inputs as unknown as tf.TensorInfo[];
    const limit = maxInputs(backend);
    const owned: tf.TensorInfo[] = [];
    while (inputs.length > limit) {
      const next: tf.TensorInfo[] = [];
      for (let i = 0; i < inputs.length; i += limit) {
        const chunk = inputs.slice(i, i + limit);
        if (chunk.length === 1) next.push(chunk[0]);
        else {
          const partial = stock.kernelFunc({ ...args, inputs: chunk as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
          owned.push(partial);
          next.push(partial);
        }
      }
      inputs = next;
    }
    const out = stock.kernelFunc({ ...args, inputs: inputs as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
    for (const t of owned) backend.disposeData(t.dataId);
    return out;
  };
  tf.registerKernel({ ...stock, kernelFunc, studioChunked: true } as tf.KernelConfig);
}
