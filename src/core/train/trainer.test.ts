import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend';
import { evaluateSequences } from '../eval/evaluate';
import { classify, loadForInference } from '../eval/inference';
import { loadModel } from '../io/hf';
import { parseSafetensors } from '../io/safetensors';
import { loadTokenizerFromFiles } from '../tokenize/tokenizer';
import type { Method, ModelFiles, ProgressEvent, Task } from '../types';
import { hyperparams, promptExamples, sentimentExamples, textExamples, tinyGpt2Files } from '../../testutil/tinyModel';
import { encodeExamples } from './encode';
import { TrainControl } from './control';
import { train } from './trainer';

let base: ModelFiles;
let wideBase: ModelFiles;

beforeAll(async () => {
  await initBackend('cpu');
  base = await tinyGpt2Files();
  wideBase = await tinyGpt2Files({ embeddingStd: 0.5 });
});

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

const cases: { task: Task; method: Method; lr: number }[] = [
  { task: 'lm', method: 'full', lr: 1e-2 },
  { task: 'lm', method: 'freeze', lr: 1e-2 },
  { task: 'lm', method: 'lora', lr: 3e-2 },
  { task: 'classify', method: 'full', lr: 1e-2 },
  { task: 'classify', method: 'freeze', lr: 1e-2 },
  { task: 'classify', method: 'lora', lr: 3e-2 },
];

describe('train()', () => {
  it.each(cases)('lowers the loss on a toy $task task with $method', async ({ task, method, lr }) => {
    const data = task === 'lm' ? promptExamples(24) : sentimentExamples(24);
    const result = await train({
      task,
      method,
      base: wideBase,
      train: data,
      hyperparams: hyperparams({ learningRate: lr, epochs: 20, batchSize: 8, schedule: 'constant', lora: { r: 4, alpha: 8, dropout: 0, targetModules: ['c_attn', 'mlp.c_fc'] } }),
    });
    const losses = result.history.map((e) => e.trainLoss);
    expect(result.stopReason).toBe('completed');
    expect(losses).toHaveLength(60);
    expect(mean(losses.slice(-3))).toBeLessThan(0.6 * mean(losses.slice(0, 3)));
  });

  it('gives the same loss curve for the same seed and data, with dropout on', async () => {
    const run = () =>
      train({ task: 'lm', method: 'full', base, train: textExamples(16), hyperparams: hyperparams({ seed: 3, dropout: 0.2, epochs: 2, batchSize: 4 }) });
    const [a, b] = [await run(), await run()];
    expect(a.history.map((e) => e.trainLoss)).toEqual(b.history.map((e) => e.trainLoss));
    const c = await train({ task: 'lm', method: 'full', base, train: textExamples(16), hyperparams: hyperparams({ seed: 4, dropout: 0.2, epochs: 2, batchSize: 4 }) });
    expect(c.history.map((e) => e.trainLoss)).not.toEqual(a.history.map((e) => e.trainLoss));
  });

  it('keeps tf.memory().numTensors flat across steps', async () => {
    const counts: number[] = [];
    await train({
      task: 'classify',
      method: 'lora',
      base,
      train: sentimentExamples(40),
      hyperparams: hyperparams({ epochs: 1, batchSize: 4, valSplit: 0.2, evalEvery: 2, gradAccumSteps: 2, dropout: 0.1 }),
    }, { onProgress: () => counts.push(tf.memory().numTensors) });
    expect(counts.length).toBeGreaterThan(3);
    expect(new Set(counts.slice(1)).size).toBe(1);
  });

  it('returns every tensor it allocated once the run is over', async () => {
    const before = tf.memory().numTensors;
    await train({ task: 'lm', method: 'freeze', base, train: textExamples(8), hyperparams: hyperparams({ epochs: 1, batchSize: 4, patience: 2, valSplit: 0.25, evalEvery: 1 }) });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says how many rows the maximum length cut, training and validation rows alike', async () => {
    const rows = sentimentExamples(10);
    const whole = await train({ task: 'classify', method: 'lora', base, train: rows, hyperparams: hyperparams({ epochs: 1, batchSize: 5, valSplit: 0.2, maxLength: 64 }) });
    // Cut by the model's context (32 positions), not the 64 asked for.
    expect(whole.data).toMatchObject({ rows: 10, cut: 0, maxLength: 32 });
    expect(whole.message).not.toContain('cut to fit');
    const cut = await train({ task: 'classify', method: 'lora', base, train: rows, hyperparams: hyperparams({ epochs: 1, batchSize: 5, valSplit: 0.2, maxLength: 4 }) });
    expect(cut.data).toEqual({ rows: 10, cut: 10, longest: whole.data!.longest, maxLength: 4 });
    expect(cut.message).toContain(`10 of 10 rows were longer than 4 tokens and were cut to fit (the longest has ${whole.data!.longest})`);
  });

  it('stops on a non-finite loss with a clear message and keeps finite weights', async () => {
    const result = await train({ task: 'lm', method: 'full', base, train: textExamples(16), hyperparams: hyperparams({ learningRate: 1e30, epochs: 3, batchSize: 4, maxGradNorm: 0 }) });
    expect(result.stopReason).toBe('non-finite');
    expect(result.message).toMatch(/Training stopped at step \d+: the (loss|gradient norm) became (NaN|infinite)\. The weights from step \d+ are kept/);
    const st = parseSafetensors(result.model['model.safetensors']);
    for (const name of st.names) expect(st.getFloat32(name).every(Number.isFinite), name).toBe(true);
  });

  it('stops early when validation stops improving and restores the best weights', async () => {
    // Random labels: the model can only memorise, so held-out loss soon rises.
    const data = sentimentExamples(48).map((e, i) => ({ ...e, label: (i * 7919) % 5 < 2 ? 'pos' : 'neg' }));
    const result = await train({
      task: 'classify',
      method: 'full',
      base,
      train: data,
      hyperparams: hyperparams({ learningRate: 3e-2, epochs: 40, batchSize: 8, valSplit: 0.25, evalEvery: 1, patience: 3 }),
    });
    expect(result.stopReason).toBe('early-stopped');
    expect(result.message).toContain(`restored the best weights from step ${result.best!.step}`);
    const last = result.history[result.history.length - 1];
    expect(last.step - result.best!.step).toBe(3);
    // The saved model is the best one: its validation loss is the best seen.
    const tok = loadTokenizerFromFiles(result.model);
    const model = loadModel(result.model);
    const { splitTrainVal } = await import('../data/split');
    const val = splitTrainVal(data, 0.25, 42, (e) => (e.kind === 'labeled' ? e.label : '')).val;
    const seqs = encodeExamples(val, tok, { task: 'classify', maxLength: 128, labels: model.labels!, eosTokenId: tok.eosTokenId });
    const r = await evaluateSequences({ model, lora: null, task: 'classify' }, seqs, 8, tok.padTokenId ?? 0);
    expect(r.loss).toBeCloseTo(result.best!.val.loss, 4);
    // Per-example predictions, in order across padded batches of 3, agree with
    // classifying each text alone (no padding) and with the reported accuracy.
    const { predicted } = await evaluateSequences({ model, lora: null, task: 'classify' }, seqs, 3, tok.padTokenId ?? 0);
    expect(predicted).toHaveLength(val.length);
    const m = loadForInference(result.model);
    try {
      for (const [i, e] of val.entries()) {
        if (e.kind !== 'labeled') throw new Error('expected labeled rows');
        expect(model.labels![predicted![i]]).toBe((await classify(m, e.text, 128)).label);
      }
    } finally {
      m.dispose();
    }
    const right = val.filter((e, i) => e.kind === 'labeled' && model.labels![predicted![i]] === e.label).length;
    expect(r.accuracy).toBeCloseTo(right / val.length, 10);
  });

  it('pauses, resumes and cancels between steps', async () => {
    const control = new TrainControl();
    const seen: ProgressEvent[] = [];
    let resumedAt = 0;
    const result = await train({ task: 'lm', method: 'full', base, train: textExamples(32), hyperparams: hyperparams({ epochs: 1, batchSize: 4 }) }, {
      control,
      onProgress: (e) => {
        seen.push(e);
        if (e.step === 2) {
          control.pause();
          setTimeout(() => {
            resumedAt = seen.length;
            control.resume();
          }, 50);
        }
        if (e.step === 4) control.cancel();
      },
    });
    expect(resumedAt).toBe(2); // nothing ran while paused
    expect(result.stopReason).toBe('cancelled');
    expect(result.history.map((e) => e.step)).toEqual([1, 2, 3, 4]);
    expect(result.message).toBe('Training cancelled at step 4 of 8.');
  });

  it('reports progress with step, epoch, loss, learning rate, gradient norm, tokens/s and validation metrics', async () => {
    const events: ProgressEvent[] = [];
    await train({ task: 'classify', method: 'full', base, train: sentimentExamples(20), hyperparams: hyperparams({ epochs: 2, batchSize: 4, valSplit: 0.2, warmupSteps: 2, schedule: 'cosine' }) }, { onProgress: (e) => events.push(e) });
    expect(events.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events[0].learningRate).toBe(0); // warmup starts at zero, as in transformers
    expect(events[1].learningRate).toBeCloseTo(2.5e-4, 10);
    expect(events[3].epoch).toBe(1);
    for (const e of events) {
      expect(e.totalSteps).toBe(8);
      expect(e.gradNorm).toBeGreaterThan(0);
      expect(e.tokensPerSec).toBeGreaterThan(0);
    }
    expect(events[3].val).toMatchObject({ loss: expect.any(Number), accuracy: expect.any(Number), macroF1: expect.any(Number) });
    expect(events[2].val).toBeUndefined();
  });

  it('averages accumulated gradients: 2 x batch 4 equals one batch of 8 without dropout', async () => {
    const run = (batchSize: number, gradAccumSteps: number) =>
      train({ task: 'classify', method: 'full', base, train: sentimentExamples(16), hyperparams: hyperparams({ epochs: 2, batchSize, gradAccumSteps }) });
    const a = await run(8, 1);
    const b = await run(4, 2);
    expect(b.history).toHaveLength(a.history.length);
    b.history.forEach((e, i) => {
      expect(e.trainLoss).toBeCloseTo(a.history[i].trainLoss, 5);
      expect(e.gradNorm).toBeCloseTo(a.history[i].gradNorm, 4);
    });
  });

  it('learns with rows grouped by length, over the same rows and steps', async () => {
    // Sentences of 2 to 9 words: grouping changes which rows share a batch, not which rows train.
    const data = sentimentExamples(32).map((e, i) => (e.kind === 'labeled' ? { ...e, text: `${e.text}${' and so on'.repeat(i % 8)}` } : e));
    const hp = hyperparams({ learningRate: 1e-2, epochs: 10, batchSize: 8, schedule: 'constant' });
    const grouped = await train({ task: 'classify', method: 'full', base: wideBase, train: data, hyperparams: { ...hp, groupByLength: true } });
    const plain = await train({ task: 'classify', method: 'full', base: wideBase, train: data, hyperparams: hp });
    expect(grouped.history).toHaveLength(plain.history.length);
    expect(grouped.history.map((e) => e.trainLoss)).not.toEqual(plain.history.map((e) => e.trainLoss));
    const losses = grouped.history.map((e) => e.trainLoss);
    expect(mean(losses.slice(-4))).toBeLessThan(0.6 * mean(losses.slice(0, 4)));
  });

  it('counts only completion tokens for prompt/completion data', async () => {
    const tok = loadTokenizerFromFiles(base);
    const [seq] = encodeExamples([{ kind: 'prompt', prompt: 'colour of sky:', completion: ' blue' }], tok, { task: 'lm', maxLength: 64, eosTokenId: 264 });
    const p = tok.encode('colour of sky:').length;
    expect(seq.labels!.slice(0, p).every((y) => y === -100)).toBe(true);
    expect(seq.labels!.slice(p)).toEqual([...tok.encode(' blue'), 264]);
  });

  it('writes a model folder in HF layout and, for LoRA, a PEFT adapter', async () => {
    const result = await train({ task: 'classify', method: 'lora', base, train: sentimentExamples(8), hyperparams: hyperparams({ epochs: 1, batchSize: 8 }) });
    expect(Object.keys(result.model).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    const config = JSON.parse(new TextDecoder().decode(result.model['config.json']));
    expect(config).toMatchObject({ model_type: 'gpt2', architectures: ['GPT2ForSequenceClassification'], num_labels: 2, id2label: { 0: 'neg', 1: 'pos' }, label2id: { neg: 0, pos: 1 } });
    const st = parseSafetensors(result.model['model.safetensors']);
    expect(st.info('score.weight').shape).toEqual([2, 16]);
    expect(st.info('transformer.h.1.attn.c_attn.weight').shape).toEqual([16, 48]);
    const adapterConfig = JSON.parse(new TextDecoder().decode(result.adapter!['adapter_config.json']));
    expect(adapterConfig).toMatchObject({ peft_type: 'LORA', task_type: 'SEQ_CLS', r: 8, lora_alpha: 16, target_modules: ['c_attn'], fan_in_fan_out: true, modules_to_save: ['score'] });
    const ad = parseSafetensors(result.adapter!['adapter_model.safetensors'], 'adapter_model.safetensors');
    expect(ad.names.sort()).toEqual([
      'base_model.model.score.weight',
      'base_model.model.transformer.h.0.attn.c_attn.lora_A.weight',
      'base_model.model.transformer.h.0.attn.c_attn.lora_B.weight',
      'base_model.model.transformer.h.1.attn.c_attn.lora_A.weight',
      'base_model.model.transformer.h.1.attn.c_attn.lora_B.weight',
    ]);
    expect(ad.info('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight').shape).toEqual([8, 16]);
    expect(ad.info('base_model.model.transformer.h.0.attn.c_attn.lora_B.weight').shape).toEqual([48, 8]);
  });
});
