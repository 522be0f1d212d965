/**
 * Autoregressive decoding for causal-LM runs: greedy when temperature is 0, otherwise
 * sampling with temperature and top-k, seeded. With the KV cache (the default) each
 * step feeds only the newest token; without it, each step re-runs the whole window.
 */
import { tf } from '../backend';
import { mulberry32 } from '../data/random';
import { disposeCache, newCache } from '../model/layers';
import { taskLogits, type ModelRun } from '../model/runner';

export interface GenerateOptions {
  maxNewTokens: number;
  temperature?: number;
  topK?: number;
  seed?: number;
  /** Generation ends after emitting any of these ids (e.g. end of text). */
  stopIds?: number[];
  onToken?: (id: number) => void;
  /** Reuse keys/values of earlier positions (default true). */
  useCache?: boolean;
}

/** Pick the next id from one row of logits. */
export function sampleNext(logits: Float32Array | number[], temperature: number, topK: number, rand: () => number): number {
  if (temperature <= 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
  const keep = topK > 0 ? order.slice(0, topK) : order;
  const max = logits[keep[0]];
  const weights = keep.map((i) => Math.exp((logits[i] - max) / temperature));
  const total = weights.reduce((a, b) => a + b, 0);
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
      const next = sampleNext(row, opts.temperature ?? 0, opts.topK ?? 0, rand);
      ids.push(next);
      out.push(next);
      opts.onToken?.(next);
      if (opts.stopIds?.includes(next)) break;
    }
  } finally {
    if (cache) disposeCache(cache);
  }
  return out;
}
