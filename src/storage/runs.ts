/** Training runs, their per-step metrics and the model files they produced. */
import type { ModelFiles, ProgressEvent } from '../core/types';
import type { FileFolder, MetricRecord, Resumable, RunRecord, StudioDb } from './db';

export type NewRun = Omit<RunRecord, 'id'>;

export async function createRun(db: StudioDb, run: NewRun): Promise<RunRecord> {
  const id = await db.runs.add(run as RunRecord);
  return { ...run, id };
}

export async function updateRun(db: StudioDb, id: number, changes: Partial<Omit<RunRecord, 'id'>>): Promise<void> {
  await db.runs.update(id, changes);
}

export async function listRuns(db: StudioDb): Promise<RunRecord[]> {
  return db.runs.orderBy('createdAt').reverse().toArray();
}

export async function addMetrics(db: StudioDb, runId: number, events: ProgressEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.metrics.bulkPut(events.map((e) => ({ ...e, runId })));
}

export async function loadMetrics(db: StudioDb, runId: number): Promise<ProgressEvent[]> {
  const rows: MetricRecord[] = await db.metrics.where('[runId+step]').between([runId, -Infinity], [runId, Infinity]).toArray();
  return rows.map(({ runId: _runId, ...e }) => e);
}

/** Stores the run's output folders as blobs, and its final status, in one transaction. */
export async function saveRunOutputs(
  db: StudioDb,
  runId: number,
  outputs: { model: ModelFiles; adapter?: ModelFiles },
  changes: Partial<Omit<RunRecord, 'id'>>,
): Promise<void> {
  const records = [
    ...Object.entries(outputs.model).map(([name, bytes]) => ({ runId, folder: 'model' as FileFolder, name, blob: new Blob([bytes as BlobPart]) })),
    ...Object.entries(outputs.adapter ?? {}).map(([name, bytes]) => ({ runId, folder: 'adapter' as FileFolder, name, blob: new Blob([bytes as BlobPart]) })),
  ];
  await db.transaction('rw', db.files, db.runs, db.checkpoints, async () => {
    await db.files.where('runId').equals(runId).delete();
    await db.files.bulkAdd(records);
    // The run is over: its checkpoint has nothing left to resume.
    await db.checkpoints.delete(runId);
    await db.runs.update(runId, { ...changes, resumable: undefined });
  });
}

/** Replaces the run's checkpoint and records where it was taken, in one transaction. */
export async function saveCheckpoint(db: StudioDb, runId: number, bytes: Uint8Array, at: Omit<Resumable, 'savedAt'>): Promise<Resumable> {
  const resumable = { ...at, savedAt: Date.now() };
  await db.transaction('rw', db.checkpoints, db.runs, async () => {
    await db.checkpoints.put({ runId, blob: new Blob([bytes as BlobPart]) });
    await db.runs.update(runId, { resumable });
  });
  return resumable;
}

export async function loadCheckpoint(db: StudioDb, runId: number): Promise<Uint8Array | null> {
  const record = await db.checkpoints.get(runId);
  return record ? new Uint8Array(await record.blob.arrayBuffer()) : null;
}

export async function deleteCheckpoint(db: StudioDb, runId: number): Promise<void> {
  await db.transaction('rw', db.checkpoints, db.runs, async () => {
    await db.checkpoints.delete(runId);
    await db.runs.update(runId, { resumable: undefined });
  });
}

/** Drops a run's metrics after `step`: a resumed run records them again from its checkpoint. */
export async function trimMetrics(db: StudioDb, runId: number, step: number): Promise<void> {
  await db.metrics.where('[runId+step]').between([runId, step], [runId, Infinity], false, true).delete();
}

export interface RunFiles {
  model: ModelFiles;
  adapter?: ModelFiles;
}

export async function loadRunFiles(db: StudioDb, runId: number): Promise<RunFiles | null> {
  const records = await db.files.where('runId').equals(runId).toArray();
  if (records.length === 0) return null;
  const out: RunFiles = { model: {} };
  for (const r of records) {
    const bytes = new Uint8Array(await r.blob.arrayBuffer());
    if (r.folder === 'adapter') (out.adapter ??= {})[r.name] = bytes;
    else out.model[r.name] = bytes;
  }
  return out;
}

export async function hasRunFiles(db: StudioDb, runId: number): Promise<boolean> {
  return (await db.files.where('runId').equals(runId).count()) > 0;
}

export async function deleteRun(db: StudioDb, id: number): Promise<void> {
  await db.transaction('rw', db.runs, db.metrics, db.files, db.checkpoints, async () => {
    await db.metrics.where('runId').equals(id).delete();
    await db.files.where('runId').equals(id).delete();
    await db.checkpoints.delete(id);
    await db.runs.delete(id);
  });
}

/**
 * A page reload kills the worker, so a run still marked running or paused when the
 * app starts cannot go on; mark it interrupted so the list tells the truth.
 */
export async function markInterruptedRuns(db: StudioDb): Promise<number> {
  return db.runs
    .filter((r) => r.status === 'running' || r.status === 'paused')
    .modify((r) => {
      r.status = 'interrupted';
      r.message = `The page was closed or reloaded while this run was training.${r.resumable ? ` ${resumeHint(r.resumable)}` : ''}`;
    });
}

/** What a kept checkpoint offers, as a person reads it. */
export function resumeHint(r: Resumable): string {
  return `It was saved at step ${r.step} of ${r.totalSteps}: Resume goes on from there.`;
}
