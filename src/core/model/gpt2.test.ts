import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { initBackend, tf } from '../backend';
import { loadGpt2 } from '../io/hf';
import { loadAdapter } from '../io/peft';
import { causalLmLoss, classificationLoss } from '../train/losses';
import { readFolder, readJson } from '../../testutil/node';
import { classLogits, gpt2Hidden, gpt2LinearModules, lmLogits } from './gpt2';
import { mergedWeight } from './lora';

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
    const model = loadGpt2(readFolder(join(FIX, 'gpt2-tiny')));
    const { ids, mask } = inputs();
    const logits = tf.tidy(() => lmLogits(model.config, model.params, gpt2Hidden(model.config, model.params, ids, mask, { training: false })));
    expect(maxAbsDiffAtRealTokens(logits.arraySync() as number[][][], expected.lm_logits, expected.attention_mask)).toBeLessThan(1e-4);
  });

  it('matches sequence-classification logits pooled at the last real token', () => {
    const model = loadGpt2(readFolder(join(FIX, 'gpt2-tiny')));
    expect(model.labels).toEqual(['neg', 'neu', 'pos']);
    const { ids, mask } = inputs();
    const logits = tf.tidy(() => classLogits(model.params, gpt2Hidden(model.config, model.params, ids, mask, { training: false }), mask));
    const got = logits.arraySync() as number[][];
    expected.cls_logits.forEach((row, b) => row.forEach((v, k) => expect(got[b][k]).toBeCloseTo(v, 4)));
  });

  it('matches the masked LM loss and the (weighted) classification loss', () => {
    const model = loadGpt2(readFolder(join(FIX, 'gpt2-tiny')));
    const { ids, mask } = inputs();
    const [lm, cls, clsW] = tf.tidy(() => {
      const hidden = gpt2Hidden(model.config, model.params, ids, mask, { training: false });
      const labels = tf.tensor2d(expected.lm_labels, undefined, 'int32');
      const y = tf.tensor1d(expected.cls_labels, 'int32');
      const cl = classLogits(model.params, hidden, mask);
      return [
        causalLmLoss(lmLogits(model.config, model.params, hidden), labels),
        classificationLoss(cl, y),
        classificationLoss(cl, y, expected.class_weights),
      ].map((t) => t.dataSync()[0]);
    });
    expect(lm).toBeCloseTo(expected.lm_loss, 4);
    expect(cls).toBeCloseTo(expected.cls_loss, 4);
    expect(clsW).toBeCloseTo(expected.cls_loss_weighted, 4);
  });

  it('applies a PEFT LoRA adapter unmerged, and merges it into the Conv1D weight, as the reference does', () => {
    const model = loadGpt2(readFolder(join(FIX, 'gpt2-tiny')));
    const { state } = loadAdapter(readFolder(join(FIX, 'gpt2-tiny-lora')), new Set(gpt2LinearModules(model.config)));
    expect([...state.modules.keys()].sort()).toEqual([
      'transformer.h.0.attn.c_attn',
      'transformer.h.0.mlp.c_fc',
      'transformer.h.1.attn.c_attn',
      'transformer.h.1.mlp.c_fc',
    ]);
    const { ids, mask } = inputs();
    const logits = tf.tidy(() => lmLogits(model.config, model.params, gpt2Hidden(model.config, model.params, ids, mask, { training: false, lora: state })));
    expect(maxAbsDiffAtRealTokens(logits.arraySync() as number[][][], expected.lora.lora_lm_logits, expected.attention_mask)).toBeLessThan(1e-4);

    const merged = mergedWeight(state, 'transformer.h.0.attn.c_attn', model.params.get('transformer.h.0.attn.c_attn.weight') as tf.Tensor2D, true);
    const got = merged.arraySync();
    expected.lora.lora_merged_c_attn_0.forEach((row, i) => row.forEach((v, j) => expect(got[i][j]).toBeCloseTo(v, 5)));
  });

  it('gives the same logits with LoRA merged into the weights as with LoRA applied on the side', () => {
    const model = loadGpt2(readFolder(join(FIX, 'gpt2-tiny')));
    const { state } = loadAdapter(readFolder(join(FIX, 'gpt2-tiny-lora')), new Set(gpt2LinearModules(model.config)));
    const { ids, mask } = inputs();
    const side = tf.tidy(() => lmLogits(model.config, model.params, gpt2Hidden(model.config, model.params, ids, mask, { training: false, lora: state })));
    const mergedParams = new Map<string, tf.Tensor>(model.params);
    for (const module of state.modules.keys()) {
      mergedParams.set(`${module}.weight`, mergedWeight(state, module, model.params.get(`${module}.weight`) as tf.Tensor2D, true));
    }
    const merged = tf.tidy(() => lmLogits(model.config, mergedParams, gpt2Hidden(model.config, mergedParams, ids, mask, { training: false })));
    expect(tf.max(tf.abs(side.sub(merged))).dataSync()[0]).toBeLessThan(1e-4);
  });

  it('ignores padded positions: a padded row gives the same logits at its real tokens as the row alone', () => {
    const model = loadGpt2(readFolder(join(FIX, 'gpt2-tiny')));
    const row = expected.input_ids[1].slice(0, 4);
    const alone = tf.tidy(() => lmLogits(model.config, model.params, gpt2Hidden(model.config, model.params, tf.tensor2d([row], undefined, 'int32'), null, { training: false })));
    const { ids, mask } = inputs();
    const padded = tf.tidy(() => lmLogits(model.config, model.params, gpt2Hidden(model.config, model.params, ids, mask, { training: false })).slice([1, 0, 0], [1, 4, -1]));
    expect(tf.max(tf.abs(alone.sub(padded))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('is deterministic for a seed in training mode and differs from eval mode', () => {
    const model = loadGpt2(readFolder(join(FIX, 'gpt2-tiny')));
    const { ids, mask } = inputs();
    const run = (seed: number, training: boolean) =>
      tf.tidy(() => gpt2Hidden(model.config, model.params, ids, mask, { training, seed, dropout: 0.3 }).dataSync());
    expect(run(7, true)).toEqual(run(7, true));
    expect(run(7, true)).not.toEqual(run(8, true));
    expect(run(7, false)).toEqual(run(8, false));
  });
});
