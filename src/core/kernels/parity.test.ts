import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend';
import { runParity } from './parity';

// webgpu and webgl run the same cases in Chromium (scripts/bench/kernels.spec.ts).
describe('fast paths vs the reference formulation', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`match outputs and gradients within 1e-4 relative on ${backend}`, async () => {
      await initBackend(backend);
      expect(tf.getBackend()).toBe(backend);
      const results = await runParity();
      expect(results.length).toBeGreaterThan(10);
      if (backend === 'wasm') expect(results.filter((r) => r.fast).map((r) => r.name)).toEqual(expect.arrayContaining(['linear 64x128x384', 'causal attention B2 T9 H3 hd8']));
      for (const r of results) expect(r.relErr, `${r.name} (${r.worst})`).toBeLessThanOrEqual(1e-4);
    });
  }

  it('leaves no tensors behind', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    await runParity((n) => n.startsWith('linear') || n.startsWith('AdamW'));
    expect(tf.memory().numTensors).toBe(before);
  });
});
