/** A saved model folder, loaded for evaluation and prediction. */
import { tf } from '../backend';
import { disposeModel, loadModel } from '../io/hf';
import type { ModelRun } from '../model/runner';
import { taskLogits } from '../model/runner';
import { loadTokenizerFromFiles, type TextTokenizer } from '../tokenize/tokenizer';
import { encodeExamples } from '../train/encode';
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

export interface CompleteOptions extends GenerateOptions {
  /** Strings that end the completion (not included in it), e.g. "\nUser:". */
  stopSequences?: string[];
  /** Render the prompt as one user turn through the tokenizer's chat template. */
  chat?: boolean;
  /** The completion so far, after every token: for streaming to the page. */
  onText?: (text: string) => void;
}

/** Generate a completion for `prompt`, streamed through `onText`, ending at eos or a stop sequence. */
export async function complete(m: LoadedForInference, prompt: string, opts: CompleteOptions): Promise<{ text: string; ids: number[] }> {
  const { tokenizer } = m;
  const useChat = opts.chat === true && tokenizer.hasChatTemplate;
  const rendered = useChat ? tokenizer.applyChatTemplate([{ role: 'user', content: prompt }], { addGenerationPrompt: true }) : prompt;
  return completeIds(m, tokenizer.encode(rendered, { addSpecialTokens: !useChat }), opts);
}

/** `complete` from prompt token ids already encoded (and cut) by the caller; `opts.chat` is not used. */
export async function completeIds(m: LoadedForInference, promptIds: number[], opts: CompleteOptions): Promise<{ text: string; ids: number[] }> {
  const { tokenizer } = m;
  const eos = tokenizer.eosTokenId;
  const stops = (opts.stopSequences ?? []).filter((s) => s.length > 0);
  const out: number[] = [];
  let text = '';
  let stopped = false;
  const ids = await generate(m.run, promptIds, {
    ...opts,
    stopIds: opts.stopIds ?? (eos == null ? [] : [eos]),
    onToken: (id) => {
      if (stopped) return;
      opts.onToken?.(id);
      if (id === eos) return;
      out.push(id);
      text = tokenizer.decode(out, { skipSpecialTokens: true });
      const hit = stops.map((s) => text.indexOf(s)).filter((i) => i >= 0);
      if (hit.length) {
        text = text.slice(0, Math.min(...hit));
        stopped = true;
      }
      opts.onText?.(text);
    },
    shouldStop: () => stopped,
  });
  return { text, ids };
}
