/** The rows an evaluation reads from storage: a test split's, or a dataset's imported rows. */
import { toExamples, type Schema } from '../core/data/detect';
import { rowsToExamples, type DataRow } from '../core/data/rows';
import type { Example } from '../core/types';
import { loadRows, type StoredRows } from '../storage/datasets';
import type { DatasetRecord, StudioDb } from '../storage/db';
import { loadVersionRows } from '../storage/versions';

/** Stored rows, read at most once each by one evaluation. */
export interface RowReader {
  version(id: number): Promise<DataRow[]>;
  imported(datasetId: number): Promise<StoredRows>;
}

/** Reads each stored table once, however many parts of one evaluation (its rows, the baselines' rows) ask for it. */
export function rowReader(db: StudioDb): RowReader {
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    if (!memo.has(key)) memo.set(key, read());
    return memo.get(key) as Promise<T>;
  };
  return {
    version: (id) => once(`version:${id}`, () => loadVersionRows(db, id)),
    imported: (id) => once(`imported:${id}`, () => loadRows(db, id)),
  };
}

/**
 * The rows of an evaluation source (`test:<version>` or `all:<dataset>`) as examples, with
 * their row ids (the dataset's row numbers); imported rows are read with `schema` when given.
 */
export async function sourceRows(key: string, datasets: DatasetRecord[], read: RowReader, schema?: Schema): Promise<{ examples: Example[]; ids: number[] }> {
  const [kind, id] = [key.slice(0, key.indexOf(':')), Number(key.slice(key.indexOf(':') + 1))];
  if (kind === 'test') {
    const rows = (await read.version(id)).filter((r) => r.split === 'test');
    return { examples: rowsToExamples(rows), ids: rows.map((r) => r.id) };
  }
  const dataset = datasets.find((d) => d.id === id);
  if (!dataset) throw new Error('That dataset is no longer here.');
  const stored = await read.imported(dataset.id);
  return { examples: toExamples(stored.rows, schema ?? dataset.schema, { file: dataset.fileName, rowNumbers: stored.rowNumbers, rowUnit: dataset.rowUnit }), ids: stored.rowNumbers };
}
