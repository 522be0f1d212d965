/**
 * The studio's own training step, as src/core/train/trainer.ts runs it: the GPT-2
 * forward over HF-named params (src/core/model/gpt2.ts), the causal-LM loss, tfjs
 * autodiff, global-norm clipping with the loss and norm read back every step, and
 * our AdamW. Dropout is 0 in every impl so the comparison is like for like.
 */
import { tf } from '../../src/core/backend';
import { generate } from '../../src/core/eval/generate';
import { initModel, disposeModel, type LoadedModel } from '../../src/core/io/hf';
import { gpt2, newGpt2Config } from '../../src/core/model/gpt2';
import { createLora, disposeLora, type LoraState } from '../../src/core/model/lora';
import { batchLoss, type ModelRun } from '../../src/core/model/runner';
import { AdamW } from '../../src/core/train/adamw';
import type { Batch } from '../../src/core/train/batches';
import { syntheticTokens, type BenchConfig } from './configs';
import type { BenchSession } from './measure';

const LR = 1e-3;
const MAX_GRAD_NORM = 1;

export function studioModel(cfg: BenchConfig): { model: LoadedModel; lora: LoraState | null } {
  const config = newGpt2Config({ vocabSize: cfg.vocab, nPositions: cfg.ctx, nEmbd: cfg.d, nLayer: cfg.nLayer, nHead: cfg.heads, dropout: 0 });
  const model = initModel(gpt2, config, 1) as unknown as LoadedModel;
  let lora: LoraState | null = null;
  if (cfg.loraR) {
    lora = createLora(gpt2.linearModules(config), { r: cfg.loraR, alpha: 2 * cfg.loraR, dropout: 0, targetModules: gpt2.loraTargets[cfg.loraTargets ?? 'all'] }, 7);
    let k = 0;
    // "Randomly initialised": B is non-zero so the adapters change the output from step one.
    for (const m of lora.modules.values()) m.B.assign(tf.tidy(() => tf.randomNormal(m.B.shape, 0, 0.02, 'float32', 100 + ++k)));
  }
  return { model, lora };
}

export function syntheticBatch(cfg: BenchConfig, seed: number): Batch {
  const ids = tf.tensor2d(syntheticTokens(cfg.batch * cfg.ctx, cfg.vocab, seed), [cfg.batch, cfg.ctx], 'int32');
  return {
    ids,
    mask: tf.ones([cfg.batch, cfg.ctx]) as tf.Tensor2D,
    lmLabels: ids.clone(),
    tokens: cfg.batch * cfg.ctx,
    targets: cfg.batch * (cfg.ctx - 1),
  };
}

function globalNorm(grads: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.addN(grads.map((g) => g.square().sum())).sqrt() as tf.Scalar);
}

export function createStudio(cfg: BenchConfig): BenchSession {
  const { model, lora } = studioModel(cfg);
  const run: ModelRun = { model, lora, task: 'lm' };
  const trainable = new Map<string, tf.Variable>();
  if (lora) {
    for (const [module, m] of lora.modules) {
      trainable.set(`${module}.lora_A.weight`, m.A);
      trainable.set(`${module}.lora_B.weight`, m.B);
    }
  } else for (const [n, v] of model.params) trainable.set(n, v);
  const names = new Map([...trainable].map(([n, v]) => [v.name, n]));
  const vars = [...trainable.values()];
  const opt = new AdamW(trainable, { weightDecay: 0.01 });
  const batch = syntheticBatch(cfg, 1234);

  return {
    async step() {
      const { value, grads } = tf.variableGrads(() => batchLoss(run, batch, { training: true, dropout: 0 }), vars);
      const byName = new Map(Object.entries(grads).map(([v, g]) => [names.get(v)!, g]));
      const normT = globalNorm([...byName.values()]);
      const both = tf.stack([value, normT]);
      const [loss, norm] = await both.data();
      tf.dispose([both, normT, value]);
      const coef = MAX_GRAD_NORM / (norm + 1e-6);
      if (coef < 1) {
        for (const [n, g] of byName) {
          byName.set(n, tf.tidy(() => g.mul(coef)));
          g.dispose();
        }
      }
      opt.step(byName, LR);
      tf.dispose([...byName.values()]);
      return loss;
    },
    async generate(n: number) {
      const prompt = Array.from(syntheticTokens(16, cfg.vocab, 99));
      await generate(run, prompt, { maxNewTokens: n, temperature: 0 });
    },
    dispose() {
      opt.dispose();
      if (lora) disposeLora(lora);
      disposeModel(model);
      tf.dispose([batch.ids, batch.mask, batch.lmLabels!]);
    },
  };
}
