/** Datasets and their rows. An import is one transaction: it lands whole or not at all. */
import type { Schema } from '../core/data/detect';
import type { DatasetRecord, RowChunkRecord, StudioDb } from './db';

export const ROWS_PER_CHUNK = 500;

export type NewDataset = Omit<DatasetRecord, 'id' | 'rowCount'>;

export interface StoredRows {
  rows: Record<string, unknown>[];
  rowNumbers: number[];
}

/**
 * Stores the dataset record and all its rows in ONE readwrite transaction over both
 * tables. Any failure (quota, a value IndexedDB cannot clone, an abort) rolls back
 * everything, so no half-imported dataset is ever visible.
 */
export async function importDataset(
  db: StudioDb,
  meta: NewDataset,
  data: StoredRows,
  onProgress?: (fraction: number) => void,
): Promise<DatasetRecord> {
  if (data.rows.length !== data.rowNumbers.length) throw new Error('rows and rowNumbers differ in length');
  return db.transaction('rw', db.datasets, db.rows, async () => {
    const id = await db.datasets.add({ ...meta, rowCount: data.rows.length } as DatasetRecord);
    const chunks = Math.ceil(data.rows.length / ROWS_PER_CHUNK);
    for (let c = 0; c < chunks; c++) {
      const start = c * ROWS_PER_CHUNK;
      const end = start + ROWS_PER_CHUNK;
      await db.rows.add({ datasetId: id, chunk: c, rows: data.rows.slice(start, end), rowNumbers: data.rowNumbers.slice(start, end) });
      onProgress?.((c + 1) / chunks);
    }
    return (await db.datasets.get(id))!;
  });
}

export async function listDatasets(db: StudioDb): Promise<DatasetRecord[]> {
  return db.datasets.orderBy('createdAt').reverse().toArray();
}

export async function getDataset(db: StudioDb, id: number): Promise<DatasetRecord | undefined> {
  return db.datasets.get(id);
}

/** All rows of a dataset, in file order. */
export async function loadRows(db: StudioDb, datasetId: number): Promise<StoredRows> {
  const chunks: RowChunkRecord[] = await db.rows.where('[datasetId+chunk]').between([datasetId, 0], [datasetId, Infinity]).toArray();
  const rows: Record<string, unknown>[] = [];
  const rowNumbers: number[] = [];
  for (const c of chunks) {
    rows.push(...c.rows);
    rowNumbers.push(...c.rowNumbers);
  }
  return { rows, rowNumbers };
}

/** How many rows the preview table shows. */
export const PREVIEW_ROWS = 20;

/** The first `limit` rows, for the preview table (reads only the chunks it needs). */
export async function previewRows(db: StudioDb, datasetId: number, limit: number): Promise<Record<string, unknown>[]> {
  const need = Math.ceil(limit / ROWS_PER_CHUNK);
  const chunks = await db.rows.where('[datasetId+chunk]').between([datasetId, 0], [datasetId, need], true, false).toArray();
  return chunks.flatMap((c) => c.rows).slice(0, limit);
}

export async function updateDatasetSchema(db: StudioDb, id: number, schema: Schema): Promise<void> {
  await db.datasets.update(id, { schema });
}

/** Records that the dataset is a shipped sample (its training settings follow it). */
export async function markSample(db: StudioDb, id: number, sampleId: string): Promise<void> {
  await db.datasets.update(id, { sampleId });
}

/** Deletes the dataset, its rows and its versions (see versions.ts) in one transaction. */
export async function deleteDataset(db: StudioDb, id: number): Promise<void> {
  await db.transaction('rw', [db.datasets, db.rows, db.versions, db.versionRows], async () => {
    const versionIds = (await db.versions.where('datasetId').equals(id).primaryKeys()) as number[];
    await db.versionRows.where('versionId').anyOf(versionIds).delete();
    await db.versions.bulkDelete(versionIds);
    await db.rows.where('datasetId').equals(id).delete();
    await db.datasets.delete(id);
  });
}
