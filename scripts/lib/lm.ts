/**
 * Language-model helpers shared by the pretraining and baseline scripts: the corpus as
 * one token stream, fixed evaluation windows, and the unigram reference perplexity.
 */
import type { Sequence } from '../../src/core/train/encode';
import type { TextTokenizer } from '../../src/core/tokenize/tokenizer';

/** Documents -> one stream of ids, each document followed by end-of-text (as GPT-2 was trained). */
export function tokenStream(tok: TextTokenizer, texts: string[], eot: number): Int32Array {
  const parts: number[][] = texts.map((t) => [...tok.encode(t), eot]);
  const out = new Int32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Consecutive non-overlapping windows of `ctx` ids (the last one may be shorter, never below 2). */
export function evalWindows(stream: Int32Array, ctx: number): Sequence[] {
  const out: Sequence[] = [];
  for (let s = 0; s + 1 < stream.length; s += ctx) {
    const ids = Array.from(stream.subarray(s, Math.min(stream.length, s + ctx)));
    if (ids.length >= 2) out.push({ ids, labels: ids });
  }
  return out;
}

/** Every `k`-th window, for a quick periodic check; the full set is used for the reported figures. */
export function everyKth<T>(xs: T[], k: number): T[] {
  return xs.filter((_, i) => i % k === 0);
}

/**
 * Unigram model: add-one smoothed token frequencies of the training stream.
 * Returns log-probabilities for every id in 0..vocabSize-1.
 */
export function unigramLogProbs(train: Int32Array, vocabSize: number): Float64Array {
  const counts = new Float64Array(vocabSize).fill(1);
  for (const id of train) counts[id]++;
  const total = train.length + vocabSize;
  return counts.map((c) => Math.log(c / total));
}

/**
 * Perplexity of the unigram model on exactly the positions the transformer is scored on:
 * each window's tokens after the first (the causal loss predicts ids[1..] from the prefix).
 */
export function unigramPerplexity(logp: Float64Array, windows: Sequence[]): { loss: number; perplexity: number; tokens: number } {
  let nll = 0;
  let n = 0;
  for (const w of windows) {
    for (let t = 1; t < w.ids.length; t++) {
      nll -= logp[w.ids[t]];
      n++;
    }
  }
  const loss = nll / n;
  return { loss, perplexity: Math.exp(loss), tokens: n };
}
