/**
 * LLaMA (Touvron et al. 2023) as transformers' LlamaModel computes it, which also
 * covers SmolLM/SmolLM2 and TinyLlama: pre-RMSNorm blocks, rotary position embeddings
 * in the "rotate_half" layout, grouped-query attention and a SwiGLU MLP. Written
 * functionally over a name -> tensor map with the Hugging Face names; projections are
 * nn.Linear, so weights are stored [out, in] (y = x W^T).
 */
import { tf } from '../backend';
import type { Task } from '../types';
import type { Architecture, BaseConfig, ForwardOptions, LinearModule, Params } from './arch';
import { ConfigError, commonFields, num, posInt, withHeadFields, type RawConfig } from './config';
import { blockTensors, checkpointsBlocks, runBlock } from './checkpoint';
import { Dropout } from './dropout';
import { applyLora, type LoraState } from './lora';
import { attentionBias, lastTokenIndex, param, rowOffsets, updateCache } from './layers';

/** rope_scaling types implemented here ("default" is plain RoPE). */
export interface RopeScaling {
  type: 'default' | 'linear' | 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositions: number;
}

export interface LlamaConfig extends BaseConfig {
  modelType: 'llama';
  intermediateSize: number;
  /** Grouped-query attention: each key/value head serves numHeads / numKvHeads query heads. */
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: RopeScaling | null;
  /** SmolLM2 ties lm_head to embed_tokens; LLaMA and TinyLlama do not. */
  tieWordEmbeddings: boolean;
  attentionBias: boolean;
  mlpBias: boolean;
  attentionDropout: number;
  initializerRange: number;
}

function parseRopeScaling(v: unknown, maxPositions: number): RopeScaling | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError('"rope_scaling" must be an object or null');
  const r = v as RawConfig;
  // Older configs say "type", newer ones "rope_type".
  const type = String(r.rope_type ?? r.type ?? 'default');
  if (type !== 'default' && type !== 'linear' && type !== 'llama3') {
    throw new ConfigError(`rope_scaling type "${type}" is not supported (supported: null, default, linear, llama3)`);
  }
  if (type === 'default') return null;
  return {
    type,
    factor: num(r, 'factor'),
    lowFreqFactor: type === 'llama3' ? num(r, 'low_freq_factor') : 1,
    highFreqFactor: type === 'llama3' ? num(r, 'high_freq_factor') : 1,
    originalMaxPositions: type === 'llama3' ? posInt(r, 'original_max_position_embeddings') : maxPositions,
  };
}

export function parseLlamaConfig(raw: RawConfig): LlamaConfig {
  const hiddenSize = posInt(raw, 'hidden_size', 4096);
  const numHeads = posInt(raw, 'num_attention_heads', 32);
  const maxPositions = posInt(raw, 'max_position_embeddings', 2048);
  // transformers 5 moves rope_theta and the scaling into one "rope_parameters" object.
  const rope = typeof raw.rope_parameters === 'object' && raw.rope_parameters !== null ? (raw.rope_parameters as RawConfig) : null;
  if (raw.head_dim == null && hiddenSize % numHeads !== 0) {
    throw new ConfigError(`hidden_size (${hiddenSize}) must be divisible by num_attention_heads (${numHeads}) when head_dim is not given`);
  }
  const cfg: LlamaConfig = {
    modelType: 'llama',
    vocabSize: posInt(raw, 'vocab_size', 32000),
    maxPositions,
    hiddenSize,
    numLayers: posInt(raw, 'num_hidden_layers', 32),
    numHeads,
    intermediateSize: posInt(raw, 'intermediate_size', 11008),
    numKvHeads: raw.num_key_value_heads == null ? numHeads : posInt(raw, 'num_key_value_heads'),
    headDim: raw.head_dim == null ? hiddenSize / numHeads : posInt(raw, 'head_dim'),
    rmsNormEps: num(raw, 'rms_norm_eps', 1e-6),
    ropeTheta: rope ? num(rope, 'rope_theta', num(raw, 'rope_theta', 10000)) : num(raw, 'rope_theta', 10000),
    ropeScaling: parseRopeScaling(rope ?? raw.rope_scaling, maxPositions),
    tieWordEmbeddings: raw.tie_word_embeddings === true,
    attentionBias: raw.attention_bias === true,
    mlpBias: raw.mlp_bias === true,
    attentionDropout: num(raw, 'attention_dropout', 0),
    initializerRange: num(raw, 'initializer_range', 0.02),
    ...commonFields(raw),
  };
  if (cfg.numHeads % cfg.numKvHeads !== 0) {
    throw new ConfigError(`num_attention_heads (${cfg.numHeads}) must be a multiple of num_key_value_heads (${cfg.numKvHeads})`);
  }
  if (cfg.headDim % 2 !== 0) throw new ConfigError(`head_dim (${cfg.headDim}) must be even for rotary embeddings`);
  const act = raw.hidden_act ?? 'silu';
  if (act !== 'silu') throw new ConfigError(`hidden_act "${String(act)}" is not supported (LLaMA uses "silu")`);
  return cfg;
}

function llamaConfigToJson(cfg: LlamaConfig, head: Task, labels?: string[]): RawConfig {
  const out: RawConfig = {
    ...cfg.raw,
    model_type: 'llama',
    architectures: [head === 'lm' ? 'LlamaForCausalLM' : 'LlamaForSequenceClassification'],
    vocab_size: cfg.vocabSize,
    hidden_size: cfg.hiddenSize,
    intermediate_size: cfg.intermediateSize,
    num_hidden_layers: cfg.numLayers,
    num_attention_heads: cfg.numHeads,
    num_key_value_heads: cfg.numKvHeads,
    head_dim: cfg.headDim,
    max_position_embeddings: cfg.maxPositions,
    rms_norm_eps: cfg.rmsNormEps,
    hidden_act: 'silu',
    tie_word_embeddings: cfg.tieWordEmbeddings,
    attention_bias: cfg.attentionBias,
    mlp_bias: cfg.mlpBias,
    attention_dropout: cfg.attentionDropout,
  };
  // rope_theta / rope_scaling (or rope_parameters) are passed through from raw unchanged.
  return withHeadFields(out, cfg, head, labels);
}

/** The seven projections of block i, with [out, in] sizes and whether they carry a bias. */
function projections(cfg: LlamaConfig, i: number): (LinearModule & { bias: boolean })[] {
  const { hiddenSize: d, intermediateSize: inter, headDim: hd } = cfg;
  const q = cfg.numHeads * hd;
  const kv = cfg.numKvHeads * hd;
  const a = `model.layers.${i}.self_attn`;
  const m = `model.layers.${i}.mlp`;
  return [
    { name: `${a}.q_proj`, fanIn: d, fanOut: q, bias: cfg.attentionBias },
    { name: `${a}.k_proj`, fanIn: d, fanOut: kv, bias: cfg.attentionBias },
    { name: `${a}.v_proj`, fanIn: d, fanOut: kv, bias: cfg.attentionBias },
    { name: `${a}.o_proj`, fanIn: q, fanOut: d, bias: cfg.attentionBias },
    { name: `${m}.gate_proj`, fanIn: d, fanOut: inter, bias: cfg.mlpBias },
    { name: `${m}.up_proj`, fanIn: d, fanOut: inter, bias: cfg.mlpBias },
    { name: `${m}.down_proj`, fanIn: inter, fanOut: d, bias: cfg.mlpBias },
  ];
}

function paramShapes(cfg: LlamaConfig): Map<string, number[]> {
  const d = cfg.hiddenSize;
  const shapes = new Map<string, number[]>();
  shapes.set('model.embed_tokens.weight', [cfg.vocabSize, d]);
  for (let i = 0; i < cfg.numLayers; i++) {
    shapes.set(`model.layers.${i}.input_layernorm.weight`, [d]);
    shapes.set(`model.layers.${i}.post_attention_layernorm.weight`, [d]);
    for (const { name, fanIn, fanOut, bias } of projections(cfg, i)) {
      shapes.set(`${name}.weight`, [fanOut, fanIn]);
      if (bias) shapes.set(`${name}.bias`, [fanOut]);
    }
  }
  shapes.set('model.norm.weight', [d]);
  // A tied head is embed_tokens itself; only an untied one is a tensor of its own.
  if (!cfg.tieWordEmbeddings) shapes.set('lm_head.weight', [cfg.vocabSize, d]);
  return shapes;
}

/** LlamaPreTrainedModel._init_weights: normal(0, initializer_range), norms at one, biases at zero. */
function initParam(name: string, shape: number[], cfg: LlamaConfig, seed: number): tf.Tensor {
  if (name.endsWith('norm.weight')) return tf.ones(shape);
  if (name.endsWith('.bias')) return tf.zeros(shape);
  return tf.truncatedNormal(shape, 0, cfg.initializerRange, 'float32', seed);
}

/** Rotary inverse frequencies 1 / theta^(2j / hd), j < hd/2, after any rope_scaling. */
export function inverseFrequencies(cfg: Pick<LlamaConfig, 'headDim' | 'ropeTheta' | 'ropeScaling'>): number[] {
  const { headDim: hd, ropeTheta: theta, ropeScaling: s } = cfg;
  const inv = Array.from({ length: hd / 2 }, (_, j) => 1 / theta ** ((2 * j) / hd));
  if (!s || s.type === 'default') return inv;
  if (s.type === 'linear') return inv.map((f) => f / s.factor);
  // llama3: wavelengths longer than the original context are slowed by `factor`, short
  // ones kept, and a linear ramp in between.
  const lowFreqWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highFreqWavelen = s.originalMaxPositions / s.highFreqFactor;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highFreqWavelen) return f;
    if (wavelen > lowFreqWavelen) return f / s.factor;
    const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return (1 - smooth) * (f / s.factor) + smooth * f;
  });
}

/** cos and sin [T, hd] for positions past..past+T-1; each frequency appears twice (cat(freqs, freqs)). */
function rotaryTables(cfg: LlamaConfig, past: number, T: number): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const inv = inverseFrequencies(cfg);
  const half = inv.length;
  const cos = new Float32Array(T * 2 * half);
  const sin = new Float32Array(T * 2 * half);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < half; j++) {
      const angle = (past + t) * inv[j];
      for (const k of [j, j + half]) {
        cos[t * 2 * half + k] = Math.cos(angle);
        sin[t * 2 * half + k] = Math.sin(angle);
      }
    }
  }
  return { cos: tf.tensor2d(cos, [T, 2 * half]), sin: tf.tensor2d(sin, [T, 2 * half]) };
}

/** x * cos + rotate_half(x) * sin, rotate_half(x) = cat(-x2, x1) over the two halves of hd. x: [B, h, T, hd]. */
function applyRotary(x: tf.Tensor4D, cos: tf.Tensor2D, sin: tf.Tensor2D): tf.Tensor4D {
  const [x1, x2] = tf.split(x, 2, 3);
  return x.mul(cos).add(tf.concat([x2.neg(), x1], 3).mul(sin)) as tf.Tensor4D;
}

export function rmsNorm(x: tf.Tensor, w: tf.Tensor, eps: number): tf.Tensor {
  return x.mul(tf.rsqrt(x.square().mean(-1, true).add(eps))).mul(w);
}

/** y = x W^T (+ b) (+ LoRA), on x flattened to [N, in]. */
function linear(p: Params, module: string, x2: tf.Tensor2D, drop: Dropout, lora: LoraState | null | undefined): tf.Tensor2D {
  let y: tf.Tensor2D = tf.matMul(x2, param(p, `${module}.weight`) as tf.Tensor2D, false, true);
  const b = p.get(`${module}.bias`);
  if (b) y = y.add(b) as tf.Tensor2D;
  return lora ? applyLora(lora, module, x2, y, drop) : y;
}

/** [B*T, h*hd] -> [B, h, T, hd] */
function splitHeads(x: tf.Tensor2D, B: number, T: number, h: number, hd: number): tf.Tensor4D {
  return x.reshape([B, T, h, hd]).transpose([0, 2, 1, 3]);
}

/** Final hidden states [B, T, d] after model.norm (for the T new positions when a cache is given). */
function hidden(cfg: LlamaConfig, p: Params, ids: tf.Tensor2D, mask: tf.Tensor2D | null, opts: ForwardOptions): tf.Tensor3D {
  const [B, T] = ids.shape;
  const past = opts.cache?.length ?? 0;
  if (past + T > cfg.maxPositions) throw new Error(`sequence length ${past + T} exceeds the model's context of ${cfg.maxPositions} tokens`);
  const { hiddenSize: d, numHeads: H, numKvHeads: KV, headDim: hd, rmsNormEps: eps } = cfg;
  const group = H / KV; // query heads per key/value head
  const S = past + T;
  // LLaMA has no embedding or residual dropout; the studio's dropout drives attention_dropout.
  const drop = new Dropout(opts.dropout ?? cfg.attentionDropout, opts.seed, opts.training);
  const lora = opts.lora;

  let x = tf.gather(param(p, 'model.embed_tokens.weight'), ids.flatten()).reshape([B, T, d]) as tf.Tensor3D; // [B, T, d]
  // The mask and rotary tables; a checkpointed block makes its own again when it reruns in the backward pass.
  const tablesFor = () => ({ bias: attentionBias(T, past, mask), ...rotaryTables(cfg, past, T) }); // [B|1, 1, T, S], [T, hd]
  const shared = checkpointsBlocks(opts, drop) ? null : tablesFor();
  const scale = 1 / Math.sqrt(hd);

  const block = (i: number, x: tf.Tensor3D, drop: Dropout): tf.Tensor3D => {
    const { bias, cos, sin } = shared ?? tablesFor();
    const l = `model.layers.${i}`;
    // --- attention ---
    const a = rmsNorm(x, param(p, `${l}.input_layernorm.weight`), eps).reshape([B * T, d]) as tf.Tensor2D;
    const q = applyRotary(splitHeads(linear(p, `${l}.self_attn.q_proj`, a, drop, lora), B, T, H, hd), cos, sin); // [B, H, T, hd]
    const kNew = applyRotary(splitHeads(linear(p, `${l}.self_attn.k_proj`, a, drop, lora), B, T, KV, hd), cos, sin); // [B, KV, T, hd]
    const vNew = splitHeads(linear(p, `${l}.self_attn.v_proj`, a, drop, lora), B, T, KV, hd); // [B, KV, T, hd]
    const [k, v] = updateCache(opts.cache, i, kNew, vNew); // [B, KV, S, hd], rotated keys
    // repeat_kv gives query head h the key/value head floor(h / group); grouping the
    // query heads that share one kv head into the row axis does the same without copies.
    const qg = q.reshape([B, KV, group * T, hd]);
    const scores = tf.matMul(qg, k, false, true).reshape([B, H, T, S]).mul(scale).add(bias); // [B, H, T, S]
    const probs = drop.apply(tf.softmax(scores, -1)).reshape([B, KV, group * T, S]);
    const ctx = tf.matMul(probs, v).reshape([B, H, T, hd]).transpose([0, 2, 1, 3]).reshape([B * T, H * hd]) as tf.Tensor2D;
    const x1 = x.add(linear(p, `${l}.self_attn.o_proj`, ctx, drop, lora).reshape([B, T, d])) as tf.Tensor3D;
    // --- SwiGLU MLP: down(silu(gate(m)) * up(m)) ---
    const m = rmsNorm(x1, param(p, `${l}.post_attention_layernorm.weight`), eps).reshape([B * T, d]) as tf.Tensor2D;
    const gate = linear(p, `${l}.mlp.gate_proj`, m, drop, lora); // [B*T, inter]
    const up = linear(p, `${l}.mlp.up_proj`, m, drop, lora);
    const act = gate.mul(tf.sigmoid(gate)).mul(up) as tf.Tensor2D;
    return x1.add(linear(p, `${l}.mlp.down_proj`, act, drop, lora).reshape([B, T, d])) as tf.Tensor3D;
  };
  for (let i = 0; i < cfg.numLayers; i++) x = runBlock(x, drop, opts, blockTensors(p, lora, `model.layers.${i}.`), (xi, di) => block(i, xi, di));
  if (opts.cache) opts.cache.length += T;
  return rmsNorm(x, param(p, 'model.norm.weight'), eps) as tf.Tensor3D;
}

/** LlamaForCausalLM logits [B, T, V]: lm_head, or embed_tokens when tied. */
function lmLogits(cfg: LlamaConfig, p: Params, h: tf.Tensor3D): tf.Tensor3D {
  const [B, T, d] = h.shape;
  const w = param(p, cfg.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight') as tf.Tensor2D; // [V, d]
  return tf.matMul(h.reshape([B * T, d]) as tf.Tensor2D, w, false, true).reshape([B, T, cfg.vocabSize]);
}

/** LlamaForSequenceClassification: `score.weight` [num_labels, d] at each row's last real token -> [B, num_labels]. */
function classLogits(_cfg: LlamaConfig, p: Params, h: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor2D {
  const [B, T, d] = h.shape;
  const flatIdx = rowOffsets(B, T).add(lastTokenIndex(mask, B, T)); // [B]
  const pooled = tf.gather(h.reshape([B * T, d]), flatIdx) as tf.Tensor2D; // [B, d]
  return tf.matMul(pooled, param(p, 'score.weight') as tf.Tensor2D, false, true);
}

export const llama: Architecture<LlamaConfig> = {
  modelType: 'llama',
  weightLayout: 'out_in',
  tasks: ['lm', 'classify'],
  loraTargets: { default: ['q_proj', 'v_proj'], all: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] },
  parseConfig: parseLlamaConfig,
  configToJson: llamaConfigToJson,
  paramShapes,
  headShapes: (cfg, n) => new Map([['score.weight', [n, cfg.hiddenSize]]]),
  initParam,
  // Rotary inv_freq buffers (older checkpoints) are not parameters. A bare LlamaModel
  // checkpoint omits "model.". A tied checkpoint's lm_head.weight copy is passed through
  // and dropped by the loader, since paramShapes has no lm_head when tied.
  canonicalName: (raw) => {
    if (raw.endsWith('rotary_emb.inv_freq')) return null;
    return /^(embed_tokens|layers|norm)\./.test(raw) ? `model.${raw}` : raw;
  },
  linearModules: (cfg) => Array.from({ length: cfg.numLayers }, (_, i) => projections(cfg, i).map(({ name, fanIn, fanOut }) => ({ name, fanIn, fanOut }))).flat(),
  blockOf: (name) => {
    const m = /^model\.layers\.(\d+)\./.exec(name);
    return m ? Number(m[1]) : null;
  },
  // An untied lm_head is a [V, d] matrix like the embedding: 'freeze' trains it only
  // with trainEmbeddings, as it does GPT-2's (tied) output projection.
  isEmbedding: (name) => name === 'model.embed_tokens.weight' || name === 'lm_head.weight',
  hidden,
  lmLogits,
  classLogits,
};
