/**
 * BERT (Devlin et al. 2018) as transformers' BertModel + BertForSequenceClassification
 * compute it, written functionally over a name -> tensor map with the Hugging Face
 * parameter names. Serves every checkpoint with model_type "bert": BERT, MiniLM,
 * bert-tiny and the like. An encoder: bidirectional attention, post-LayerNorm blocks,
 * classification from the pooled [CLS] state, no LM head and no KV cache.
 * nn.Linear weights are stored [out, in] (y = x W^T + b), as transformers stores them.
 */
import { tf } from '../backend';
import type { Architecture, ForwardOptions, Params } from './arch';
import { blockTensors, checkpointsBlocks, runBlock } from './checkpoint';
import { bertSpec, LAYER, type BertConfig } from './bertSpec';
import { Dropout } from './dropout';
import { geluNew, layerNorm } from './gpt2';
import { applyLora, type LoraState } from './lora';
import { paddingBias, param } from './layers';

/** BertPreTrainedModel._init_weights: N(0, initializer_range) matrices, zero biases, unit LayerNorm. */
function initParam(name: string, shape: number[], cfg: BertConfig, seed: number): tf.Tensor {
  if (name.endsWith('LayerNorm.weight')) return tf.ones(shape);
  if (name.endsWith('.bias')) return tf.zeros(shape);
  return tf.randomNormal(shape, 0, cfg.initializerRange, 'float32', seed);
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

export const bert: Architecture<BertConfig> = { ...bertSpec, initParam, hidden, classLogits };

export { newBertConfig, parseBertConfig, type BertConfig, type BertConfigInit } from './bertSpec';
