/**
 * Causal self-attention for the wasm backend with every product on XNNPACK.
 *
 * tfjs-backend-wasm runs batched matmuls ([B*H, T, hd] x ...) and transposed ones in a
 * scalar loop, and the reference formulation also moves q, k, v through 5-D
 * transposes. Here each (batch, head) block is cut straight out of the c_attn output
 * [B*T, 3d] (./heads.ts, transposed on the way where the product needs it) and
 * multiplied as a 2-D, untransposed product, the only kind XNNPACK takes; softmax and
 * the mask work on all heads at once. The gradient is written out by hand (one custom
 * op), so autodiff never materialises the zero-padded gradients of the blocks.
 *
 *   S = q k^T * scale + bias,  P = softmax(S) (* dropout mask),  O = P v
 *   dP = dO v^T,  dS = P (dP - rowsum(P dP)),  dq = dS k * scale,  dk = dS^T q * scale,  dv = P^T dO
 */
import { tf } from '../../backend';
import { mergeHeads, splitHeads, stack0, unstack0 } from './heads';

const mm = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);

/**
 * qkv [B, T, 3d], bias [B|1, 1, T, T] (0 or -1e9) -> context [B*T, d].
 * `keep` (same shape as the probabilities, values 0 or 1/(1-rate)) applies dropout.
 */
export function wasmAttention(qkv: tf.Tensor3D, bias: tf.Tensor4D, H: number, scale: number, keep: tf.Tensor | null): tf.Tensor2D {
  const [B, T, threeD] = qkv.shape;
  const d = threeD / 3;
  const hd = d / H;
  const f = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const qkv2 = x.reshape([B * T, threeD]) as tf.Tensor2D;
    const q = splitHeads(qkv2, T, H, hd, 0);
    const kT = splitHeads(qkv2, T, H, hd, d, true); // k^T blocks [hd, T]: q k^T is then untransposed
    const v = splitHeads(qkv2, T, H, hd, 2 * d);
    const scores = stack0(q.map((qi, i) => mm(qi, kT[i]))).reshape([B, H, T, T]);
    const probs = tf.softmax(scores.mul(scale).add(bias), -1);
    const used = keep ? probs.mul(keep) : probs;
    const p = unstack0(used.reshape([B * H, T, T]));
    const out = mergeHeads(p.map((pi, i) => mm(pi, v[i])), B, H);
    // The dropout mask must be saved too: a tensor the backward pass only captures in its
    // closure is disposed when the forward pass's tidy ends.
    save(keep ? [qkv2, probs, keep] : [qkv2, probs]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, P, mask] = saved as [tf.Tensor2D, tf.Tensor4D, tf.Tensor | undefined];
        const dO = splitHeads(dy as tf.Tensor2D, T, H, hd, 0);
        const vT = splitHeads(xs, T, H, hd, 2 * d, true);
        // Gradient w.r.t. the (dropped-out) probabilities, then through dropout and softmax.
        let dP: tf.Tensor = stack0(dO.map((g, i) => mm(g, vT[i]))).reshape([B, H, T, T]);
        if (mask) dP = dP.mul(mask);
        const dS = P.mul(dP.sub(P.mul(dP).sum(-1, true))).mul(scale).reshape([B * H, T, T]);
        const dSs = unstack0(dS);
        const dSt = unstack0(dS.transpose([0, 2, 1]));
        const Pt = unstack0((mask ? P.mul(mask) : P).reshape([B * H, T, T]).transpose([0, 2, 1]));
        const k = splitHeads(xs, T, H, hd, d);
        const qs = splitHeads(xs, T, H, hd, 0);
        const dq = dSs.map((g, i) => mm(g, k[i]));
        const dk = dSt.map((g, i) => mm(g, qs[i]));
        const dv = Pt.map((g, i) => mm(g, dO[i]));
        return mergeHeads([...dq, ...dk, ...dv], B, H, 3).reshape([B, T, threeD]);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(qkv) as tf.Tensor2D;
}
