/** Builders for tests: a tiny randomly initialised GPT-2 folder with the byte-level BPE fixture tokenizer. */
import { join } from 'node:path';
import { tf } from '../core/backend';
import { disposeModel, initModel, saveModel } from '../core/io/hf';
import { gpt2, newGpt2Config } from '../core/model/gpt2';
import { DEFAULT_HYPERPARAMS, type Example, type Hyperparams, type ModelFiles } from '../core/types';
import { readFolder } from './node';

export const FIXTURE_TOKENIZER_DIR = join(__dirname, '../core/tokenize/fixtures/byte-bpe');

/**
 * `embeddingStd` widens the token embedding: with GPT-2's 0.02 a random model's tied
 * LM head can barely move its logits, so methods that freeze the embedding (freeze,
 * LoRA) would have nothing to work with — unlike with a real pretrained base.
 */
export async function tinyGpt2Files(opts: { nLayer?: number; nEmbd?: number; nHead?: number; nPositions?: number; seed?: number; embeddingStd?: number } = {}): Promise<ModelFiles> {
  const tokenizer = readFolder(FIXTURE_TOKENIZER_DIR);
  const config = newGpt2Config({
    vocabSize: 265,
    nPositions: opts.nPositions ?? 32,
    nEmbd: opts.nEmbd ?? 16,
    nLayer: opts.nLayer ?? 2,
    nHead: opts.nHead ?? 2,
    bosTokenId: 262,
    eosTokenId: 264,
  });
  const model = initModel(gpt2, config, opts.seed ?? 1);
  if (opts.embeddingStd) {
    const wte = model.params.get('transformer.wte.weight')!;
    wte.assign(tf.tidy(() => wte.mul(opts.embeddingStd! / 0.02)));
  }
  try {
    return await saveModel(model, 'lm', tokenizer);
  } finally {
    disposeModel(model);
  }
}

export function hyperparams(overrides: Partial<Hyperparams> = {}): Hyperparams {
  return { ...DEFAULT_HYPERPARAMS, dropout: 0, warmupSteps: 0, valSplit: 0, evalEvery: 0, ...overrides };
}

/** A classification toy task the label of which is in the words. */
export function sentimentExamples(n: number): Example[] {
  const pos = ['good day', 'great film', 'good food', 'great day', 'good film'];
  const neg = ['bad day', 'awful film', 'bad food', 'awful day', 'bad film'];
  return Array.from({ length: n }, (_, i) =>
    i % 2 === 0 ? { kind: 'labeled', text: pos[(i / 2) % pos.length], label: 'pos' } : { kind: 'labeled', text: neg[((i - 1) / 2) % neg.length], label: 'neg' },
  );
}

/** A generation toy task: a fixed completion for each prompt. */
export function promptExamples(n: number): Example[] {
  const pairs: [string, string][] = [
    ['colour of sky:', ' blue'],
    ['colour of grass:', ' green'],
    ['colour of snow:', ' white'],
  ];
  return Array.from({ length: n }, (_, i) => ({ kind: 'prompt', prompt: pairs[i % 3][0], completion: pairs[i % 3][1] }));
}

export function textExamples(n: number): Example[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'text', text: i % 2 ? 'the cat sat on the mat.' : 'the dog ate the bone.' }));
}

export { tf };
