/**
 * LLaMA (Touvron et al. 2023) as transformers' LlamaModel computes it, which also
 * covers SmolLM/SmolLM2 and TinyLlama: pre-RMSNorm blocks, rotary position embeddings
 * in the "rotate_half" layout, grouped-query attention and a SwiGLU MLP. Written
 * functionally over a name -> tensor map with the Hugging Face names; projections are
 * nn.Linear, so weights are stored [out, in] (y = x W^T).
 */
import { tf } from '../backend';
import type { Architecture, ForwardOptions, Params } from './arch';
import { llamaSpec, type LlamaConfig } from './llamaSpec';
import { blockTensors, checkpointsBlocks, runBlock } from './checkpoint';
import { Dropout } from './dropout';
import { applyLora, type LoraState } from './lora';
import { attentionBias, lastTokenIndex, param, rowOffsets, updateCache } from './layers';

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

export const llama: Architecture<LlamaConfig> = { ...llamaSpec, initParam, hidden, lmLogits, classLogits };

export { parseLlamaConfig, type LlamaConfig, type RopeScaling } from './llamaSpec';
