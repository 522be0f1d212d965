/**
 * What keeping a run resumable costs (`npm run bench:checkpoint -- [--backend wasm] [--steps 6]`):
 * for the shipped starter model, full fine-tuning and LoRA, the checkpoint's size, the time
 * to encode it, and the time a run of N steps takes with a checkpoint after every step
 * against the same run without (the difference includes reading the weights and AdamW's
 * moments back from the backend). Prints figures; asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend, type BackendName } from '../../src/core/backend';
import { loadDataset } from '../../src/core/data/load';
import { encodeCheckpoint } from '../../src/core/train/checkpoint';
import { train } from '../../src/core/train/trainer';
import { DEFAULT_HYPERPARAMS, type Method, type TrainRequest } from '../../src/core/types';
import { readFolder } from '../../src/testutil/node';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'wasm' },
      steps: { type: 'string', default: '6' },
      model: { type: 'string', default: join(root, 'public/models/starter-gpt2') },
    },
  });
  const caps = await initBackend(values.backend as BackendName);
  const steps = Number(values.steps);
  const base = readFolder(resolve(values.model!));
  const rows = loadDataset(new Uint8Array(readFileSync(join(root, 'public/samples/spam.csv'))), 'spam.csv', 'classify').examples.slice(0, 64);
  console.log(`backend ${caps.backend} (${caps.threads} thread(s)); ${values.model}; ${steps} steps of batch 4 x 128 tokens`);
  for (const method of ['full', 'lora'] as Method[]) {
    const req: TrainRequest = {
      task: 'classify',
      method,
      base,
      train: rows,
      hyperparams: { ...DEFAULT_HYPERPARAMS, batchSize: 4, maxLength: 128, maxSteps: steps, valSplit: 0, seed: 1 },
    };
    await train({ ...req, hyperparams: { ...req.hyperparams, maxSteps: 1 } }); // warm-up: kernels compiled, weights read
    let t = performance.now();
    await train(req);
    const plainMs = performance.now() - t;
    let bytes = 0;
    const encodeMs: number[] = [];
    t = performance.now();
    await train(req, {
      checkpoints: {
        everyMs: 0,
        save: (c) => {
          const e0 = performance.now();
          bytes = encodeCheckpoint(c).length;
          encodeMs.push(performance.now() - e0);
        },
      },
    });
    const savedMs = performance.now() - t;
    const median = [...encodeMs].sort((a, b) => a - b)[Math.floor(encodeMs.length / 2)];
    console.log(
      `${method}: checkpoint ${(bytes / 1e6).toFixed(2)} MB, encoded in ${median.toFixed(0)} ms (median of ${encodeMs.length}); ` +
        `${steps} steps ${(plainMs / 1000).toFixed(1)} s without checkpoints, ${(savedMs / 1000).toFixed(1)} s with one after every step ` +
        `(${((savedMs - plainMs) / encodeMs.length).toFixed(0)} ms a checkpoint, reading and encoding)`,
    );
  }
}

void main();
