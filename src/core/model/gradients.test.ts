import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend';
import { initModel, setClassifierHead, type LoadedModel } from '../io/hf';
import { causalLmLoss, classificationLoss } from '../train/losses';
import { gpt2, newGpt2Config } from './gpt2';
import { createLora, type LoraState } from './lora';
import { taskLogits } from './runner';

/**
 * Analytic gradients (tfjs autodiff through our forward) against central finite
 * differences of the loss, for every parameter group, on a tiny config.
 * float32 limits the precision, so weights are O(0.3) to keep gradients well above noise.
 */
const cfg = newGpt2Config({ vocabSize: 11, nPositions: 6, nEmbd: 8, nLayer: 2, nHead: 2, dropout: 0 });

function tinyModel(): LoadedModel {
  const model = initModel(gpt2, cfg, 1) as unknown as LoadedModel;
  let k = 0;
  for (const [name, v] of model.params) {
    const ln = /\.(ln_\d|ln_f)\.weight$/.test(name);
    v.assign(tf.randomNormal(v.shape, ln ? 1 : 0, ln ? 0.2 : 0.3, 'float32', ++k));
  }
  setClassifierHead(model, ['a', 'b', 'c'], 3);
  model.params.get('score.weight')!.assign(tf.randomNormal([3, cfg.hiddenSize], 0, 0.5, 'float32', 99));
  return model;
}

function tinyLora(): LoraState {
  const lora = createLora(gpt2.linearModules(cfg), { r: 2, alpha: 4, dropout: 0, targetModules: ['c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'] }, 5);
  let k = 0;
  // B starts at zero in real training; give it values so A's gradient is not trivially zero.
  for (const m of lora.modules.values()) m.B.assign(tf.randomNormal(m.B.shape, 0, 0.3, 'float32', 50 + ++k));
  return lora;
}

const ids = [
  [1, 4, 7, 2, 9, 3],
  [5, 10, 0, 6, 0, 0],
];
const mask = [
  [1, 1, 1, 1, 1, 1],
  [1, 1, 1, 1, 0, 0],
];
const lmLabels = [
  [-100, 4, 7, 2, 9, 3],
  [5, 10, 0, 6, -100, -100],
];

function lossFn(model: LoadedModel, task: 'lm' | 'classify', lora: LoraState | null): () => tf.Scalar {
  return () =>
    tf.tidy(() => {
      const idT = tf.tensor2d(ids, undefined, 'int32');
      const maskT = tf.tensor2d(mask);
      const out = taskLogits({ model, lora, task }, idT, maskT, { training: false });
      if (task === 'lm') return causalLmLoss(out as tf.Tensor3D, tf.tensor2d(lmLabels, undefined, 'int32'));
      return classificationLoss(out as tf.Tensor2D, tf.tensor1d([2, 0], 'int32'), [0.5, 1, 2]);
    });
}

/** Central difference at a few entries of `v`, compared to the analytic gradient there. */
function checkEntries(f: () => tf.Scalar, v: tf.Variable, grad: tf.Tensor, picks = 4): void {
  const base = v.dataSync().slice();
  const g = Array.from(grad.dataSync());
  const eps = 1e-2;
  // Deterministic picks spread over the tensor, plus the largest-gradient entry.
  const idx = new Set<number>([g.reduce((best, x, i) => (Math.abs(x) > Math.abs(g[best]) ? i : best), 0)]);
  for (let i = 0; i < picks; i++) idx.add(Math.floor(((i + 0.5) / picks) * base.length));
  for (const i of idx) {
    const at = (delta: number) => {
      const w = base.slice();
      w[i] += delta;
      v.assign(tf.tensor(w, v.shape));
      const l = f();
      const out = l.dataSync()[0];
      l.dispose();
      return out;
    };
    const fd = (at(eps) - at(-eps)) / (2 * eps);
    v.assign(tf.tensor(base, v.shape));
    expect(Math.abs(fd - g[i]), `entry ${i}: finite difference ${fd}, autodiff ${g[i]}`).toBeLessThan(2e-3 + 3e-2 * Math.abs(fd));
  }
}

function groupOf(name: string): string {
  return name.replace(/\.h\.\d+\./, '.h.*.');
}

// wasm too: its embedding gradient runs through our registered UnsortedSegmentSum kernel.
describe.each(['cpu', 'wasm'] as const)('gradients against finite differences on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  for (const task of ['lm', 'classify'] as const) {
    it(`match for every parameter group of the ${task} model`, () => {
      const model = tinyModel();
      const f = lossFn(model, task, null);
      const names = [...model.params.keys()].filter((n) => task === 'classify' || n !== 'score.weight');
      const vars = names.map((n) => model.params.get(n)!);
      const { grads, value } = tf.variableGrads(f, vars);
      value.dispose();
      const groups = new Set<string>();
      for (const name of names) {
        const v = model.params.get(name)!;
        checkEntries(f, v, grads[v.name], 2);
        groups.add(groupOf(name));
      }
      // wte, wpe, 12 per-block groups, ln_f (2), and score for classification.
      expect(groups.size).toBe(task === 'lm' ? 16 : 17);
    });
  }

  it('match for LoRA A and B on all four target modules', () => {
    const model = tinyModel();
    const lora = tinyLora();
    const f = lossFn(model, 'lm', lora);
    const vars = [...lora.modules.values()].flatMap((m) => [m.A, m.B]);
    const { grads, value } = tf.variableGrads(f, vars);
    value.dispose();
    expect(lora.modules.size).toBe(8);
    for (const v of vars) checkEntries(f, v, grads[v.name], 3);
  });
});
