/**
 * The studio's IndexedDB schema (Dexie). This folder is the only code that touches
 * IndexedDB; the page and the workers call the functions in datasets.ts and runs.ts.
 */
import Dexie, { type EntityTable, type Table } from 'dexie';
import type { DatasetFormat, RowUnit } from '../core/data/parse';
import type { Schema } from '../core/data/detect';
import type { BackendChoice, BackendName } from '../core/backend';
import type { Hyperparams, Method, ProgressEvent, StopReason, Task } from '../core/types';
import type { DataRow } from '../core/data/rows';
import type { DataRecipe, DatasetStats } from '../core/data/versions';
import type { HeldOutReport } from '../core/eval/heldout';

export interface DatasetRecord {
  id: number;
  name: string;
  fileName: string;
  format: DatasetFormat;
  columns: string[];
  rowCount: number;
  rowUnit: RowUnit;
  /** Size of the uploaded file in bytes. */
  bytes: number;
  /** Column mapping: detected on import, adjustable later. */
  schema: Schema;
  createdAt: number;
  /** Rows with an empty mapped value: imported (cleaning drops them), counted here so the page can say so. */
  issues?: ImportIssues;
  /** The shipped sample it was added from ("Try a sample"): its training settings follow it. */
  sampleId?: string;
}

export interface ImportIssues {
  rows: number;
  /** The first such row, as a message naming its row and field. */
  first: { row: number; field?: string; message: string };
}

/**
 * A dataset version (the data studio): its parent's rows put through `recipe` (see core/data/versions.ts).
 * The rows are stored too, so opening or training on a version never recomputes it.
 */
export interface VersionRecord {
  id: number;
  datasetId: number;
  /** null: the parent is the imported dataset itself. */
  parentId: number | null;
  /** "v1", "v2"… within the dataset. */
  name: string;
  recipe: DataRecipe;
  /** The column mapping the imported rows were read with, so the version can be rebuilt after a remap. */
  schema: Schema;
  createdAt: number;
  rowCount: number;
  stats: DatasetStats;
}

export interface VersionRowChunkRecord {
  versionId: number;
  chunk: number;
  rows: DataRow[];
}

/** Rows are stored in chunks: one IndexedDB record per few hundred rows keeps imports fast. */
export interface RowChunkRecord {
  datasetId: number;
  chunk: number;
  rows: Record<string, unknown>[];
  /** Where each row is in the file (see core/data/parse.ts), for error messages. */
  rowNumbers: number[];
}

export type RunStatus = 'running' | 'paused' | 'completed' | 'stopped' | 'failed' | 'interrupted';

export interface RunFinal {
  steps: number;
  /** Time spent training (a resumed run's pause while the page was closed is not counted); absent in older runs. */
  trainMs?: number;
  trainLoss?: number;
  valLoss?: number;
  valAccuracy?: number;
  perplexity?: number;
  stopReason?: StopReason;
  /** The rows as encoded: how many were cut to the maximum length (absent in older runs). */
  data?: { rows: number; cut: number; longest: number; maxLength: number };
}

/** A held-out evaluation of a run's model (the playground's Evaluate), the latest per set of rows. */
export interface RunEvaluation {
  /** What was scored, e.g. "spam · v1, test split". */
  on: string;
  rows: number;
  at: number;
  accuracy?: number;
  macroF1?: number;
  perplexity?: number;
  exactMatch?: number;
  tokenF1?: number;
  /** A classifier's bag-of-words baseline on the same rows (trained on the run's training rows). */
  bowAccuracy?: number;
  bowMacroF1?: number;
  /** The whole report, shown again when the run is loaded (absent in evaluations saved before reports were kept). */
  report?: HeldOutReport;
}

/** Where a run's last checkpoint was saved (the checkpoint's bytes are in the checkpoints table). */
export interface Resumable {
  step: number;
  totalSteps: number;
  savedAt: number;
}

export interface RunRecord {
  id: number;
  name: string;
  createdAt: number;
  finishedAt?: number;
  datasetId: number;
  datasetName: string;
  /** The data studio version trained on (null: the imported rows); absent in runs from before versions were recorded. */
  versionId?: number | null;
  /** The column mapping the imported rows were read with (absent in runs from before it was recorded). */
  schema?: Schema;
  modelId: string;
  modelName: string;
  task: Task;
  method: Method;
  backendChoice: BackendChoice;
  /** The backend that actually ran. */
  backend?: BackendName;
  hyperparams: Hyperparams;
  status: RunStatus;
  message?: string;
  totalSteps?: number;
  final?: RunFinal;
  evaluations?: RunEvaluation[];
  /** Set while a checkpoint is kept: an interrupted or failed run can go on from it. */
  resumable?: Resumable;
}

/** A training checkpoint (core/train/checkpoint.ts), one per run, replaced as the run goes on. */
export interface CheckpointRecord {
  runId: number;
  blob: Blob;
}

export interface MetricRecord extends ProgressEvent {
  runId: number;
}

export type FileFolder = 'model' | 'adapter';

export interface FileRecord {
  runId: number;
  folder: FileFolder;
  name: string;
  blob: Blob;
}

export type StudioDb = Dexie & {
  datasets: EntityTable<DatasetRecord, 'id'>;
  rows: Table<RowChunkRecord, [number, number]>;
  runs: EntityTable<RunRecord, 'id'>;
  metrics: Table<MetricRecord, [number, number]>;
  files: Table<FileRecord, [number, string, string]>;
  versions: EntityTable<VersionRecord, 'id'>;
  versionRows: Table<VersionRowChunkRecord, [number, number]>;
  checkpoints: EntityTable<CheckpointRecord, 'runId'>;
};

export const DB_NAME = 'finetune-studio';

export function openDb(name = DB_NAME): StudioDb {
  const db = new Dexie(name) as StudioDb;
  db.version(1).stores({
    datasets: '++id, createdAt',
    rows: '[datasetId+chunk], datasetId',
    runs: '++id, createdAt, datasetId',
    metrics: '[runId+step], runId',
    files: '[runId+folder+name], runId',
  });
  // Data studio: dataset versions and their rows.
  db.version(2).stores({
    versions: '++id, datasetId, parentId',
    versionRows: '[versionId+chunk], versionId',
  });
  // Resumable training: each run's latest checkpoint.
  db.version(3).stores({ checkpoints: 'runId' });
  return db;
}

let shared: StudioDb | null = null;

/** The app's database, opened once per thread (page or worker). */
export function db(): StudioDb {
  shared ??= openDb();
  return shared;
}
