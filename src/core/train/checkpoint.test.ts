import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend';
import { serializeSafetensors } from '../io/safetensors';
import type { Method, ModelFiles, ProgressEvent, Task, TrainRequest, TrainResult } from '../types';
import { hyperparams, sentimentExamples, textExamples, tinyGpt2Files } from '../../testutil/tinyModel';
import { decodeCheckpoint, encodeCheckpoint, trainFingerprint, type TrainCheckpoint } from './checkpoint';
import { TrainControl } from './control';
import { train } from './trainer';

let base: ModelFiles;

beforeAll(async () => {
  await initBackend('cpu');
  base = await tinyGpt2Files();
});

function request(task: Task, method: Method, extra: Partial<TrainRequest['hyperparams']> = {}): TrainRequest {
  return {
    task,
    method,
    base,
    train: task === 'classify' ? sentimentExamples(20) : textExamples(20),
    hyperparams: hyperparams({
      learningRate: 1e-2,
      epochs: 3,
      batchSize: 4,
      gradAccumSteps: 2,
      dropout: 0.2,
      valSplit: 0.2,
      evalEvery: 2,
      patience: 5,
      lora: { r: 2, alpha: 4, dropout: 0.1, targetModules: ['c_attn'] },
      ...extra,
    }),
  };
}

/** What a run computed, without its clock (tokens/s and elapsed time differ between runs). */
function trajectory(history: ProgressEvent[]) {
  return history.map(({ tokensPerSec: _t, elapsedMs: _e, ...rest }) => rest);
}

function outputs(r: TrainResult): ModelFiles {
  return r.adapter ?? r.model;
}

/** Trains the request to the end, keeping the encoded checkpoint of every step. */
async function trainWithCheckpoints(req: TrainRequest): Promise<{ result: TrainResult; saved: Map<number, Uint8Array> }> {
  const saved = new Map<number, Uint8Array>();
  const result = await train(req, { checkpoints: { everyMs: 0, save: (c) => void saved.set(c.step, encodeCheckpoint(c)) } });
  return { result, saved };
}

describe('resuming from a checkpoint', () => {
  const cases: { task: Task; method: Method }[] = [
    { task: 'lm', method: 'full' },
    { task: 'lm', method: 'lora' },
    { task: 'classify', method: 'freeze' },
  ];

  it.each(cases)('gives the same weights and curve as a run never stopped ($task, $method)', async ({ task, method }) => {
    const req = request(task, method);
    const { result: whole, saved } = await trainWithCheckpoints(req);
    const total = whole.history.at(-1)!.totalSteps;
    expect(total).toBe(6); // 16 training rows, micro-batches of 4, two per step: 2 steps an epoch
    // One checkpoint after every step but the last, with the loop's place in its data.
    expect([...saved.keys()]).toEqual([1, 2, 3, 4, 5]);
    // Mid-epoch (step 1) and at an epoch's end (step 4, where the next epoch starts).
    for (const at of [1, 4]) {
      const c = decodeCheckpoint(saved.get(at)!);
      expect(c.step).toBe(at);
      expect(c.history).toHaveLength(at);
      const resumed = await train(req, { resume: c });
      expect(trajectory(resumed.history)).toEqual(trajectory(whole.history));
      expect(resumed.stopReason).toBe(whole.stopReason);
      expect(resumed.best).toEqual(whole.best);
      for (const [name, bytes] of Object.entries(outputs(whole))) expect(outputs(resumed)[name], name).toEqual(bytes);
    }
  });

  it('keeps early stopping\'s best weights across the stop', async () => {
    // A learning rate high enough that validation loss gets worse, so the best weights are restored at the end.
    const req = request('lm', 'full', { learningRate: 0.3, patience: 2, evalEvery: 1, epochs: 4, gradAccumSteps: 1, schedule: 'constant', warmupSteps: 0 });
    const { result: whole, saved } = await trainWithCheckpoints(req);
    expect(whole.stopReason).toBe('early-stopped');
    const withBest = [...saved.values()].map((b) => decodeCheckpoint(b)).find((c) => c.bestWeights && c.best && c.best.step < c.step);
    expect(withBest, 'a checkpoint taken after the best step').toBeDefined();
    const resumed = await train(req, { resume: withBest });
    expect(resumed.stopReason).toBe(whole.stopReason);
    expect(trajectory(resumed.history)).toEqual(trajectory(whole.history));
    expect(resumed.model['model.safetensors']).toBeInstanceOf(Uint8Array);
    expect(resumed.model['model.safetensors']).toEqual(whole.model['model.safetensors']);
  });

  it('saves when the run is paused, and resuming leaves no tensor behind', async () => {
    const req = request('lm', 'lora');
    const control = new TrainControl();
    const saved: TrainCheckpoint[] = [];
    const before = tf.memory().numTensors;
    const whole = await train(req, {
      control,
      // Only pauses save here: the interval is never reached.
      checkpoints: { everyMs: Number.POSITIVE_INFINITY, save: (c) => void saved.push(c) },
      onProgress: (e) => {
        if (e.step === 3) {
          control.pause();
          setTimeout(() => control.resume(), 0);
        }
      },
    });
    expect(saved.map((c) => c.step)).toEqual([3]);
    const resumed = await train(req, { resume: decodeCheckpoint(encodeCheckpoint(saved[0])) });
    expect(trajectory(resumed.history)).toEqual(trajectory(whole.history));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('spaces checkpoints out so that saving takes at most 5% of the run', async () => {
    // A clock that moves 10 ms a step and 5 ms a save: a save may come every 95 ms (5 / 0.05 - 5), not every 20.
    let t = 0;
    const steps: number[] = [];
    const r = await train(request('lm', 'lora', { epochs: 5, batchSize: 2, gradAccumSteps: 1 }), {
      now: () => t,
      onProgress: () => void (t += 10),
      checkpoints: {
        everyMs: 20,
        save: (c) => {
          t += 5;
          steps.push(c.step);
        },
      },
    });
    expect(r.history).toHaveLength(40);
    expect(steps).toEqual([2, 12, 22, 32]);
  });

  it('refuses a checkpoint of another request, and a file that is not a checkpoint', async () => {
    const req = request('lm', 'full');
    const { saved } = await trainWithCheckpoints({ ...req, hyperparams: { ...req.hyperparams, epochs: 1 } });
    const c = decodeCheckpoint(saved.get(1)!);
    await expect(train({ ...req, hyperparams: { ...req.hyperparams, epochs: 1, learningRate: 2e-2 } }, { resume: c })).rejects.toThrow(/belongs to another run/);
    await expect(train({ ...req, hyperparams: { ...req.hyperparams, epochs: 1 }, train: textExamples(21) }, { resume: c })).rejects.toThrow(/belongs to another run/);
    const model = serializeSafetensors({ w: { shape: [1], data: new Float32Array([1]) } });
    expect(() => decodeCheckpoint(model, 'run-3.ckpt')).toThrow('run-3.ckpt is not a training checkpoint of this studio.');
    expect(() => decodeCheckpoint(new Uint8Array([1, 2, 3]), 'run-3.ckpt')).toThrow(/run-3\.ckpt/);
  });

  it('fingerprints what is trained, not how the request object was built', () => {
    const req = request('classify', 'lora');
    expect(trainFingerprint(structuredClone(req))).toBe(trainFingerprint(req));
    const otherBase = { ...req.base, 'config.json': new TextEncoder().encode('{}') };
    expect(trainFingerprint({ ...req, base: otherBase })).not.toBe(trainFingerprint(req));
    expect(trainFingerprint({ ...req, method: 'full' })).not.toBe(trainFingerprint(req));
  });

  it('hashes the request row by row, as it would the JSON of the whole request', () => {
    // An independent FNV-1a (two offsets) over the one JSON string the rows are fed in place of.
    const fnv = (s: string, offset: number) => {
      let x = offset;
      for (const u of [...Array(s.length).keys()].map((i) => s.charCodeAt(i)).concat(0xffff)) x = Math.imul(x ^ u, 0x01000193) >>> 0;
      return x.toString(16).padStart(8, '0');
    };
    const req = { ...request('classify', 'full'), base: {} };
    for (const r of [req, { ...req, val: req.train.slice(0, 2) }, { ...req, train: [] }]) {
      const json = JSON.stringify({ task: r.task, method: r.method, hyperparams: r.hyperparams, train: r.train, val: r.val ?? null });
      expect(trainFingerprint(r)).toBe(fnv(json, 0x811c9dc5) + fnv(json, 0x050c5d1f));
    }
  });
});
