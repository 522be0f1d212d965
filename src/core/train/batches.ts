/**
 * Examples -> token sequences -> padded batches. LM labels follow transformers:
 * labels equal the input ids (the loss shifts them) with IGNORE_INDEX on prompt
 * tokens and padding, so only completion tokens are learned.
 */
import { tf } from '../backend';
import type { Example, Task } from '../types';
import type { TextTokenizer } from '../tokenize/tokenizer';
import type { EncodeStats } from './encodeStats';
import { IGNORE_INDEX } from './losses';

export interface Sequence {
  ids: number[];
  /** LM: per-token targets (IGNORE_INDEX where no loss). */
  labels?: number[];
  /** Classification: class index. */
  classId?: number;
}

export interface Batch {
  ids: tf.Tensor2D; // [B, T] int32
  mask: tf.Tensor2D; // [B, T] float32, 1 for real tokens
  lmLabels?: tf.Tensor2D; // [B, T] int32
  classIds?: tf.Tensor1D; // [B] int32
  /** Real tokens in the batch (for tokens/s). */
  tokens: number;
  /** Positions that carry loss: LM target tokens, or rows for classification. */
  targets: number;
}

export interface EncodeOptions {
  task: Task;
  maxLength: number;
  labels?: string[];
  eosTokenId: number | null;
}


/** Chat turns as one prompt (everything before the last assistant turn) and its completion. */
export function chatAsPrompt(tok: TextTokenizer, messages: { role: string; content: string }[]): { prompt: string; completion: string } {
  let last = -1;
  messages.forEach((m, i) => {
    if (m.role === 'assistant') last = i;
  });
  if (last < 0) throw new Error('a chat example has no assistant message to learn from');
  const history = messages.slice(0, last);
  const prompt = tok.hasChatTemplate
    ? tok.applyChatTemplate(history, { addGenerationPrompt: true })
    : history.map((m) => `${m.role}: ${m.content}\n`).join('') + 'assistant: ';
  return { prompt, completion: messages[last].content };
}

/**
 * What a prompt / completion or chat row asks the model and what it should answer, as the
 * model reads it in training: the prompt text and whether the tokenizer adds its special
 * tokens to it. Special tokens (e.g. LLaMA's <s>) open the prompt only; a rendered chat
 * template already carries its own, as transformers' apply_chat_template assumes.
 */
export function promptOf(tok: TextTokenizer, ex: Extract<Example, { kind: 'prompt' | 'chat' }>): { prompt: string; completion: string; addSpecialTokens: boolean } {
  if (ex.kind === 'prompt') return { prompt: ex.prompt, completion: ex.completion, addSpecialTokens: true };
  return { ...chatAsPrompt(tok, ex.messages), addSpecialTokens: !tok.hasChatTemplate };
}

/** Keep the end of a long prompt and as much completion as fits (at least half the window). */
export function fitPromptCompletion(p: number[], c: number[], max: number): [number[], number[]] {
  const cRoom = Math.min(c.length, Math.max(max - p.length, Math.ceil(max / 2)));
  const pRoom = Math.min(p.length, max - cRoom);
  return [p.slice(p.length - pRoom), c.slice(0, cRoom)];
}

/**
 * Encode with the tokenizer's special tokens and cut the text, not the specials, to
 * `max` (transformers' truncation): BERT keeps its closing [SEP].
 */
export function encodeTruncated(tok: TextTokenizer, text: string, max: number): number[] {
  return encodeCut(tok, text, max).ids;
}

/** encodeTruncated, with the length before cutting. */
function encodeCut(tok: TextTokenizer, text: string, max: number): { ids: number[]; fullLength: number } {
  const full = tok.encode(text);
  if (full.length <= max) return { ids: full, fullLength: full.length };
  const inner = tok.encode(text, { addSpecialTokens: false });
  const extra = full.length - inner.length;
  // Specials are a prefix and/or suffix around the text's ids.
  let pre = 0;
  while (pre < extra && full[pre] !== inner[0]) pre++;
  const post = extra - pre;
  if (max <= extra) return { ids: full.slice(0, max), fullLength: full.length };
  return { ids: [...full.slice(0, pre), ...inner.slice(0, max - extra), ...full.slice(full.length - post)], fullLength: full.length };
}

export function encodeExamples(examples: Example[], tok: TextTokenizer, opts: EncodeOptions, stats?: EncodeStats): Sequence[] {
  const eos = opts.eosTokenId == null ? [] : [opts.eosTokenId];
  const count = (tokens: number, cut: boolean) => {
    if (!stats) return;
    stats.rows++;
    if (cut) stats.cut++;
    stats.longest = Math.max(stats.longest, tokens);
  };
  const max = opts.maxLength;
  const labelIndex = new Map((opts.labels ?? []).map((l, i) => [l, i]));
  const out: Sequence[] = [];
  for (const ex of examples) {
    if (opts.task === 'classify') {
      if (ex.kind !== 'labeled') throw new Error(`classification needs text + label rows, got a "${ex.kind}" row`);
      const classId = labelIndex.get(ex.label);
      if (classId === undefined) throw new Error(`label "${ex.label}" is not one of the model's labels (${[...labelIndex.keys()].join(', ')})`);
      const { ids, fullLength } = encodeCut(tok, ex.text, max);
      count(fullLength, fullLength > max);
      if (ids.length === 0) continue;
      out.push({ ids, classId });
      continue;
    }
    if (ex.kind === 'text' || ex.kind === 'labeled') {
      // Long documents become consecutive windows, each learned in full.
      const ids = [...tok.encode(ex.text), ...eos];
      count(ids.length, false);
      for (let s = 0; s < ids.length; s += max) {
        const w = ids.slice(s, s + max);
        if (w.length >= 2) out.push({ ids: w, labels: w });
      }
      continue;
    }
    const pc = promptOf(tok, ex);
    const promptIds = tok.encode(pc.prompt, { addSpecialTokens: pc.addSpecialTokens });
    const completionIds = [...tok.encode(pc.completion, { addSpecialTokens: false }), ...eos];
    const [p, c] = fitPromptCompletion(promptIds, completionIds, max);
    count(promptIds.length + completionIds.length, p.length + c.length < promptIds.length + completionIds.length);
    if (c.length === 0) continue;
    out.push({ ids: [...p, ...c], labels: [...p.map(() => IGNORE_INDEX), ...c] });
  }
  return out;
}

/** Pad a group of sequences to the longest one (right padding, as GPT-2 classification expects). */
export function makeBatch(seqs: Sequence[], padId: number): Batch {
  const T = Math.max(...seqs.map((s) => s.ids.length));
  const B = seqs.length;
  const ids = new Int32Array(B * T).fill(padId);
  const mask = new Float32Array(B * T);
  const lm = seqs[0].labels ? new Int32Array(B * T).fill(IGNORE_INDEX) : null;
  let tokens = 0;
  let targets = 0;
  seqs.forEach((s, b) => {
    s.ids.forEach((id, t) => {
      ids[b * T + t] = id;
      mask[b * T + t] = 1;
    });
    tokens += s.ids.length;
    if (lm && s.labels) {
      s.labels.forEach((y, t) => (lm[b * T + t] = y));
      targets += s.labels.slice(1).filter((y) => y !== IGNORE_INDEX).length;
    }
  });
  const classIds = seqs[0].classId !== undefined ? tf.tensor1d(seqs.map((s) => s.classId!), 'int32') : undefined;
  return {
    ids: tf.tensor2d(ids, [B, T], 'int32'),
    mask: tf.tensor2d(mask, [B, T], 'float32'),
    lmLabels: lm ? tf.tensor2d(lm, [B, T], 'int32') : undefined,
    classIds,
    tokens,
    targets: classIds ? B : targets,
  };
}

export function disposeBatch(b: Batch): void {
  b.ids.dispose();
  b.mask.dispose();
  b.lmLabels?.dispose();
  b.classIds?.dispose();
}

/** Index groups of `batchSize` over `n` items in the given order. */
/**
 * transformers' `group_by_length` (its LengthGroupedSampler): the shuffled order is cut into
 * mega-batches of 50 batches, each sorted longest first, so a batch holds rows of about the
 * same length and pads little; the longest row of all opens the epoch, so a batch that does
 * not fit in memory fails at once rather than late.
 */
export function lengthGroupedOrder(order: readonly number[], lengths: readonly number[], batchSize: number): number[] {
  const size = Math.max(1, batchSize) * 50;
  const megas: number[][] = [];
  for (let i = 0; i < order.length; i += size) megas.push(order.slice(i, i + size).sort((a, b) => lengths[b] - lengths[a]));
  if (megas.length > 1) {
    let longest = 0;
    megas.forEach((m, k) => {
      if (lengths[m[0]] > lengths[megas[longest][0]]) longest = k;
    });
    [megas[0][0], megas[longest][0]] = [megas[longest][0], megas[0][0]];
  }
  return megas.flat();
}

export function chunkIndices(order: number[], batchSize: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(order.slice(i, i + batchSize));
  return out;
}

/**
 * Each row's length in tokens as training reads it, before any cutting (a classified text
 * with its special tokens, a prompt with its completion and end token, a document with its
 * end token), longest first. Rows that give no tokens are left out, as training leaves them.
 */
export function rowTokenLengths(examples: Example[], tok: TextTokenizer, task: Task, eosTokenId: number | null): number[] {
  const labels = task === 'classify' ? [...new Set(examples.map((e) => (e.kind === 'labeled' ? e.label : '')))] : undefined;
  return encodeExamples(examples, tok, { task, maxLength: Infinity, labels, eosTokenId })
    .map((s) => s.ids.length)
    .sort((a, b) => b - a);
}
