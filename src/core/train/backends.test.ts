import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend';
import { parseSafetensors } from '../io/safetensors';
import { hyperparams, promptExamples, sentimentExamples, tinyGpt2Files } from '../../testutil/tinyModel';
import type { Example, TrainResult } from '../types';
import { train } from './trainer';

// webgl and webgpu run in the browser suite (e2e); Node has cpu and wasm.
describe('training on wasm and cpu', () => {
  it('updates every trainable tensor, embeddings included, with the same loss curve on both backends', async () => {
    const results: Record<string, TrainResult> = {};
    let base: Record<string, Uint8Array> | null = null;
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend);
      expect(tf.getBackend()).toBe(backend);
      base ??= await tinyGpt2Files({ embeddingStd: 0.5 });
      const result = await train({ task: 'lm', method: 'full', base, train: promptExamples(12), hyperparams: hyperparams({ epochs: 2, batchSize: 4, learningRate: 1e-2 }) });
      expect(result.stopReason).toBe('completed');
      const losses = result.history.map((e) => e.trainLoss);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
      const before = parseSafetensors(base['model.safetensors']);
      const after = parseSafetensors(result.model['model.safetensors']);
      for (const name of ['transformer.wte.weight', 'transformer.wpe.weight', 'transformer.h.0.attn.c_attn.weight']) {
        expect(after.getFloat32(name), `${backend}: ${name}`).not.toEqual(before.getFloat32(name));
      }
      results[backend] = result;
    }
    results.wasm.history.forEach((e, i) => expect(e.trainLoss).toBeCloseTo(results.cpu.history[i].trainLoss, 3));
  });

  // The wasm attention with six heads (as in a wider starter model) over a
  // longer context: the same losses as the plain tfjs cpu backend.
  it('trains a six-head model on long rows to the same losses on both backends', async () => {
    const words = 'the quick brown fox jumps over a lazy dog while seven wizards quietly hex jumbled boxes and'.split(' ');
    const rows: Example[] = Array.from({ length: 4 }, (_, k) => ({ kind: 'text', text: Array.from({ length: 60 }, (_, i) => words[(i * 7 + k * 3) % words.length]).join(' ') }));
    const curves: Record<string, number[]> = {};
    let base: Record<string, Uint8Array> | null = null;
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend);
      base ??= await tinyGpt2Files({ nEmbd: 96, nHead: 6, nLayer: 1, nPositions: 64 });
      const result = await train({ task: 'lm', method: 'full', base, train: rows, hyperparams: hyperparams({ epochs: 1, batchSize: 2, learningRate: 2e-3, maxLength: 64 }) });
      curves[backend] = result.history.map((e) => e.trainLoss);
    }
    expect(curves.wasm.length).toBeGreaterThan(2);
    curves.wasm.forEach((l, i) => expect(l).toBeCloseTo(curves.cpu[i], 4));
  });

  // Dropout runs through the fused attention on wasm: its mask must outlive the forward
  // pass (a regression once failed every browser run with dropout > 0 on wasm).
  for (const method of ['full', 'lora'] as const) {
    it(`trains with dropout (${method}, classifier) to the same losses on both backends`, async () => {
      const curves: Record<string, number[]> = {};
      let base: Record<string, Uint8Array> | null = null;
      for (const backend of ['wasm', 'cpu'] as const) {
        await initBackend(backend);
        base ??= await tinyGpt2Files({ embeddingStd: 0.5 });
        const before = tf.memory().numTensors;
        const result = await train({
          task: 'classify', method, base, train: sentimentExamples(12),
          hyperparams: hyperparams({ epochs: 2, batchSize: 4, learningRate: 1e-2, dropout: 0.2, seed: 3 }),
        });
        expect(result.stopReason, backend).toBe('completed');
        expect(tf.memory().numTensors, `${backend}: tensors left behind`).toBe(before);
        curves[backend] = result.history.map((e) => e.trainLoss);
        expect(curves[backend].every(Number.isFinite)).toBe(true);
      }
      curves.wasm.forEach((l, i) => expect(l).toBeCloseTo(curves.cpu[i], 5));
    });
  }
});
