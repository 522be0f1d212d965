/**
 * Dataset versions made in the data studio and their rows. A version lands whole (record and every
 * row chunk in one transaction) or not at all, like an import; dropping a version drops the versions
 * made from it too, so no version ever points at a missing parent.
 */
import type { DataRow } from '../core/data/rows';
import type { StudioDb, VersionRecord, VersionRowChunkRecord } from './db';

export const VERSION_ROWS_PER_CHUNK = 1000;

/** What the caller decides; the store picks the id and the name ("v3"). */
export type NewVersion = Omit<VersionRecord, 'id' | 'name' | 'rowCount'>;

export class VersionError extends Error {
  constructor(
    readonly code: 'no-dataset' | 'no-parent' | 'no-version',
    message: string,
  ) {
    super(message);
    this.name = 'VersionError';
  }
}

/** The next free "vN" among a dataset's versions (numbers are not reused while a higher one exists). */
export function nextVersionName(existing: readonly Pick<VersionRecord, 'name'>[]): string {
  const n = existing.reduce((m, v) => Math.max(m, Number(/^v(\d+)$/.exec(v.name)?.[1] ?? 0)), 0);
  return `v${n + 1}`;
}

export async function saveVersion(db: StudioDb, meta: NewVersion, rows: DataRow[], onProgress?: (fraction: number) => void): Promise<VersionRecord> {
  try {
    return await store(db, meta, rows, onProgress);
  } catch (e) {
    // Dexie rethrows an error thrown inside a transaction as a copy that keeps the original as `inner`.
    const inner = (e as { inner?: unknown }).inner;
    throw inner instanceof VersionError ? inner : e;
  }
}

function store(db: StudioDb, meta: NewVersion, rows: DataRow[], onProgress?: (fraction: number) => void): Promise<VersionRecord> {
  return db.transaction('rw', [db.datasets, db.versions, db.versionRows], async () => {
    if (!(await db.datasets.get(meta.datasetId))) throw new VersionError('no-dataset', `dataset ${meta.datasetId} no longer exists`);
    const siblings = await db.versions.where('datasetId').equals(meta.datasetId).toArray();
    if (meta.parentId !== null && !siblings.some((v) => v.id === meta.parentId)) {
      throw new VersionError('no-parent', `the parent version ${meta.parentId} no longer exists`);
    }
    const record = { ...meta, name: nextVersionName(siblings), rowCount: rows.length };
    const id = (await db.versions.add(record as VersionRecord)) as number;
    const chunks = Math.ceil(rows.length / VERSION_ROWS_PER_CHUNK);
    for (let c = 0; c < chunks; c++) {
      await db.versionRows.add({ versionId: id, chunk: c, rows: rows.slice(c * VERSION_ROWS_PER_CHUNK, (c + 1) * VERSION_ROWS_PER_CHUNK) });
      onProgress?.((c + 1) / chunks);
    }
    return { ...record, id };
  });
}

/** A dataset's versions, oldest first. */
export async function listVersions(db: StudioDb, datasetId: number): Promise<VersionRecord[]> {
  const versions = await db.versions.where('datasetId').equals(datasetId).toArray();
  return versions.sort((a, b) => a.id - b.id);
}

export async function getVersion(db: StudioDb, id: number): Promise<VersionRecord | undefined> {
  return db.versions.get(id);
}

/** All rows of a version, in order. */
export async function loadVersionRows(db: StudioDb, versionId: number): Promise<DataRow[]> {
  const chunks: VersionRowChunkRecord[] = await db.versionRows.where('[versionId+chunk]').between([versionId, 0], [versionId, Infinity]).toArray();
  if (chunks.length === 0 && !(await db.versions.get(versionId))) throw new VersionError('no-version', `version ${versionId} no longer exists`);
  return chunks.flatMap((c) => c.rows);
}

/** The version and every version made from it, directly or not (ids of `versions`). */
export function withDescendants(versions: readonly Pick<VersionRecord, 'id' | 'parentId'>[], id: number): number[] {
  const out = [id];
  for (let k = 0; k < out.length; k++) for (const v of versions) if (v.parentId === out[k]) out.push(v.id);
  return out;
}

/** Drops a version and its descendants in one transaction; returns the ids dropped. */
export async function deleteVersion(db: StudioDb, id: number): Promise<number[]> {
  return db.transaction('rw', [db.versions, db.versionRows], async () => {
    const version = await db.versions.get(id);
    if (!version) return [];
    const ids = withDescendants(await db.versions.where('datasetId').equals(version.datasetId).toArray(), id);
    await db.versionRows.where('versionId').anyOf(ids).delete();
    await db.versions.bulkDelete(ids);
    return ids;
  });
}
