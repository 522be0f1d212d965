/**
 * LoRA (Hu et al. 2021) on Conv1D/Linear modules, laid out as PEFT lays it out:
 * A [r, in], B [out, r], delta W = (alpha / r) * B A. GPT-2's Conv1D stores W as
 * [in, out], so the delta is added transposed (PEFT's `fan_in_fan_out: true`).
 */
import { tf } from '../backend';
import type { LoraSettings } from '../types';
import type { LinearModule } from './arch';
import type { Dropout } from './dropout';
import { matchesTarget } from './loraTargets';

export interface LoraModule {
  A: tf.Variable; // [r, in]
  B: tf.Variable; // [out, r]
}

export interface LoraState {
  r: number;
  alpha: number;
  dropout: number;
  targetModules: string[];
  /** Full module name (e.g. "transformer.h.0.attn.c_attn") -> its adapter. */
  modules: Map<string, LoraModule>;
}

export function loraScale(s: Pick<LoraState, 'r' | 'alpha'>): number {
  return s.alpha / s.r;
}

/**
 * New adapters for every module matching `settings.targetModules`. A is Kaiming-uniform
 * (bound 1/sqrt(in), as PEFT initialises it), B is zero, so training starts at the base model.
 */
export function createLora(linears: LinearModule[], settings: LoraSettings, seed: number): LoraState {
  if (!Number.isInteger(settings.r) || settings.r < 1) throw new Error(`LoRA rank must be a positive integer, got ${settings.r}`);
  const modules = new Map<string, LoraModule>();
  let k = 0;
  for (const { name, fanIn, fanOut } of linears) {
    if (!matchesTarget(name, settings.targetModules)) continue;
    const bound = 1 / Math.sqrt(fanIn);
    modules.set(name, {
      // tidy frees the initial values; the variables keep their own reference to the data.
      A: tf.tidy(() => tf.variable(tf.randomUniform([settings.r, fanIn], -bound, bound, 'float32', seed + 31 * ++k))),
      B: tf.tidy(() => tf.variable(tf.zeros([fanOut, settings.r]))),
    });
  }
  if (modules.size === 0) {
    throw new Error(`LoRA target modules ${JSON.stringify(settings.targetModules)} match no module of this model`);
  }
  return { r: settings.r, alpha: settings.alpha, dropout: settings.dropout, targetModules: [...settings.targetModules], modules };
}

/** y + scale * dropout(x) A^T B^T for a module with an adapter; y unchanged otherwise. x: [N, in], y: [N, out]. */
export function applyLora(state: LoraState, module: string, x: tf.Tensor2D, y: tf.Tensor2D, drop: Dropout): tf.Tensor2D {
  const m = state.modules.get(module);
  if (!m) return y;
  const xa = tf.matMul(drop.apply(x, state.dropout), m.A, false, true); // [N, r]
  return y.add(tf.matMul(xa, m.B, false, true).mul(loraScale(state))) as tf.Tensor2D; // [N, out]
}

/** Weight with the adapter folded in: W + scale * (B A)^T for Conv1D ([in, out]) weights. */
export function mergedWeight(state: LoraState, module: string, weight: tf.Tensor2D, fanInFanOut: boolean): tf.Tensor2D {
  const m = state.modules.get(module);
  if (!m) return weight.clone();
  return tf.tidy(() => {
    const delta = tf.matMul(m.B, m.A).mul(loraScale(state)) as tf.Tensor2D; // [out, in]
    return weight.add(fanInFanOut ? delta.transpose() : delta) as tf.Tensor2D;
  });
}

export function disposeLora(state: LoraState): void {
  for (const m of state.modules.values()) {
    m.A.dispose();
    m.B.dispose();
  }
}

export function loraVariables(state: LoraState): tf.Variable[] {
  return [...state.modules.values()].flatMap((m) => [m.A, m.B]);
}
