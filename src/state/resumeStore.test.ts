import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../core/backend';
import { loadMetrics, loadRunFiles } from '../storage/runs';
import type { CheckpointAt, Checkpointing } from '../workers/checkpointing';
import type { TrainSession } from '../workers/clients';
import { startTrainingInProcess } from '../workers/inProcess';
import { closeStoreDbs, deps, ready, reviews } from '../testutil/storeHarness';
import type { StudioDeps } from './deps';
import { switchKind } from './mapping';
import type { StudioStore } from './store';

beforeAll(async () => {
  await initBackend('cpu');
});
afterEach(closeStoreDbs);

/** 18 training rows: five steps an epoch, three epochs, validated every step. */
async function withReviews(d: StudioDeps): Promise<StudioStore> {
  const store = await ready(d);
  await store.getState().importFiles([reviews()]);
  store.getState().setBackend('cpu');
  store.getState().setMethod('full');
  store.getState().setHyperparams({ epochs: 3, batchSize: 4, maxLength: 16, valSplit: 0.25, evalEvery: 1, dropout: 0.1 });
  return store;
}

/**
 * Training that checkpoints every step, and whose page "closes" once the checkpoint of step
 * `closeAt` is kept: the store never hears of the run again (its result never comes), and the
 * engine underneath is cancelled, its result thrown away.
 */
function closingAt(closeAt: number): { startTraining: StudioDeps['startTraining']; closed: Promise<CheckpointAt> } {
  let real: TrainSession | null = null;
  let close: (at: CheckpointAt) => void = () => undefined;
  const closed = new Promise<CheckpointAt>((resolve) => (close = resolve));
  let gone = false;
  const startTraining: StudioDeps['startTraining'] = async (backend, req, onProgress, ck) => {
    const started = await startTrainingInProcess(
      backend,
      req,
      (e) => void (gone || onProgress(e)),
      ck && {
        ...ck,
        everyMs: 0,
        onCheckpoint: async (bytes, at) => {
          if (gone) return;
          await ck.onCheckpoint(bytes, at);
          if (at.step === closeAt) {
            gone = true;
            real!.cancel();
            close(at);
          }
        },
      },
    );
    if (!started.ok) return started;
    real = started.value;
    return { ok: true, value: { ...started.value, result: new Promise(() => undefined) } };
  };
  return { startTraining, closed };
}

describe('resuming a run', () => {
  it('goes on after the page was closed, to the weights of a run never stopped', async () => {
    // The run as it trains uninterrupted.
    const reference = await withReviews(deps());
    await reference.getState().startTraining();
    const whole = reference.getState().runs[0];
    expect(whole).toMatchObject({ status: 'completed', final: { steps: 15 } });
    const wholeFiles = await loadRunFiles(deps().db(), whole.id);

    // The same settings, closed after the checkpoint of step 5.
    const { startTraining, closed } = closingAt(5);
    const first = await withReviews({ ...deps(), startTraining });
    void first.getState().startTraining();
    expect(await closed).toEqual({ step: 5, totalSteps: 15 });
    expect(first.getState().active?.savedStep).toBe(5);

    // Opening the page again: the run is interrupted, and says where it can go on from.
    const page = await ready(deps());
    page.getState().setBackend('cpu');
    const run = page.getState().runs[0];
    expect(run).toMatchObject({ status: 'interrupted', resumable: { step: 5, totalSteps: 15 } });
    expect(run.message).toBe('The page was closed or reloaded while this run was training. It was saved at step 5 of 15: Resume goes on from there.');

    // The mapping changed since (the reviews read as plain text): the run goes on with the rows it trained on.
    const ds = page.getState().datasets[0];
    await page.getState().setSchema(switchKind(ds.schema, 'text', ds.columns));
    expect(page.getState().datasets[0].schema.kind).toBe('text');

    await page.getState().resumeRun(run.id);
    const done = page.getState().runs.find((r) => r.id === run.id)!;
    expect(page.getState().trainError).toBeNull();
    expect(done).toMatchObject({ status: 'completed', final: { steps: 15, stopReason: 'completed' } });
    expect(done.resumable).toBeUndefined();
    expect(await deps().db().checkpoints.count()).toBe(0);
    // Every step recorded once, and the curve is the uninterrupted run's.
    const metrics = await loadMetrics(deps().db(), run.id);
    expect(metrics.map((e) => e.step)).toEqual([...Array(15).keys()].map((i) => i + 1));
    const wholeMetrics = await loadMetrics(deps().db(), whole.id);
    expect(metrics.map((e) => [e.trainLoss, e.val?.loss])).toEqual(wholeMetrics.map((e) => [e.trainLoss, e.val?.loss]));
    expect(page.getState().viewEvents.map((e) => e.step)).toEqual(metrics.map((e) => e.step));
    expect((await loadRunFiles(deps().db(), run.id))!.model['model.safetensors']).toEqual(wholeFiles!.model['model.safetensors']);
  });

  it('keeps the checkpoint of a run that failed, offers it, and says why a run cannot go on', async () => {
    // The GPU is lost after step 3 was saved.
    const lost: StudioDeps['startTraining'] = async (backend, req, onProgress, ck) => {
      let stop: () => void = () => undefined;
      let stopped = false;
      const failed = new Promise<void>((resolve) => (stop = resolve));
      const onCheckpoint: Checkpointing['onCheckpoint'] = async (bytes, at) => {
        if (stopped) return;
        await ck!.onCheckpoint(bytes, at);
        if (at.step === 3) {
          stopped = true;
          stop();
        }
      };
      const started = await startTrainingInProcess(backend, req, onProgress, { ...ck!, everyMs: 0, onCheckpoint });
      if (!started.ok) return started;
      const session = started.value;
      const result = failed.then(() => {
        session.cancel();
        const error = {
          code: 'gpu-lost',
          message: 'The GPU was lost at step 3.',
          advice: 'Start the run again.',
          resumeAdvice: 'If the GPU fails again, choose WebAssembly (CPU): slower, but it does not depend on the GPU.',
        };
        return { ok: false as const, error };
      });
      return { ok: true, value: { ...session, result } };
    };
    const store = await withReviews({ ...deps(), startTraining: lost });
    await store.getState().startTraining();
    const run = store.getState().runs[0];
    expect(run).toMatchObject({ status: 'failed', resumable: { step: 3 } });
    // What to do is to go on from the checkpoint, not to start again (the error's own advice).
    expect(run.message).toBe(
      'The GPU was lost at step 3. It was saved at step 3 of 15: Resume goes on from there. If the GPU fails again, choose WebAssembly (CPU): slower, but it does not depend on the GPU.',
    );

    // Its dataset deleted, it cannot go on; the checkpoint stays.
    await store.getState().deleteDataset(run.datasetId);
    await store.getState().resumeRun(run.id);
    expect(store.getState().trainError).toBe(`${run.name} cannot go on: the dataset it trained on (reviews) was deleted. Its checkpoint is kept.`);
    expect(await deps().db().checkpoints.count()).toBe(1);
    // Deleting the run deletes its checkpoint.
    await store.getState().deleteRun(run.id);
    expect(await deps().db().checkpoints.count()).toBe(0);
  });

  it('tells a run lost before any checkpoint to start again', async () => {
    const lostAtOnce: StudioDeps['startTraining'] = async (backend, req, onProgress, ck) => {
      const started = await startTrainingInProcess(backend, req, onProgress, ck);
      if (!started.ok) return started;
      started.value.cancel();
      const error = { code: 'gpu-lost', message: 'The GPU was lost before the first step.', advice: 'Start the run again.' };
      return { ok: true, value: { ...started.value, result: started.value.result.then(() => ({ ok: false as const, error })) } };
    };
    const store = await withReviews({ ...deps(), startTraining: lostAtOnce });
    await store.getState().startTraining();
    const run = store.getState().runs[0];
    expect(run).toMatchObject({ status: 'failed', message: 'The GPU was lost before the first step. Start the run again.' });
    expect(run.resumable).toBeUndefined();
  });

  it('goes on training when a checkpoint cannot be kept, and says so', async () => {
    const d = deps();
    const everyStep: StudioDeps['startTraining'] = (backend, req, onProgress, ck) => startTrainingInProcess(backend, req, onProgress, ck && { ...ck, everyMs: 0 });
    const store = await withReviews({ ...d, startTraining: everyStep });
    const full = Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });
    const put = vi.spyOn(d.db().checkpoints, 'put').mockRejectedValue(full);
    const seen: (string | null)[] = [];
    const unsubscribe = store.subscribe((s) => {
      if (s.active?.checkpointError && !seen.includes(s.active.checkpointError)) seen.push(s.active.checkpointError);
    });
    await store.getState().startTraining();
    unsubscribe();
    put.mockRestore();
    expect(seen).toEqual(["Progress could not be kept for resuming: this site's storage in the browser is full. Training goes on."]);
    expect(store.getState().runs[0]).toMatchObject({ status: 'completed', final: { steps: 15 } });
    expect(store.getState().runs[0].resumable).toBeUndefined();
  });
});
