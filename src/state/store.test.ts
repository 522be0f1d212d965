import 'fake-indexeddb/auto';
import { unzipSync } from 'fflate';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../core/backend';
import { csv, jsonl, labeledRows, utf8 } from '../core/data/test-builders';
import type { ModelFiles } from '../core/types';
import { openDb, type StudioDb } from '../storage/db';
import { getDataset } from '../storage/datasets';
import { createRun, loadRunFiles } from '../storage/runs';
import { tinyGpt2Files } from '../testutil/tinyModel';
import { importFile } from '../workers/importJob';
import { startTrainingInProcess } from '../workers/inProcess';
import type { StudioDeps } from './deps';
import { switchKind, withColumn } from './mapping';
import { createStudioStore, type StudioStore } from './store';
import { unsavedMessage } from './trainingSlice';

let base: ModelFiles;
beforeAll(async () => {
  await initBackend('cpu');
  base = await tinyGpt2Files();
});

let n = 0;
let db: StudioDb | null = null;
afterEach(async () => {
  await db?.delete();
  db = null;
});

const MODEL = { id: 'tiny', name: 'Tiny', description: 'test model', path: 'models/tiny' };

function deps(overrides: Partial<StudioDeps> = {}): StudioDeps & { saved: { bytes: Uint8Array; fileName: string }[] } {
  db ??= openDb(`store-${++n}`);
  const theDb = db;
  const saved: { bytes: Uint8Array; fileName: string }[] = [];
  return {
    db: () => theDb,
    importFile: async (file, onProgress) => {
      try {
        return { ok: true, value: await importFile(theDb, file, onProgress) };
      } catch (e) {
        const err = e as Error & { file?: string; row?: number };
        return { ok: false, error: { code: 'dataset', message: err.message, file: err.file, row: err.row } };
      }
    },
    startTraining: startTrainingInProcess,
    fetchModels: async () => [MODEL],
    fetchModelFiles: async () => ({ ...base }),
    fetchSamples: async () => [{ id: 'reviews', name: 'Reviews', task: 'classify', file: 'samples/reviews.csv', description: '' }],
    fetchSampleFile: async () => reviews(),
    storageUsage: async () => ({ usage: 1, quota: 10 }),
    save: (bytes, fileName) => saved.push({ bytes, fileName }),
    saved,
    ...overrides,
  };
}

const file = (name: string, text: string) => new File([utf8(text)], name);
const reviews = () => file('reviews.csv', csv(['text', 'label'], labeledRows(24)));

async function ready(d: StudioDeps): Promise<StudioStore> {
  const store = createStudioStore(d);
  await store.getState().init();
  return store;
}

describe('studio store', () => {
  it('imports a file, selects it and suggests classification for labeled data', async () => {
    const store = await ready(deps());
    await store.getState().importFiles([reviews()]);
    const s = store.getState();
    expect(s.importError).toBeNull();
    expect(s.importing).toBeNull();
    expect(s.datasets.map((d) => d.name)).toEqual(['reviews']);
    expect(s.selectedDatasetId).toBe(s.datasets[0].id);
    expect(s.preview).toHaveLength(20);
    expect(s.settings.task).toBe('classify');
    expect(s.settings.modelId).toBe('tiny');
  });

  it('imports a sample through the same path as an upload', async () => {
    const store = await ready(deps());
    expect(store.getState().samples.map((s) => s.id)).toEqual(['reviews']);
    await store.getState().importSample('reviews');
    expect(store.getState().datasets.map((d) => d.fileName)).toEqual(['reviews.csv']);
  });

  it("applies a sample's own settings, keeps what the person moves, and takes the rest back when another dataset is chosen", async () => {
    const facts = { id: 'facts', name: 'Facts', task: 'lm' as const, file: 'samples/facts.jsonl', description: '', settings: { hyperparams: { epochs: 10, learningRate: 1e-3 }, reason: 'Short rows.' } };
    const factsFile = () => file('facts.jsonl', jsonl(Array.from({ length: 12 }, (_, i) => ({ prompt: `Question ${i}?`, completion: ` Answer ${i}.` }))));
    const store = await ready(
      deps({
        fetchSamples: async () => [facts, { id: 'reviews', name: 'Reviews', task: 'classify', file: 'samples/reviews.csv', description: '' }],
        fetchSampleFile: async (e) => (e.id === 'facts' ? factsFile() : reviews()),
      }),
    );
    const hp = () => store.getState().settings.hyperparams;
    const { epochs, learningRate } = hp();
    await store.getState().importSample('facts');
    expect(hp()).toMatchObject({ epochs: 10, learningRate: 1e-3 });
    expect(store.getState().sampleSettings).toMatchObject({ sample: 'Facts', previous: { epochs, learningRate } });
    const factsId = store.getState().selectedDatasetId!;

    // A sample without settings takes the previous sample's back.
    await store.getState().importSample('reviews');
    expect(hp()).toMatchObject({ epochs, learningRate });
    expect(store.getState().sampleSettings).toBeNull();
    const reviewsId = store.getState().selectedDatasetId!;

    // What the person moves stays when the rest goes back.
    await store.getState().selectDataset(factsId);
    await store.getState().importSample('facts');
    store.getState().setSlider('epochs', 14);
    await store.getState().selectDataset(reviewsId);
    expect(hp()).toMatchObject({ epochs: 14, learningRate });
    expect(store.getState().sampleSettings).toBeNull();

    // Choosing the sample again sets them again.
    await store.getState().selectDataset(factsId);
    expect(hp()).toMatchObject({ epochs: 10, learningRate: 1e-3 });

    // Asked for, they go back at once, and stay back while the sample is chosen.
    store.getState().revertSampleSettings();
    expect(hp()).toMatchObject({ epochs: 14, learningRate });
    expect(store.getState().sampleSettings).toBeNull();

    // They follow the sample into a new session (the page reloaded, the sample chosen).
    const again = await ready(deps({ fetchSamples: async () => [facts] }));
    await again.getState().selectDataset(factsId);
    expect(again.getState().settings.hyperparams).toMatchObject({ epochs: 10, learningRate: 1e-3 });
    await again.getState().selectDataset(reviewsId);
    expect(again.getState().settings.hyperparams).toMatchObject({ epochs, learningRate });
  });

  it('cancels an import on request', async () => {
    const importFile: StudioDeps['importFile'] = (f, _onProgress, signal) =>
      new Promise((resolve) => signal?.addEventListener('abort', () => resolve({ ok: false, error: { code: 'cancelled', message: 'cancelled', file: f.name } })));
    const store = await ready(deps({ importFile }));
    const done = store.getState().importFiles([reviews()]);
    expect(store.getState().importing?.fileName).toBe('reviews.csv');
    store.getState().cancelImport();
    await done;
    expect(store.getState().importing).toBeNull();
    expect(store.getState().importError).toMatchObject({ code: 'cancelled', file: 'reviews.csv' });
    expect(store.getState().datasets).toEqual([]);
  });

  it('shows a bad file as an error with its row and stores nothing', async () => {
    const store = await ready(deps());
    await store.getState().importFiles([file('bad.csv', 'text,label\nok,pos\n"open,neg\n')]);
    expect(store.getState().importError).toMatchObject({ file: 'bad.csv', row: 3 });
    expect(store.getState().datasets).toEqual([]);
    expect(await db!.datasets.count()).toBe(0);
  });

  it('trains, records metrics and weights, downloads a zip, and restores it all in a new session', async () => {
    const d = deps();
    const store = await ready(d);
    await store.getState().importFiles([reviews()]);
    store.getState().setMethod('lora');
    store.getState().setBackend('cpu');
    store.getState().setHyperparams({ epochs: 1, batchSize: 8, maxLength: 16, maxSteps: 2, valSplit: 0.25 });
    store.getState().setSlider('loraRank', 2);
    await store.getState().startTraining();

    const s = store.getState();
    expect(s.trainError).toBeNull();
    expect(s.active).toBeNull();
    const run = s.runs[0];
    expect(run).toMatchObject({ status: 'completed', backend: 'cpu', task: 'classify', method: 'lora', final: { steps: 2 } });
    expect(run.hyperparams.lora.r).toBe(2);
    expect(s.viewRunId).toBe(run.id);
    expect(s.viewEvents.map((e) => e.step)).toEqual([1, 2]);

    await store.getState().downloadWeights(run.id);
    expect(d.saved).toHaveLength(1);
    expect(d.saved[0].fileName).toBe(`${run.name}.zip`);
    const zip = unzipSync(d.saved[0].bytes);
    expect(Object.keys(zip)).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json', 'adapter/adapter_config.json', 'adapter/adapter_model.safetensors']));

    // A new store on the same database is what a page reload sees.
    const again = await ready(deps());
    expect(again.getState().datasets.map((x) => x.name)).toEqual(['reviews']);
    expect(again.getState().runs[0]).toMatchObject({ id: run.id, status: 'completed' });
    expect(again.getState().viewEvents.map((e) => e.step)).toEqual([1, 2]);
  });

  it('keeps the weights in the page when storage is full: download them, or keep them once space is freed', async () => {
    const d = deps();
    const store = await ready(d);
    await store.getState().importFiles([reviews()]);
    store.getState().setBackend('cpu');
    store.getState().setHyperparams({ epochs: 1, batchSize: 8, maxLength: 16, maxSteps: 2 });
    const full = Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });
    const bulkAdd = vi.spyOn(d.db().files, 'bulkAdd').mockRejectedValueOnce(full);
    await store.getState().startTraining();
    const run = store.getState().runs[0];
    // The run trained: it is completed, with its metrics, and says where its weights are.
    expect(run).toMatchObject({ status: 'completed', final: { steps: 2 } });
    expect(run.message).toBe(unsavedMessage(full));
    expect(run.message).toContain("this site's storage in the browser is full");
    expect(store.getState().trainError).toBeNull();
    // Nothing half-written: no file of the run is stored.
    expect(await d.db().files.where('runId').equals(run.id).count()).toBe(0);
    expect(Object.keys(store.getState().unsaved)).toEqual([String(run.id)]);
    await store.getState().downloadWeights(run.id);
    expect(Object.keys(unzipSync(d.saved[0].bytes))).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json']));
    // Still full: they stay in the page, and the list says so.
    bulkAdd.mockRejectedValueOnce(full);
    await store.getState().keepUnsaved(run.id);
    expect(store.getState().downloadError).toBe(`${run.name}: still could not keep the weights: this site's storage in the browser is full. Download them, or free more space.`);
    expect(Object.keys(store.getState().unsaved)).toEqual([String(run.id)]);
    // Space freed: keeping them stores them and clears the note.
    bulkAdd.mockRestore();
    await store.getState().keepUnsaved(run.id);
    expect(store.getState().unsaved).toEqual({});
    expect(store.getState().runs[0].message).toBeUndefined();
    const stored = await loadRunFiles(d.db(), run.id);
    expect(Object.keys(stored!.model).sort()).toEqual(Object.keys(unzipSync(d.saved[0].bytes)).filter((n) => n !== 'README.md' && !n.startsWith('adapter/')).sort());
  });

  it('compares runs: their curves and records, untick or delete to drop one', async () => {
    const store = await ready(deps());
    await store.getState().importFiles([reviews()]);
    store.getState().setBackend('cpu');
    store.getState().setHyperparams({ epochs: 1, batchSize: 8, maxLength: 16, maxSteps: 3, valSplit: 0.25, evalEvery: 1 });
    await store.getState().startTraining();
    store.getState().setHyperparams({ learningRate: 1e-3, maxSteps: 2 });
    await store.getState().startTraining();
    const [second, first] = store.getState().runs;
    await store.getState().toggleCompare(first.id);
    await store.getState().toggleCompare(second.id);
    const s = store.getState();
    expect(s.compareIds).toEqual([first.id, second.id]);
    expect(s.compareEvents[first.id].map((e) => e.step)).toEqual([1, 2, 3]);
    expect(s.compareEvents[second.id].map((e) => e.step)).toEqual([1, 2]);
    // Each step validated: its validation loss is what the comparison draws.
    expect(s.compareEvents[second.id].every((e) => e.val !== undefined)).toBe(true);
    await store.getState().toggleCompare(first.id);
    expect(store.getState().compareIds).toEqual([second.id]);
    expect(Object.keys(store.getState().compareEvents)).toEqual([String(second.id)]);
    await store.getState().deleteRun(second.id);
    expect(store.getState()).toMatchObject({ compareIds: [], compareEvents: {} });
  });

  it('shows a mapping change at once, so a second change made during a slow write builds on it', async () => {
    const d = deps();
    const store = await ready(d);
    await store.getState().importFiles([reviews()]);
    const ds = () => store.getState().datasets[0];
    // A write that takes a while, as on a busy machine.
    const update = d.db().datasets.update.bind(d.db().datasets);
    const slow = async (...args: Parameters<typeof update>) => {
      await new Promise((r) => setTimeout(r, 50));
      return update(...args);
    };
    vi.spyOn(d.db().datasets, 'update').mockImplementation(slow as unknown as typeof update);
    // What the selects do: each change is built from the schema the page shows.
    const first = store.getState().setSchema(switchKind(ds().schema, 'text', ds().columns));
    expect(ds().schema.kind).toBe('text');
    expect(store.getState().settings.task).toBe('lm');
    const second = store.getState().setSchema(switchKind(ds().schema, 'labeled', ds().columns));
    const third = store.getState().setSchema(withColumn(ds().schema, 'labelColumn', 'label'));
    await Promise.all([first, second, third]);
    expect(ds().schema).toEqual({ kind: 'labeled', textColumn: 'text', labelColumn: 'label' });
    expect((await getDataset(d.db(), ds().id))!.schema).toEqual(ds().schema);
    expect(store.getState().settings.task).toBe('classify');
    expect(store.getState().schemaError).toBeNull();
  });

  it('puts back the saved mapping and says so when a mapping cannot be saved', async () => {
    const d = deps();
    const store = await ready(d);
    await store.getState().importFiles([reviews()]);
    const saved = store.getState().datasets[0].schema;
    vi.spyOn(d.db().datasets, 'update').mockRejectedValueOnce(new Error('QuotaExceededError: the disk is full'));
    await store.getState().setSchema(switchKind(saved, 'text', store.getState().datasets[0].columns));
    expect(store.getState().datasets[0].schema).toEqual(saved);
    expect(store.getState().settings.task).toBe('classify');
    expect(store.getState().schemaError).toBe('Could not save the column mapping: QuotaExceededError: the disk is full. The mapping shown is the last one saved.');
  });

  it('refuses classification without a label column', async () => {
    const store = await ready(deps());
    await store.getState().importFiles([file('qa.jsonl', jsonl([{ prompt: 'a', completion: 'b' }]))]);
    store.getState().setTask('classify');
    await store.getState().startTraining();
    expect(store.getState().trainError).toMatch(/label column/);
    expect(store.getState().runs).toEqual([]);
  });

  it('stops a run on request and keeps the weights reached so far', async () => {
    const d = deps();
    let store: StudioStore | null = null;
    // Stop from inside the first progress callback, as a click would between steps.
    const startTraining: StudioDeps['startTraining'] = (backend, req, onProgress) =>
      startTrainingInProcess(backend, req, (e) => {
        onProgress(e);
        if (e.step === 1) store!.getState().stopTraining();
      });
    store = await ready({ ...d, startTraining });
    await store.getState().importFiles([reviews()]);
    store.getState().setBackend('cpu');
    store.getState().setMethod('full');
    store.getState().setHyperparams({ epochs: 5, batchSize: 4, maxLength: 16 });
    await store.getState().startTraining();
    const run = store.getState().runs[0];
    expect(run.status).toBe('stopped');
    expect(run.final?.steps).toBe(1);
    expect(run.final?.stopReason).toBe('cancelled');
    await store.getState().downloadWeights(run.id);
    expect(Object.keys(unzipSync(d.saved[0].bytes))).not.toContain('adapter/adapter_config.json');
  });

  it('records a backend that cannot start as a failed run', async () => {
    const store = await ready(deps({ startTraining: async () => ({ ok: false, error: { code: 'Error', message: 'The webgpu backend is not available here.' } }) }));
    await store.getState().importFiles([reviews()]);
    await store.getState().startTraining();
    expect(store.getState().trainError).toMatch(/webgpu backend is not available/);
    expect(store.getState().runs[0]).toMatchObject({ status: 'failed', message: expect.stringMatching(/webgpu/) });
  });

  it('marks a run left running by a reload as interrupted', async () => {
    const d = deps();
    await createRun(d.db(), {
      name: 'old',
      createdAt: 1,
      datasetId: 1,
      datasetName: 'x',
      modelId: 'tiny',
      modelName: 'Tiny',
      task: 'lm',
      method: 'full',
      backendChoice: 'auto',
      hyperparams: (await ready(d)).getState().settings.hyperparams,
      status: 'running',
    });
    const store = await ready(d);
    expect(store.getState().runs[0].status).toBe('interrupted');
  });

  it('deletes a dataset and refreshes the storage figure', async () => {
    const usage = vi.fn(async () => ({ usage: 5, quota: 10 }));
    const store = await ready(deps({ storageUsage: usage }));
    await store.getState().importFiles([reviews()]);
    const id = store.getState().datasets[0].id;
    usage.mockClear();
    await store.getState().deleteDataset(id);
    expect(store.getState().datasets).toEqual([]);
    expect(store.getState().selectedDatasetId).toBeNull();
    expect(usage).toHaveBeenCalled();
  });
});
