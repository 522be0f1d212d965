/**
 * BERT (Devlin et al. 2018) as transformers' BertModel + BertForSequenceClassification
 * compute it, written functionally over a name -> tensor map with the Hugging Face
 * parameter names. Serves every checkpoint with model_type "bert": BERT, MiniLM,
 * bert-tiny and the like. An encoder: bidirectional attention, post-LayerNorm blocks,
 * classification from the pooled [CLS] state, no LM head and no KV cache.
 * nn.Linear weights are stored [out, in] (y = x W^T + b), as transformers stores them.
 */
import { tf } from '../backend';
import type { Task } from '../types';
import type { Architecture, BaseConfig, ForwardOptions, LinearModule, Params } from './arch';
import { blockTensors, checkpointsBlocks, runBlock } from './checkpoint';
import { ConfigError, commonFields, num, posInt, withHeadFields, type RawConfig } from './config';
import { Dropout } from './dropout';
import { geluNew, layerNorm } from './gpt2';
import { applyLora, type LoraState } from './lora';
import { paddingBias, param } from './layers';

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

const LAYER = 'bert.encoder.layer';

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

/** BertPreTrainedModel._init_weights: N(0, initializer_range) matrices, zero biases, unit LayerNorm. */
function initParam(name: string, shape: number[], cfg: BertConfig, seed: number): tf.Tensor {
  if (name.endsWith('LayerNorm.weight')) return tf.ones(shape);
  if (name.endsWith('.bias')) return tf.zeros(shape);
  return tf.randomNormal(shape, 0, cfg.initializerRange, 'float32', seed);
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

function activation(cfg: BertConfig, x: tf.Tensor): tf.Tensor {
  switch (cfg.hiddenAct) {
    case 'relu':
      return tf.relu(x);
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
      return geluNew(x);
    default: // "gelu": the exact erf form, as BERT was trained with
      return x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1));
  }
}

/** y = x W^T + b (+ LoRA), x: [N, in] -> [N, out]. */
function linear(p: Params, module: string, x2: tf.Tensor2D, drop?: Dropout, lora?: LoraState | null): tf.Tensor2D {
  const y = tf.matMul(x2, param(p, `${module}.weight`) as tf.Tensor2D, false, true).add(param(p, `${module}.bias`)) as tf.Tensor2D;
  return lora && drop ? applyLora(lora, module, x2, y, drop) : y;
}

/** BertModel's last_hidden_state [B, T, d]. opts.cache is ignored: an encoder sees the whole input. */
function hidden(cfg: BertConfig, p: Params, ids: tf.Tensor2D, mask: tf.Tensor2D | null, opts: ForwardOptions): tf.Tensor3D {
  const [B, T] = ids.shape;
  if (T > cfg.maxPositions) throw new Error(`sequence length ${T} exceeds the model's ${cfg.maxPositions} positions`);
  const d = cfg.hiddenSize;
  const H = cfg.numHeads;
  const hd = d / H;
  const eps = cfg.layerNormEps;
  const drop = new Dropout(opts.dropout ?? cfg.hiddenDropout, opts.seed, opts.training);
  const attnRate = opts.dropout ?? cfg.attentionDropout;
  const lora = opts.lora;
  const ln = (x: tf.Tensor, name: string) => layerNorm(x, param(p, `${name}.weight`), param(p, `${name}.bias`), eps) as tf.Tensor2D;

  // --- embeddings: word + position 0..T-1 + token type 0 (single-segment input) ---
  const e = 'bert.embeddings';
  const words = tf.gather(param(p, `${e}.word_embeddings.weight`), ids.flatten()).reshape([B, T, d]); // [B, T, d]
  const pos = tf.slice(param(p, `${e}.position_embeddings.weight`), [0, 0], [T, d]); // [T, d]
  const type0 = tf.slice(param(p, `${e}.token_type_embeddings.weight`), [0, 0], [1, d]); // [1, d]
  let x = drop.apply(ln(words.add(pos).add(type0).reshape([B * T, d]), `${e}.LayerNorm`)) as tf.Tensor2D; // [B*T, d]

  // [B|1, 1, 1, T]: padded keys get -1e9, no causal mask. A checkpointed layer reruns after
  // this pass's tensors are gone: it makes its own bias then.
  const shared = checkpointsBlocks(opts, drop) ? null : paddingBias(mask, B, T);
  const scale = 1 / Math.sqrt(hd);
  const heads = (t: tf.Tensor2D) => t.reshape([B, T, H, hd]).transpose([0, 2, 1, 3]) as tf.Tensor4D; // [B, H, T, hd]

  const block = (i: number, x: tf.Tensor2D, drop: Dropout): tf.Tensor2D => {
    const l = `${LAYER}.${i}`;
    const bias = shared ?? paddingBias(mask, B, T);
    // --- self-attention, then post-LN residual ---
    const q = heads(linear(p, `${l}.attention.self.query`, x, drop, lora));
    const k = heads(linear(p, `${l}.attention.self.key`, x, drop, lora));
    const v = heads(linear(p, `${l}.attention.self.value`, x, drop, lora));
    const scores = tf.matMul(q, k, false, true).mul(scale).add(bias); // [B, H, T, T]
    const probs = drop.apply(tf.softmax(scores, -1), attnRate) as tf.Tensor4D;
    const ctx = tf.matMul(probs, v).transpose([0, 2, 1, 3]).reshape([B * T, d]) as tf.Tensor2D; // [B*T, d]
    const attnOut = drop.apply(linear(p, `${l}.attention.output.dense`, ctx, drop, lora));
    const x1 = ln(x.add(attnOut), `${l}.attention.output.LayerNorm`);
    // --- feed-forward, then post-LN residual ---
    const inter = activation(cfg, linear(p, `${l}.intermediate.dense`, x1, drop, lora)) as tf.Tensor2D; // [B*T, inner]
    const ffOut = drop.apply(linear(p, `${l}.output.dense`, inter, drop, lora));
    return ln(x1.add(ffOut), `${l}.output.LayerNorm`);
  };
  for (let i = 0; i < cfg.numLayers; i++) x = runBlock(x, drop, opts, blockTensors(p, lora, `${LAYER}.${i}.`), (xi, di) => block(i, xi, di));
  return x.reshape([B, T, d]);
}

/** BertPooler: tanh(dense(h[:, 0])), the [CLS] state [B, d]. */
export function bertPooled(p: Params, h: tf.Tensor3D): tf.Tensor2D {
  const [B, , d] = h.shape;
  const cls = h.slice([0, 0, 0], [B, 1, d]).reshape([B, d]) as tf.Tensor2D;
  return tf.tanh(linear(p, 'bert.pooler.dense', cls));
}

// Offsets the pass's seed so the classifier's dropout mask is not the embeddings' one replayed.
const CLASSIFIER_SEED_OFFSET = 7_654_321;

/** BertForSequenceClassification: classifier(dropout(pooled)) -> [B, num_labels]. The mask is not needed: [CLS] is position 0. */
function classLogits(cfg: BertConfig, p: Params, h: tf.Tensor3D, _mask: tf.Tensor2D | null, opts: ForwardOptions): tf.Tensor2D {
  const rate = opts.dropout ?? cfg.classifierDropout ?? cfg.hiddenDropout;
  const seed = opts.seed === undefined ? undefined : opts.seed + CLASSIFIER_SEED_OFFSET;
  const drop = new Dropout(rate, seed, opts.training);
  return linear(p, 'classifier', drop.apply(bertPooled(p, h)));
}

export const bert: Architecture<BertConfig> = {
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
  initParam,
  canonicalName,
  linearModules,
  // The pooler is outside the blocks and not an embedding, so "freeze" always trains it.
  blockOf: (name) => {
    const m = /^bert\.encoder\.layer\.(\d+)\./.exec(name);
    return m ? Number(m[1]) : null;
  },
  // The whole embedding module (word, position, token type and its LayerNorm).
  isEmbedding: (name) => name.startsWith('bert.embeddings.'),
  hidden,
  classLogits,
};
