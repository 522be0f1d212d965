/**
 * The model shapes `npm run bench` measures, and the shape of one measurement.
 * Pure data: imported by the Node runner, the browser page and the orchestrator.
 */

export type Impl = 'studio' | 'naive' | 'nanogpt';
export type BenchBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface BenchConfig {
  name: string;
  nLayer: number;
  d: number;
  heads: number;
  ctx: number;
  batch: number;
  vocab: number;
  /** LoRA rank (randomly initialised B so the adapters matter); absent: full fine-tuning. */
  loraR?: number;
  /** LoRA on the studio's default modules (GPT-2: c_attn, as PEFT) or on every linear module. */
  loraTargets?: 'default' | 'all';
  /** Timed optimizer steps (the median is reported) after `warmup` untimed ones. */
  steps: number;
  warmup: number;
  /** New tokens generated (greedy, KV cache where the impl has one) after a 16-token prompt; 0 skips generation. */
  genTokens: number;
}

export const CONFIGS: Record<string, BenchConfig> = {
  S: { name: 'S', nLayer: 4, d: 128, heads: 4, ctx: 128, batch: 8, vocab: 256, steps: 7, warmup: 2, genTokens: 12 },
  M: { name: 'M', nLayer: 6, d: 384, heads: 6, ctx: 256, batch: 8, vocab: 4096, steps: 3, warmup: 1, genTokens: 8 },
  // LoRA on c_attn, the studio's (and PEFT's) default target for GPT-2.
  'gpt2-small-lora': { name: 'gpt2-small-lora', nLayer: 12, d: 768, heads: 12, ctx: 128, batch: 4, vocab: 50257, loraR: 8, loraTargets: 'default', steps: 2, warmup: 1, genTokens: 4 },
};

export interface BenchSpec {
  impl: Impl;
  backend: BenchBackend;
  config: BenchConfig;
  /** Overrides of the config's step counts (e.g. a quick smoke run). */
  steps?: number;
  warmup?: number;
}

export interface BenchResult {
  config: string;
  backend: string;
  impl: Impl;
  /** Training tokens (batch x ctx) per second, from the median step time; null when the impl could not run. */
  tokensPerSec: number | null;
  msPerStep: number | null;
  /** Peak of tf.memory().numBytes during a training step (the last timed one). */
  peakBytes: number | null;
  /** webgpu: what the backend reports after a step (bytes in use / allocated by its buffer manager). */
  gpuBytesInUse?: number;
  gpuBytesAllocated?: number;
  /** Generation tokens/s (batch 1). */
  genTokensPerSec?: number | null;
  /**
   * CPU time per timed step (mean), all threads of the process (Node) or of the whole
   * Chromium process tree (read from /proc): steadier than wall time on a shared machine.
   */
  cpuMsPerStep?: number;
  /** Every timed step, for the curious. */
  stepMs?: number[];
  /** Loss after the first and last step: a sanity check that the step trains. */
  firstLoss?: number;
  lastLoss?: number;
  threads?: number;
  where: 'node' | 'chromium';
  /** Why there is no figure, when there is none. */
  error?: string;
  note?: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Deterministic token ids in [0, vocab): the bench measures speed, the data does not matter. */
export function syntheticTokens(n: number, vocab: number, seed: number): Int32Array {
  const out = new Int32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) % vocab;
  }
  return out;
}
