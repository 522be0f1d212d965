/**
 * Examples -> token sequences, as training reads them. LM labels follow transformers:
 * labels equal the input ids (the loss shifts them) with IGNORE_INDEX on prompt tokens,
 * so only completion tokens are learned. No tensors here (batches.ts makes them), so the
 * row-length measurement's worker can use it without loading TensorFlow.js.
 */
import type { Example, Task } from '../types';
import type { TextTokenizer } from '../tokenize/tokenizer';
import type { EncodeStats } from './encodeStats';

/** Targets that carry no loss (PyTorch's cross-entropy ignore_index). */
export const IGNORE_INDEX = -100;

export interface Sequence {
  ids: number[];
  /** LM: per-token targets (IGNORE_INDEX where no loss). */
  labels?: number[];
  /** Classification: class index. */
  classId?: number;
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
