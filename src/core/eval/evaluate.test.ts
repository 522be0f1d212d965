import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { encodeExamples } from '../train/encode';
import { train } from '../train/trainer';
import type { Example, ModelFiles } from '../types';
import { hyperparams, sentimentExamples, textExamples, tinyGpt2Files } from '../../testutil/tinyModel';
import { evaluateSequences } from './evaluate';
import { loadForInference } from './inference';

let classifier: ModelFiles;
let lm: ModelFiles;

beforeAll(async () => {
  await initBackend('cpu');
  const base = await tinyGpt2Files({ embeddingStd: 0.5 });
  classifier = (await train({ task: 'classify', method: 'full', base, train: sentimentExamples(16), hyperparams: hyperparams({ learningRate: 1e-2, epochs: 1, batchSize: 8, maxSteps: 2 }) })).model;
  lm = (await train({ task: 'lm', method: 'full', base, train: textExamples(8), hyperparams: hyperparams({ learningRate: 1e-2, epochs: 1, batchSize: 8, maxSteps: 1 }) })).model;
});

/** Rows of 2 to 7 words, in no order of length. */
const mixed: Example[] = Array.from({ length: 13 }, (_, i) => ({ kind: 'labeled', text: `${i % 2 ? 'bad' : 'good'} film${' more'.repeat((i * 5) % 6)}`, label: i % 2 ? 'neg' : 'pos' }));

describe('evaluateSequences()', () => {
  it('gives the metrics and per-row predictions of rows scored one by one (no padding), in the order given', async () => {
    const m = loadForInference(classifier);
    try {
      const seqs = encodeExamples(mixed, m.tokenizer, { task: 'classify', maxLength: 32, labels: m.run.model.labels!, eosTokenId: null });
      const batched = await evaluateSequences(m.run, seqs, 4, m.padId);
      const alone = await Promise.all(seqs.map((s) => evaluateSequences(m.run, [s], 1, m.padId)));
      expect(batched.predicted).toEqual(alone.map((r) => r.predicted![0]));
      expect(batched.loss).toBeCloseTo(alone.reduce((a, r) => a + r.loss, 0) / alone.length, 5);
      expect(batched.report!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(13);
    } finally {
      m.dispose();
    }
  });

  it('weighs a language model’s loss by target tokens, whatever the batching', async () => {
    const m = loadForInference(lm);
    try {
      const seqs = encodeExamples(mixed, m.tokenizer, { task: 'lm', maxLength: 32, eosTokenId: m.tokenizer.eosTokenId });
      const batched = await evaluateSequences(m.run, seqs, 4, m.padId);
      const alone = await Promise.all(seqs.map((s) => evaluateSequences(m.run, [s], 1, m.padId)));
      const targets = seqs.map((s) => s.labels!.slice(1).length);
      const expected = alone.reduce((a, r, i) => a + r.loss * targets[i], 0) / targets.reduce((a, b) => a + b, 0);
      expect(batched.loss).toBeCloseTo(expected, 5);
      expect(batched.perplexity).toBeCloseTo(Math.exp(expected), 3);
    } finally {
      m.dispose();
    }
  });
});
