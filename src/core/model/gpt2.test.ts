import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { initBackend, tf } from '../backend';
import { loadModel, type LoadedModel } from '../io/hf';
import { loadAdapter } from '../io/peft';
import { causalLmLoss, classificationLoss } from '../train/losses';
import { readFolder, readJson } from '../../testutil/node';
import type { KVCache, Params } from './arch';
import { mergedWeight, type LoraState } from './lora';
import { taskLogits } from './runner';

// Golden outputs from scripts/make_fixtures.py, an independent PyTorch implementation.
const FIX = join(__dirname, 'fixtures');
interface Expected {
  input_ids: number[][];
  attention_mask: number[][];
  lm_logits: number[][][];
  cls_logits: number[][];
  lm_labels: number[][];
  lm_loss: number;
  cls_labels: number[];
  class_weights: number[];
  cls_loss: number;
  cls_loss_weighted: number;
  lora: { lora_lm_logits: number[][][]; lora_merged_c_attn_0: number[][] };
}
const expected = readJson<Expected>(join(FIX, 'gpt2-tiny', 'expected.json'));

function loadTiny(): LoadedModel {
  return loadModel(readFolder(join(FIX, 'gpt2-tiny')));
}

function modules(model: LoadedModel): Set<string> {
  return new Set(model.arch.linearModules(model.config).map((m) => m.name));
}

/** LM logits [B, T, V] (or classifier logits [B, C]) of `model`, optionally with other params or LoRA. */
function logits(
  model: LoadedModel,
  task: 'lm' | 'classify',
  ids: tf.Tensor2D,
  mask: tf.Tensor2D | null,
  extra: { lora?: LoraState; params?: Params; training?: boolean; seed?: number; dropout?: number; cache?: KVCache } = {},
): tf.Tensor {
  const m = extra.params ? { ...model, params: extra.params as LoadedModel['params'] } : model;
  return tf.tidy(() => taskLogits({ model: m, lora: extra.lora ?? null, task }, ids, mask, { training: extra.training ?? false, seed: extra.seed, dropout: extra.dropout, cache: extra.cache }));
}

function maxAbsDiffAtRealTokens(actual: number[][][], want: number[][][], mask: number[][]): number {
  let worst = 0;
  want.forEach((row, b) =>
    row.forEach((pos, t) => {
      if (!mask[b][t]) return;
      pos.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - actual[b][t][k]))));
    }),
  );
  return worst;
}

describe('GPT-2 forward against the PyTorch reference', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  const inputs = () => ({
    ids: tf.tensor2d(expected.input_ids, undefined, 'int32'),
    mask: tf.tensor2d(expected.attention_mask, undefined, 'float32'),
  });

  it('matches causal-LM logits at every real token within 1e-4', () => {
    const model = loadTiny();
    const { ids, mask } = inputs();
    const out = logits(model, 'lm', ids, mask);
    expect(maxAbsDiffAtRealTokens(out.arraySync() as number[][][], expected.lm_logits, expected.attention_mask)).toBeLessThan(1e-4);
  });

  it('matches sequence-classification logits pooled at the last real token', () => {
    const model = loadTiny();
    expect(model.labels).toEqual(['neg', 'neu', 'pos']);
    const { ids, mask } = inputs();
    const got = logits(model, 'classify', ids, mask).arraySync() as number[][];
    expected.cls_logits.forEach((row, b) => row.forEach((v, k) => expect(got[b][k]).toBeCloseTo(v, 4)));
  });

  it('matches the masked LM loss and the (weighted) classification loss', () => {
    const model = loadTiny();
    const { ids, mask } = inputs();
    const [lm, cls, clsW] = tf.tidy(() => {
      const labels = tf.tensor2d(expected.lm_labels, undefined, 'int32');
      const y = tf.tensor1d(expected.cls_labels, 'int32');
      const cl = logits(model, 'classify', ids, mask) as tf.Tensor2D;
      return [
        causalLmLoss(logits(model, 'lm', ids, mask) as tf.Tensor3D, labels),
        classificationLoss(cl, y),
        classificationLoss(cl, y, expected.class_weights),
      ].map((t) => t.dataSync()[0]);
    });
    expect(lm).toBeCloseTo(expected.lm_loss, 4);
    expect(cls).toBeCloseTo(expected.cls_loss, 4);
    expect(clsW).toBeCloseTo(expected.cls_loss_weighted, 4);
  });

  it('applies a PEFT LoRA adapter unmerged, and merges it into the Conv1D weight, as the reference does', () => {
    const model = loadTiny();
    const { state } = loadAdapter(readFolder(join(FIX, 'gpt2-tiny-lora')), modules(model));
    expect([...state.modules.keys()].sort()).toEqual([
      'transformer.h.0.attn.c_attn',
      'transformer.h.0.mlp.c_fc',
      'transformer.h.1.attn.c_attn',
      'transformer.h.1.mlp.c_fc',
    ]);
    const { ids, mask } = inputs();
    const out = logits(model, 'lm', ids, mask, { lora: state });
    expect(maxAbsDiffAtRealTokens(out.arraySync() as number[][][], expected.lora.lora_lm_logits, expected.attention_mask)).toBeLessThan(1e-4);

    const merged = mergedWeight(state, 'transformer.h.0.attn.c_attn', model.params.get('transformer.h.0.attn.c_attn.weight') as tf.Tensor2D, true);
    const got = merged.arraySync();
    expected.lora.lora_merged_c_attn_0.forEach((row, i) => row.forEach((v, j) => expect(got[i][j]).toBeCloseTo(v, 5)));
  });

  it('gives the same logits with LoRA merged into the weights as with LoRA applied on the side', () => {
    const model = loadTiny();
    const { state } = loadAdapter(readFolder(join(FIX, 'gpt2-tiny-lora')), modules(model));
    const { ids, mask } = inputs();
    const side = logits(model, 'lm', ids, mask, { lora: state });
    const mergedParams = new Map<string, tf.Tensor>(model.params);
    for (const module of state.modules.keys()) {
      mergedParams.set(`${module}.weight`, mergedWeight(state, module, model.params.get(`${module}.weight`) as tf.Tensor2D, true));
    }
    const merged = logits(model, 'lm', ids, mask, { params: mergedParams });
    expect(tf.max(tf.abs(side.sub(merged))).dataSync()[0]).toBeLessThan(1e-4);
  });

  it('ignores padded positions: a padded row gives the same logits at its real tokens as the row alone', () => {
    const model = loadTiny();
    const row = expected.input_ids[1].slice(0, 4);
    const alone = logits(model, 'lm', tf.tensor2d([row], undefined, 'int32'), null);
    const { ids, mask } = inputs();
    const padded = logits(model, 'lm', ids, mask).slice([1, 0, 0], [1, 4, -1]);
    expect(tf.max(tf.abs(alone.sub(padded))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('is deterministic for a seed in training mode and differs from eval mode', () => {
    const model = loadTiny();
    const { ids, mask } = inputs();
    const run = (seed: number, training: boolean) => logits(model, 'lm', ids, mask, { training, seed, dropout: 0.3 }).dataSync();
    expect(run(7, true)).toEqual(run(7, true));
    expect(run(7, true)).not.toEqual(run(8, true));
    expect(run(7, false)).toEqual(run(8, false));
  });
});
