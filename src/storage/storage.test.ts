import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HYPERPARAMS, type ProgressEvent } from '../core/types';
import { openDb, type StudioDb } from './db';
import { deleteDataset, importDataset, listDatasets, loadRows, previewRows, ROWS_PER_CHUNK, updateDatasetSchema, type NewDataset } from './datasets';
import { addMetrics, createRun, deleteRun, listRuns, loadMetrics, loadRunFiles, markInterruptedRuns, saveRunOutputs, type NewRun } from './runs';

let n = 0;
let current: StudioDb | null = null;
function freshDb(): StudioDb {
  current = openDb(`test-${++n}`);
  return current;
}
afterEach(async () => {
  await current?.delete();
});

function meta(overrides: Partial<NewDataset> = {}): NewDataset {
  return {
    name: 'reviews',
    fileName: 'reviews.csv',
    format: 'csv',
    columns: ['text', 'label'],
    rowUnit: 'row',
    bytes: 100,
    schema: { kind: 'labeled', textColumn: 'text', labelColumn: 'label' },
    createdAt: Date.now(),
    ...overrides,
  };
}

function rows(count: number) {
  return {
    rows: Array.from({ length: count }, (_, i) => ({ text: `row ${i}`, label: i % 2 ? 'pos' : 'neg' })),
    rowNumbers: Array.from({ length: count }, (_, i) => i + 2),
  };
}

function run(overrides: Partial<NewRun> = {}): NewRun {
  return {
    name: 'run 1',
    createdAt: Date.now(),
    datasetId: 1,
    datasetName: 'reviews',
    modelId: 'tiny',
    modelName: 'Tiny',
    task: 'classify',
    method: 'lora',
    backendChoice: 'auto',
    hyperparams: DEFAULT_HYPERPARAMS,
    status: 'running',
    ...overrides,
  };
}

function event(step: number): ProgressEvent {
  return { step, totalSteps: 10, epoch: step / 10, trainLoss: 1 / step, learningRate: 1e-3, gradNorm: 1, tokensPerSec: 100, elapsedMs: step * 10 };
}

describe('importDataset()', () => {
  it('stores the record and every row, in order, across chunks', async () => {
    const db = freshDb();
    const data = rows(ROWS_PER_CHUNK * 2 + 7);
    const progress: number[] = [];
    const rec = await importDataset(db, meta(), data, (f) => progress.push(f));
    expect(rec.rowCount).toBe(data.rows.length);
    expect(progress.at(-1)).toBe(1);
    const back = await loadRows(db, rec.id);
    expect(back.rows).toEqual(data.rows);
    expect(back.rowNumbers).toEqual(data.rowNumbers);
    expect(await previewRows(db, rec.id, 3)).toEqual(data.rows.slice(0, 3));
  });

  it('stores nothing when a row cannot be stored (the transaction rolls back)', async () => {
    const db = freshDb();
    const data = rows(ROWS_PER_CHUNK + 10);
    // A function cannot be cloned into IndexedDB: the second chunk fails mid-import.
    (data.rows as Record<string, unknown>[])[ROWS_PER_CHUNK + 3] = { text: 'x', label: () => 1 };
    await expect(importDataset(db, meta(), data)).rejects.toThrow();
    expect(await db.datasets.count()).toBe(0);
    expect(await db.rows.count()).toBe(0);
  });

  it('keeps datasets apart and deletes one with its rows', async () => {
    const db = freshDb();
    const a = await importDataset(db, meta({ name: 'a' }), rows(3));
    const b = await importDataset(db, meta({ name: 'b' }), rows(4));
    await deleteDataset(db, a.id);
    expect((await listDatasets(db)).map((d) => d.name)).toEqual(['b']);
    expect((await loadRows(db, b.id)).rows).toHaveLength(4);
    expect(await db.rows.where('datasetId').equals(a.id).count()).toBe(0);
  });

  it('saves an adjusted column mapping', async () => {
    const db = freshDb();
    const a = await importDataset(db, meta(), rows(3));
    await updateDatasetSchema(db, a.id, { kind: 'text', textColumn: 'label' });
    expect((await listDatasets(db))[0].schema).toEqual({ kind: 'text', textColumn: 'label' });
  });
});

describe('runs', () => {
  it('keeps metrics in step order and files by folder', async () => {
    const db = freshDb();
    const r = await createRun(db, run());
    await addMetrics(db, r.id, [event(2), event(1)]);
    await addMetrics(db, r.id, [event(3)]);
    expect((await loadMetrics(db, r.id)).map((e) => e.step)).toEqual([1, 2, 3]);
    await saveRunOutputs(
      db,
      r.id,
      { model: { 'config.json': new Uint8Array([1, 2]) }, adapter: { 'adapter_config.json': new Uint8Array([3]) } },
      { status: 'completed', final: { steps: 3, trainLoss: 0.3 } },
    );
    const files = await loadRunFiles(db, r.id);
    expect(files?.model['config.json']).toEqual(new Uint8Array([1, 2]));
    expect(files?.adapter?.['adapter_config.json']).toEqual(new Uint8Array([3]));
    expect((await listRuns(db))[0]).toMatchObject({ status: 'completed', final: { steps: 3 } });
  });

  it('deletes a run with its metrics and files', async () => {
    const db = freshDb();
    const r = await createRun(db, run());
    await addMetrics(db, r.id, [event(1)]);
    await saveRunOutputs(db, r.id, { model: { 'config.json': new Uint8Array([1]) } }, { status: 'completed' });
    await deleteRun(db, r.id);
    expect(await db.runs.count()).toBe(0);
    expect(await db.metrics.count()).toBe(0);
    expect(await db.files.count()).toBe(0);
  });

  it('marks runs left running by a reload as interrupted', async () => {
    const db = freshDb();
    await createRun(db, run({ status: 'running' }));
    await createRun(db, run({ status: 'paused' }));
    await createRun(db, run({ status: 'completed' }));
    expect(await markInterruptedRuns(db)).toBe(2);
    expect((await listRuns(db)).map((r) => r.status).sort()).toEqual(['completed', 'interrupted', 'interrupted']);
  });
});
