/**
 * Trying a model: load a folder for inference, then stream a completion token by token
 * or score a text against the classifier's classes. No Worker globals, so Node tests
 * drive it directly; playground.worker.ts is its thin shell.
 */
import { evaluateHeldOut, type EvalProgress, type HeldOutReport } from '../core/eval/heldout';
import { classify, complete, loadForInference, type LoadedForInference } from '../core/eval/inference';
import type { Example, ModelFiles, Task } from '../core/types';

export interface PlaygroundModel {
  task: Task;
  family: string;
  /** Classes of a classifier, in index order. */
  labels: string[] | null;
  hasChatTemplate: boolean;
  maxPositions: number;
}

export interface GenerationSettings {
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  maxNewTokens: number;
  /** End of text cannot come before this many tokens (0: it can come first). */
  minNewTokens: number;
  stopSequences: string[];
  chat: boolean;
  seed: number;
}

export type GenerationEnd = 'eos' | 'stop-sequence' | 'max-tokens' | 'stopped';

export interface GenerationResult {
  text: string;
  tokens: number;
  ms: number;
  end: GenerationEnd;
}

export interface Classification {
  label: string;
  probabilities: Record<string, number>;
}

export const EVAL_MAX_ROWS = 2000;

/** Thrown from the token callback to end generation early; the engine's finally blocks free the KV cache. */
class StopRequested extends Error {}

/** How `Playground.evaluate` scores: rows cut to `maxLength` (default: the whole context), baselines for a classifier, robustness (default on). */
export interface EvaluateOptions {
  maxLength?: number;
  /** A classifier run's training rows, for the bag-of-words and majority baselines on the same rows. */
  baselineTrain?: Example[];
  robustness?: boolean;
}

export class Playground {
  private loaded: LoadedForInference | null = null;

  load(files: ModelFiles): PlaygroundModel {
    this.dispose();
    this.loaded = loadForInference(files);
    const { run, tokenizer } = this.loaded;
    return {
      task: run.task,
      family: run.model.config.modelType,
      labels: run.model.labels ? [...run.model.labels] : null,
      hasChatTemplate: tokenizer.hasChatTemplate,
      maxPositions: run.model.config.maxPositions,
    };
  }

  private model(): LoadedForInference {
    if (!this.loaded) throw new Error('No model is loaded in the playground.');
    return this.loaded;
  }

  /**
   * Streams the completion through `onText` (the whole text so far, after every token).
   * `shouldStop` is polled after every token; a stop keeps the text produced so far.
   */
  async generate(prompt: string, s: GenerationSettings, onText: (text: string) => void, shouldStop: () => boolean): Promise<GenerationResult> {
    const m = this.model();
    if (m.run.task !== 'lm') throw new Error('This model is a classifier: it scores text instead of writing it.');
    if (!prompt.trim() && !s.chat) throw new Error('Write a prompt first.');
    const started = Date.now();
    const eos = m.tokenizer.eosTokenId;
    let tokens = 0;
    let text = '';
    let sawEos = false;
    let stopped = false;
    try {
      const out = await complete(m, prompt, {
        maxNewTokens: s.maxNewTokens,
        minNewTokens: s.minNewTokens,
        temperature: s.temperature,
        topK: s.topK,
        topP: s.topP,
        repetitionPenalty: s.repetitionPenalty,
        stopSequences: s.stopSequences,
        chat: s.chat,
        seed: s.seed,
        onToken: (id) => {
          tokens++;
          if (id === eos) sawEos = true;
          if (shouldStop()) throw new StopRequested();
        },
        onText: (t) => {
          text = t;
          onText(t);
        },
      });
      text = out.text;
    } catch (e) {
      if (!(e instanceof StopRequested)) throw e;
      stopped = true;
    }
    // Generation ends early only at eos, a stop sequence or a stop request.
    const end: GenerationEnd = stopped ? 'stopped' : sawEos ? 'eos' : tokens < s.maxNewTokens ? 'stop-sequence' : 'max-tokens';
    return { text, tokens, ms: Date.now() - started, end };
  }

  async classify(text: string): Promise<Classification> {
    const m = this.model();
    if (!text.trim()) throw new Error('Write a text to classify first.');
    return classify(m, text, m.run.model.config.maxPositions);
  }

  /**
   * Held-out metrics, a classifier's confusion matrix and mistakes, and robustness to
   * seeded edits of the input. Rows are cut to `maxLength` tokens (a run's training length;
   * the model's context when absent); at most `EVAL_MAX_ROWS` of them (a seeded sample)
   * keep it to seconds on a GPU.
   */
  async evaluate(rows: Example[], onProgress: (p: EvalProgress) => void, opts: EvaluateOptions = {}): Promise<HeldOutReport> {
    const m = this.model();
    return evaluateHeldOut(m, rows, {
      maxLength: opts.maxLength ?? m.run.model.config.maxPositions,
      batchSize: 8,
      seed: 1,
      maxRows: EVAL_MAX_ROWS,
      maxMistakes: 50,
      onProgress,
      baselineTrain: opts.baselineTrain,
      ...(opts.robustness === false && { perturbations: [] }),
    });
  }

  dispose(): void {
    this.loaded?.dispose();
    this.loaded = null;
  }
}
