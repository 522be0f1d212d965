import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { initBackend, tf } from '../backend';
import { readJson } from '../../testutil/node';
import { AdamW } from './adamw';

interface AdamGolden {
  lr: number;
  eps: number;
  betas: [number, number];
  p0: number[];
  grads: number[][];
  runs: { weight_decay: number; params_after_step: number[][] }[];
}
// Produced by torch.optim.AdamW in scripts/make_fixtures.py.
const golden = readJson<{ adamw: AdamGolden }>(join(__dirname, '../model/fixtures/gpt2-tiny/expected.json')).adamw;

describe('AdamW', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  for (const run of golden.runs) {
    it(`follows torch.optim.AdamW step for step (weight decay ${run.weight_decay})`, () => {
      // A 2-D parameter so the default rule applies decay to it.
      const p = tf.variable(tf.tensor2d([golden.p0]));
      const opt = new AdamW(new Map([['w', p]]), { beta1: golden.betas[0], beta2: golden.betas[1], eps: golden.eps, weightDecay: run.weight_decay });
      golden.grads.forEach((g, i) => {
        const grad = tf.tensor2d([g]);
        opt.step(new Map([['w', grad]]), golden.lr);
        grad.dispose();
        const got = Array.from(p.dataSync());
        run.params_after_step[i].forEach((want, j) => expect(got[j]).toBeCloseTo(want, 6));
      });
      opt.dispose();
    });
  }

  it('matches a hand-computed first step, with and without decay', () => {
    // Step 1: m = 0.1 g, v = 0.001 g^2, mhat = g, vhat = g^2, update = g / (|g| + eps) = sign(g).
    const w = tf.variable(tf.tensor2d([[1, -2]]));
    const b = tf.variable(tf.tensor1d([1, -2]));
    const opt = new AdamW(new Map<string, tf.Variable>([['w', w], ['b', b]]), { weightDecay: 0.5 });
    const g2 = tf.tensor2d([[3, -0.5]]);
    const g1 = tf.tensor1d([3, -0.5]);
    opt.step(new Map<string, tf.Tensor>([['w', g2], ['b', g1]]), 0.1);
    // w: decayed by (1 - 0.1 * 0.5) = 0.95 first, then minus 0.1 * sign(g).
    const [w0, w1] = Array.from(w.dataSync());
    expect(w0).toBeCloseTo(0.95 - 0.1, 6);
    expect(w1).toBeCloseTo(-1.9 + 0.1, 6);
    // b is 1-D (a bias): no decay.
    expect(Array.from(b.dataSync())[0]).toBeCloseTo(0.9, 6);
    expect(Array.from(b.dataSync())[1]).toBeCloseTo(-1.9, 6);
    expect(opt.stepCount).toBe(1);
    opt.dispose();
  });

  it('leaves a parameter without a gradient unchanged and creates no lasting tensors per step', () => {
    const w = tf.variable(tf.tensor2d([[1, 2]]));
    const u = tf.variable(tf.tensor2d([[5, 6]]));
    const opt = new AdamW(new Map([['w', w], ['u', u]]), { weightDecay: 0.1 });
    const g = tf.tensor2d([[1, 1]]);
    opt.step(new Map([['w', g]]), 0.01);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) opt.step(new Map([['w', g]]), 0.01);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(u.dataSync())).toEqual([5, 6]);
    opt.dispose();
  });
});
