/**
 * Importing one dataset file: read -> decode -> parse -> detect columns -> check every
 * row -> store (one transaction). Runs inside import.worker.ts so a 50 MB file never
 * blocks the page; kept apart from the worker shell so Node tests can drive it.
 */
import { detectSchema, toExamples, type Schema } from '../core/data/detect';
import { DatasetError } from '../core/data/errors';
import { readDataset } from '../core/data/parquet';
import { formatFromFileName, type ParsedDataset } from '../core/data/parse';
import type { DatasetRecord, ImportIssues, StudioDb } from '../storage/db';
import { importDataset, PREVIEW_ROWS } from '../storage/datasets';

export type ImportStage = 'reading' | 'decoding' | 'parsing' | 'checking' | 'storing' | 'done';

export interface ImportProgress {
  stage: ImportStage;
  /** 0..1 over the whole import. */
  fraction: number;
}

export interface ImportSummary {
  dataset: DatasetRecord;
  preview: Record<string, unknown>[];
}

/** A file as the worker sees it: a Blob with a name (File fits). */
export interface NamedBlob {
  name: string;
  size: number;
  slice(start?: number, end?: number): Blob;
}

/** Largest file the studio reads; above this the tab would run out of memory first. */
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;
const READ_CHUNK = 4 * 1024 * 1024;

// Fractions of the bar for each stage (reading dominates on large files).
const SPAN: Record<Exclude<ImportStage, 'done'>, [number, number]> = {
  reading: [0, 0.35],
  decoding: [0.35, 0.45],
  parsing: [0.45, 0.7],
  checking: [0.7, 0.8],
  storing: [0.8, 1],
};

async function readAll(file: NamedBlob, report: (f: number) => void): Promise<Uint8Array> {
  const out = new Uint8Array(file.size);
  for (let at = 0; at < file.size; at += READ_CHUNK) {
    const part = new Uint8Array(await file.slice(at, Math.min(file.size, at + READ_CHUNK)).arrayBuffer());
    out.set(part, at);
    report(Math.min(1, (at + part.length) / file.size));
  }
  return out;
}

/**
 * Every row must map under the detected columns before anything is stored. A value of the wrong
 * shape (a list where text belongs, a malformed chat) refuses the file. An empty or missing value
 * does not: the row is stored and counted, so the data studio can show and drop it (training on
 * the unclean rows still stops at it, naming it). A file where no row maps is refused.
 */
function checkRows(parsed: ParsedDataset, schema: Schema, file: string): ImportIssues | undefined {
  const where = { file, rowNumbers: parsed.rowNumbers, rowUnit: parsed.rowUnit };
  try {
    toExamples(parsed.rows, schema, where);
    return undefined;
  } catch (e) {
    if (!(e instanceof DatasetError) || e.code !== 'missing-value') throw e;
  }
  let first: DatasetError | undefined;
  let rows = 0;
  parsed.rows.forEach((row, i) => {
    try {
      toExamples([row], schema, { ...where, rowNumbers: [parsed.rowNumbers[i]] });
    } catch (e) {
      if (!(e instanceof DatasetError) || e.code !== 'missing-value') throw e;
      first ??= e;
      rows++;
    }
  });
  if (!first) return undefined;
  if (rows === parsed.rows.length) throw first;
  return { rows, first: { row: first.row ?? 0, field: first.field, message: first.message } };
}

export async function importFile(db: StudioDb, file: NamedBlob, onProgress?: (p: ImportProgress) => void): Promise<ImportSummary> {
  let last = -1;
  const report = (stage: ImportStage, within: number) => {
    if (stage === 'done') return onProgress?.({ stage, fraction: 1 });
    const [a, b] = SPAN[stage];
    const fraction = a + (b - a) * within;
    // Only tell the page about visible movement: thousands of messages would cost more than they show.
    if (fraction - last < 0.01 && within !== 0 && within !== 1) return;
    last = fraction;
    onProgress?.({ stage, fraction });
  };

  const format = formatFromFileName(file.name);
  if (file.size > MAX_IMPORT_BYTES) {
    throw new DatasetError({ file: file.name, code: 'format' }, `the file is ${(file.size / 1e6).toFixed(0)} MB; the studio reads files up to ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
  }
  report('reading', 0);
  const bytes = await readAll(file, (f) => report('reading', f));
  report('decoding', 0);
  // Text is decoded and parsed, Parquet read, by the same entry point the CLI uses.
  const parsed = await readDataset(bytes, file.name);
  report('parsing', 1);
  report('checking', 0);
  const schema: Schema = detectSchema(parsed.columns, parsed.rows, { file: file.name });
  const issues = checkRows(parsed, schema, file.name);
  report('storing', 0);
  const dataset = await importDataset(
    db,
    {
      name: file.name.replace(/\.[^.]+$/, ''),
      fileName: file.name,
      format: parsed.format,
      columns: parsed.columns,
      rowUnit: parsed.rowUnit,
      bytes: file.size,
      schema,
      createdAt: Date.now(),
      ...(issues && { issues }),
    },
    { rows: parsed.rows, rowNumbers: parsed.rowNumbers },
    (f) => report('storing', f),
  );
  report('done', 1);
  return { dataset, preview: parsed.rows.slice(0, PREVIEW_ROWS) };
}
