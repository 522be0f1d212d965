import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { DataRow } from '../core/data/rows';
import { datasetStats } from '../core/data/versions';
import { deleteDataset, importDataset } from './datasets';
import { openDb, type StudioDb } from './db';
import { deleteVersion, listVersions, loadVersionRows, nextVersionName, saveVersion, VERSION_ROWS_PER_CHUNK, VersionError, withDescendants, type NewVersion } from './versions';

let n = 0;
let current: StudioDb | null = null;
afterEach(async () => {
  await current?.delete();
  current = null;
});

async function withDataset(): Promise<{ db: StudioDb; datasetId: number }> {
  const db = openDb(`versions-${++n}`);
  current = db;
  const ds = await importDataset(
    db,
    { name: 'r', fileName: 'r.csv', format: 'csv', columns: ['text', 'label'], rowUnit: 'row', bytes: 10, schema: { kind: 'labeled', textColumn: 'text', labelColumn: 'label' }, createdAt: 1 },
    { rows: [{ text: 'a', label: 'x' }], rowNumbers: [2] },
  );
  return { db, datasetId: ds.id };
}

const rows = (count: number, from = 0): DataRow[] => Array.from({ length: count }, (_, i) => ({ id: from + i, text: `row ${from + i}`, label: i % 2 ? 'pos' : 'neg' }));

function meta(datasetId: number, parentId: number | null, r: DataRow[]): NewVersion {
  return { datasetId, parentId, recipe: { clean: { exactDup: {} } }, schema: { kind: 'labeled', textColumn: 'text', labelColumn: 'label' }, createdAt: Date.now(), stats: datasetStats(r) };
}

describe('dataset versions', () => {
  it('stores a version with its rows in chunks and reads them back in order', async () => {
    const { db, datasetId } = await withDataset();
    const r = rows(VERSION_ROWS_PER_CHUNK * 2 + 7);
    const fractions: number[] = [];
    const v = await saveVersion(db, meta(datasetId, null, r), r, (f) => fractions.push(f));
    expect(v).toMatchObject({ name: 'v1', datasetId, parentId: null, rowCount: r.length, recipe: { clean: { exactDup: {} } } });
    expect(v.stats.labels).toEqual({ neg: 1004, pos: 1003 });
    expect(await db.versionRows.where('versionId').equals(v.id).count()).toBe(3);
    expect(fractions).toEqual([1 / 3, 2 / 3, 1]);
    expect(await loadVersionRows(db, v.id)).toEqual(r);
  });

  it('names versions v1, v2… and lists a dataset’s versions oldest first', async () => {
    const { db, datasetId } = await withDataset();
    const v1 = await saveVersion(db, meta(datasetId, null, rows(2)), rows(2));
    const v2 = await saveVersion(db, meta(datasetId, v1.id, rows(1)), rows(1));
    const v3 = await saveVersion(db, meta(datasetId, v1.id, rows(3)), rows(3));
    expect((await listVersions(db, datasetId)).map((v) => [v.name, v.parentId])).toEqual([
      ['v1', null],
      ['v2', v1.id],
      ['v3', v1.id],
    ]);
    await deleteVersion(db, v2.id);
    // A dropped number is not reused while a higher one exists.
    expect((await saveVersion(db, meta(datasetId, v3.id, rows(1)), rows(1))).name).toBe('v4');
    expect(nextVersionName([])).toBe('v1');
    expect(nextVersionName([{ name: 'v9' }, { name: 'v10' }, { name: 'odd' }])).toBe('v11');
  });

  it('drops a version together with the versions made from it', async () => {
    const { db, datasetId } = await withDataset();
    const v1 = await saveVersion(db, meta(datasetId, null, rows(2)), rows(2));
    const v2 = await saveVersion(db, meta(datasetId, v1.id, rows(2)), rows(2));
    const v3 = await saveVersion(db, meta(datasetId, v2.id, rows(2)), rows(2));
    const other = await saveVersion(db, meta(datasetId, null, rows(2)), rows(2));
    expect(withDescendants(await listVersions(db, datasetId), v1.id)).toEqual([v1.id, v2.id, v3.id]);
    expect((await deleteVersion(db, v2.id)).sort()).toEqual([v2.id, v3.id]);
    expect((await listVersions(db, datasetId)).map((v) => v.id)).toEqual([v1.id, other.id]);
    expect(await db.versionRows.where('versionId').anyOf([v2.id, v3.id]).count()).toBe(0);
    await expect(loadVersionRows(db, v3.id)).rejects.toThrow(VersionError);
    expect(await deleteVersion(db, 12345)).toEqual([]);
  });

  it('refuses a version whose dataset or parent is gone, storing nothing', async () => {
    const { db, datasetId } = await withDataset();
    await expect(saveVersion(db, meta(datasetId, 77, rows(2)), rows(2))).rejects.toMatchObject({ code: 'no-parent' });
    await expect(saveVersion(db, meta(datasetId + 1, null, rows(2)), rows(2))).rejects.toMatchObject({ code: 'no-dataset' });
    expect(await db.versions.count()).toBe(0);
    expect(await db.versionRows.count()).toBe(0);
  });

  it('lands whole or not at all: a row IndexedDB cannot store rolls the version back', async () => {
    const { db, datasetId } = await withDataset();
    const r = rows(VERSION_ROWS_PER_CHUNK + 5);
    (r[VERSION_ROWS_PER_CHUNK + 2] as unknown as { bad: unknown }).bad = () => 1;
    await expect(saveVersion(db, meta(datasetId, null, r), r)).rejects.toThrow();
    expect(await db.versions.count()).toBe(0);
    expect(await db.versionRows.count()).toBe(0);
  });

  it('goes with its dataset', async () => {
    const { db, datasetId } = await withDataset();
    const v1 = await saveVersion(db, meta(datasetId, null, rows(2)), rows(2));
    await saveVersion(db, meta(datasetId, v1.id, rows(2)), rows(2));
    await deleteDataset(db, datasetId);
    expect(await db.versions.count()).toBe(0);
    expect(await db.versionRows.count()).toBe(0);
  });
});
