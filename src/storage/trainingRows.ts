/**
 * The rows a run trains on, read from the database: the chosen data-studio version's
 * training and validation splits (its test rows stay out), or the imported rows read with
 * the column mapping. One function for the page (starting a run) and the row-length worker
 * (measuring rows in tokens before a run), so both see the same rows.
 */
import { toExamples, type Schema } from '../core/data/detect';
import { trainingExamples } from '../core/data/rows';
import type { Example } from '../core/types';
import { loadRows } from './datasets';
import type { DatasetRecord, StudioDb, VersionRecord } from './db';
import { loadVersionRows } from './versions';

export interface TrainingRows {
  name: string;
  versionId: number | null;
  train: Example[];
  val?: Example[];
}

export async function loadTrainingRows(db: StudioDb, dataset: DatasetRecord, version: VersionRecord | undefined, schema: Schema = dataset.schema): Promise<TrainingRows> {
  if (!version) {
    const stored = await loadRows(db, dataset.id);
    return { name: dataset.name, versionId: null, train: toExamples(stored.rows, schema, { file: dataset.fileName, rowNumbers: stored.rowNumbers, rowUnit: dataset.rowUnit }) };
  }
  const { train, val } = trainingExamples(await loadVersionRows(db, version.id));
  if (train.length === 0) throw new Error(`${dataset.name} · ${version.name} has no training rows.`);
  return { name: `${dataset.name} · ${version.name}`, versionId: version.id, train, val };
}
