import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend';
import { initModel, setClassifierHead, disposeModel, type LoadedModel } from '../io/hf';
import { train } from '../train/trainer';
import { hyperparams, sentimentExamples, textExamples, tinyGpt2Files } from '../../testutil/tinyModel';
import { bert, newBertConfig } from './bert';
import { gpt2, newGpt2Config } from './gpt2';
import { llama, parseLlamaConfig } from './llama';
import { createLora, disposeLora, type LoraState } from './lora';
import { batchLoss, type ModelRun } from './runner';
import type { Batch } from '../train/batches';

beforeAll(async () => {
  await initBackend('cpu');
});

const BACKENDS = ['cpu', 'wasm'] as const;

function tinyModel(): LoadedModel {
  const config = newGpt2Config({ vocabSize: 50, nPositions: 16, nEmbd: 16, nLayer: 3, nHead: 2 });
  return initModel(gpt2, config, 3) as unknown as LoadedModel;
}

function tinyLlama(): LoadedModel {
  const config = parseLlamaConfig({ model_type: 'llama', vocab_size: 50, hidden_size: 16, intermediate_size: 40, num_hidden_layers: 3, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 16, tie_word_embeddings: false });
  return initModel(llama, config, 4) as unknown as LoadedModel;
}

function tinyBert(): LoadedModel {
  const config = newBertConfig({ vocabSize: 50, maxPositions: 16, hiddenSize: 16, numLayers: 3, numHeads: 2, intermediateSize: 32 });
  return initModel(bert, config, 5) as unknown as LoadedModel;
}

function batchOf(task: 'lm' | 'classify'): Batch {
  const ids = tf.tensor2d([[1, 5, 9, 13, 2, 7, 30, 4], [8, 3, 3, 41, 17, 6, 0, 0]], [2, 8], 'int32');
  const mask = tf.tensor2d([[1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 0, 0]]);
  return task === 'lm'
    ? { ids, mask, lmLabels: tf.tensor2d([[5, 9, 13, 2, 7, 30, 4, -100], [3, 3, 41, 17, 6, -100, -100, -100]], [2, 8], 'int32'), tokens: 14, targets: 11 }
    : { ids, mask, classIds: tf.tensor1d([1, 0], 'int32'), tokens: 14, targets: 2 };
}

/** Loss and gradients of one step, with or without checkpointing. */
function step(run: ModelRun, batch: Batch, vars: tf.Variable[], checkpoint: boolean): { loss: number; grads: Float32Array[] } {
  const set = checkpoint ? new Set<tf.Tensor>(vars) : null;
  const { value, grads } = tf.variableGrads(() => batchLoss(run, batch, { training: true, seed: 11, dropout: 0.1, checkpoint: set }), vars);
  const out = { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

function expectClose(a: Float32Array, b: Float32Array, what: string): void {
  const scale = Math.max(1e-6, ...Array.from(a, Math.abs));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  expect(worst, what).toBeLessThan(1e-5);
}

/** Full fine-tuning: one step with and without checkpointing gives the same loss and gradients, and leaks nothing. Disposes the model. */
function expectSameFullStep(model: LoadedModel, task: 'lm' | 'classify'): void {
  const run: ModelRun = { model, lora: null, task };
  const batch = batchOf(task);
  const vars = [...model.params.values()];
  const before = tf.memory().numTensors;
  const plain = step(run, batch, vars, false);
  const ckpt = step(run, batch, vars, true);
  expect(tf.memory().numTensors).toBe(before);
  expect(ckpt.loss).toBeCloseTo(plain.loss, 6);
  vars.forEach((v, i) => expectClose(ckpt.grads[i], plain.grads[i], v.name));
  tf.dispose(Object.values(batch).filter((t): t is tf.Tensor => t instanceof tf.Tensor));
  disposeModel(model);
}

describe('gradient checkpointing', () => {
  it.each(BACKENDS.flatMap((b) => (['lm', 'classify'] as const).map((task) => [b, task] as const)))('gives the same loss and gradients as keeping every tensor, dropout on (%s, %s, full)', async (backend, task) => {
    await initBackend(backend);
    const model = tinyModel();
    if (task === 'classify') setClassifierHead(model, ['a', 'b'], 1);
    expectSameFullStep(model, task);
  });

  it.each(BACKENDS)('gives the same loss and gradients for a LLaMA model (%s, full, attention dropout on)', async (backend) => {
    await initBackend(backend);
    expectSameFullStep(tinyLlama(), 'lm');
  });

  it.each(BACKENDS)('gives the same loss and gradients for a BERT model (%s, classify, full, padded row, dropout on)', async (backend) => {
    await initBackend(backend);
    const model = tinyBert();
    setClassifierHead(model, ['a', 'b'], 1);
    expectSameFullStep(model, 'classify');
  });

  it.each(BACKENDS)('gives the same adapter gradients with LoRA (%s)', async (backend) => {
    await initBackend(backend);
    const model = tinyModel();
    const lora: LoraState = createLora(gpt2.linearModules(model.config as never), { r: 2, alpha: 4, dropout: 0.1, targetModules: ['c_attn', 'mlp.c_fc'] }, 5);
    for (const m of lora.modules.values()) m.B.assign(tf.randomNormal(m.B.shape, 0, 0.1, 'float32', 9));
    const run: ModelRun = { model, lora, task: 'lm' };
    const batch = batchOf('lm');
    const vars = [...lora.modules.values()].flatMap((m) => [m.A as tf.Variable, m.B as tf.Variable]);
    const plain = step(run, batch, vars, false);
    const ckpt = step(run, batch, vars, true);
    expect(ckpt.loss).toBeCloseTo(plain.loss, 6);
    vars.forEach((v, i) => expectClose(ckpt.grads[i], plain.grads[i], v.name));
    tf.dispose(Object.values(batch).filter((t): t is tf.Tensor => t instanceof tf.Tensor));
    disposeLora(lora);
    disposeModel(model);
  });

  it.each(['gpt2', 'llama', 'bert'] as const)('holds far fewer bytes at the peak of a step (%s)', async (family) => {
    await initBackend('cpu');
    const model = (
      family === 'gpt2'
        ? initModel(gpt2, newGpt2Config({ vocabSize: 50, nPositions: 64, nEmbd: 32, nLayer: 6, nHead: 2 }), 3)
        : family === 'llama'
          ? initModel(llama, parseLlamaConfig({ model_type: 'llama', vocab_size: 50, hidden_size: 32, intermediate_size: 80, num_hidden_layers: 6, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 64 }), 3)
          : initModel(bert, newBertConfig({ vocabSize: 50, maxPositions: 64, hiddenSize: 32, numLayers: 6, numHeads: 2 }), 3)
    ) as unknown as LoadedModel;
    // BERT has no LM head: it is measured as a classifier.
    const task = family === 'bert' ? 'classify' : 'lm';
    if (task === 'classify') setClassifierHead(model, ['a', 'b'], 1);
    const run: ModelRun = { model, lora: null, task };
    const ids = tf.randomUniformInt([4, 64], 0, 50, 3) as tf.Tensor2D;
    const labels = task === 'lm' ? { lmLabels: ids.clone() } : { classIds: tf.tensor1d([0, 1, 1, 0], 'int32') };
    const batch: Batch = { ids, mask: tf.ones([4, 64]) as tf.Tensor2D, ...labels, tokens: 256, targets: task === 'lm' ? 252 : 4 };
    const vars = [...model.params.values()];
    const peak = async (checkpoint: boolean) => (await tf.profile(() => step(run, batch, vars, checkpoint).loss as unknown as tf.Tensor)).peakBytes;
    const plain = await peak(false);
    const ckpt = await peak(true);
    console.log(`${family}: peak bytes of a step, 6 blocks, batch 4 x 64: ${plain} kept, ${ckpt} checkpointed`);
    expect(ckpt).toBeLessThan(0.5 * plain);
    tf.dispose(Object.values(batch).filter((t): t is tf.Tensor => t instanceof tf.Tensor));
    disposeModel(model);
  });

  it('trains to the same loss curve through train()', async () => {
    await initBackend('cpu');
    const base = await tinyGpt2Files({ nLayer: 2 });
    const run = (gradientCheckpointing: boolean) =>
      train({ task: 'classify', method: 'full', base, train: sentimentExamples(16), hyperparams: hyperparams({ seed: 3, dropout: 0.1, epochs: 2, batchSize: 4, gradientCheckpointing }) });
    const [a, b] = [await run(false), await run(true)];
    expect(b.history).toHaveLength(a.history.length);
    b.history.forEach((e, i) => expect(e.trainLoss).toBeCloseTo(a.history[i].trainLoss, 5));
    const before = tf.memory().numTensors;
    await train({ task: 'lm', method: 'lora', base, train: textExamples(8), hyperparams: hyperparams({ epochs: 1, batchSize: 4, dropout: 0.1, gradientCheckpointing: true }) });
    expect(tf.memory().numTensors).toBe(before);
  });
});
