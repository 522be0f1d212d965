import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../core/backend';
import { FAKE_ENDPOINT, fakeHub } from '../testutil/fakeHub';
import { bertFolder, closeStoreDbs, configOf, deps, ready, reviews, SHIPPED, TINY } from '../testutil/storeHarness';
import { describeConfig, importUploadedModel } from '../workers/modelJob';
import { currentRowLengths, rowLengthsKey } from './rowLengths';
import { FULL_FINE_TUNE_MAX_PARAMS } from './trainingSlice';

beforeAll(async () => {
  await initBackend('cpu');
});
afterEach(closeStoreDbs);

describe('models in the store', () => {
  it('lists the shipped model with its facts, then models brought earlier', async () => {
    const d = deps();
    await importUploadedModel(d.modelDb, bertFolder());
    const store = await ready(d);
    const { models, settings } = store.getState();
    expect(models.map((m) => [m.name, m.source ?? 'shipped'])).toEqual([
      ['Tiny', 'shipped'],
      ['bert-tiny', 'files'],
    ]);
    expect(settings.modelId).toBe('tiny');
    expect(models[0].info).toMatchObject({ family: 'gpt2', bytes: 150_000 });
  });

  it('suggests full fine-tuning for a small model and LoRA for a large one, until the person picks a method', async () => {
    // GPT-2 small's shape: 124 M parameters.
    const gpt2Small = { ...configOf(TINY), n_embd: 768, n_layer: 12, n_head: 12, vocab_size: 50257, n_positions: 1024 };
    const big = { id: 'big', name: 'Big', description: 'GPT-2 small', path: 'models/big' };
    const d = deps({ models: { describeShipped: async (m) => ({ ok: true, value: describeConfig(m.id === 'big' ? gpt2Small : configOf(TINY), 150_000) }) } });
    const store = await ready({ ...d, fetchModels: async () => [SHIPPED, big] });
    const { models, settings } = store.getState();
    expect(models[0].info!.params).toBeLessThan(FULL_FINE_TUNE_MAX_PARAMS);
    expect(settings.method).toBe('full');
    store.getState().setModel('big');
    await store.getState().modelChosen();
    expect(store.getState().models.find((m) => m.id === 'big')!.info!.params).toBeGreaterThan(100e6);
    expect(store.getState().settings.method).toBe('lora');
    // A method the person picks stays when the model changes.
    store.getState().setMethod('freeze');
    store.getState().setModel('tiny');
    await store.getState().modelChosen();
    expect(store.getState().settings.method).toBe('freeze');
  });

  it('downloads from the Hub with per-file progress, chooses the model and trains with it', async () => {
    const store = await ready(deps());
    const seen = new Set<string>();
    const unsubscribe = store.subscribe((s) => s.hubDownload?.files.forEach((f) => seen.add(f.name)));
    await store.getState().downloadFromHub(' org/tiny ');
    unsubscribe();
    const s = store.getState();
    expect(s.hubDownload).toMatchObject({ repoId: 'org/tiny', status: 'done', error: null });
    expect(seen).toEqual(new Set(Object.keys(TINY)));
    expect(s.settings.modelId).toBe(`hub:${FAKE_ENDPOINT}/org/tiny@main`);
    expect(s.models.at(-1)).toMatchObject({ name: 'org/tiny', source: 'hub', info: { family: 'gpt2' } });

    await store.getState().importFiles([reviews()]);
    store.getState().setBackend('cpu');
    store.getState().setHyperparams({ epochs: 1, batchSize: 8, maxLength: 16, maxSteps: 2, valSplit: 0.25 });
    await store.getState().startTraining();
    expect(store.getState().trainError).toBeNull();
    expect(store.getState().runs[0]).toMatchObject({ status: 'completed', modelName: 'org/tiny', final: { steps: 2 } });
  });

  it('asks before a large download; declining downloads no weights', async () => {
    const hub = fakeHub({ 'org/tiny': TINY });
    const store = await ready(deps({ hub, largeBytes: 1000 }));
    const done = store.getState().downloadFromHub('org/tiny');
    await expect.poll(() => store.getState().sizeQuestion).toMatchObject({ repoId: 'org/tiny', bytes: TINY['model.safetensors'].length });
    store.getState().answerSizeQuestion(false);
    await done;
    expect(store.getState().hubDownload).toMatchObject({ status: 'declined', error: { code: 'too-large-declined' } });
    expect(hub.weightGets()).toEqual([]);

    const again = store.getState().downloadFromHub('org/tiny');
    await expect.poll(() => store.getState().sizeQuestion).not.toBeNull();
    store.getState().answerSizeQuestion(true);
    await again;
    expect(store.getState().hubDownload?.status).toBe('done');
  });

  it('cancels a download and says so', async () => {
    const store = await ready(deps());
    const unsubscribe = store.subscribe((s) => {
      if (s.hubDownload?.files.some((f) => f.name === 'model.safetensors')) s.cancelHubDownload();
    });
    await store.getState().downloadFromHub('org/tiny');
    unsubscribe();
    expect(store.getState().hubDownload).toMatchObject({ status: 'cancelled', error: { code: 'aborted' } });
    expect(store.getState().models.map((m) => m.id)).toEqual(['tiny']);
  });

  it('shows a missing repo as a failure naming it', async () => {
    const store = await ready(deps());
    await store.getState().downloadFromHub('org/missing');
    expect(store.getState().hubDownload).toMatchObject({ status: 'failed', error: { code: 'not-found', message: expect.stringContaining('org/missing') } });
  });

  it('fits the task and LoRA targets to the chosen family', async () => {
    const store = await ready(deps());
    store.getState().setLoraTargets(['mlp.c_fc']);
    await store.getState().importModelFiles(bertFolder());
    const s = store.getState();
    expect(s.localImport).toBeNull();
    expect(s.settings.task).toBe('classify');
    expect(s.settings.hyperparams.lora.targetModules).toEqual([]);
    // Back on GPT-2 the task stays, and LoRA targets chosen for GPT-2 stay chosen.
    store.getState().setModel('tiny');
    store.getState().setLoraTargets(['mlp.c_fc']);
    await store.getState().modelChosen();
    expect(store.getState().settings.hyperparams.lora.targetModules).toEqual(['mlp.c_fc']);
  });

  it('refuses a pick without config.json at once, and removes a model with its files', async () => {
    const d = deps();
    const store = await ready(d);
    await store.getState().importModelFiles([{ path: 'x/model.safetensors', file: new Blob([]) }]);
    expect(store.getState().localImport).toMatchObject({ status: 'failed', error: expect.stringContaining('No config.json') });
    await store.getState().importModelFiles(bertFolder());
    const id = store.getState().settings.modelId!;
    await store.getState().removeUserModel(id);
    expect(store.getState().models.map((m) => m.id)).toEqual(['tiny']);
    expect(store.getState().settings.modelId).toBe('tiny');
    expect(await d.modelDb.files.count()).toBe(0);
  });

  it('measures the training rows in the model’s tokens, and estimates a step at the longest row', async () => {
    const store = await ready(deps());
    await store.getState().importFiles([reviews()]);
    const measured = store.getState().refreshRowLengths();
    // Under way, and said so, until the answer comes.
    expect(store.getState().measuringRows).toBe(rowLengthsKey(store.getState()));
    await measured;
    expect(store.getState().measuringRows).toBeNull();
    const rows = currentRowLengths(store.getState())!;
    expect(rows.lengths).toHaveLength(24);
    expect(rows.windowed).toBe(false);
    const longest = rows.lengths[0];
    expect(longest).toBeLessThan(64);
    // At any maximum above the longest row, the step is the same: every batch is at most that long.
    const activations = async (maxLength: number) => {
      store.getState().setHyperparams({ maxLength });
      await store.getState().refreshMemoryEstimate();
      return store.getState().memory!.result!.estimate.activations;
    };
    expect(await activations(64)).toBe(await activations(longest));
    expect(await activations(longest - 4)).toBeLessThan(await activations(longest));
    // Another task (or dataset, mapping, version, model) is measured again.
    store.getState().setTask('lm');
    expect(currentRowLengths(store.getState())).toBeNull();
  });

  it('shows how far the measurement has got, and only the newest measurement’s progress', async () => {
    const d = deps();
    const real = d.models!.measureRows!;
    const calls: { report: (done: number) => void; finish: () => void }[] = [];
    d.models!.measureRows = (req, onProgress) =>
      new Promise((resolve) => calls.push({ report: (done) => onProgress?.(done), finish: () => void real(req).then(resolve) }));
    const store = await ready(d);
    await store.getState().importFiles([reviews()]);
    const first = store.getState().refreshRowLengths();
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    calls[0].report(0.4);
    expect(store.getState().measuringDone).toBe(0.4);
    // Another task: a newer measurement starts from nothing, and the older one's reports are not shown.
    store.getState().setTask('lm');
    const second = store.getState().refreshRowLengths();
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    expect(store.getState().measuringDone).toBe(0);
    calls[0].report(0.9);
    expect(store.getState().measuringDone).toBe(0);
    calls[1].report(0.5);
    expect(store.getState().measuringDone).toBe(0.5);
    calls[0].finish();
    calls[1].finish();
    await Promise.all([first, second]);
    expect(store.getState().measuringRows).toBeNull();
    expect(currentRowLengths(store.getState())!.windowed).toBe(true);
  });

  it("reads a brought model's tokenizer files without its weights: an upload's, and a download's from the cache", async () => {
    const d = deps();
    const store = await ready(d);
    await store.getState().importModelFiles(bertFolder());
    await store.getState().downloadFromHub('org/tiny');
    for (const source of ['files', 'hub']) {
      const entry = store.getState().models.find((m) => m.source === source)!;
      const files = await d.models!.tokenizerFiles!(entry);
      expect(Object.keys(files!), source).toContain('tokenizer.json');
      expect(Object.keys(files!), source).not.toContain('model.safetensors');
    }
    const hub = store.getState().models.find((m) => m.source === 'hub')!;
    expect((await d.models!.tokenizerFiles!(hub))!['tokenizer.json']).toEqual(TINY['tokenizer.json']);
  });

  it('estimates memory for the run as set up, and warns when it will not fit', async () => {
    const store = await ready(deps());
    await store.getState().refreshMemoryEstimate();
    const fits = store.getState().memory!;
    expect(fits.result).toMatchObject({ fits: true });
    expect(fits.budget.bytes).toBe(4e9);

    const small = await ready(deps({ facts: { deviceMemoryGB: 0.0001, jsHeapLimit: null, gpu: null } }));
    small.getState().setMethod('full');
    await small.getState().refreshMemoryEstimate();
    expect(small.getState().memory?.result).toMatchObject({ fits: false, message: expect.stringMatching(/try /) });
  });
});
