import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../core/backend';
import { csv, labeledRows, utf8 } from '../core/data/test-builders';
import type { ModelFiles, TrainRequest } from '../core/types';
import { openDb, type StudioDb } from '../storage/db';
import { loadVersionRows } from '../storage/versions';
import { MESSY_EXPECTED, messyCsv } from '../testutil/messyData';
import { tinyGpt2Files } from '../testutil/tinyModel';
import { createInProcessDataClient } from '../workers/dataInProcess';
import { importFile } from '../workers/importJob';
import { startTrainingInProcess } from '../workers/inProcess';
import type { StudioDeps } from './deps';
import { activeAugmentRecipe, setStepEnabled } from './recipes';
import { createStudioStore, type StudioStore } from './store';
import { currentVersionId } from './studioDataSlice';

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
const file = (name: string, text: string) => new File([utf8(text)], name);

function deps(requests: TrainRequest[] = [], withData = true): StudioDeps {
  db ??= openDb(`studio-data-${++n}`);
  const theDb = db;
  return {
    db: () => theDb,
    importFile: async (f, onProgress) => ({ ok: true, value: await importFile(theDb, f, onProgress) }),
    startTraining: (backend, req, onProgress) => {
      requests.push(req);
      return startTrainingInProcess(backend, req, onProgress);
    },
    fetchModels: async () => [MODEL],
    fetchModelFiles: async () => ({ ...base }),
    fetchSamples: async () => [],
    fetchSampleFile: async () => file('x.csv', 'text\na\n'),
    storageUsage: async () => null,
    save: () => undefined,
    ...(withData && { data: createInProcessDataClient(() => theDb) }),
  };
}

async function ready(d: StudioDeps): Promise<StudioStore> {
  const store = createStudioStore(d);
  await store.getState().init();
  return store;
}

async function withMessy(d = deps()): Promise<StudioStore> {
  const store = await ready(d);
  await store.getState().importFiles([file('messy.csv', messyCsv())]);
  store.getState().setMainView('data');
  await store.getState().openStudio();
  return store;
}

describe('data studio state', () => {
  it('opens the selected dataset and filters the explorer', async () => {
    const store = await withMessy();
    const s = store.getState();
    expect(s.opened).toMatchObject({ rowCount: 40, versionId: null });
    expect(s.explorerView?.total).toBe(40);
    expect(s.studioJob).toBeNull();
    const token = s.explorerToken;
    await s.setExplorerFilter({ pii: true });
    expect(store.getState().explorerView?.total).toBe(3);
    expect(store.getState().explorerToken).toBe(token + 1);
    expect((await s.explorerRows(0, 50)).map((r) => r.id)).toEqual([37, 38, 39]);
    // Opening again without a change does not redo the work.
    await s.openStudio();
    expect(store.getState().explorerView?.total).toBe(3);
  });

  it('previews cleaning, marks the preview stale when the recipe changes, and applies it as a version', async () => {
    const store = await withMessy();
    await store.getState().previewClean();
    const preview = store.getState().cleanPreview!;
    expect(preview.value.report).toMatchObject({ rowsOut: MESSY_EXPECTED.rowsOut, removedByStep: MESSY_EXPECTED.removed });
    await store.getState().applyStudio('clean');
    let s = store.getState();
    expect(s.versions.map((v) => [v.name, v.parentId, v.rowCount])).toEqual([['v1', null, MESSY_EXPECTED.rowsOut]]);
    expect(currentVersionId(s)).toBe(s.versions[0].id);
    expect(s.opened).toMatchObject({ versionId: s.versions[0].id, rowCount: MESSY_EXPECTED.rowsOut });
    expect(s.cleanPreview).toBeNull();
    expect(s.studioNotice).toBe(`Saved v1: ${MESSY_EXPECTED.rowsOut} rows, made from the imported rows.`);

    // A second recipe builds on the chosen version.
    s.setCleanRecipe(setStepEnabled(s.cleanRecipe, 'nearDup', false));
    await s.applyStudio('split');
    s = store.getState();
    expect(s.versions.map((v) => [v.name, v.parentId])).toEqual([
      ['v1', null],
      ['v2', s.versions[0].id],
    ]);
    await s.compareVersion(s.versions[1].id);
    expect(store.getState().comparison?.diff).toMatchObject({ added: 0, removed: 0, edited: 0, moved: MESSY_EXPECTED.rowsOut });
    await s.reproduceVersion(s.versions[1].id);
    expect(store.getState().studioNotice).toMatch(/^Reproduced v2 from its parent and recipe: 35 rows, identical/);
  });

  it('drops a version with its children and falls back to its parent', async () => {
    const store = await withMessy();
    await store.getState().applyStudio('clean');
    const v1 = store.getState().versions[0];
    await store.getState().applyStudio('split');
    await store.getState().chooseVersion(v1.id);
    await store.getState().applyStudio('augment');
    expect(store.getState().versions.map((v) => v.name)).toEqual(['v1', 'v2', 'v3']);
    await store.getState().dropVersion(store.getState().versions[2].id);
    expect(currentVersionId(store.getState())).toBe(v1.id);
    await store.getState().dropVersion(v1.id);
    const s = store.getState();
    expect(s.versions).toEqual([]);
    expect(currentVersionId(s)).toBeNull();
    expect(s.opened).toMatchObject({ versionId: null, rowCount: 40 });
  });

  it('sets up the Augment step on a run’s data with one operation on, from anywhere in the studio', async () => {
    const store = await withMessy();
    await store.getState().applyStudio('clean');
    await store.getState().applyStudio('split');
    const messy = store.getState().selectedDatasetId!;
    const split = store.getState().versions[1];
    // The notice of the last step is not left standing over the new task.
    expect(store.getState().studioNotice).toMatch(/^Saved v2/);
    await store.getState().augmentWith('typos', messy, split.id);
    expect(store.getState()).toMatchObject({ studioTool: 'augment', studioNotice: null });
    expect(activeAugmentRecipe(store.getState().augmentRecipe)).toEqual({ variantsPerRow: 1, typos: { rate: 0.05 } });
    // Elsewhere: another dataset chosen, the training view shown.
    await store.getState().importFiles([file('other.csv', csv(['text', 'label'], labeledRows(10)))]);
    store.getState().setMainView('train');
    expect(store.getState().selectedDatasetId).not.toBe(messy);

    await store.getState().augmentWith('casing', messy, split.id);
    let s = store.getState();
    expect(s).toMatchObject({ selectedDatasetId: messy, mainView: 'data', studioTool: 'augment', studioError: null });
    expect(currentVersionId(s)).toBe(split.id);
    expect(activeAugmentRecipe(s.augmentRecipe)).toEqual({ variantsPerRow: 1, casing: {} });
    await store.getState().applyStudio('augment');
    s = store.getState();
    expect(s.versions.map((v) => v.name)).toEqual(['v1', 'v2', 'v3']);
    expect(s.versions[2].recipe.augment?.recipe).toEqual({ variantsPerRow: 1, casing: {} });

    // The version the run trained on is gone: said, and nothing set up.
    await store.getState().dropVersion(split.id);
    store.getState().setMainView('train');
    await store.getState().augmentWith('typos', messy, split.id);
    expect(store.getState()).toMatchObject({ mainView: 'train', studioError: 'The data version the run trained on was deleted.' });
  });

  it('trains on the chosen version: train rows train, the validation split validates', async () => {
    const requests: TrainRequest[] = [];
    const store = await withMessy(deps(requests));
    await store.getState().applyStudio('clean');
    store.getState().setSplitParams({ validation: 0.2, test: 0.2, seed: 1, stratify: true, groupNearDuplicates: true });
    await store.getState().applyStudio('split');
    const v2 = store.getState().versions[1];
    const rows = await loadVersionRows(db!, v2.id);
    store.getState().setBackend('cpu');
    store.getState().setHyperparams({ epochs: 1, batchSize: 8, maxLength: 16, maxSteps: 1 });
    await store.getState().startTraining();
    const s = store.getState();
    expect(s.trainError).toBeNull();
    expect(s.runs[0]).toMatchObject({ status: 'completed', datasetName: 'messy · v2' });
    expect(requests[0].train).toHaveLength(rows.filter((r) => r.split === 'train').length);
    expect(requests[0].val).toHaveLength(v2.stats.splits.validation!);
    expect(requests[0].val![0].kind).toBe('labeled');
  });

  it('trains on the imported rows when no version is chosen, and keeps choices per dataset', async () => {
    const requests: TrainRequest[] = [];
    const store = await withMessy(deps(requests));
    await store.getState().applyStudio('clean');
    await store.getState().importFiles([file('reviews.csv', csv(['text', 'label'], labeledRows(12)))]);
    await Promise.resolve();
    let s = store.getState();
    expect(s.datasets[0].name).toBe('reviews');
    expect(currentVersionId(s)).toBeNull();
    await s.loadVersions();
    expect(store.getState().versions).toEqual([]);
    s.setBackend('cpu');
    s.setHyperparams({ epochs: 1, batchSize: 4, maxLength: 16, maxSteps: 1 });
    await s.startTraining();
    s = store.getState();
    expect(s.runs[0]).toMatchObject({ status: 'completed', datasetName: 'reviews' });
    expect(requests[0].train).toHaveLength(12);
    expect(requests[0].val).toBeUndefined();
  });

  it('names the row an untouched dataset with empty values would train on', async () => {
    const store = await ready(deps());
    await store.getState().importFiles([file('messy.csv', messyCsv())]);
    store.getState().setBackend('cpu');
    await store.getState().startTraining();
    expect(store.getState().trainError).toBe('messy.csv, row 35: "text" is empty');
  });

  it('shows a cancelled job as a notice and changes nothing', async () => {
    const d = deps();
    const data = d.data!;
    // Cancel from the job's first progress report, as a click on Cancel would.
    const store = await withMessy({ ...d, data: { ...data, previewClean: (recipe, onProgress) => data.previewClean(recipe, (p) => (onProgress?.(p), store.getState().cancelStudioJob())) } });
    await store.getState().previewClean();
    const s = store.getState();
    expect(s.studioNotice).toBe('Cancelled. Nothing was changed.');
    expect(s.cleanPreview).toBeNull();
    expect(s.studioJob).toBeNull();
  });

  it('says so when there is no data worker', async () => {
    const store = await ready(deps([], false));
    await store.getState().importFiles([file('messy.csv', messyCsv())]);
    await store.getState().openStudio();
    expect(store.getState().studioError).toBe('The data studio is not available here (no data worker).');
  });
});
