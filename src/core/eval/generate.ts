/**
 * Autoregressive decoding for causal-LM runs: greedy when temperature is 0, otherwise
 * seeded sampling with temperature, top-k and top-p (nucleus); an optional repetition
 * penalty as in CTRL / transformers. With the KV cache (the default) each step feeds
 * only the newest token; without it, each step re-runs the whole window.
 */
import { tf } from '../backend';
import { mulberry32 } from '../data/random';
import { disposeCache, newCache } from '../model/layers';
import { taskLogits, type ModelRun } from '../model/runner';

export interface GenerateOptions {
  maxNewTokens: number;
  temperature?: number;
  topK?: number;
  /** Keep the smallest set of tokens whose probability adds up to top-p (1: off). */
  topP?: number;
  /** > 1 discourages tokens already in the prompt or output (transformers' repetition_penalty). */
  repetitionPenalty?: number;
  seed?: number;
  /** Generation ends after emitting any of these ids (e.g. end of text). */
  stopIds?: number[];
  /** The stop ids cannot be chosen before this many new tokens (transformers' min_new_tokens; default 0). */
  minNewTokens?: number;
  onToken?: (id: number) => void;
  /** Checked after every token; true ends generation (e.g. a stop sequence was produced). */
  shouldStop?: () => boolean;
  /** Reuse keys/values of earlier positions (default true). */
  useCache?: boolean;
}

/** Divide positive (multiply negative) logits of seen tokens by the penalty, in place. */
export function applyRepetitionPenalty(logits: Float32Array | number[], seen: Iterable<number>, penalty: number): void {
  if (penalty === 1) return;
  for (const id of new Set(seen)) logits[id] = logits[id] > 0 ? logits[id] / penalty : logits[id] * penalty;
}

/** Pick the next id from one row of logits. */
export function sampleNext(logits: Float32Array | number[], temperature: number, topK: number, rand: () => number, topP = 1): number {
  if (temperature <= 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
  let keep = topK > 0 ? order.slice(0, topK) : order;
  const max = logits[keep[0]];
  let weights = keep.map((i) => Math.exp((logits[i] - max) / temperature));
  let total = weights.reduce((a, b) => a + b, 0);
  if (topP < 1) {
    // Nucleus: the most likely tokens until their mass reaches top-p (at least one).
    let mass = 0;
    let n = 0;
    while (n < keep.length && (n === 0 || mass < topP * total)) mass += weights[n++];
    keep = keep.slice(0, n);
    weights = weights.slice(0, n);
    total = mass;
  }
  let r = rand() * total;
  for (let k = 0; k < keep.length; k++) {
    r -= weights[k];
    if (r <= 0) return keep[k];
  }
  return keep[keep.length - 1];
}

export async function generate(run: ModelRun, promptIds: number[], opts: GenerateOptions): Promise<number[]> {
  if (run.task !== 'lm') throw new Error('generation needs a causal-LM model, not a classifier');
  if (promptIds.length === 0) throw new Error('generation needs at least one prompt token');
  const ctx = run.model.config.maxPositions;
  const rand = mulberry32(opts.seed ?? 0);
  const ids = [...promptIds];
  const out: number[] = [];
  const cache = opts.useCache === false ? null : newCache();
  try {
    for (let n = 0; n < opts.maxNewTokens; n++) {
      // The cache is rebuilt from the last window when the context is full.
      if (cache && cache.length + 1 > ctx) disposeCache(cache);
      const feed = cache && cache.length > 0 ? ids.slice(-1) : ids.slice(-ctx);
      const last = tf.tidy(() => {
        const logits = taskLogits(run, tf.tensor2d([feed], undefined, 'int32'), null, { training: false, cache }) as tf.Tensor3D;
        return logits.slice([0, feed.length - 1, 0], [1, 1, -1]).flatten();
      });
      const row = (await last.data()) as Float32Array;
      last.dispose();
      applyRepetitionPenalty(row, ids, opts.repetitionPenalty ?? 1);
      if (n < (opts.minNewTokens ?? 0)) for (const id of opts.stopIds ?? []) row[id] = -Infinity;
      const next = sampleNext(row, opts.temperature ?? 0, opts.topK ?? 0, rand, opts.topP ?? 1);
      ids.push(next);
      out.push(next);
      opts.onToken?.(next);
      if (opts.stopIds?.includes(next) || opts.shouldStop?.()) break;
    }
  } finally {
    if (cache) disposeCache(cache);
  }
  return out;
}
