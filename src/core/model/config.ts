/**
 * GPT-2 configuration, read from and written to Hugging Face `config.json`.
 * Unknown keys are kept so a config survives a round trip through the studio.
 */
export interface Gpt2Config {
  vocabSize: number;
  nPositions: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  /** MLP width; null means 4 * n_embd, as in transformers. */
  nInner: number | null;
  layerNormEpsilon: number;
  activationFunction: string;
  embdPdrop: number;
  attnPdrop: number;
  residPdrop: number;
  bosTokenId: number | null;
  eosTokenId: number | null;
  padTokenId: number | null;
  id2label: Record<string, string> | null;
  /** Every key of the original file, so saving keeps what we do not model. */
  raw: Record<string, unknown>;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(`config.json: ${message}`);
    this.name = 'ConfigError';
  }
}

function num(raw: Record<string, unknown>, key: string, fallback?: number): number {
  const v = raw[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`"${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function posInt(raw: Record<string, unknown>, key: string, fallback?: number): number {
  const v = num(raw, key, fallback);
  if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`"${key}" must be a positive integer, got ${v}`);
  return v;
}

function optId(raw: Record<string, unknown>, key: string): number | null {
  const v = raw[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConfigError(`"${key}" must be an integer or null`);
  return v;
}

export function parseGpt2Config(json: unknown): Gpt2Config {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError('expected a JSON object');
  const raw = json as Record<string, unknown>;
  if (raw.model_type !== undefined && raw.model_type !== 'gpt2') {
    throw new ConfigError(`model_type "${String(raw.model_type)}" is not a GPT-2 model`);
  }
  const cfg: Gpt2Config = {
    vocabSize: posInt(raw, 'vocab_size'),
    nPositions: posInt(raw, 'n_positions', 1024),
    nEmbd: posInt(raw, 'n_embd', 768),
    nLayer: posInt(raw, 'n_layer', 12),
    nHead: posInt(raw, 'n_head', 12),
    nInner: raw.n_inner == null ? null : posInt(raw, 'n_inner'),
    layerNormEpsilon: num(raw, 'layer_norm_epsilon', 1e-5),
    activationFunction: String(raw.activation_function ?? 'gelu_new'),
    embdPdrop: num(raw, 'embd_pdrop', 0.1),
    attnPdrop: num(raw, 'attn_pdrop', 0.1),
    residPdrop: num(raw, 'resid_pdrop', 0.1),
    bosTokenId: optId(raw, 'bos_token_id'),
    eosTokenId: optId(raw, 'eos_token_id'),
    padTokenId: optId(raw, 'pad_token_id'),
    id2label: parseId2Label(raw.id2label),
    raw: { ...raw },
  };
  if (cfg.nEmbd % cfg.nHead !== 0) throw new ConfigError(`n_embd (${cfg.nEmbd}) must be divisible by n_head (${cfg.nHead})`);
  if (!['gelu_new', 'gelu_pytorch_tanh', 'gelu', 'relu'].includes(cfg.activationFunction)) {
    throw new ConfigError(`activation_function "${cfg.activationFunction}" is not supported (gelu_new, gelu, relu)`);
  }
  return cfg;
}

function parseId2Label(v: unknown): Record<string, string> | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError('"id2label" must be an object');
  const out: Record<string, string> = {};
  for (const [k, label] of Object.entries(v as Record<string, unknown>)) {
    if (!/^\d+$/.test(k)) throw new ConfigError(`"id2label" key "${k}" is not a class index`);
    out[k] = String(label);
  }
  return out;
}

export function innerDim(cfg: Gpt2Config): number {
  return cfg.nInner ?? 4 * cfg.nEmbd;
}

/** Labels ordered by class index, or null for a model without a classification head. */
export function labelList(cfg: Gpt2Config): string[] | null {
  if (!cfg.id2label) return null;
  const n = Object.keys(cfg.id2label).length;
  return Array.from({ length: n }, (_, i) => cfg.id2label![String(i)] ?? `LABEL_${i}`);
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

/** Serialise for `config.json`; `head` decides `architectures` and the label maps. */
export function gpt2ConfigToJson(cfg: Gpt2Config, head: 'lm' | 'classify', labels?: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ...cfg.raw,
    model_type: 'gpt2',
    architectures: [head === 'lm' ? 'GPT2LMHeadModel' : 'GPT2ForSequenceClassification'],
    vocab_size: cfg.vocabSize,
    n_positions: cfg.nPositions,
    n_embd: cfg.nEmbd,
    n_layer: cfg.nLayer,
    n_head: cfg.nHead,
    n_inner: cfg.nInner,
    activation_function: cfg.activationFunction,
    layer_norm_epsilon: cfg.layerNormEpsilon,
    embd_pdrop: cfg.embdPdrop,
    attn_pdrop: cfg.attnPdrop,
    resid_pdrop: cfg.residPdrop,
    bos_token_id: cfg.bosTokenId,
    eos_token_id: cfg.eosTokenId,
    pad_token_id: cfg.padTokenId,
  };
  if (head === 'classify' && labels) {
    out.num_labels = labels.length;
    out.id2label = Object.fromEntries(labels.map((l, i) => [String(i), l]));
    out.label2id = Object.fromEntries(labels.map((l, i) => [l, i]));
    // transformers needs a pad token to find the last real token of each row.
    if (out.pad_token_id == null) out.pad_token_id = cfg.eosTokenId;
  } else {
    delete out.num_labels;
    delete out.id2label;
    delete out.label2id;
  }
  return out;
}
