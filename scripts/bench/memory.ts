/**
 * What a training step really holds, read off the tfjs engine: the studio's own
 * `train()` runs two steps of a tiny GPT-2 and the probe records the bytes alive at the
 * end of step 1 (weights, head, adapters, AdamW state) and the highest count during step
 * 2 (everything autodiff keeps until the backward pass ends, the gradients and the
 * optimizer's temporaries). Runs in Node (cpu, wasm) and in the bench page (webgpu,
 * webgl, wasm in Chromium), so core/train/memory.ts's per-backend coefficients are fitted
 * on, and checked against, measurements rather than a count by hand.
 */
import { tf } from '../../src/core/backend';
import { disposeModel, initModel, saveModel } from '../../src/core/io/hf';
import type { Architecture, BaseConfig } from '../../src/core/model/arch';
import { bert, newBertConfig } from '../../src/core/model/bert';
import { gpt2, newGpt2Config } from '../../src/core/model/gpt2';
import { llama, parseLlamaConfig } from '../../src/core/model/llama';
import { estimateTrainingMemory, MEMORY_COEFFICIENTS, memoryFeatures, type MemoryEstimate, type MemoryFeatures } from '../../src/core/train/memory';
import { train } from '../../src/core/train/trainer';
import { DEFAULT_HYPERPARAMS, type Example, type Hyperparams, type Method, type ModelFiles, type Task } from '../../src/core/types';
import { trackPeak } from './measure';

export interface MemoryCase {
  name: string;
  task: Task;
  method: Method;
  nLayer: number;
  d: number;
  heads: number;
  /** Tokens per row (every row fills it) and the model's context. */
  T: number;
  B: number;
  /** The model's vocabulary (the fixture tokenizer uses the first 265 ids; the LM head is V wide all the same). */
  V: number;
  dropout: number;
  /** freeze: blocks that train (the rest are frozen below them). */
  trainableBlocks?: number;
  /** lora: the family's default targets (as PEFT), all its linear modules, or one attention and one MLP module. */
  targets?: 'all' | 'attention+mlp';
  /**
   * GPT-2 unless said; LLaMA cases use SmolLM2's proportions (MLP 8/3 d, half as many KV
   * heads, tied embeddings); BERT cases BERT's (MLP 4 d, post-LN, classification only).
   */
  family?: 'gpt2' | 'llama' | 'bert';
  /** Gradient checkpointing on. */
  checkpoint?: boolean;
  /** LLaMA only: an LM head of its own instead of the tied input embedding (tie_word_embeddings false). */
  untied?: boolean;
}

const c = (name: string, over: Partial<MemoryCase>): MemoryCase => ({ name, task: 'lm', method: 'full', nLayer: 2, d: 64, heads: 4, T: 64, B: 4, V: 265, dropout: 0, ...over });

/** The cases the coefficients are fitted on: one shape changed at a time around L=2, d=64, H=4, T=64, B=4. */
export const FIT_CASES: MemoryCase[] = [
  c('lm full', {}),
  c('lm full L1', { nLayer: 1 }),
  c('lm full L3', { nLayer: 3 }),
  c('lm full H8', { heads: 8 }),
  c('lm full T32', { T: 32 }),
  c('lm full d128', { d: 128 }),
  c('lm full B8', { B: 8 }),
  c('lm full V1024', { V: 1024 }),
  c('lm full dropout', { dropout: 0.1 }),
  c('lm full H8 dropout', { heads: 8, dropout: 0.1 }),
  c('classify full', { task: 'classify' }),
  c('classify full L1', { task: 'classify', nLayer: 1 }),
  c('classify full H8', { task: 'classify', heads: 8 }),
  c('classify freeze L3', { task: 'classify', method: 'freeze', nLayer: 3, trainableBlocks: 1 }),
  c('classify freeze L4', { task: 'classify', method: 'freeze', nLayer: 4, trainableBlocks: 1 }),
  c('classify freeze L4 H8', { task: 'classify', method: 'freeze', nLayer: 4, heads: 8, trainableBlocks: 1 }),
  c('lm lora', { method: 'lora' }),
  c('lm lora all', { method: 'lora', targets: 'all' }),
  c('classify lora L3', { task: 'classify', method: 'lora', nLayer: 3 }),
  // Big vocabularies at tiny batches: the embedding's gradient, not the blocks, sets the peak.
  c('lm full V8192 B1', { nLayer: 1, B: 1, T: 8, V: 8192 }),
  c('lm full V16384 d32 B1', { nLayer: 1, d: 32, heads: 2, B: 1, T: 8, V: 16384 }),
  c('classify full V8192 B1', { task: 'classify', nLayer: 1, B: 1, T: 8, V: 8192 }),
  // Gradient checkpointing: what every block keeps, beside the one block run again.
  c('ckpt lm full', { checkpoint: true }),
  c('ckpt lm full L3', { checkpoint: true, nLayer: 3 }),
  c('ckpt lm full L4', { checkpoint: true, nLayer: 4 }),
  c('ckpt lm full T32', { checkpoint: true, T: 32 }),
  c('ckpt lm full d128', { checkpoint: true, d: 128 }),
  c('ckpt lm full H8 dropout', { checkpoint: true, heads: 8, dropout: 0.1 }),
  c('ckpt classify full L3', { checkpoint: true, task: 'classify', nLayer: 3 }),
  c('ckpt classify freeze L4', { checkpoint: true, task: 'classify', method: 'freeze', nLayer: 4, trainableBlocks: 1 }),
  c('ckpt classify freeze L4 2', { checkpoint: true, task: 'classify', method: 'freeze', nLayer: 4, trainableBlocks: 2 }),
  c('ckpt lm lora L3', { checkpoint: true, method: 'lora', nLayer: 3 }),
];

/** Shapes none of the fitted cases has, to check the estimate on (every method and task, with and without dropout). */
export const CHECK_CASES: MemoryCase[] = [
  c('lm full', { nLayer: 3, d: 96, heads: 6, T: 48, B: 3, V: 700, dropout: 0.1 }),
  c('lm freeze', { method: 'freeze', nLayer: 3, d: 96, heads: 6, T: 48, B: 3, V: 700, trainableBlocks: 2 }),
  c('lm lora', { method: 'lora', nLayer: 3, d: 48, heads: 4, T: 96, B: 2, V: 512, dropout: 0.1 }),
  c('classify full', { task: 'classify', nLayer: 2, d: 32, heads: 2, T: 128, B: 6 }),
  c('classify lora', { task: 'classify', method: 'lora', nLayer: 4, d: 80, heads: 5, T: 40, B: 5, dropout: 0.1, targets: 'attention+mlp' }),
  c('lm full V12000', { nLayer: 2, d: 48, heads: 3, T: 8, B: 2, V: 12000, dropout: 0.1 }),
  c('classify full V6000', { task: 'classify', nLayer: 2, d: 80, heads: 5, T: 16, B: 2, V: 6000 }),
];

/** The starter model's own shape (vocabulary 4096, context 256) at the studio's defaults: how far the fit carries. */
export const STARTER_CASES: MemoryCase[] = [
  c('starter classify full', { task: 'classify', nLayer: 4, d: 192, heads: 6, T: 256, B: 8, V: 4096, dropout: 0.1 }),
  c('starter lm lora', { method: 'lora', nLayer: 4, d: 192, heads: 6, T: 256, B: 8, V: 4096, dropout: 0.1 }),
  c('starter classify full ckpt', { task: 'classify', nLayer: 4, d: 192, heads: 6, T: 256, B: 8, V: 4096, dropout: 0.1, checkpoint: true }),
];

/** The same fit and check shapes as LLaMA-family models (their own coefficients). */
export const LLAMA_FIT_CASES: MemoryCase[] = FIT_CASES.map((k) => ({ ...k, family: 'llama', name: `llama ${k.name}` }));
export const LLAMA_CHECK_CASES: MemoryCase[] = [
  ...CHECK_CASES.map((k): MemoryCase => ({ ...k, family: 'llama', name: `llama ${k.name}` })),
  // Llama-style checkpoints with an LM head of their own: two [V, d] matrices train.
  c('llama lm full untied', { family: 'llama', untied: true, nLayer: 3, d: 96, heads: 6, T: 48, B: 3, V: 700, dropout: 0.1 }),
  c('llama lm full untied V12000', { family: 'llama', untied: true, nLayer: 2, d: 48, heads: 3, T: 8, B: 2, V: 12000, dropout: 0.1 }),
];

/** BERT classifies only: the fit and check shapes as classifiers (one case per shape). */
function asBert(cases: MemoryCase[]): MemoryCase[] {
  const seen = new Set<string>();
  const out: MemoryCase[] = [];
  for (const k of cases) {
    const b: MemoryCase = { ...k, task: 'classify', family: 'bert', name: `bert ${k.name.replace(/(^|ckpt )lm /, '$1classify ')}` };
    const key = JSON.stringify({ ...b, name: '' });
    if (!seen.has(key)) out.push(b);
    seen.add(key);
  }
  return out;
}
export const BERT_FIT_CASES: MemoryCase[] = asBert(FIT_CASES);
export const BERT_CHECK_CASES: MemoryCase[] = asBert(CHECK_CASES);

/** The check shapes with gradient checkpointing, every family. */
export const CHECKPOINT_CHECK_CASES: MemoryCase[] = [...CHECK_CASES, ...LLAMA_CHECK_CASES, ...BERT_CHECK_CASES].map((k) => ({ ...k, checkpoint: true, name: `ckpt ${k.name}` }));

export type MemorySet = 'fit' | 'check' | 'llama-fit' | 'llama-check' | 'bert-fit' | 'bert-check' | 'ckpt-check' | 'starter';
export const MEMORY_SETS: Record<MemorySet, MemoryCase[]> = {
  fit: FIT_CASES,
  check: CHECK_CASES,
  'llama-fit': LLAMA_FIT_CASES,
  'llama-check': LLAMA_CHECK_CASES,
  'bert-fit': BERT_FIT_CASES,
  'bert-check': BERT_CHECK_CASES,
  'ckpt-check': CHECKPOINT_CHECK_CASES,
  starter: STARTER_CASES,
};

function configOf(k: MemoryCase): BaseConfig {
  if (k.family === 'bert') return newBertConfig({ vocabSize: k.V, maxPositions: k.T, hiddenSize: k.d, numLayers: k.nLayer, numHeads: k.heads, dropout: k.dropout });
  if (k.family === 'llama') {
    return parseLlamaConfig({
      model_type: 'llama',
      vocab_size: k.V,
      hidden_size: k.d,
      intermediate_size: Math.round((8 / 3) * k.d),
      num_hidden_layers: k.nLayer,
      num_attention_heads: k.heads,
      num_key_value_heads: k.heads % 2 === 0 ? k.heads / 2 : k.heads,
      max_position_embeddings: k.T,
      rms_norm_eps: 1e-5,
      tie_word_embeddings: k.untied !== true,
      bos_token_id: 262,
      eos_token_id: 264,
    });
  }
  return newGpt2Config({ vocabSize: k.V, nPositions: k.T, nEmbd: k.d, nLayer: k.nLayer, nHead: k.heads, bosTokenId: 262, eosTokenId: 264 });
}

function archOf(k: MemoryCase): Architecture {
  return (k.family === 'llama' ? llama : k.family === 'bert' ? bert : gpt2) as unknown as Architecture;
}

function targetsOf(k: MemoryCase): string[] {
  if (k.targets === 'all') return [...archOf(k).loraTargets.all];
  if (k.targets === 'attention+mlp') return k.family === 'llama' ? ['q_proj', 'up_proj'] : k.family === 'bert' ? ['query', 'intermediate.dense'] : ['c_attn', 'mlp.c_fc'];
  return [];
}

function hyperparamsOf(k: MemoryCase): Hyperparams {
  return {
    ...DEFAULT_HYPERPARAMS,
    epochs: 1,
    maxSteps: 2,
    batchSize: k.B,
    maxLength: k.T,
    dropout: k.dropout,
    warmupSteps: 0,
    valSplit: 0,
    lora: { ...DEFAULT_HYPERPARAMS.lora, targetModules: targetsOf(k) },
    freeze: { trainableBlocks: k.trainableBlocks ?? 1, trainEmbeddings: false },
    gradientCheckpointing: k.checkpoint === true,
  };
}

/** What core/train/memory.ts says about the case, with the engine's backend. */
export function estimateCase(k: MemoryCase, backend: string): { estimate: MemoryEstimate; features: MemoryFeatures } {
  const hp = hyperparamsOf(k);
  const input = { arch: archOf(k), config: configOf(k), method: k.method, task: k.task, batchSize: k.B, seqLen: k.T, dropout: k.dropout, lora: hp.lora, freeze: hp.freeze, numLabels: 2, backend, checkpointing: k.checkpoint === true };
  return { estimate: estimateTrainingMemory(input), features: memoryFeatures(input) };
}

export interface MemoryMeasurement {
  case: MemoryCase;
  backend: string;
  /** Bytes alive once step 1 is over (weights, head, adapters, optimizer state). */
  persistent: number;
  /** The highest count above that during step 2. */
  transient: number;
  estimate: MemoryEstimate;
  features: MemoryFeatures;
}

/** Two steps of the studio's trainer on the case; the tokenizer files are the byte-level fixture's. */
export async function measureCase(k: MemoryCase, tokenizer: ModelFiles): Promise<MemoryMeasurement> {
  const model = initModel(archOf(k), configOf(k), 1);
  let base: ModelFiles;
  try {
    base = await saveModel(model, 'lm', tokenizer);
  } finally {
    disposeModel(model);
  }
  // Every row is longer than T tokens (the fixture tokenizer is close to one byte a token), so batches are B x T.
  const text = 'the quick brown fox jumps over the lazy dog, and then it runs far away. '.repeat(Math.ceil(k.T / 20));
  const rows: Example[] = Array.from({ length: 2 * k.B }, (_, i) => (k.task === 'lm' ? { kind: 'text', text } : { kind: 'labeled', text, label: i % 2 ? 'a' : 'b' }));
  const before = tf.memory().numBytes;
  let atStep1 = 0;
  let stop: (() => number) | null = null;
  let peak = 0;
  try {
    await train(
      { task: k.task, method: k.method, base, train: rows, hyperparams: hyperparamsOf(k) },
      {
        onProgress: (e) => {
          if (e.step === 1) {
            atStep1 = tf.memory().numBytes;
            stop = trackPeak(tf.engine() as never);
          } else if (e.step === 2 && stop) {
            peak = stop();
            stop = null;
          }
        },
      },
    );
  } finally {
    if (stop) (stop as () => number)();
  }
  const backend = tf.getBackend();
  return { case: k, backend, persistent: atStep1 - before, transient: Math.max(0, peak - atStep1), ...estimateCase(k, backend) };
}

/** Every case of a set, in order, on the engine's current backend. */
export async function measureSet(set: MemorySet, tokenizer: ModelFiles): Promise<MemoryMeasurement[]> {
  const out: MemoryMeasurement[] = [];
  for (const k of MEMORY_SETS[set]) out.push(await measureCase(k, tokenizer));
  return out;
}

const KEYS = Object.keys(MEMORY_COEFFICIENTS.gpt2.cpu) as (keyof MemoryFeatures)[];

/**
 * UPDATE_TEMPORARIES for one backend: the update holds every gradient and then some, and
 * never more than the step's peak, so the smallest ratio over the cases bounds it, and is
 * reached by the cases whose peak it is.
 */
export function fitUpdateTemporaries(ms: MemoryMeasurement[]): number {
  return Math.min(...ms.filter((m) => m.estimate.largestTrainable > 0).map((m) => (m.transient / 4 - m.estimate.trainableParams) / m.estimate.largestTrainable));
}

/** Whether the update, with `u` temporaries, explains most of a case's peak (within 2%: then the backward pass did not set it). */
function updateBound(m: MemoryMeasurement, u: number): boolean {
  return m.estimate.trainableParams + u * m.estimate.largestTrainable > 0.98 * (m.transient / 4);
}

/**
 * Least-squares coefficients (values per feature) that best explain the measured
 * transient bytes of the cases whose peak the update (`u`) does not explain, with columns
 * scaled to unit norm; a coefficient that comes out negative is pinned at 0 and the rest refitted (a simple active-set NNLS).
 */
export function fitCoefficients(all: MemoryMeasurement[], u: number): Record<keyof MemoryFeatures, number> {
  const ms = all.filter((m) => !updateBound(m, u));
  const y = ms.map((m) => m.transient / 4);
  let free = KEYS.filter((k) => ms.some((m) => m.features[k] > 0));
  for (;;) {
    const X = ms.map((m) => free.map((k) => m.features[k]));
    const norms = free.map((_, j) => Math.hypot(...X.map((r) => r[j])) || 1);
    const A = free.map((_, i) => free.map((_, j) => X.reduce((s, r) => s + (r[i] / norms[i]) * (r[j] / norms[j]), 0)));
    const b = free.map((_, i) => X.reduce((s, r, n) => s + (r[i] / norms[i]) * y[n], 0));
    const x = solve(A, b).map((v, j) => v / norms[j]);
    const negative = x.findIndex((v) => v < 0);
    if (negative < 0) return Object.fromEntries(KEYS.map((k) => [k, free.includes(k) ? x[free.indexOf(k)] : 0])) as Record<keyof MemoryFeatures, number>;
    free = free.filter((_, j) => j !== negative);
  }
}

/** Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    if (Math.abs(M[c][c]) < 1e-12) throw new Error('the fit cases do not pin every coefficient down');
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) x[r] = (M[r][n] - M[r].slice(r + 1, n).reduce((s, v, k) => s + v * x[r + 1 + k], 0)) / M[r][r];
  return x;
}

/** One line per case: measured and estimated bytes, and how far apart. */
export function describeMeasurement(m: MemoryMeasurement): string {
  const total = m.persistent + m.transient;
  const mb = (x: number) => (x / 1e6).toFixed(2).padStart(7);
  return `${m.backend.padEnd(6)} ${m.case.name.padEnd(22)} measured ${mb(total)} MB (kept ${mb(m.persistent)}, step ${mb(m.transient)})  estimate ${mb(m.estimate.total)} MB  ${(100 * (m.estimate.total / total - 1)).toFixed(0).padStart(4)}%`;
}
