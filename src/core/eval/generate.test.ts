import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend';
import { loadModel } from '../io/hf';
import { hyperparams, promptExamples, tinyGpt2Files } from '../../testutil/tinyModel';
import { train } from '../train/trainer';
import { taskLogits, type ModelRun } from '../model/runner';
import { applyRepetitionPenalty, generate, sampleNext } from './generate';
import { complete, type LoadedForInference } from './inference';
import { loadTokenizerFromFiles } from '../tokenize/tokenizer';

let run: ModelRun;
let loaded: LoadedForInference;

beforeAll(async () => {
  await initBackend('cpu');
  // A model that has learned something, so greedy paths are not flat ties.
  const base = await tinyGpt2Files({ embeddingStd: 0.5, nPositions: 16 });
  const trained = await train({ task: 'lm', method: 'full', base, train: promptExamples(12), hyperparams: hyperparams({ epochs: 4, batchSize: 4, learningRate: 1e-2 }) });
  run = { model: loadModel(trained.model), lora: null, task: 'lm' };
  loaded = { run, tokenizer: loadTokenizerFromFiles(trained.model), padId: 262, dispose: () => undefined };
});

/** The next-token logits after `prompt`, from one forward pass without the cache. */
async function firstLogits(prompt: number[]): Promise<number[]> {
  const last = tf.tidy(() => (taskLogits(run, tf.tensor2d([prompt], undefined, 'int32'), null, { training: false }) as tf.Tensor3D).slice([0, prompt.length - 1, 0], [1, 1, -1]).flatten());
  const row = Array.from(await last.data());
  last.dispose();
  return row;
}

describe('generate()', () => {
  it('produces the same tokens with the KV cache as without it, greedy and sampled', async () => {
    const prompt = [99, 111, 108];
    for (const temperature of [0, 0.9]) {
      const a = await generate(run, prompt, { maxNewTokens: 10, temperature, topK: 20, seed: 5, useCache: true });
      const b = await generate(run, prompt, { maxNewTokens: 10, temperature, topK: 20, seed: 5, useCache: false });
      expect(a).toEqual(b);
      expect(a).toHaveLength(10);
    }
  });

  it('keeps working past the context window (16 positions) and frees the cache', async () => {
    const before = tf.memory().numTensors;
    const a = await generate(run, [99, 111], { maxNewTokens: 30, useCache: true });
    const b = await generate(run, [99, 111], { maxNewTokens: 30, useCache: false });
    expect(a).toHaveLength(30);
    // Past the window the cached run re-encodes the last window, so the paths agree there too.
    expect(a).toEqual(b);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops at a stop id', async () => {
    const free = await generate(run, [99, 111], { maxNewTokens: 8 });
    const stopAt = free[3];
    const stopped = await generate(run, [99, 111], { maxNewTokens: 8, stopIds: [stopAt] });
    expect(stopped[stopped.length - 1]).toBe(stopAt);
    expect(stopped.length).toBeLessThanOrEqual(4);
  });

  it('does not stop before min new tokens, and otherwise picks as without the stop ids', async () => {
    const free = await generate(run, [99, 111], { maxNewTokens: 8 });
    const first = free[0];
    // Stopping on the first greedy token ends at once; with min new tokens 3 the stop id is
    // ruled out for three tokens, so the first is the runner-up and the run goes on.
    expect(await generate(run, [99, 111], { maxNewTokens: 8, stopIds: [first] })).toEqual([first]);
    const held = await generate(run, [99, 111], { maxNewTokens: 8, stopIds: [first], minNewTokens: 3 });
    expect(held.length).toBeGreaterThanOrEqual(3);
    expect(held.slice(0, 3)).not.toContain(first);
    // The runner-up: the best of the first step's logits once the stop id is out.
    const logits = await firstLogits([99, 111]);
    logits[first] = -Infinity;
    expect(held[0]).toBe(logits.indexOf(Math.max(...logits)));
  });
});

describe('sampleNext()', () => {
  it('is greedy at temperature 0 and respects top-k', () => {
    const logits = [0.1, 3, 2.9, -1];
    expect(sampleNext(logits, 0, 0, Math.random)).toBe(1);
    const seen = new Set<number>();
    let s = 0;
    const rand = () => ((s = (s * 9301 + 49297) % 233280) / 233280);
    for (let i = 0; i < 200; i++) seen.add(sampleNext(logits, 1, 2, rand));
    expect([...seen].sort()).toEqual([1, 2]);
  });
});

describe('sampling controls', () => {
  it('top-p keeps the smallest set of tokens reaching the probability mass', () => {
    // probabilities at temperature 1: softmax([2, 1, 0, -5]) ~ [0.66, 0.24, 0.09, 0.0004]
    const logits = [2, 1, 0, -5];
    let s = 1;
    const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const seen = (p: number) => {
      const out = new Set<number>();
      for (let i = 0; i < 300; i++) out.add(sampleNext(logits, 1, 0, rand, p));
      return [...out].sort();
    };
    expect(seen(0.5)).toEqual([0]);
    expect(seen(0.8)).toEqual([0, 1]);
    expect(seen(0.95)).toEqual([0, 1, 2]);
  });

  it('repetition penalty divides positive and multiplies negative logits of seen tokens', () => {
    const logits = [2, -1, 3, 0.5];
    applyRepetitionPenalty(logits, [0, 1, 1], 2);
    expect(logits).toEqual([1, -2, 3, 0.5]);
  });

  it('complete() streams text and ends before a stop sequence', async () => {
    const free = await complete(loaded, 'colour of sky:', { maxNewTokens: 6 });
    expect(free.text.length).toBeGreaterThan(1);
    const stop = free.text.slice(1, 3);
    const streamed: string[] = [];
    const r = await complete(loaded, 'colour of sky:', { maxNewTokens: 6, stopSequences: [stop], onText: (t) => streamed.push(t) });
    expect(r.text).toBe(free.text.slice(0, free.text.indexOf(stop)));
    expect(streamed.length).toBeGreaterThan(0);
    expect(streamed[streamed.length - 1]).toBe(r.text);
  });
});
