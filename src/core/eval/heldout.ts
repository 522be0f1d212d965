/**
 * Held-out evaluation of a saved model: the metrics of its task on rows it never trained on,
 * for a classifier the confusion matrix and the rows it gets wrong, and robustness: the same
 * metrics after seeded edits of the input side (typos, casing, punctuation, deleted words,
 * synonyms), with how many predictions each kind of edit changes.
 */
import { mulberry32, shuffleInPlace } from '../data/random';
import { wordnetSynonyms } from '../data/augment';
import { caseVariant, keyboardTypos, punctuationVariant, randomDelete, synonymReplace, type Rng } from '../data/textops';
import { encodeExamples, fitPromptCompletion, promptOf, type Sequence } from '../train/encode';
import type { Example } from '../types';
import { evaluateSequences } from './evaluate';
import { completeIds, type LoadedForInference } from './inference';
import { DEFAULT_BOW, predictBowLabel, trainBow } from './bow';
import { classificationReport, type ClassificationReport } from './metrics';
import { PERTURBATIONS, type Perturbation } from './perturbations';

/** One pass over the rows: the task's metrics. */
export interface PassMetrics {
  loss: number;
  perplexity?: number;
  accuracy?: number;
  macroF1?: number;
}

export interface RobustnessResult extends PassMetrics {
  perturbation: Perturbation;
  /** Rows whose input the edit actually changed (a text without letters may have no typo spot). */
  changed: number;
  /** Classification: rows whose predicted class differs from the unedited row's. */
  flipped?: number;
}

export interface Mistake {
  /** Position in the evaluated rows. */
  index: number;
  /** The row's text, cut to `MISTAKE_TEXT_CHARS`. */
  text: string;
  label: string;
  predicted: string;
}

export interface GeneratedSample {
  index: number;
  prompt: string;
  reference: string;
  output: string;
  exact: boolean;
  f1: number;
}

/** Greedy completions of prompt rows (or a chat's last assistant turn) against their references (SQuAD-style scoring). */
export interface GenerationScores {
  /** Prompt or chat rows generated for (a seeded sample of at most `maxGenerations`). */
  rows: number;
  exactMatch: number;
  tokenF1: number;
  samples: GeneratedSample[];
}

export interface HeldOutReport {
  task: 'classify' | 'lm';
  /** Rows scored (after `maxRows` sampling and dropping rows without text). */
  count: number;
  /** Rows offered before sampling. */
  offered: number;
  /** Rows left out because they have no tokens. */
  empty: number;
  metrics: PassMetrics;
  classification?: ClassificationReport;
  mistakes?: Mistake[];
  /** Empty when the rows have no input side to edit (a language model on plain or labelled text). */
  robustness: RobustnessResult[];
  /** A language model on prompt / completion or chat rows: what it writes for the prompts. */
  generation?: GenerationScores;
  /** A classifier, when its training rows were given: the simple baselines on the same rows. */
  baselines?: ClassifierBaselines;
}

/**
 * What a classifier has to beat on the same rows: a bag-of-words logistic regression trained on
 * the rows the run trained on, and always answering the commonest training label.
 */
export interface ClassifierBaselines {
  /** Training rows the baselines learned from (the run's, less any of the scored rows). */
  trainRows: number;
  bow: { accuracy: number; macroF1: number };
  majority: { label: string; accuracy: number; macroF1: number };
}

/** Where an evaluation is: `done` of `total` passes (fractional while completions are written), and what runs now. */
export interface EvalProgress {
  done: number;
  total: number;
  stage: string;
}

export interface HeldOutOptions {
  maxLength: number;
  batchSize: number;
  seed?: number;
  /** Score a seeded sample of at most this many rows (0: all). */
  maxRows?: number;
  perturbations?: readonly Perturbation[];
  /** Mistakes listed, at most. */
  maxMistakes?: number;
  /** Prompt or chat rows to complete greedily and score against their references (default 100; 0: none). */
  maxGenerations?: number;
  /**
   * A classifier's training rows (text + label): baselines learn from them, less any row that
   * is also scored, and are scored on the same rows as the model.
   */
  baselineTrain?: Example[];
  /** Before each pass (the clean one, then each perturbation), before each completion, and at the end. */
  onProgress?: (p: EvalProgress) => void;
}

export const MISTAKE_TEXT_CHARS = 400;

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces. */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .join(' ');
}

/** SQuAD's token F1: overlap of the normalised words (as multisets). */
export function tokenF1(prediction: string, reference: string): number {
  const p = normalizeAnswer(prediction).split(' ').filter(Boolean);
  const r = normalizeAnswer(reference).split(' ').filter(Boolean);
  if (p.length === 0 || r.length === 0) return p.length === r.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const w of r) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of p) {
    const n = counts.get(w) ?? 0;
    if (n > 0) {
      common++;
      counts.set(w, n - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / p.length;
  const recall = common / r.length;
  return (2 * precision * recall) / (precision + recall);
}

/** The edited text; the same (text, kind, rng state) always gives the same edit. */
export function perturbText(text: string, kind: Perturbation, rng: Rng): string {
  const n = (rate: number) => Math.max(1, Math.round(rate * words(text)));
  switch (kind) {
    case 'typos':
      return keyboardTypos(text, n(0.05), rng);
    case 'casing':
      return caseVariant(text, rng);
    case 'punctuation':
      return punctuationVariant(text, rng);
    case 'deletion':
      return randomDelete(text, 0.1, rng);
    case 'synonyms':
      return synonymReplace(text, n(0.1), rng, wordnetSynonyms);
  }
}

/** The input side of a row with `edit` applied: a labelled row's text, a prompt, a chat's last user turn. Plain text has none. */
export function perturbExample(ex: Example, edit: (s: string) => string): Example | null {
  switch (ex.kind) {
    case 'labeled':
      return { ...ex, text: edit(ex.text) };
    case 'prompt':
      return { ...ex, prompt: edit(ex.prompt) };
    case 'chat': {
      const k = ex.messages.map((m) => m.role).lastIndexOf('user');
      if (k < 0) return null;
      return { ...ex, messages: ex.messages.map((m, i) => (i === k ? { ...m, content: edit(m.content) } : m)) };
    }
    case 'text':
      return null;
  }
}

/** Bag-of-words and majority-label baselines scored on `scored`; null when no training row is left or has a known label. */
export function classifierBaselines(train: Example[], scored: Example[], labels: string[]): ClassifierBaselines | null {
  const text = (e: Example) => (e.kind === 'labeled' ? e.text : '');
  const asScored = new Set(scored.map((e) => `${text(e)}\u0000${(e as { label?: string }).label}`));
  const rows = train.flatMap((e) => (e.kind === 'labeled' && labels.includes(e.label) && !asScored.has(`${e.text}\u0000${e.label}`) ? [e] : []));
  if (rows.length === 0) return null;
  const truth = scored.map((e) => labels.indexOf((e as { label: string }).label));
  const bow = trainBow(rows.map((e) => e.text), rows.map((e) => e.label), DEFAULT_BOW);
  const bowReport = classificationReport(truth, scored.map((e) => labels.indexOf(predictBowLabel(bow, text(e)))), labels);
  const counts = new Map<string, number>();
  for (const e of rows) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  // The commonest label; ties go to the first in the model's label order.
  const majority = labels.reduce((best, l) => ((counts.get(l) ?? 0) > (counts.get(best) ?? 0) ? l : best), labels[0]);
  const majorityReport = classificationReport(truth, truth.map(() => labels.indexOf(majority)), labels);
  return {
    trainRows: rows.length,
    bow: { accuracy: bowReport.accuracy, macroF1: bowReport.macroF1 },
    majority: { label: majority, accuracy: majorityReport.accuracy, macroF1: majorityReport.macroF1 },
  };
}

/** The turn before a chat's last assistant turn: what the model is answering. */
function lastAsk(messages: { role: string; content: string }[]): string {
  const last = messages.map((t) => t.role).lastIndexOf('assistant');
  return last > 0 ? messages[last - 1].content : '';
}

function inputOf(ex: Example): string {
  switch (ex.kind) {
    case 'labeled':
    case 'text':
      return ex.text;
    case 'prompt':
      return ex.prompt;
    case 'chat':
      return ex.messages.map((m) => m.content).join('\n');
  }
}

/**
 * Every row with its input side edited by `kind`. Each row has its own generator (from the
 * seed, the row's position and the kind), so a row's edit does not depend on the other rows.
 * An edit that would empty the input keeps the row as it was.
 */
export function perturbRows(rows: Example[], kind: Perturbation, seed: number): Example[] {
  const salt = PERTURBATIONS.findIndex((p) => p.id === kind) + 1;
  return rows.map((ex, i) => {
    const rng = mulberry32((seed * 1_000_003 + i * 7919 + salt * 104_729) >>> 0);
    const out = perturbExample(ex, (s) => perturbText(s, kind, rng));
    return out && inputOf(out).trim() !== '' ? out : ex;
  });
}

export async function evaluateHeldOut(m: LoadedForInference, rows: Example[], opts: HeldOutOptions): Promise<HeldOutReport> {
  const { run, tokenizer } = m;
  const task = run.task;
  const seed = opts.seed ?? 1;
  let picked = rows;
  if (opts.maxRows && rows.length > opts.maxRows) {
    const order = shuffleInPlace(rows.map((_, i) => i), mulberry32(seed)).slice(0, opts.maxRows).sort((a, b) => a - b);
    picked = order.map((i) => rows[i]);
  }
  const encodeOpts = {
    task,
    maxLength: Math.min(opts.maxLength, run.model.config.maxPositions),
    labels: run.model.labels ?? undefined,
    eosTokenId: tokenizer.eosTokenId ?? run.model.config.eosTokenId,
  };
  if (task === 'classify' && picked.some((e) => e.kind !== 'labeled')) {
    throw new Error('This model is a classifier: evaluate it on rows with a text and a label.');
  }
  if (task === 'classify') {
    const known = new Set(run.model.labels);
    const unknown = [...new Set(picked.map((e) => (e as { label: string }).label).filter((l) => !known.has(l)))];
    if (unknown.length) {
      throw new Error(`The rows have labels this model does not know: ${unknown.slice(0, 5).map((l) => `"${l}"`).join(', ')} (it knows ${[...known].map((l) => `"${l}"`).join(', ')}).`);
    }
  }

  // Each row is encoded once; rows the tokenizer turns into nothing are left out, so sequences and rows stay aligned.
  const encoded = picked.map((ex) => ({ ex, seqs: encodeExamples([ex], tokenizer, encodeOpts) })).filter((e) => e.seqs.length > 0);
  const kept = encoded.map((e) => e.ex);
  if (kept.length === 0) throw new Error('None of these rows has any text to score.');
  // A language model reads a labelled row as plain text: editing it would score other text, not the same task.
  const editable = task === 'classify' || kept.every((ex) => ex.kind === 'prompt' || ex.kind === 'chat');
  const kinds = editable ? [...(opts.perturbations ?? PERTURBATIONS.map((p) => p.id))] : [];
  // A chat row is asked its history and scored on its last assistant turn, as it trained.
  const prompts = task === 'lm' ? kept.flatMap((ex, i) => (ex.kind === 'prompt' || (ex.kind === 'chat' && ex.messages.some((t) => t.role === 'assistant')) ? [{ ex, i }] : [])) : [];
  let toGenerate = prompts;
  const maxGen = opts.maxGenerations ?? 100;
  if (prompts.length > maxGen) {
    toGenerate = shuffleInPlace([...prompts], mulberry32(seed + 1)).slice(0, maxGen).sort((a, b) => a.i - b.i);
  }
  const total = 1 + kinds.length + (toGenerate.length ? 1 : 0);
  const pass = async (examples: Example[], encodedAlready?: Sequence[]) => {
    const seqs = encodedAlready ?? encodeExamples(examples, tokenizer, encodeOpts);
    // Per row (not per window) for a classifier; a language model's rows may span windows, which is fine for its loss.
    if (task === 'classify' && seqs.length !== examples.length) throw new Error('an edited row lost all its tokens');
    return evaluateSequences(run, seqs, opts.batchSize, m.padId);
  };
  const metricsOf = (r: Awaited<ReturnType<typeof pass>>): PassMetrics =>
    task === 'lm' ? { loss: r.loss, perplexity: r.perplexity } : { loss: r.loss, accuracy: r.accuracy, macroF1: r.macroF1 };

  const progress = (done: number, stage: string) => opts.onProgress?.({ done, total, stage });
  progress(0, 'scoring the rows as they are');
  const clean = await pass(kept, encoded.flatMap((e) => e.seqs));
  const labels = run.model.labels ?? [];
  const report: HeldOutReport = {
    task,
    count: kept.length,
    offered: rows.length,
    empty: picked.length - kept.length,
    metrics: metricsOf(clean),
    robustness: [],
  };
  if (task === 'classify') {
    report.classification = clean.report;
    report.mistakes = kept
      .flatMap((ex, i) => {
        const e = ex as Extract<Example, { kind: 'labeled' }>;
        const predicted = labels[clean.predicted![i]];
        return predicted === e.label ? [] : [{ index: i, text: e.text.slice(0, MISTAKE_TEXT_CHARS), label: e.label, predicted }];
      })
      .slice(0, opts.maxMistakes ?? 50);
  }

  if (task === 'classify' && opts.baselineTrain) report.baselines = classifierBaselines(opts.baselineTrain, kept, labels) ?? undefined;

  for (const [k, kind] of kinds.entries()) {
    progress(1 + k, `scoring the rows with an edit: ${PERTURBATIONS.find((p) => p.id === kind)!.label.toLowerCase()}`);
    const edited = perturbRows(kept, kind, seed);
    const changed = edited.filter((ex, i) => inputOf(ex) !== inputOf(kept[i])).length;
    const r = await pass(edited);
    const result: RobustnessResult = { perturbation: kind, changed, ...metricsOf(r) };
    if (task === 'classify') result.flipped = r.predicted!.filter((p, i) => p !== clean.predicted![i]).length;
    report.robustness.push(result);
  }

  if (toGenerate.length) {
    const eos = encodeOpts.eosTokenId == null ? [] : [encodeOpts.eosTokenId];
    const samples: GeneratedSample[] = [];
    for (const [j, { ex, i }] of toGenerate.entries()) {
      progress(1 + kinds.length + j / toGenerate.length, `writing completion ${j + 1} of ${toGenerate.length}`);
      const { prompt, completion, addSpecialTokens } = promptOf(tokenizer, ex as Extract<Example, { kind: 'prompt' | 'chat' }>);
      // The prompt is cut as in training (its end kept, room for the reference); the model may
      // write the reference and a little more: a longer answer is wrong anyway.
      const reference = [...tokenizer.encode(completion, { addSpecialTokens: false }), ...eos];
      const [promptIds] = fitPromptCompletion(tokenizer.encode(prompt, { addSpecialTokens }), reference, encodeOpts.maxLength);
      const maxNewTokens = Math.min(run.model.config.maxPositions - promptIds.length, reference.length + 16);
      const output = (await completeIds(m, promptIds, { maxNewTokens, temperature: 0 })).text;
      const exact = normalizeAnswer(output) === normalizeAnswer(completion);
      // A chat is shown by the turn that asked, not by its rendered template.
      const asked = ex.kind === 'chat' ? lastAsk(ex.messages) : prompt;
      samples.push({ index: i, prompt: asked.slice(0, MISTAKE_TEXT_CHARS), reference: completion.slice(0, MISTAKE_TEXT_CHARS), output: output.slice(0, MISTAKE_TEXT_CHARS), exact, f1: tokenF1(output, completion) });
    }
    report.generation = {
      rows: samples.length,
      exactMatch: samples.filter((s) => s.exact).length / samples.length,
      tokenF1: samples.reduce((a, s) => a + s.f1, 0) / samples.length,
      samples: samples.slice(0, opts.maxMistakes ?? 50),
    };
  }
  progress(total, 'done');
  return report;
}
