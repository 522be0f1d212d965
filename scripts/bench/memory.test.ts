/**
 * The memory estimate against what the engine really holds: two training steps of the
 * check cases (shapes the coefficients were not fitted on) on cpu and wasm here, webgpu
 * and webgl in memory.spec.ts; GPT-2, LLaMA and BERT shapes, without and with gradient
 * checkpointing, two with big vocabularies at tiny batches. The kept part (weights, head,
 * adapters, AdamW state) is counted exactly; the whole within 15%.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initBackend, type BackendName } from '../../src/core/backend';
import { FIXTURE_TOKENIZER_DIR } from '../../src/testutil/tinyModel';
import { BERT_CHECK_CASES, CHECK_CASES, CHECKPOINT_CHECK_CASES, describeMeasurement, LLAMA_CHECK_CASES, measureCase } from './memory';

const TOLERANCE = 0.15;

const tokenizer = {
  'tokenizer.json': new Uint8Array(readFileSync(join(FIXTURE_TOKENIZER_DIR, 'tokenizer.json'))),
  'tokenizer_config.json': new Uint8Array(readFileSync(join(FIXTURE_TOKENIZER_DIR, 'tokenizer_config.json'))),
};

for (const backend of ['cpu', 'wasm'] as BackendName[]) {
  describe(`the memory estimate on ${backend}`, () => {
    it.each([...CHECK_CASES, ...LLAMA_CHECK_CASES, ...BERT_CHECK_CASES, ...CHECKPOINT_CHECK_CASES])('is within 15 percent of what a $name step holds', async (k) => {
      await initBackend(backend);
      const m = await measureCase(k, tokenizer);
      console.log(describeMeasurement(m));
      expect(m.backend).toBe(backend);
      // Weights, head and adapters, and AdamW's two moments.
      expect(m.persistent / (m.estimate.weights + 8 * m.estimate.trainableParams)).toBeCloseTo(1, 2);
      expect(Math.abs(m.estimate.total / (m.persistent + m.transient) - 1)).toBeLessThan(TOLERANCE);
    });
  });
}
