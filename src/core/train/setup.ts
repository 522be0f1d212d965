/**
 * Everything a run needs before its first step: the model and tokenizer from the base
 * folder, the task head, the trainable parameter set for the method, and the data
 * split and encoded.
 */
import { tf } from '../backend';
import { trainValRows } from '../data/split';
import { loadModel, setClassifierHead, type LoadedModel } from '../io/hf';
import { createLora, type LoraState } from '../model/lora';
import { withDefaultTargets } from '../model/loraTargets';
import type { ModelRun } from '../model/runner';
import { loadTokenizerFromFiles, type TextTokenizer } from '../tokenize/tokenizer';
import type { Example, Hyperparams, Method, TrainRequest } from '../types';
import { encodeExamples, type Sequence } from './encode';
import type { EncodeStats } from './encodeStats';
import { selectTrainable } from './trainable';

export interface PreparedRun {
  run: ModelRun;
  tokenizer: TextTokenizer;
  trainable: Map<string, tf.Variable>;
  train: Sequence[];
  val: Sequence[];
  padId: number;
  /** The training and validation rows as encoded: how many were cut to `maxLength`, the longest before cutting. */
  encoded: EncodeStats & { maxLength: number };
}

export function distinctLabels(examples: Example[]): string[] {
  const set = new Set<string>();
  for (const e of examples) if (e.kind === 'labeled') set.add(e.label);
  return [...set].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

/** Keep an existing head when it already has exactly the data's classes; otherwise start a new one. */
function ensureHead(model: LoadedModel, labels: string[], seed: number): void {
  const same = model.labels && model.labels.length === labels.length && labels.every((l) => model.labels!.includes(l));
  if (!same) setClassifierHead(model, labels, seed);
}

export function prepareRun(req: TrainRequest): PreparedRun {
  const hp = req.hyperparams;
  if (req.train.length === 0) throw new Error('the training set is empty');
  const tokenizer = loadTokenizerFromFiles(req.base);
  const model = loadModel(req.base);
  let lora: LoraState | null = null;
  try {
    if (!model.arch.tasks.includes(req.task)) {
      const names: Record<string, string> = { lm: 'text generation', classify: 'classification' };
      throw new Error(`${model.config.modelType} models support ${model.arch.tasks.map((t) => names[t]).join(' and ')} only, not ${names[req.task]}`);
    }
    const { train, val } = trainValRows(req);
    const padId = tokenizer.padTokenId ?? model.config.padTokenId ?? model.config.eosTokenId ?? 0;
    let labels: string[] | undefined;
    if (req.task === 'classify') {
      labels = distinctLabels([...train, ...val]);
      ensureHead(model, labels, hp.seed);
      labels = model.labels!;
      model.config.padTokenId = padId;
    }
    const maxLength = Math.min(hp.maxLength, model.config.maxPositions);
    const enc = { task: req.task, maxLength, labels, eosTokenId: tokenizer.eosTokenId ?? model.config.eosTokenId };
    const stats: EncodeStats = { rows: 0, cut: 0, longest: 0 };
    const trainSeqs = encodeExamples(train, tokenizer, enc, stats);
    const valSeqs = encodeExamples(val, tokenizer, enc, stats);
    if (trainSeqs.length === 0) throw new Error('no training example has any token to learn from after tokenisation');
    if (req.method === 'lora') lora = createLora(model.arch.linearModules(model.config), withDefaultTargets(hp.lora, model.arch.loraTargets), hp.seed);
    const run: ModelRun = { model, lora, task: req.task };
    const trainable = selectTrainable(model, req.method, hp, lora, req.task);
    return { run, tokenizer, trainable, train: trainSeqs, val: valSeqs, padId, encoded: { ...stats, maxLength } };
  } catch (e) {
    for (const v of model.params.values()) v.dispose();
    throw e;
  }
}
