/**
 * GPT-2 (Radford et al. 2019) written functionally over a name -> tensor map that
 * uses the Hugging Face parameter names, so import and export are a plain copy.
 *
 * Conv1D weights are stored [in, out] (y = x W + b) exactly as transformers stores them.
 */
import { tf } from '../backend';
import { innerDim, type Gpt2Config } from './config';
import { Dropout } from './dropout';
import { applyLora, type LoraState } from './lora';

export type Params = Map<string, tf.Tensor>;

export interface ForwardOptions {
  training: boolean;
  /** Dropout probability used for embeddings, attention and residuals while training (default: the config's). */
  dropout?: number;
  /** Seed for this call's dropout masks; each dropout site derives its own seed from it. */
  seed?: number;
  lora?: LoraState | null;
}

/** Names of every base parameter a GPT-2 body has (the heads add `score.weight`). */
export function gpt2ParamShapes(cfg: Gpt2Config): Map<string, number[]> {
  const d = cfg.nEmbd;
  const inner = innerDim(cfg);
  const shapes = new Map<string, number[]>();
  shapes.set('transformer.wte.weight', [cfg.vocabSize, d]);
  shapes.set('transformer.wpe.weight', [cfg.nPositions, d]);
  for (let i = 0; i < cfg.nLayer; i++) {
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

/** The Conv1D modules LoRA can target, by full module name. */
export function gpt2LinearModules(cfg: Gpt2Config): string[] {
  const out: string[] = [];
  for (let i = 0; i < cfg.nLayer; i++) {
    for (const m of ['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj']) out.push(`transformer.h.${i}.${m}`);
  }
  return out;
}

function param(p: Params, name: string): tf.Tensor {
  const t = p.get(name);
  if (!t) throw new Error(`GPT-2 parameter "${name}" is missing`);
  return t;
}

export function layerNorm(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).mul(tf.rsqrt(variance.add(eps))).mul(w).add(b);
}

/** gelu_new: the tanh approximation GPT-2 was trained with. */
export function geluNew(x: tf.Tensor): tf.Tensor {
  const c = Math.sqrt(2 / Math.PI);
  const inner = x.add(x.pow(3).mul(0.044715)).mul(c);
  return x.mul(0.5).mul(tf.tanh(inner).add(1));
}

function activation(cfg: Gpt2Config, x: tf.Tensor): tf.Tensor {
  switch (cfg.activationFunction) {
    case 'relu':
      return tf.relu(x);
    case 'gelu':
      return x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1));
    default:
      return geluNew(x);
  }
}

/** y = x W + b (+ LoRA), on x flattened to [N, in]. */
function conv1d(p: Params, module: string, x2: tf.Tensor2D, drop: Dropout, lora: LoraState | null | undefined): tf.Tensor2D {
  const y = tf.matMul(x2, param(p, `${module}.weight`) as tf.Tensor2D).add(param(p, `${module}.bias`)) as tf.Tensor2D;
  return lora ? applyLora(lora, module, x2, y, drop) : y;
}

/**
 * Additive attention bias [B, 1, T, T]: 0 where a query may look, -1e9 where it may not
 * (future positions, and padded keys when a mask is given).
 */
export function attentionBias(T: number, mask: tf.Tensor2D | null): tf.Tensor4D {
  const causal = tf.linalg.bandPart(tf.ones([T, T]), -1, 0); // [T, T] lower triangle
  let allowed: tf.Tensor = causal.reshape([1, 1, T, T]);
  if (mask) {
    const B = mask.shape[0];
    allowed = allowed.mul(mask.reshape([B, 1, 1, T]));
  }
  return allowed.sub(1).mul(1e9) as tf.Tensor4D;
}

/** Final hidden states [B, T, d] after ln_f. */
export function gpt2Hidden(cfg: Gpt2Config, p: Params, ids: tf.Tensor2D, mask: tf.Tensor2D | null, opts: ForwardOptions): tf.Tensor3D {
  const [B, T] = ids.shape;
  if (T > cfg.nPositions) throw new Error(`sequence length ${T} exceeds the model's context of ${cfg.nPositions} tokens`);
  const d = cfg.nEmbd;
  const H = cfg.nHead;
  const hd = d / H;
  const drop = new Dropout(opts.dropout ?? cfg.residPdrop, opts.seed, opts.training);
  const attnRate = opts.dropout ?? cfg.attnPdrop;
  const embdRate = opts.dropout ?? cfg.embdPdrop;
  const lora = opts.lora;

  const tok = tf.gather(param(p, 'transformer.wte.weight'), ids.flatten()); // [B*T, d]
  const pos = tf.slice(param(p, 'transformer.wpe.weight'), [0, 0], [T, d]); // [T, d]
  let x = drop.apply(tok.reshape([B, T, d]).add(pos), embdRate) as tf.Tensor3D; // [B, T, d]
  const bias = attentionBias(T, mask);
  const scale = 1 / Math.sqrt(hd);

  for (let i = 0; i < cfg.nLayer; i++) {
    const h = `transformer.h.${i}`;
    // --- attention ---
    const a = layerNorm(x, param(p, `${h}.ln_1.weight`), param(p, `${h}.ln_1.bias`), cfg.layerNormEpsilon);
    const qkv = conv1d(p, `${h}.attn.c_attn`, a.reshape([B * T, d]) as tf.Tensor2D, drop, lora); // [B*T, 3d]
    const heads = qkv.reshape([B, T, 3, H, hd]).transpose([2, 0, 3, 1, 4]); // [3, B, H, T, hd]
    const [q, k, v] = tf.unstack(heads, 0) as tf.Tensor4D[]; // each [B, H, T, hd]
    const scores = tf.matMul(q, k, false, true).mul(scale).add(bias); // [B, H, T, T]
    const probs = drop.apply(tf.softmax(scores, -1), attnRate);
    const ctx = tf.matMul(probs as tf.Tensor4D, v).transpose([0, 2, 1, 3]).reshape([B * T, d]) as tf.Tensor2D; // [B*T, d]
    const attnOut = drop.apply(conv1d(p, `${h}.attn.c_proj`, ctx, drop, lora));
    x = x.add(attnOut.reshape([B, T, d])) as tf.Tensor3D;
    // --- MLP ---
    const m = layerNorm(x, param(p, `${h}.ln_2.weight`), param(p, `${h}.ln_2.bias`), cfg.layerNormEpsilon);
    const fc = activation(cfg, conv1d(p, `${h}.mlp.c_fc`, m.reshape([B * T, d]) as tf.Tensor2D, drop, lora));
    const mlpOut = drop.apply(conv1d(p, `${h}.mlp.c_proj`, fc as tf.Tensor2D, drop, lora));
    x = x.add(mlpOut.reshape([B, T, d])) as tf.Tensor3D;
  }
  return layerNorm(x, param(p, 'transformer.ln_f.weight'), param(p, 'transformer.ln_f.bias'), cfg.layerNormEpsilon) as tf.Tensor3D;
}

/** Causal-LM logits [B, T, V], tied to the token embedding as in GPT2LMHeadModel. */
export function lmLogits(cfg: Gpt2Config, p: Params, hidden: tf.Tensor3D): tf.Tensor3D {
  const [B, T, d] = hidden.shape;
  const wte = param(p, 'transformer.wte.weight') as tf.Tensor2D;
  return tf.matMul(hidden.reshape([B * T, d]) as tf.Tensor2D, wte, false, true).reshape([B, T, cfg.vocabSize]);
}

/** [0, stride, 2*stride, ...] as int32: the flat index of each row's first element. */
export function rowOffsets(rows: number, stride: number): tf.Tensor1D {
  return tf.range(0, rows * stride, stride, 'int32') as tf.Tensor1D;
}

/** Index of the last real token of each row [B] (all positions when there is no mask). */
export function lastTokenIndex(mask: tf.Tensor2D | null, B: number, T: number): tf.Tensor1D {
  if (!mask) return tf.fill([B], T - 1, 'int32') as tf.Tensor1D;
  // position * mask, argmax -> the last position whose mask is 1 (0 for an all-pad row).
  return tf.argMax(mask.mul(tf.range(1, T + 1).reshape([1, T])), 1).toInt() as tf.Tensor1D;
}

/**
 * GPT2ForSequenceClassification: `score.weight` [num_labels, d] applied to the hidden
 * state of each row's last non-padding token. Returns [B, num_labels].
 */
export function classLogits(p: Params, hidden: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor2D {
  const [B, T, d] = hidden.shape;
  const last = lastTokenIndex(mask, B, T);
  const flatIdx = rowOffsets(B, T).add(last); // [B]
  const pooled = tf.gather(hidden.reshape([B * T, d]), flatIdx) as tf.Tensor2D; // [B, d]
  return tf.matMul(pooled, param(p, 'score.weight') as tf.Tensor2D, false, true);
}
