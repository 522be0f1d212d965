/**
 * A freshly initialised GPT-2 model folder for pretraining. This is the one place the
 * scripts build a config, so they stay independent of how the engine names its fields.
 */
import { initModel, saveModel } from '../../src/core/io/hf';
import { gpt2, newGpt2Config } from '../../src/core/model/gpt2';
import type { TextTokenizer } from '../../src/core/tokenize/tokenizer';
import type { ModelFiles } from '../../src/core/types';

export interface ModelShape {
  vocabSize: number;
  ctx: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  dropout: number;
  seed: number;
}

export function modelShape(s: ModelShape): string {
  return `GPT-2, ${s.nLayer} layers, d=${s.nEmbd}, ${s.nHead} heads, context ${s.ctx}, vocab ${s.vocabSize}`;
}

export async function newModelFolder(s: ModelShape, tok: TextTokenizer, tokFiles: ModelFiles): Promise<ModelFiles> {
  if (tok.vocabSize !== s.vocabSize) throw new Error(`the tokenizer has ${tok.vocabSize} ids, the settings ask for ${s.vocabSize}`);
  const config = newGpt2Config({
    vocabSize: s.vocabSize,
    nPositions: s.ctx,
    nEmbd: s.nEmbd,
    nLayer: s.nLayer,
    nHead: s.nHead,
    dropout: s.dropout,
    bosTokenId: tok.bosTokenId,
    eosTokenId: tok.eosTokenId,
  });
  const model = initModel(gpt2, config, s.seed);
  try {
    return await saveModel(model, 'lm', tokFiles);
  } finally {
    for (const v of model.params.values()) v.dispose();
  }
}
