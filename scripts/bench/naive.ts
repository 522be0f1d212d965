/**
 * The baseline: the same GPT-2 step written the way a newcomer to tfjs would write
 * it. Plain ops, no tf.layers: a gather for the embeddings, a matMul per projection,
 * split + reshape + transpose into heads, a band-part causal mask, softmax, the tanh
 * GELU spelled out, tf.losses.softmaxCrossEntropy on one-hot labels, and
 * tf.train.adam().minimize. Same shapes, same init scale, same tokens as the studio.
 */
import { tf } from '../../src/core/backend';
import { syntheticTokens, type BenchConfig } from './configs';
import type { BenchSession } from './measure';

type P = Record<string, tf.Variable>;

function initParams(cfg: BenchConfig): P {
  const { d, nLayer, vocab, ctx } = cfg;
  const p: P = {};
  let seed = 1;
  const normal = (shape: number[]) => tf.variable(tf.truncatedNormal(shape, 0, 0.02, 'float32', seed++));
  p.wte = normal([vocab, d]);
  p.wpe = normal([ctx, d]);
  for (let i = 0; i < nLayer; i++) {
    p[`ln1g${i}`] = tf.variable(tf.ones([d]));
    p[`ln1b${i}`] = tf.variable(tf.zeros([d]));
    p[`wqkv${i}`] = normal([d, 3 * d]);
    p[`bqkv${i}`] = tf.variable(tf.zeros([3 * d]));
    p[`wo${i}`] = normal([d, d]);
    p[`bo${i}`] = tf.variable(tf.zeros([d]));
    p[`ln2g${i}`] = tf.variable(tf.ones([d]));
    p[`ln2b${i}`] = tf.variable(tf.zeros([d]));
    p[`wfc${i}`] = normal([d, 4 * d]);
    p[`bfc${i}`] = tf.variable(tf.zeros([4 * d]));
    p[`wproj${i}`] = normal([4 * d, d]);
    p[`bproj${i}`] = tf.variable(tf.zeros([d]));
  }
  p.lnfg = tf.variable(tf.ones([d]));
  p.lnfb = tf.variable(tf.zeros([d]));
  return p;
}

function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).div(variance.add(1e-5).sqrt()).mul(g).add(b);
}

function gelu(x: tf.Tensor): tf.Tensor {
  return x.mul(0.5).mul(tf.tanh(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1));
}

/** Logits [B, T, V] for ids [B, T]. */
function forward(cfg: BenchConfig, p: P, ids: tf.Tensor2D): tf.Tensor {
  const [B, T] = ids.shape;
  const { d, heads: H, nLayer, vocab } = cfg;
  const hd = d / H;
  let x = tf.gather(p.wte, ids).add(p.wpe.slice([0, 0], [T, d])); // [B, T, d]
  const mask = tf.linalg.bandPart(tf.ones([T, T]), -1, 0); // [T, T] lower triangle
  for (let i = 0; i < nLayer; i++) {
    const h = layerNorm(x, p[`ln1g${i}`], p[`ln1b${i}`]);
    const qkv = tf.matMul(h.reshape([B * T, d]), p[`wqkv${i}`]).add(p[`bqkv${i}`]).reshape([B, T, 3 * d]);
    const [q, k, v] = tf.split(qkv, 3, 2).map((t) => t.reshape([B, T, H, hd]).transpose([0, 2, 1, 3]));
    let att = tf.matMul(q, k, false, true).div(Math.sqrt(hd)); // [B, H, T, T]
    att = tf.where(mask.equal(1).reshape([1, 1, T, T]).tile([B, H, 1, 1]), att, tf.fill([B, H, T, T], -1e9));
    att = tf.softmax(att);
    const y = tf.matMul(att, v).transpose([0, 2, 1, 3]).reshape([B * T, d]);
    x = x.add(tf.matMul(y, p[`wo${i}`]).add(p[`bo${i}`]).reshape([B, T, d]));
    const m = layerNorm(x, p[`ln2g${i}`], p[`ln2b${i}`]);
    const fc = gelu(tf.matMul(m.reshape([B * T, d]), p[`wfc${i}`]).add(p[`bfc${i}`]));
    x = x.add(tf.matMul(fc, p[`wproj${i}`]).add(p[`bproj${i}`]).reshape([B, T, d]));
  }
  x = layerNorm(x, p.lnfg, p.lnfb);
  return tf.matMul(x.reshape([B * T, d]), p.wte, false, true).reshape([B, T, vocab]);
}

export function createNaive(cfg: BenchConfig): BenchSession {
  if (cfg.loraR) throw new Error('the naive baseline trains all weights; it has no LoRA variant');
  const p = initParams(cfg);
  const { batch: B, ctx: T, vocab } = cfg;
  const tokens = syntheticTokens(B * T, vocab, 1234);
  const ids = tf.tensor2d(tokens, [B, T], 'int32');
  // Every position but the last predicts the next token.
  const y = tf.oneHot(ids.slice([0, 1], [B, T - 1]).reshape([-1]), vocab);
  const optimizer = tf.train.adam(1e-3);
  const varList = Object.values(p);

  return {
    async step() {
      const loss = optimizer.minimize(() => {
        const logits = forward(cfg, p, ids).slice([0, 0, 0], [B, T - 1, vocab]).reshape([-1, vocab]);
        return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
      }, true, varList)!;
      const v = (await loss.data())[0];
      loss.dispose();
      return v;
    },
    /** No KV cache: each new token re-runs the whole window, as a first version would. */
    async generate(n: number) {
      const seq = Array.from(syntheticTokens(16, vocab, 99));
      for (let i = 0; i < n; i++) {
        const window = seq.slice(-T);
        const next = tf.tidy(() => forward(cfg, p, tf.tensor2d([window], undefined, 'int32')).slice([0, window.length - 1, 0], [1, 1, vocab]).argMax(-1));
        seq.push((await next.data())[0]);
        next.dispose();
      }
    },
    dispose() {
      optimizer.dispose();
      tf.dispose([...varList, ids, y]);
    },
  };
}
