/**
 * AdamW (Loshchilov & Hutter 2019) with decoupled weight decay, step for step as
 * torch.optim.AdamW computes it:
 *   p <- p * (1 - lr * wd)
 *   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * Biases and LayerNorm weights (every 1-D parameter) get no decay, as in the
 * transformers Trainer.
 */
import { tf } from '../backend';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Which parameters decay; default: every parameter of rank >= 2. */
  decays?: (name: string, v: tf.Variable) => boolean;
}

interface Slot {
  param: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
  decay: boolean;
}

export class AdamW {
  private readonly slots = new Map<string, Slot>();
  private t = 0;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(params: Map<string, tf.Variable>, opts: AdamWOptions = {}) {
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    const decays = opts.decays ?? ((_n, v) => v.rank >= 2);
    for (const [name, param] of params) {
      this.slots.set(name, {
        param,
        m: tf.tidy(() => tf.variable(tf.zerosLike(param), false)),
        v: tf.tidy(() => tf.variable(tf.zerosLike(param), false)),
        decay: decays(name, param),
      });
    }
  }

  get stepCount(): number {
    return this.t;
  }

  /** One update from `grads` (keyed like the constructor's map); missing grads leave a parameter as is. */
  step(grads: Map<string, tf.Tensor>, lr: number): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps } = this;
    const stepSize = lr / (1 - b1 ** this.t);
    const sqrtBc2 = Math.sqrt(1 - b2 ** this.t);
    tf.tidy(() => {
      for (const [name, s] of this.slots) {
        const g = grads.get(name);
        if (!g) continue;
        const m = s.m.mul(b1).add(g.mul(1 - b1));
        const v = s.v.mul(b2).add(g.square().mul(1 - b2));
        s.m.assign(m);
        s.v.assign(v);
        const decayed = s.decay && this.weightDecay > 0 ? s.param.mul(1 - lr * this.weightDecay) : s.param;
        const denom = v.sqrt().div(sqrtBc2).add(eps);
        s.param.assign(decayed.sub(m.div(denom).mul(stepSize)));
      }
    });
  }

  dispose(): void {
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
  }
}
