/**
 * GPT-2's config, parameter names and shapes and LoRA modules (no tensors: gpt2.ts runs it).
 * Conv1D weights are stored [in, out] (y = x W + b) exactly as transformers stores them.
 */
import type { Task } from '../types';
import type { ArchSpec, BaseConfig, LinearModule } from './arch';
import { ConfigError, commonFields, num, posInt, withHeadFields, type RawConfig } from './config';

export interface Gpt2Config extends BaseConfig {
  modelType: 'gpt2';
  /** MLP width (n_inner; null in config.json means 4 * n_embd). */
  intermediateSize: number;
  layerNormEpsilon: number;
  activationFunction: string;
  embdPdrop: number;
  attnPdrop: number;
  residPdrop: number;
}

const ACTIVATIONS = ['gelu_new', 'gelu_pytorch_tanh', 'gelu', 'relu'];

export function parseGpt2Config(raw: RawConfig): Gpt2Config {
  const hiddenSize = posInt(raw, 'n_embd', 768);
  const cfg: Gpt2Config = {
    modelType: 'gpt2',
    vocabSize: posInt(raw, 'vocab_size'),
    maxPositions: posInt(raw, 'n_positions', 1024),
    hiddenSize,
    numLayers: posInt(raw, 'n_layer', 12),
    numHeads: posInt(raw, 'n_head', 12),
    intermediateSize: raw.n_inner == null ? 4 * hiddenSize : posInt(raw, 'n_inner'),
    layerNormEpsilon: num(raw, 'layer_norm_epsilon', 1e-5),
    activationFunction: String(raw.activation_function ?? 'gelu_new'),
    embdPdrop: num(raw, 'embd_pdrop', 0.1),
    attnPdrop: num(raw, 'attn_pdrop', 0.1),
    residPdrop: num(raw, 'resid_pdrop', 0.1),
    ...commonFields(raw),
  };
  if (cfg.hiddenSize % cfg.numHeads !== 0) throw new ConfigError(`n_embd (${cfg.hiddenSize}) must be divisible by n_head (${cfg.numHeads})`);
  if (!ACTIVATIONS.includes(cfg.activationFunction)) {
    throw new ConfigError(`activation_function "${cfg.activationFunction}" is not supported (${ACTIVATIONS.join(', ')})`);
  }
  return cfg;
}

export interface Gpt2ConfigInit {
  vocabSize: number;
  nPositions: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  dropout?: number;
  bosTokenId?: number | null;
  eosTokenId?: number | null;
}

/** A fresh config (for pretraining or tests), in the shape transformers writes. */
export function newGpt2Config(init: Gpt2ConfigInit): Gpt2Config {
  const p = init.dropout ?? 0.1;
  return parseGpt2Config({
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    vocab_size: init.vocabSize,
    n_positions: init.nPositions,
    n_ctx: init.nPositions,
    n_embd: init.nEmbd,
    n_layer: init.nLayer,
    n_head: init.nHead,
    n_inner: null,
    activation_function: 'gelu_new',
    layer_norm_epsilon: 1e-5,
    embd_pdrop: p,
    attn_pdrop: p,
    resid_pdrop: p,
    initializer_range: 0.02,
    bos_token_id: init.bosTokenId ?? null,
    eos_token_id: init.eosTokenId ?? null,
  });
}

function gpt2ConfigToJson(cfg: Gpt2Config, head: Task, labels?: string[]): RawConfig {
  const out: RawConfig = {
    ...cfg.raw,
    model_type: 'gpt2',
    architectures: [head === 'lm' ? 'GPT2LMHeadModel' : 'GPT2ForSequenceClassification'],
    vocab_size: cfg.vocabSize,
    n_positions: cfg.maxPositions,
    n_embd: cfg.hiddenSize,
    n_layer: cfg.numLayers,
    n_head: cfg.numHeads,
    n_inner: cfg.intermediateSize === 4 * cfg.hiddenSize ? null : cfg.intermediateSize,
    activation_function: cfg.activationFunction,
    layer_norm_epsilon: cfg.layerNormEpsilon,
    embd_pdrop: cfg.embdPdrop,
    attn_pdrop: cfg.attnPdrop,
    resid_pdrop: cfg.residPdrop,
  };
  return withHeadFields(out, cfg, head, labels);
}

function paramShapes(cfg: Gpt2Config): Map<string, number[]> {
  const d = cfg.hiddenSize;
  const inner = cfg.intermediateSize;
  const shapes = new Map<string, number[]>();
  shapes.set('transformer.wte.weight', [cfg.vocabSize, d]);
  shapes.set('transformer.wpe.weight', [cfg.maxPositions, d]);
  for (let i = 0; i < cfg.numLayers; i++) {
    const h = `transformer.h.${i}`;
    shapes.set(`${h}.ln_1.weight`, [d]);
    shapes.set(`${h}.ln_1.bias`, [d]);
    shapes.set(`${h}.attn.c_attn.weight`, [d, 3 * d]);
    shapes.set(`${h}.attn.c_attn.bias`, [3 * d]);
    shapes.set(`${h}.attn.c_proj.weight`, [d, d]);
    shapes.set(`${h}.attn.c_proj.bias`, [d]);
    shapes.set(`${h}.ln_2.weight`, [d]);
    shapes.set(`${h}.ln_2.bias`, [d]);
    shapes.set(`${h}.mlp.c_fc.weight`, [d, inner]);
    shapes.set(`${h}.mlp.c_fc.bias`, [inner]);
    shapes.set(`${h}.mlp.c_proj.weight`, [inner, d]);
    shapes.set(`${h}.mlp.c_proj.bias`, [d]);
  }
  shapes.set('transformer.ln_f.weight', [d]);
  shapes.set('transformer.ln_f.bias', [d]);
  return shapes;
}

function linearModules(cfg: Gpt2Config): LinearModule[] {
  const d = cfg.hiddenSize;
  const out: LinearModule[] = [];
  for (let i = 0; i < cfg.numLayers; i++) {
    const h = `transformer.h.${i}`;
    out.push({ name: `${h}.attn.c_attn`, fanIn: d, fanOut: 3 * d });
    out.push({ name: `${h}.attn.c_proj`, fanIn: d, fanOut: d });
    out.push({ name: `${h}.mlp.c_fc`, fanIn: d, fanOut: cfg.intermediateSize });
    out.push({ name: `${h}.mlp.c_proj`, fanIn: cfg.intermediateSize, fanOut: d });
  }
  return out;
}

export const gpt2Spec: ArchSpec<Gpt2Config> = {
  modelType: 'gpt2',
  weightLayout: 'in_out',
  tasks: ['lm', 'classify'],
  loraTargets: { default: ['c_attn'], all: ['c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'] },
  parseConfig: parseGpt2Config,
  configToJson: gpt2ConfigToJson,
  paramShapes,
  headShapes: (cfg, n) => new Map([['score.weight', [n, cfg.hiddenSize]]]),
  // Bare GPT2Model checkpoints (e.g. openai-community/gpt2) omit "transformer."; the
  // causal-mask buffers and the tied lm_head are not parameters.
  canonicalName: (raw) => {
    if (/\.attn\.(bias|masked_bias)$/.test(raw) || raw === 'lm_head.weight') return null;
    if (raw === 'score.weight' || raw.startsWith('transformer.')) return raw;
    return `transformer.${raw}`;
  },
  linearModules,
  blockOf: (name) => {
    const m = /^transformer\.h\.(\d+)\./.exec(name);
    return m ? Number(m[1]) : null;
  },
  isEmbedding: (name) => name === 'transformer.wte.weight' || name === 'transformer.wpe.weight',
};
