/**
 * LLaMA's config (rope scaling included), parameter names and shapes and LoRA modules
 * (no tensors: llama.ts runs it). Projections are nn.Linear, stored [out, in].
 */
import type { Task } from '../types';
import type { ArchSpec, BaseConfig, LinearModule } from './arch';
import { ConfigError, commonFields, num, posInt, withHeadFields, type RawConfig } from './config';

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

export const llamaSpec: ArchSpec<LlamaConfig> = {
  modelType: 'llama',
  weightLayout: 'out_in',
  tasks: ['lm', 'classify'],
  loraTargets: { default: ['q_proj', 'v_proj'], all: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] },
  parseConfig: parseLlamaConfig,
  configToJson: llamaConfigToJson,
  paramShapes,
  headShapes: (cfg, n) => new Map([['score.weight', [n, cfg.hiddenSize]]]),
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
};
