/**
 * The training rows measured in the chosen model's tokens before a run (rowLengths.worker.ts):
 * read from the database here, off the page's thread, with the same function a run uses.
 */
import type { Schema } from '../core/data/detect';
import { loadTokenizerFromFiles } from '../core/tokenize/tokenizer';
import { rowTokenLengths } from '../core/train/encode';
import type { ModelFiles, Task } from '../core/types';
import { getDataset } from '../storage/datasets';
import type { StudioDb } from '../storage/db';
import { loadTrainingRows } from '../storage/trainingRows';
import { getVersion } from '../storage/versions';

export interface RowLengthsRequest {
  datasetId: number;
  /** The data-studio version training would use, or null for the imported rows. */
  versionId: number | null;
  schema: Schema;
  task: Task;
  /** tokenizer.json and, when the folder has it, tokenizer_config.json. */
  tokenizer: ModelFiles;
  /** config.json's end token, for a tokenizer that names none. */
  eosTokenId: number | null;
}

/**
 * Rows measured at most: beyond this, an evenly spaced sample of this many. With the starter
 * tokenizer in Node on this 2-core machine, spam-sample rows (about 500 characters) took
 * 3.7 s for 10,000 and 20.6 s for 50,000.
 */
export const MAX_MEASURED_ROWS = 10_000;

/** Rows measured between two progress reports (about 0.2 s of e-mail-length rows). */
export const MEASURE_CHUNK = 500;

export interface RowLengths {
  /** The training and validation rows' lengths in tokens before cutting, longest first (a sample, when `sampledFrom` is set). */
  lengths: number[];
  /** Set when only a sample was measured: how many rows there are. */
  sampledFrom?: number;
  /** Plain text for a language model: long documents become windows of the maximum length, not cut rows. */
  windowed: boolean;
}

/** `onProgress` hears the share of rows measured after each chunk of `chunk` rows. */
export async function measureRows(
  db: StudioDb,
  req: RowLengthsRequest,
  onProgress?: (done: number) => void,
  maxRows = MAX_MEASURED_ROWS,
  chunk = MEASURE_CHUNK,
): Promise<RowLengths> {
  const dataset = await getDataset(db, req.datasetId);
  if (!dataset) throw new Error('the dataset is no longer in this browser');
  const version = req.versionId === null ? undefined : await getVersion(db, req.versionId);
  if (req.versionId !== null && !version) throw new Error('the data version is no longer in this browser');
  const { train, val } = await loadTrainingRows(db, dataset, version, req.schema);
  const all = val ? [...train, ...val] : train;
  const sampled = all.length > maxRows;
  const rows = sampled ? Array.from({ length: maxRows }, (_, i) => all[Math.floor((i * all.length) / maxRows)]) : all;
  const tok = loadTokenizerFromFiles(req.tokenizer);
  const eos = tok.eosTokenId ?? req.eosTokenId;
  // Each row is measured on its own, so chunks give the same lengths as one pass.
  const lengths: number[] = [];
  for (let i = 0; i < rows.length; i += chunk) {
    for (const n of rowTokenLengths(rows.slice(i, i + chunk), tok, req.task, eos)) lengths.push(n);
    onProgress?.(Math.min(1, (i + chunk) / rows.length));
  }
  return {
    lengths: lengths.sort((a, b) => b - a),
    ...(sampled && { sampledFrom: all.length }),
    windowed: req.task === 'lm' && rows.every((e) => e.kind === 'text' || e.kind === 'labeled'),
  };
}
