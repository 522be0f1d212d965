/**
 * The training loop: AdamW over the method's trainable set, LR schedule with warmup,
 * global-norm clipping, gradient accumulation, periodic validation with early
 * stopping, and a guard that stops on a non-finite loss before it touches the weights.
 * It reports through `onProgress`; it never knows who listens.
 */
import { tf } from '../backend';
import { mulberry32, shuffleInPlace } from '../data/random';
import { evaluateSequences } from '../eval/evaluate';
import { buildOutputs } from './outputs';
import { batchLoss } from '../model/runner';
import { disposeLora } from '../model/lora';
import type { ProgressEvent, StopReason, TrainRequest, TrainResult, ValMetrics } from '../types';
import { AdamW } from './adamw';
import { trainFingerprint, type TrainCheckpoint } from './checkpoint';
import { chunkIndices, disposeBatch, lengthGroupedOrder, makeBatch } from './batches';
import { describeCut } from './encodeStats';
import { inverseFrequencyWeights } from './losses';
import { learningRateAt } from './schedule';
import { prepareRun, type PreparedRun } from './setup';
import type { TrainControl } from './control';

export interface TrainCallbacks {
  onProgress?: (e: ProgressEvent) => void;
  control?: TrainControl;
  /** Clock for tokens/s and checkpoint intervals; injectable so tests stay deterministic. */
  now?: () => number;
  /** Go on from this checkpoint of the same request (anything else is refused), as if never stopped. */
  resume?: TrainCheckpoint;
  /**
   * Resumable state, every `everyMs` of training and whenever the run is paused (not after
   * the last step: the result follows). The loop waits for `save`, which should not throw.
   * Saving a large model takes a while, so saves are spaced out further when needed to keep
   * them to CHECKPOINT_MAX_OVERHEAD of the run's time; `everyMs` 0 saves after every step.
   */
  checkpoints?: { everyMs: number; save: (c: TrainCheckpoint) => Promise<void> | void };
}

/** The share of a run's time checkpoints may take (a 2 s save of a large model: one every 38 s at most). */
export const CHECKPOINT_MAX_OVERHEAD = 0.05;

interface StepOutcome {
  loss: number;
  gradNorm: number;
  tokens: number;
}

/** Sum of gradients over micro-batches, averaged; returns the global norm before clipping. */
function accumulateStep(prep: PreparedRun, microBatches: number[][], seedBase: number, req: TrainRequest, classWeights: number[] | null, names: Map<string, string>): { grads: Map<string, tf.Tensor>; loss: tf.Scalar; tokens: number } {
  const vars = [...prep.trainable.values()];
  const checkpoint = req.hyperparams.gradientCheckpointing ? new Set<tf.Tensor>(vars) : null;
  let sum: Map<string, tf.Tensor> | null = null;
  let lossSum: tf.Scalar = tf.scalar(0);
  let tokens = 0;
  microBatches.forEach((idx, k) => {
    const batch = makeBatch(idx.map((i) => prep.train[i]), prep.padId);
    tokens += batch.tokens;
    let out: { value: tf.Scalar; grads: tf.NamedTensorMap };
    try {
      out = tf.variableGrads(() => batchLoss(prep.run, batch, { training: true, seed: seedBase + k, dropout: req.hyperparams.dropout, classWeights, checkpoint }), vars);
    } finally {
      disposeBatch(batch);
    }
    const { value, grads } = out;
    const next = new Map<string, tf.Tensor>();
    for (const [varName, g] of Object.entries(grads)) {
      const name = names.get(varName)!;
      const prev = sum?.get(name);
      next.set(name, prev ? tf.tidy(() => prev.add(g)) : g);
      if (prev) {
        prev.dispose();
        g.dispose();
      }
    }
    sum = next;
    const l = lossSum.add(value) as tf.Scalar;
    lossSum.dispose();
    value.dispose();
    lossSum = l;
  });
  const n = microBatches.length;
  const grads = new Map<string, tf.Tensor>();
  for (const [name, g] of sum!) {
    grads.set(name, n === 1 ? g : tf.tidy(() => g.div(n)));
    if (n !== 1) g.dispose();
  }
  const loss = tf.tidy(() => lossSum.div(n)) as tf.Scalar;
  lossSum.dispose();
  return { grads, loss, tokens };
}

/** Each gradient's square lives only while its sum is taken (not all of them at once: that would be another copy of every gradient). */
function globalNorm(grads: Map<string, tf.Tensor>): tf.Scalar {
  return tf.tidy(() => tf.addN([...grads.values()].map((g) => tf.tidy(() => g.square().sum()))).sqrt() as tf.Scalar);
}

/** torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1. */
function clipInPlace(grads: Map<string, tf.Tensor>, norm: number, maxNorm: number): void {
  if (!(maxNorm > 0)) return;
  const coef = maxNorm / (norm + 1e-6);
  if (coef >= 1) return;
  for (const [name, g] of grads) {
    grads.set(name, tf.tidy(() => g.mul(coef)));
    g.dispose();
  }
}

function snapshot(vars: Map<string, tf.Variable>): Map<string, tf.Tensor> {
  return new Map([...vars].map(([n, v]) => [n, tf.keep(v.clone())]));
}

function restore(vars: Map<string, tf.Variable>, snap: Map<string, tf.Tensor>): void {
  for (const [n, v] of vars) v.assign(snap.get(n)!);
}

function disposeAll(m: Map<string, tf.Tensor> | null): void {
  if (m) for (const t of m.values()) t.dispose();
}

async function readAll(m: Map<string, tf.Tensor>): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [n, t] of m) out.set(n, new Float32Array((await t.data()) as Float32Array));
  return out;
}

/** Puts a checkpoint's weights into the run's variables; returns its kept best weights as tensors. */
function restoreCheckpoint(c: TrainCheckpoint, vars: Map<string, tf.Variable>, opt: AdamW): Map<string, tf.Tensor> | null {
  const values = (from: Map<string, Float32Array>, what: string) =>
    new Map(
      [...vars].map(([n, v]) => {
        const d = from.get(n);
        if (!d || d.length !== v.size) throw new Error(`The checkpoint's ${what} do not match this run: "${n}" is ${d ? `${d.length} values, not ${v.size}` : 'missing'}.`);
        return [n, tf.keep(tf.tensor(d, v.shape))] as const;
      }),
    );
  const weights = values(c.weights, 'weights');
  for (const [n, v] of vars) v.assign(weights.get(n)!);
  disposeAll(weights);
  opt.importState(c.optimizer);
  return c.bestWeights ? values(c.bestWeights, 'best weights') : null;
}

export async function train(req: TrainRequest, cb: TrainCallbacks = {}): Promise<TrainResult> {
  const hp = req.hyperparams;
  const now = cb.now ?? (() => performance.now());
  const fingerprint = cb.resume || cb.checkpoints ? trainFingerprint(req) : '';
  const resume = cb.resume;
  if (resume && resume.fingerprint !== fingerprint) {
    throw new Error('This checkpoint belongs to another run: the rows, the settings or the base model differ, so it cannot be resumed here.');
  }
  const prep = prepareRun(req);
  const { run } = prep;
  const names = new Map([...prep.trainable].map(([name, v]) => [v.name, name]));
  const opt = new AdamW(prep.trainable, { weightDecay: hp.weightDecay });
  const rng = mulberry32(hp.seed);
  const classWeights =
    req.task === 'classify' && hp.classWeights
      ? inverseFrequencyWeights(prep.train.map((s) => s.classId!), run.model.labels!.length)
      : null;

  const microPerEpoch = Math.ceil(prep.train.length / hp.batchSize);
  const stepsPerEpoch = Math.ceil(microPerEpoch / Math.max(1, hp.gradAccumSteps));
  let totalSteps = stepsPerEpoch * hp.epochs;
  if (hp.maxSteps > 0) totalSteps = Math.min(totalSteps, hp.maxSteps);

  const history: ProgressEvent[] = resume ? [...resume.history] : [];
  let best: { step: number; val: ValMetrics } | undefined = resume?.best;
  let bestWeights: Map<string, tf.Tensor> | null = null;
  let sinceBest = resume?.sinceBest ?? 0;
  let step = resume?.step ?? 0;
  let stopReason: StopReason = 'completed';
  let message = '';
  const started = now() - (resume?.elapsedMs ?? 0);
  const lengths = prep.train.map((s) => s.ids.length);
  let savedAt = now();
  let savedStep = step;
  let gapMs = cb.checkpoints?.everyMs ?? Infinity;
  const saveCheckpoint = async (epoch: number, micro: number) => {
    if (!cb.checkpoints) return;
    const t0 = now();
    await cb.checkpoints.save({
      fingerprint,
      step,
      totalSteps,
      epoch,
      micro,
      elapsedMs: now() - started,
      history: [...history],
      best,
      sinceBest,
      weights: await readAll(prep.trainable),
      bestWeights: bestWeights ? await readAll(bestWeights) : null,
      optimizer: await opt.exportState(),
    });
    savedAt = now();
    savedStep = step;
    const { everyMs } = cb.checkpoints;
    gapMs = everyMs === 0 ? 0 : Math.max(everyMs, (savedAt - t0) * (1 / CHECKPOINT_MAX_OVERHEAD - 1));
  };

  const validate = async (): Promise<ValMetrics | undefined> => {
    if (prep.val.length === 0) return undefined;
    const r = await evaluateSequences(run, prep.val, hp.batchSize, prep.padId);
    return { loss: r.loss, perplexity: r.perplexity, accuracy: r.accuracy, macroF1: r.macroF1 };
  };

  try {
    if (resume) bestWeights = restoreCheckpoint(resume, prep.trainable, opt);
    outer: for (let epoch = 0; epoch < hp.epochs; epoch++) {
      // Every epoch's shuffle is drawn, including those a resumed run skips, so the order matches.
      const shuffled = shuffleInPlace(prep.train.map((_, i) => i), rng);
      if (resume && epoch < resume.epoch) continue;
      const order = hp.groupByLength ? lengthGroupedOrder(shuffled, lengths, hp.batchSize) : shuffled;
      const micro = chunkIndices(order, hp.batchSize);
      const first = resume && epoch === resume.epoch ? resume.micro : 0;
      for (let m = first; m < micro.length; m += Math.max(1, hp.gradAccumSteps)) {
        const onPause = () => (step > savedStep ? saveCheckpoint(epoch, m) : Promise.resolve());
        if (!(await (cb.control?.checkpoint(onPause) ?? Promise.resolve(true)))) {
          stopReason = 'cancelled';
          message = `Training cancelled at step ${step} of ${totalSteps}.`;
          break outer;
        }
        const t0 = now();
        const group = micro.slice(m, m + Math.max(1, hp.gradAccumSteps));
        const { grads, loss, tokens } = accumulateStep(prep, group, hp.seed * 1_000_003 + step * 97, req, classWeights, names);
        const normT = globalNorm(grads);
        const both = tf.stack([loss, normT]);
        const [lossV, normV] = await both.data();
        both.dispose();
        loss.dispose();
        normT.dispose();
        const outcome: StepOutcome = { loss: lossV, gradNorm: normV, tokens };
        if (!Number.isFinite(outcome.loss) || !Number.isFinite(outcome.gradNorm)) {
          disposeAll(grads);
          const what = Number.isFinite(outcome.loss) ? 'the gradient norm' : 'the loss';
          stopReason = 'non-finite';
          message =
            `Training stopped at step ${step + 1}: ${what} became ${Number.isNaN(outcome.loss) || Number.isNaN(outcome.gradNorm) ? 'NaN' : 'infinite'}. ` +
            `The weights from step ${step} are kept. Try a lower learning rate or stronger gradient clipping.`;
          break outer;
        }
        clipInPlace(grads, outcome.gradNorm, hp.maxGradNorm);
        const lr = learningRateAt(hp.learningRate, hp.schedule, step, totalSteps, hp.warmupSteps);
        opt.step(grads, lr);
        disposeAll(grads);
        step++;

        const dueEval = hp.evalEvery > 0 ? step % hp.evalEvery === 0 : m + group.length >= micro.length;
        const val = dueEval || step === totalSteps ? await validate() : undefined;
        const elapsed = now() - started;
        const event: ProgressEvent = {
          step,
          totalSteps,
          epoch: epoch + (m + group.length) / micro.length,
          trainLoss: outcome.loss,
          learningRate: lr,
          gradNorm: outcome.gradNorm,
          tokensPerSec: outcome.tokens / Math.max(1e-6, (now() - t0) / 1000),
          elapsedMs: elapsed,
          val,
        };
        history.push(event);
        cb.onProgress?.(event);

        if (val) {
          if (!best || val.loss < best.val.loss) {
            best = { step, val };
            sinceBest = 0;
            if (hp.patience > 0) {
              disposeAll(bestWeights);
              bestWeights = snapshot(prep.trainable);
            }
          } else if (hp.patience > 0 && ++sinceBest >= hp.patience) {
            stopReason = 'early-stopped';
            message = `Early stopping at step ${step}: validation loss has not improved for ${hp.patience} evaluations; restored the best weights from step ${best.step}.`;
            break outer;
          }
        }
        if (step >= totalSteps) {
          if (hp.maxSteps > 0 && step === hp.maxSteps && step < stepsPerEpoch * hp.epochs) stopReason = 'max-steps';
          break outer;
        }
        if (cb.checkpoints && now() - savedAt >= gapMs) await saveCheckpoint(epoch, m + group.length);
      }
    }
    if (bestWeights && (stopReason === 'early-stopped' || stopReason === 'completed' || stopReason === 'max-steps')) {
      restore(prep.trainable, bestWeights);
    }
    if (!message) {
      const last = history[history.length - 1];
      message = `Trained ${step} step(s); final train loss ${last ? last.trainLoss.toFixed(4) : 'n/a'}${best ? `, best validation loss ${best.val.loss.toFixed(4)} at step ${best.step}` : ''}.`;
    }
    const cut = describeCut(prep.encoded);
    if (cut) message = `${message} ${cut[0].toUpperCase()}${cut.slice(1)}.`;
    const outputs = await buildOutputs(req, prep);
    return { stopReason, message, history, best, ...outputs, data: prep.encoded };
  } finally {
    disposeAll(bestWeights);
    opt.dispose();
    if (run.lora) disposeLora(run.lora);
    for (const v of run.model.params.values()) v.dispose();
  }
}
