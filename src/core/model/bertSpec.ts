/**
 * BERT's config, parameter names and shapes and LoRA modules (no tensors: bert.ts runs it).
 * Linear weights are stored [out, in], as transformers stores them.
 */
import type { Task } from '../types';
import type { ArchSpec, BaseConfig, LinearModule } from './arch';
import { ConfigError, commonFields, num, posInt, withHeadFields, type RawConfig } from './config';

export interface BertConfig extends BaseConfig {
  modelType: 'bert';
  intermediateSize: number;
  hiddenAct: string;
  hiddenDropout: number;
  attentionDropout: number;
  /** classifier_dropout as written (null: use hidden_dropout_prob, as transformers does). */
  classifierDropout: number | null;
  typeVocabSize: number;
  layerNormEps: number;
  initializerRange: number;
}

const ACTIVATIONS = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu'];

export function parseBertConfig(raw: RawConfig): BertConfig {
  const common = commonFields(raw);
  const cfg: BertConfig = {
    modelType: 'bert',
    vocabSize: posInt(raw, 'vocab_size'),
    maxPositions: posInt(raw, 'max_position_embeddings', 512),
    hiddenSize: posInt(raw, 'hidden_size', 768),
    numLayers: posInt(raw, 'num_hidden_layers', 12),
    numHeads: posInt(raw, 'num_attention_heads', 12),
    intermediateSize: posInt(raw, 'intermediate_size', 3072),
    hiddenAct: String(raw.hidden_act ?? 'gelu'),
    hiddenDropout: num(raw, 'hidden_dropout_prob', 0.1),
    attentionDropout: num(raw, 'attention_probs_dropout_prob', 0.1),
    classifierDropout: raw.classifier_dropout == null ? null : num(raw, 'classifier_dropout'),
    typeVocabSize: posInt(raw, 'type_vocab_size', 2),
    layerNormEps: num(raw, 'layer_norm_eps', 1e-12),
    initializerRange: num(raw, 'initializer_range', 0.02),
    ...common,
    // BertConfig's default pad_token_id is 0; only an explicit null means "none".
    padTokenId: raw.pad_token_id === undefined ? 0 : common.padTokenId,
  };
  if (cfg.hiddenSize % cfg.numHeads !== 0) {
    throw new ConfigError(`hidden_size (${cfg.hiddenSize}) must be divisible by num_attention_heads (${cfg.numHeads})`);
  }
  if (!ACTIVATIONS.includes(cfg.hiddenAct)) throw new ConfigError(`hidden_act "${cfg.hiddenAct}" is not supported (${ACTIVATIONS.join(', ')})`);
  const posType = raw.position_embedding_type ?? 'absolute';
  if (posType !== 'absolute') {
    throw new ConfigError(`position_embedding_type "${String(posType)}" is not supported (only "absolute" position embeddings are)`);
  }
  if (raw.is_decoder === true) throw new ConfigError('"is_decoder": true (BERT as a causal decoder) is not supported; use it as an encoder');
  return cfg;
}

export interface BertConfigInit {
  vocabSize: number;
  maxPositions: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize?: number;
  dropout?: number;
  padTokenId?: number;
}

/** A fresh config (for tests), in the shape transformers writes. */
export function newBertConfig(init: BertConfigInit): BertConfig {
  const p = init.dropout ?? 0.1;
  return parseBertConfig({
    model_type: 'bert',
    architectures: ['BertModel'],
    vocab_size: init.vocabSize,
    max_position_embeddings: init.maxPositions,
    hidden_size: init.hiddenSize,
    num_hidden_layers: init.numLayers,
    num_attention_heads: init.numHeads,
    intermediate_size: init.intermediateSize ?? 4 * init.hiddenSize,
    hidden_act: 'gelu',
    hidden_dropout_prob: p,
    attention_probs_dropout_prob: p,
    classifier_dropout: null,
    type_vocab_size: 2,
    layer_norm_eps: 1e-12,
    initializer_range: 0.02,
    position_embedding_type: 'absolute',
    pad_token_id: init.padTokenId ?? 0,
  });
}

function bertConfigToJson(cfg: BertConfig, head: Task, labels?: string[]): RawConfig {
  const out: RawConfig = {
    ...cfg.raw,
    model_type: 'bert',
    // There is no BERT LM head here: anything but a classifier is saved as the bare encoder.
    architectures: [head === 'classify' ? 'BertForSequenceClassification' : 'BertModel'],
    vocab_size: cfg.vocabSize,
    hidden_size: cfg.hiddenSize,
    num_hidden_layers: cfg.numLayers,
    num_attention_heads: cfg.numHeads,
    intermediate_size: cfg.intermediateSize,
    hidden_act: cfg.hiddenAct,
    hidden_dropout_prob: cfg.hiddenDropout,
    attention_probs_dropout_prob: cfg.attentionDropout,
    classifier_dropout: cfg.classifierDropout,
    max_position_embeddings: cfg.maxPositions,
    type_vocab_size: cfg.typeVocabSize,
    layer_norm_eps: cfg.layerNormEps,
    initializer_range: cfg.initializerRange,
    position_embedding_type: 'absolute',
  };
  return withHeadFields(out, cfg, head, labels);
}

export const LAYER = 'bert.encoder.layer';

function paramShapes(cfg: BertConfig): Map<string, number[]> {
  const d = cfg.hiddenSize;
  const shapes = new Map<string, number[]>();
  shapes.set('bert.embeddings.word_embeddings.weight', [cfg.vocabSize, d]);
  shapes.set('bert.embeddings.position_embeddings.weight', [cfg.maxPositions, d]);
  shapes.set('bert.embeddings.token_type_embeddings.weight', [cfg.typeVocabSize, d]);
  shapes.set('bert.embeddings.LayerNorm.weight', [d]);
  shapes.set('bert.embeddings.LayerNorm.bias', [d]);
  for (const { name, fanIn, fanOut } of linearModules(cfg)) {
    shapes.set(`${name}.weight`, [fanOut, fanIn]);
    shapes.set(`${name}.bias`, [fanOut]);
  }
  for (let i = 0; i < cfg.numLayers; i++) {
    for (const ln of ['attention.output.LayerNorm', 'output.LayerNorm']) {
      shapes.set(`${LAYER}.${i}.${ln}.weight`, [d]);
      shapes.set(`${LAYER}.${i}.${ln}.bias`, [d]);
    }
  }
  shapes.set('bert.pooler.dense.weight', [d, d]);
  shapes.set('bert.pooler.dense.bias', [d]);
  return shapes;
}

/** The six nn.Linear modules of each layer, in PEFT's full module names. */
function linearModules(cfg: BertConfig): LinearModule[] {
  const d = cfg.hiddenSize;
  const inner = cfg.intermediateSize;
  const out: LinearModule[] = [];
  for (let i = 0; i < cfg.numLayers; i++) {
    const l = `${LAYER}.${i}`;
    for (const m of ['query', 'key', 'value']) out.push({ name: `${l}.attention.self.${m}`, fanIn: d, fanOut: d });
    out.push({ name: `${l}.attention.output.dense`, fanIn: d, fanOut: d });
    out.push({ name: `${l}.intermediate.dense`, fanIn: d, fanOut: inner });
    out.push({ name: `${l}.output.dense`, fanIn: inner, fanOut: d });
  }
  return out;
}

/**
 * Checkpoint name -> ours. Skips buffers (position_ids, token_type_ids) and the
 * pre-training heads (cls.predictions.*, cls.seq_relationship.*); renames the
 * TF-era LayerNorm.gamma/beta; prefixes a bare BertModel's names with "bert.".
 */
function canonicalName(raw: string): string | null {
  if (raw.startsWith('cls.') || /(^|\.)embeddings\.(position_ids|token_type_ids)$/.test(raw)) return null;
  const name = raw.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
  if (/^(embeddings|encoder|pooler)\./.test(name)) return `bert.${name}`;
  return name;
}

export const bertSpec: ArchSpec<BertConfig> = {
  modelType: 'bert',
  weightLayout: 'out_in',
  tasks: ['classify'],
  // PEFT matches a target when the module name ends with ".<target>", so "output.dense"
  // also adapts attention.output.dense; "all" is the six Linear modules of each layer.
  loraTargets: { default: ['query', 'value'], all: ['query', 'key', 'value', 'attention.output.dense', 'intermediate.dense', 'output.dense'] },
  parseConfig: parseBertConfig,
  configToJson: bertConfigToJson,
  paramShapes,
  headShapes: (cfg, n) =>
    new Map([
      ['classifier.weight', [n, cfg.hiddenSize]],
      ['classifier.bias', [n]],
    ]),
  canonicalName,
  linearModules,
  // The pooler is outside the blocks and not an embedding, so "freeze" always trains it.
  blockOf: (name) => {
    const m = /^bert\.encoder\.layer\.(\d+)\./.exec(name);
    return m ? Number(m[1]) : null;
  },
  // The whole embedding module (word, position, token type and its LayerNorm).
  isEmbedding: (name) => name.startsWith('bert.embeddings.'),
};
