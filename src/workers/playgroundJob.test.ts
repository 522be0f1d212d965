import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../core/backend';
import { disposeModel, initModel, saveModel, setClassifierHead } from '../core/io/hf';
import { gpt2, newGpt2Config } from '../core/model/gpt2';
import { evaluateExamples, loadForInference } from '../core/eval/inference';
import type { Example, ModelFiles } from '../core/types';
import { readFolder } from '../testutil/node';
import { FIXTURE_TOKENIZER_DIR, tinyGpt2Files } from '../testutil/tinyModel';
import { Playground, type GenerationSettings } from './playgroundJob';

const SETTINGS: GenerationSettings = { temperature: 0.9, topK: 0, topP: 1, repetitionPenalty: 1, maxNewTokens: 12, minNewTokens: 0, stopSequences: [], chat: false, seed: 3 };

let lm: ModelFiles;
let classifier: ModelFiles;
beforeAll(async () => {
  await initBackend('cpu');
  lm = await tinyGpt2Files();
  const config = newGpt2Config({ vocabSize: 265, nPositions: 32, nEmbd: 16, nLayer: 1, nHead: 2, bosTokenId: 262, eosTokenId: 264 });
  const model = initModel(gpt2, config, 1);
  setClassifierHead(model, ['neg', 'pos'], 1);
  classifier = await saveModel(model, 'classify', readFolder(FIXTURE_TOKENIZER_DIR));
  disposeModel(model);
});

describe('Playground', () => {
  it('streams a completion: the text so far after every token', async () => {
    const pg = new Playground();
    expect(pg.load(lm)).toMatchObject({ task: 'lm', family: 'gpt2', labels: null });
    const seen: string[] = [];
    const out = await pg.generate('the cat', { ...SETTINGS, stopSequences: [] }, (t) => seen.push(t), () => false);
    expect(out.tokens).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThan(0);
    // One report per token but the end-of-text one (byte-level BPE may revise a half-written character).
    expect(seen.length).toBe(out.end === 'eos' ? out.tokens - 1 : out.tokens);
    expect(out.text).toBe(seen.at(-1));
    expect(['eos', 'max-tokens']).toContain(out.end);
    pg.dispose();
  });

  it('stops on request and keeps the text so far, without leaking tensors', async () => {
    const pg = new Playground();
    pg.load(lm);
    const before = tf.memory().numTensors;
    let calls = 0;
    const out = await pg.generate('the', { ...SETTINGS, temperature: 0, maxNewTokens: 50 }, () => undefined, () => ++calls >= 3);
    expect(out.end).toBe('stopped');
    expect(out.tokens).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
    pg.dispose();
  });

  it('is deterministic for a seed', async () => {
    const pg = new Playground();
    pg.load(lm);
    const a = await pg.generate('x', SETTINGS, () => undefined, () => false);
    const b = await pg.generate('x', SETTINGS, () => undefined, () => false);
    expect(a.text).toBe(b.text);
    pg.dispose();
  });

  it('scores a text against a classifier, probabilities adding up to one', async () => {
    const pg = new Playground();
    expect(pg.load(classifier)).toMatchObject({ task: 'classify', labels: ['neg', 'pos'] });
    const out = await pg.classify('great film');
    expect(Object.keys(out.probabilities)).toEqual(['neg', 'pos']);
    expect(out.probabilities.neg + out.probabilities.pos).toBeCloseTo(1, 5);
    await expect(pg.generate('x', SETTINGS, () => undefined, () => false)).rejects.toThrow(/classifier/);
    pg.dispose();
  });

  it('evaluates held-out rows cut to the length a run trained at, or to the whole context', async () => {
    const pg = new Playground();
    pg.load(classifier);
    const rows: Example[] = [
      { kind: 'labeled', text: 'a long and winding review of a film that goes on and on', label: 'pos' },
      { kind: 'labeled', text: 'the worst film of the year, by a long way, and then some', label: 'neg' },
    ];
    const passes: number[] = [];
    const cut = await pg.evaluate(rows, (p) => passes.push(p.done), { maxLength: 4 });
    const whole = await pg.evaluate(rows, () => undefined);
    expect(cut.robustness).toHaveLength(5);
    expect((await pg.evaluate(rows, () => undefined, { robustness: false })).robustness).toEqual([]);
    expect(passes).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const m = loadForInference(classifier);
    try {
      expect(cut.metrics.loss).toBeCloseTo((await evaluateExamples(m, rows, { maxLength: 4, batchSize: 8 })).loss, 5);
      expect(whole.metrics.loss).toBeCloseTo((await evaluateExamples(m, rows, { maxLength: 32, batchSize: 8 })).loss, 5);
      expect(cut.metrics.loss).not.toBeCloseTo(whole.metrics.loss, 5);
    } finally {
      m.dispose();
    }
    pg.dispose();
  });

  it('asks for a prompt and a model', async () => {
    const pg = new Playground();
    await expect(pg.classify('x')).rejects.toThrow(/No model is loaded/);
    pg.load(lm);
    await expect(pg.generate('  ', SETTINGS, () => undefined, () => false)).rejects.toThrow(/Write a prompt/);
    pg.dispose();
  });
});
