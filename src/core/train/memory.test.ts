import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { disposeModel, initModel, setClassifierHead, type LoadedModel } from '../io/hf';
import type { Architecture, BaseConfig } from '../model/arch';
import { gpt2, newGpt2Config } from '../model/gpt2';
import { createLora, disposeLora } from '../model/lora';
import { architectureFor } from '../model/registry';
import { supportedModelTypes } from '../model/specs';
import type { LoraSettings, Method, Task } from '../types';
import { estimateTrainingMemory, fitsIn, MEMORY_COEFFICIENTS, memoryFeatures, UPDATE_TEMPORARIES, type MemoryEstimate } from './memory';

// ---- builders -------------------------------------------------------------------

const V = 100;
const d = 32;
const P = 64;
const L = 3;

function gpt2Config(): BaseConfig {
  return newGpt2Config({ vocabSize: V, nPositions: P, nEmbd: d, nLayer: L, nHead: 4 });
}

/**
 * One small config.json per registered family: each parser reads its own keys
 * (n_embd vs hidden_size, ...) and ignores the others'.
 */
function smallConfig(type: string): { arch: Architecture; config: BaseConfig } {
  const raw = {
    model_type: type,
    vocab_size: 50,
    n_positions: 16,
    n_embd: 16,
    n_layer: 2,
    n_head: 2,
    hidden_size: 16,
    intermediate_size: 24,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    max_position_embeddings: 16,
  };
  const arch = architectureFor(raw);
  return { arch, config: arch.parseConfig(raw) };
}

function realCount(model: LoadedModel): number {
  return [...model.params.values()].reduce((s, v) => s + v.size, 0);
}

function estimate(over: Partial<Parameters<typeof estimateTrainingMemory>[0]> = {}): MemoryEstimate {
  return estimateTrainingMemory({ arch: gpt2 as unknown as Architecture, config: gpt2Config(), method: 'full', batchSize: 4, seqLen: 32, task: 'lm', ...over });
}

const lora = (r: number, targetModules: string[]): LoraSettings => ({ r, alpha: 2 * r, dropout: 0.05, targetModules });

beforeAll(async () => {
  await initBackend('cpu');
});

// ---- tests ----------------------------------------------------------------------

describe('estimateTrainingMemory()', () => {
  it.each(supportedModelTypes())('counts the parameters initModel makes for %s', (type) => {
    const { arch, config } = smallConfig(type);
    const model = initModel(arch, config, 1);
    try {
      if (arch.tasks.includes('lm')) {
        expect(estimateTrainingMemory({ arch, config, method: 'full', batchSize: 1, seqLen: 8, task: 'lm' }).totalParams).toBe(realCount(model));
      }
      setClassifierHead(model, ['a', 'b', 'c'], 1);
      const e = estimateTrainingMemory({ arch, config, method: 'full', batchSize: 1, seqLen: 8, task: 'classify', numLabels: 3 });
      expect(e.totalParams).toBe(realCount(model));
      expect(e.trainableParams).toBe(realCount(model));
    } finally {
      disposeModel(model);
    }
  });

  it('counts GPT-2 parameters as the formula does: V d + P d + L (12 d^2 + 13 d) + 2 d', () => {
    const e = estimate();
    expect(e.totalParams).toBe(V * d + P * d + L * (12 * d * d + 13 * d) + 2 * d);
    expect(e.trainableParams).toBe(e.totalParams);
    expect(e.weights).toBe(4 * e.totalParams);
    // A gradient per trainable parameter, and the clipping's temporaries while it lives.
    expect(e.gradients).toBe(4 * MEMORY_COEFFICIENTS.gpt2.webgpu.trainable * e.trainableParams);
    expect(e.optimizer).toBe(2 * 4 * e.trainableParams);
    expect(e.total).toBe(e.weights + e.gradients + e.optimizer + e.activations);
  });

  it('trains r (in + out) per adapted module with LoRA, plus the head for classification', () => {
    const base = estimate().totalParams;
    const attn = estimate({ method: 'lora', lora: lora(4, ['c_attn']) });
    expect(attn.trainableParams).toBe(L * 4 * (d + 3 * d));
    expect(attn.totalParams).toBe(base + attn.trainableParams);
    expect(attn.gradients).toBe(4 * MEMORY_COEFFICIENTS.gpt2.webgpu.trainable * attn.trainableParams);

    const all = estimate({ method: 'lora', task: 'classify', numLabels: 5, lora: lora(2, gpt2.loraTargets.all) });
    const perBlock = 2 * (d + 3 * d) + 2 * (d + d) + 2 * (d + 4 * d) + 2 * (4 * d + d);
    expect(all.trainableParams).toBe(L * perBlock + 5 * d);
  });

  it.each(supportedModelTypes())('agrees with the adapters createLora makes for %s', (type) => {
    const { arch, config } = smallConfig(type);
    const settings = lora(3, arch.loraTargets.default);
    const state = createLora(arch.linearModules(config), settings, 1);
    try {
      const real = [...state.modules.values()].reduce((s, m) => s + m.A.size + m.B.size, 0);
      const task: Task = arch.tasks.includes('lm') ? 'lm' : 'classify';
      const head = task === 'classify' ? [...arch.headShapes(config, 2).values()].reduce((s, shape) => s + shape.reduce((a, b) => a * b, 1), 0) : 0;
      const e = estimateTrainingMemory({ arch, config, method: 'lora', lora: settings, batchSize: 1, seqLen: 8, task, numLabels: 2 });
      expect(e.trainableParams).toBe(real + head);
    } finally {
      disposeLora(state);
    }
  });

  it('trains only the top blocks, the final norm and (on request) the embeddings when freezing', () => {
    const block = 12 * d * d + 13 * d;
    const top1 = estimate({ method: 'freeze', freeze: { trainableBlocks: 1, trainEmbeddings: false } });
    expect(top1.trainableParams).toBe(block + 2 * d);
    const top2 = estimate({ method: 'freeze', freeze: { trainableBlocks: 2, trainEmbeddings: true } });
    expect(top2.trainableParams).toBe(2 * block + 2 * d + V * d + P * d);
    const cls = estimate({ method: 'freeze', task: 'classify', numLabels: 3, freeze: { trainableBlocks: 0, trainEmbeddings: false } });
    expect(cls.trainableParams).toBe(2 * d + 3 * d);
    expect(cls.totalParams).toBe(estimate().totalParams + 3 * d);
  });

  it('sums each backend\'s coefficients times the run\'s sizes, capped at the model\'s context', () => {
    const B = 2;
    const T = 16;
    const H = 4;
    const k = MEMORY_COEFFICIENTS.gpt2.wasm;
    const e = estimate({ batchSize: B, seqLen: T, dropout: 0.1, backend: 'wasm' });
    const values = (k.block + k.dropout) * L * B * T * d + (k.blockMaps + k.dropoutMaps) * L * B * H * T * T + k.outside * B * T * d + k.logits * B * T * V + k.embeddingLm * V * d;
    expect(e.activations).toBeCloseTo(4 * values, 3);
    expect(estimate({ seqLen: 10 * P }).activations).toBe(estimate({ seqLen: P }).activations);
    // Dropout's masks and copies, and the backend's fused kernels, change what a step keeps.
    expect(estimate({ dropout: 0 }).activations).toBeLessThan(estimate({ dropout: 0.1 }).activations);
    expect(estimate({ backend: 'webgpu' }).activations).toBeLessThan(estimate({ backend: 'webgl' }).activations);
    expect(estimate({ backend: 'auto' })).toEqual(estimate({ backend: 'webgpu' }));
  });

  it('counts the blocks below a frozen stack or the lowest adapter as kept without gradients', () => {
    const f = (over: Partial<Parameters<typeof estimateTrainingMemory>[0]>) => memoryFeatures({ arch: gpt2 as unknown as Architecture, config: gpt2Config(), method: 'full', batchSize: 1, seqLen: 8, task: 'lm', ...over });
    const btd = 8 * d;
    expect(f({}).block).toBe(L * btd);
    expect(f({}).frozenBlock).toBe(0);
    expect(f({ method: 'freeze', freeze: { trainableBlocks: 1, trainEmbeddings: false } })).toMatchObject({ block: btd, frozenBlock: (L - 1) * btd });
    expect(f({ method: 'freeze', freeze: { trainableBlocks: 1, trainEmbeddings: true } })).toMatchObject({ block: L * btd, frozenBlock: 0 });
    // Adapters in every block: gradients reach the lowest one.
    expect(f({ method: 'lora', lora: lora(4, ['c_attn']) })).toMatchObject({ block: L * btd, frozenBlock: 0, lora: L * 8 * (d + 3 * d) });
    // Only the top block adapted: the two below keep their forward tensors only.
    expect(f({ method: 'lora', lora: lora(4, [`h.${L - 1}.attn.c_attn`]) })).toMatchObject({ block: btd, frozenBlock: (L - 1) * btd });
  });

  it('takes the update as the peak when it holds more than the backward pass (a big embedding at a tiny batch)', () => {
    const config = newGpt2Config({ vocabSize: 50_000, nPositions: P, nEmbd: d, nLayer: 1, nHead: 4 });
    const at = (backend: string) => estimateTrainingMemory({ arch: gpt2 as unknown as Architecture, config, method: 'full', batchSize: 1, seqLen: 2, task: 'classify', numLabels: 2, backend, dropout: 0 });
    for (const backend of ['cpu', 'webgpu'] as const) {
      const e = at(backend);
      // The update: every gradient and the temporaries of the largest tensor (the [V, d] embedding).
      const update = e.trainableParams + UPDATE_TEMPORARIES[backend] * 50_000 * d;
      expect(e.total - e.weights - 2 * 4 * e.trainableParams).toBeCloseTo(4 * update, 0);
      expect(e.optimizer).toBeGreaterThan(2 * 4 * e.trainableParams);
    }
    // The reference AdamW (cpu, wasm) makes more temporaries than the fused kernels.
    expect(at('cpu').total).toBeGreaterThan(at('webgpu').total);
  });

  it('counts one block run again, and what every block keeps, with gradient checkpointing', () => {
    const f = (over: Partial<Parameters<typeof estimateTrainingMemory>[0]>) => memoryFeatures({ arch: gpt2 as unknown as Architecture, config: gpt2Config(), method: 'full', batchSize: 1, seqLen: 8, task: 'lm', dropout: 0.1, checkpointing: true, ...over });
    const btd = 8 * d;
    const maps = 4 * 8 * 8;
    expect(f({})).toMatchObject({ block: btd, blockMaps: maps, dropout: btd, dropoutMaps: maps, frozenBlock: 0, checkpointBlock: L * btd, checkpointFrozen: 0 });
    expect(f({ checkpointing: false })).toMatchObject({ block: L * btd, dropout: L * btd, checkpointBlock: 0 });
    expect(f({ method: 'freeze', freeze: { trainableBlocks: 1, trainEmbeddings: false } })).toMatchObject({ block: btd, frozenBlock: 0, frozenMaps: 0, checkpointBlock: btd, checkpointFrozen: (L - 1) * btd });
    // Nothing in the blocks trains: no block runs again.
    expect(f({ method: 'freeze', task: 'classify', freeze: { trainableBlocks: 0, trainEmbeddings: false } })).toMatchObject({ block: 0, blockMaps: 0, checkpointBlock: 0, checkpointFrozen: L * btd });
    // The token embedding's gradient (full fine-tuning), its way back through the tied LM head too for text generation.
    expect(f({})).toMatchObject({ embeddingLm: V * d });
    expect(f({ task: 'classify' })).toMatchObject({ embeddingLm: 0 });
    expect(f({ method: 'freeze', freeze: { trainableBlocks: 1, trainEmbeddings: false } })).toMatchObject({ embeddingLm: 0 });
    // Adapters: one block's at a time.
    expect(f({ method: 'lora', lora: lora(4, ['c_attn']) })).toMatchObject({ lora: 8 * (d + 3 * d) });
    expect(estimate({ checkpointing: true }).activations).toBeLessThan(estimate().activations);
  });

  it.each<Method>(['full', 'freeze', 'lora'])('grows with batch size and sequence length (%s)', (method) => {
    const at = (batchSize: number, seqLen: number) => estimate({ method, batchSize, seqLen, lora: lora(4, ['c_attn']) });
    expect(at(2, 16).total).toBeGreaterThan(at(1, 16).total);
    expect(at(8, 16).total).toBeGreaterThan(at(2, 16).total);
    expect(at(2, 32).total).toBeGreaterThan(at(2, 16).total);
    expect(at(2, 64).total).toBeGreaterThan(at(2, 32).total);
    expect(at(8, 64).weights).toBe(at(1, 1).weights);
  });

  it('needs less with LoRA or freezing when the weights\' gradients and optimizer state dominate', () => {
    // Short rows: what a step keeps per token is small beside three copies of every weight.
    // (On a tiny model with long rows LoRA can need more than full fine-tuning: its
    // adapters add activations and save little; bench:memory measured that too.)
    const full = estimate({ batchSize: 1, seqLen: 4 });
    expect(estimate({ batchSize: 1, seqLen: 4, method: 'lora', lora: lora(4, ['c_attn']) }).total).toBeLessThan(full.total);
    expect(estimate({ batchSize: 1, seqLen: 4, method: 'freeze', freeze: { trainableBlocks: 1, trainEmbeddings: false } }).total).toBeLessThan(full.total);
  });

  it('says when LoRA targets match nothing', () => {
    expect(() => estimate({ method: 'lora', lora: lora(4, ['q_proj']) })).toThrow(/match no module/);
  });
});

describe('fitsIn()', () => {
  const e: MemoryEstimate = { weights: 500e6, gradients: 500e6, optimizer: 1e9, activations: 300e6, total: 2.3e9, trainableParams: 125e6, totalParams: 125e6, largestTrainable: 40e6 };

  it('names every part and suggests what would shrink them', () => {
    const r = fitsIn(e, 1e9);
    expect(r.fits).toBe(false);
    expect(r.message).toBe(
      'needs about 2.3 GB (weights 500 MB, gradients 500 MB, optimizer 1 GB, activations 300 MB); this device has about 1 GB free — try LoRA, gradient checkpointing, a smaller batch or a shorter max length',
    );
    // Checkpointing already on: not suggested again.
    expect(fitsIn(e, 1e9, true).message).toMatch(/try LoRA, a smaller batch or a shorter max length$/);
  });

  it('says a smaller model when the weights alone do not fit', () => {
    expect(fitsIn(e, 400e6).message).toMatch(/try a smaller model, LoRA/);
  });

  it('fits when there is room', () => {
    const r = fitsIn(e, 4e9);
    expect(r.fits).toBe(true);
    expect(r.message).toContain('needs about 2.3 GB');
    expect(r.message).toContain('about 4 GB free');
  });
});
