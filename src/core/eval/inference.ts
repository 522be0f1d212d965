/** A saved model folder, loaded for evaluation and prediction. */
import { tf } from '../backend';
import { disposeModel, loadModel } from '../io/hf';
import type { ModelRun } from '../model/runner';
import { taskLogits } from '../model/runner';
import { loadTokenizerFromFiles, type TextTokenizer } from '../tokenize/tokenizer';
import { encodeExamples } from '../train/batches';
import type { Example, ModelFiles } from '../types';
import { evaluateSequences, type EvalResult } from './evaluate';
import { generate, type GenerateOptions } from './generate';

export interface LoadedForInference {
  run: ModelRun;
  tokenizer: TextTokenizer;
  padId: number;
  dispose(): void;
}

/** Classifier when the folder has a classification head, causal LM otherwise. */
export function loadForInference(files: ModelFiles): LoadedForInference {
  const tokenizer = loadTokenizerFromFiles(files);
  const model = loadModel(files);
  const task = model.labels ? 'classify' : 'lm';
  const padId = tokenizer.padTokenId ?? model.config.padTokenId ?? model.config.eosTokenId ?? 0;
  return { run: { model, lora: null, task }, tokenizer, padId, dispose: () => disposeModel(model) };
}

export async function evaluateExamples(m: LoadedForInference, examples: Example[], opts: { maxLength: number; batchSize: number }): Promise<EvalResult> {
  const { run, tokenizer } = m;
  const seqs = encodeExamples(examples, tokenizer, {
    task: run.task,
    maxLength: Math.min(opts.maxLength, run.model.config.maxPositions),
    labels: run.model.labels ?? undefined,
    eosTokenId: tokenizer.eosTokenId ?? run.model.config.eosTokenId,
  });
  return evaluateSequences(run, seqs, opts.batchSize, m.padId);
}

export async function classify(m: LoadedForInference, text: string, maxLength = 128): Promise<{ label: string; probabilities: Record<string, number> }> {
  const labels = m.run.model.labels;
  if (!labels) throw new Error('this model has no classification head');
  const ids = m.tokenizer.encode(text).slice(0, Math.min(maxLength, m.run.model.config.maxPositions));
  if (ids.length === 0) throw new Error('the text has no tokens');
  const probs = tf.tidy(() => tf.softmax(taskLogits(m.run, tf.tensor2d([ids], undefined, 'int32'), null, { training: false })).flatten());
  const p = Array.from(await probs.data());
  probs.dispose();
  const best = p.indexOf(Math.max(...p));
  return { label: labels[best], probabilities: Object.fromEntries(labels.map((l, i) => [l, p[i]])) };
}

export async function complete(m: LoadedForInference, prompt: string, opts: GenerateOptions): Promise<{ text: string; ids: number[] }> {
  const eos = m.tokenizer.eosTokenId;
  const ids = await generate(m.run, m.tokenizer.encode(prompt), { ...opts, stopIds: opts.stopIds ?? (eos == null ? [] : [eos]) });
  const visible = eos != null && ids[ids.length - 1] === eos ? ids.slice(0, -1) : ids;
  return { text: m.tokenizer.decode(visible, { skipSpecialTokens: true }), ids };
}
