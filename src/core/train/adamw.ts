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
import { adamApply, adamMoments, adamWebgl, fusedAdamAvailable, webglAdamAvailable } from '../kernels/ops';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Which parameters decay; default: every parameter of rank >= 2. */
  decays?: (name: string, v: tf.Variable) => boolean;
}

/**
 * The optimizer's state as plain arrays, layout-free: m and v apart whatever this backend
 * keeps, so a run checkpointed on one backend resumes on another.
 */
export interface AdamState {
  t: number;
  moments: Map<string, { m: Float32Array; v: Float32Array }>;
}

interface Slot {
  param: tf.Variable;
  /** Moments as two tensors (reference path), or interleaved in one [2n] buffer (fused kernels). */
  m: tf.Variable | null;
  v: tf.Variable | null;
  mv: tf.Variable | null;
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
    // Two fused kernels per parameter where the backend has them (decided once, here).
    const fused = fusedAdamAvailable();
    const zeros = (shape: number[]) => tf.tidy(() => tf.variable(tf.zeros(shape), false));
    for (const [name, param] of params) {
      this.slots.set(name, {
        param,
        m: fused ? null : zeros(param.shape),
        v: fused ? null : zeros(param.shape),
        mv: fused ? zeros([2 * param.size]) : null,
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
    const webgl = webglAdamAvailable();
    // One parameter at a time, each in its own scope: a single scope around the loop held
    // every parameter's temporaries until the last update (about 13 copies of the whole model
    // on cpu and wasm, far above what the backward pass needs).
    for (const [name, s] of this.slots) {
      const g = grads.get(name);
      if (!g) continue;
      const decay = s.decay && this.weightDecay > 0 ? 1 - lr * this.weightDecay : 1;
      tf.tidy(() => {
        if (s.mv) {
          const mv = adamMoments(s.mv, g, b1, b2);
          s.mv.assign(mv);
          s.param.assign(adamApply(s.param, mv, stepSize, sqrtBc2, eps, decay).reshape(s.param.shape));
        } else if (webgl) {
          const [m, v, p] = adamWebgl(s.param, s.m!, s.v!, g, b1, b2, stepSize, sqrtBc2, eps, decay);
          s.m!.assign(m);
          s.v!.assign(v);
          s.param.assign(p);
        } else {
          // The reference formulation, its temporaries freed as soon as each result is made.
          s.m!.assign(tf.tidy(() => s.m!.mul(b1).add(g.mul(1 - b1))));
          s.v!.assign(tf.tidy(() => s.v!.mul(b2).add(g.square().mul(1 - b2))));
          const update = tf.tidy(() => s.m!.div(s.v!.sqrt().div(sqrtBc2).add(eps)).mul(stepSize));
          s.param.assign(tf.tidy(() => (decay === 1 ? s.param : s.param.mul(decay)).sub(update)));
        }
      });
    }
  }

  /** Reads the moments back (one read per tensor). */
  async exportState(): Promise<AdamState> {
    const moments = new Map<string, { m: Float32Array; v: Float32Array }>();
    for (const [name, s] of this.slots) {
      if (s.mv) {
        const mv = (await s.mv.data()) as Float32Array;
        const n = s.param.size;
        const m = new Float32Array(n);
        const v = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          m[i] = mv[2 * i];
          v[i] = mv[2 * i + 1];
        }
        moments.set(name, { m, v });
      } else {
        moments.set(name, { m: (await s.m!.data()) as Float32Array, v: (await s.v!.data()) as Float32Array });
      }
    }
    return { t: this.t, moments };
  }

  /** Restores what `exportState` gave, on the same set of parameters (checked by name and size). */
  importState(state: AdamState): void {
    for (const name of state.moments.keys()) {
      if (!this.slots.has(name)) throw new Error(`The optimizer state has moments for "${name}", which this run does not train.`);
    }
    for (const [name, s] of this.slots) {
      const mo = state.moments.get(name);
      if (!mo) throw new Error(`The optimizer state has no moments for "${name}".`);
      const n = s.param.size;
      if (mo.m.length !== n || mo.v.length !== n) throw new Error(`The optimizer state for "${name}" has ${mo.m.length} values; the parameter has ${n}.`);
      if (s.mv) {
        const mv = new Float32Array(2 * n);
        for (let i = 0; i < n; i++) {
          mv[2 * i] = mo.m[i];
          mv[2 * i + 1] = mo.v[i];
        }
        tf.tidy(() => s.mv!.assign(tf.tensor1d(mv)));
      } else {
        tf.tidy(() => {
          s.m!.assign(tf.tensor(mo.m, s.param.shape));
          s.v!.assign(tf.tensor(mo.v, s.param.shape));
        });
      }
    }
    this.t = state.t;
  }

  dispose(): void {
    for (const s of this.slots.values()) {
      s.m?.dispose();
      s.v?.dispose();
      s.mv?.dispose();
    }
    this.slots.clear();
  }
}
