/**
 * GPT-2 (Radford et al. 2019) written functionally over a name -> tensor map that
 * uses the Hugging Face parameter names, so import and export are a plain copy.
 * Conv1D weights are stored [in, out] (y = x W + b) exactly as transformers stores them.
 */
import { tf } from '../backend';
import type { Architecture, ForwardOptions, KVCache, Params } from './arch';
import { gpt2Spec, type Gpt2Config } from './gpt2Spec';
import { blockTensors, checkpointsBlocks, runBlock } from './checkpoint';
import { Dropout } from './dropout';
import { loraScale, type LoraState } from './lora';
import { attentionBias, param, rowOffsets, lastTokenIndex, updateCache } from './layers';
import * as ops from '../kernels/ops';

/** Small normal init (std 0.02, residual projections scaled by 1/sqrt(2 n_layer)) as GPT-2 does. */
function initParam(name: string, shape: number[], cfg: Gpt2Config, seed: number): tf.Tensor {
  if (/\.(ln_\d|ln_f)\.weight$/.test(name)) return tf.ones(shape);
  if (name.endsWith('.bias')) return tf.zeros(shape);
  const std = name.endsWith('c_proj.weight') ? 0.02 / Math.sqrt(2 * cfg.numLayers) : 0.02;
  return tf.truncatedNormal(shape, 0, std, 'float32', seed);
}

/** LayerNorm over the last axis (a fused kernel where the backend has one). */
export function layerNorm(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  return ops.layerNorm(x, w, b, eps);
}

/** gelu_new: the tanh approximation GPT-2 was trained with. */
export function geluNew(x: tf.Tensor): tf.Tensor {
  return ops.geluNew(x);
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

/** y = x W + b (+ LoRA: scale * dropout(x) A^T B^T, as lora.applyLora), on x flattened to [N, in]. */
function conv1d(p: Params, module: string, x2: tf.Tensor2D, drop: Dropout, lora: LoraState | null | undefined): tf.Tensor2D {
  const y = ops.linear(x2, param(p, `${module}.weight`) as tf.Tensor2D, param(p, `${module}.bias`));
  const m = lora?.modules.get(module);
  if (!lora || !m) return y;
  return ops.loraAdd(y, drop.apply(x2, lora.dropout), m.A as tf.Tensor2D, m.B as tf.Tensor2D, loraScale(lora));
}

/** Final hidden states [B, T, d] after ln_f (for the T new positions when a cache is given). */
function hidden(cfg: Gpt2Config, p: Params, ids: tf.Tensor2D, mask: tf.Tensor2D | null, opts: ForwardOptions): tf.Tensor3D {
  const [B, T] = ids.shape;
  const past = opts.cache?.length ?? 0;
  if (past + T > cfg.maxPositions) throw new Error(`sequence length ${past + T} exceeds the model's context of ${cfg.maxPositions} tokens`);
  const d = cfg.hiddenSize;
  const H = cfg.numHeads;
  const hd = d / H;
  const drop = new Dropout(opts.dropout ?? cfg.residPdrop, opts.seed, opts.training);
  const attnRate = opts.dropout ?? cfg.attnPdrop;
  const lora = opts.lora;

  const tok = tf.gather(param(p, 'transformer.wte.weight'), ids.flatten()); // [B*T, d]
  const pos = tf.slice(param(p, 'transformer.wpe.weight'), [past, 0], [T, d]); // [T, d]
  let x = drop.apply(tok.reshape([B, T, d]).add(pos), opts.dropout ?? cfg.embdPdrop) as tf.Tensor3D; // [B, T, d]
  // Fused attention (one kernel from the c_attn output to merged heads) unless decoding with a cache.
  const fused = !opts.cache && ops.fusedAttentionAvailable(hd);
  const biasFor = (): tf.Tensor | null => (fused ? null : attentionBias(T, past, mask));
  // A checkpointed block reruns after this pass's tensors are gone: it makes its own mask then.
  const shared = checkpointsBlocks(opts, drop) ? null : biasFor();
  const scale = 1 / Math.sqrt(hd);
  const attnDrop = opts.training ? attnRate : 0;

  const block = (i: number, x: tf.Tensor3D, drop: Dropout): tf.Tensor3D => {
    const h = `transformer.h.${i}`;
    const bias = shared ?? biasFor();
    // --- attention ---
    const a = layerNorm(x, param(p, `${h}.ln_1.weight`), param(p, `${h}.ln_1.bias`), cfg.layerNormEpsilon);
    const qkv = conv1d(p, `${h}.attn.c_attn`, a.reshape([B * T, d]) as tf.Tensor2D, drop, lora); // [B*T, 3d]
    let ctx: tf.Tensor2D; // [B*T, d]
    if (fused) {
      ctx = ops.causalAttention(qkv.reshape([B, T, 3 * d]) as tf.Tensor3D, mask, H, scale, attnDrop, attentionSeed(opts.seed, i));
    } else {
      const heads = qkv.reshape([B, T, 3, H, hd]).transpose([2, 0, 3, 1, 4]); // [3, B, H, T, hd]
      const [q, kNew, vNew] = tf.unstack(heads, 0) as tf.Tensor4D[]; // each [B, H, T, hd]
      const [k, v] = updateCache(opts.cache, i, kNew, vNew); // [B, H, past+T, hd]
      const scores = tf.matMul(q, k, false, true).mul(scale).add(bias!); // [B, H, T, past+T]
      // Same per-layer seed and mask as the fused kernels' dropout (tf.dropout keeps u >= rate).
      const p0 = tf.softmax(scores, -1);
      const probs = attnDrop > 0 ? tf.dropout(p0, attnDrop, undefined, attentionSeed(opts.seed, i)) : p0;
      ctx = tf.matMul(probs as tf.Tensor4D, v).transpose([0, 2, 1, 3]).reshape([B * T, d]) as tf.Tensor2D;
    }
    const attnOut = drop.apply(conv1d(p, `${h}.attn.c_proj`, ctx, drop, lora));
    const x1 = x.add(attnOut.reshape([B, T, d])) as tf.Tensor3D;
    // --- MLP ---
    const m = layerNorm(x1, param(p, `${h}.ln_2.weight`), param(p, `${h}.ln_2.bias`), cfg.layerNormEpsilon);
    const fc = activation(cfg, conv1d(p, `${h}.mlp.c_fc`, m.reshape([B * T, d]) as tf.Tensor2D, drop, lora));
    const mlpOut = drop.apply(conv1d(p, `${h}.mlp.c_proj`, fc as tf.Tensor2D, drop, lora));
    return x1.add(mlpOut.reshape([B, T, d])) as tf.Tensor3D;
  };
  for (let i = 0; i < cfg.numLayers; i++) x = runBlock(x, drop, opts, blockTensors(p, lora, `transformer.h.${i}.`), (xi, di) => block(i, xi, di));
  if (opts.cache) opts.cache.length += T;
  return layerNorm(x, param(p, 'transformer.ln_f.weight'), param(p, 'transformer.ln_f.bias'), cfg.layerNormEpsilon) as tf.Tensor3D;
}

/** Causal-LM logits [B, T, V], tied to the token embedding as in GPT2LMHeadModel. */
function lmLogits(cfg: Gpt2Config, p: Params, h: tf.Tensor3D): tf.Tensor3D {
  const [B, T, d] = h.shape;
  const wte = param(p, 'transformer.wte.weight') as tf.Tensor2D;
  return ops.matMul(h.reshape([B * T, d]) as tf.Tensor2D, wte, false, true).reshape([B, T, cfg.vocabSize]);
}

/** Seed of a layer's in-kernel attention dropout, derived from the pass's seed like Dropout's per-site seeds. */
function attentionSeed(seed: number | undefined, layer: number): number {
  if (seed === undefined) return Math.floor(Math.random() * 2147483647);
  return (seed * 7919 + (1000 + layer) * 104729) % 2147483647;
}

/**
 * GPT2ForSequenceClassification: `score.weight` [num_labels, d] applied to the hidden
 * state of each row's last non-padding token. Returns [B, num_labels].
 */
function classLogits(_cfg: Gpt2Config, p: Params, h: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor2D {
  const [B, T, d] = h.shape;
  const flatIdx = rowOffsets(B, T).add(lastTokenIndex(mask, B, T)); // [B]
  const pooled = tf.gather(h.reshape([B * T, d]), flatIdx) as tf.Tensor2D; // [B, d]
  return tf.matMul(pooled, param(p, 'score.weight') as tf.Tensor2D, false, true);
}

export const gpt2: Architecture<Gpt2Config> = { ...gpt2Spec, initParam, hidden, lmLogits, classLogits };

export type { KVCache };
export { newGpt2Config, parseGpt2Config, type Gpt2Config, type Gpt2ConfigInit } from './gpt2Spec';
