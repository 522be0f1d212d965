/**
 * The model store: a database of its own beside the studio's (db.ts). Model files are
 * large and cache-like, so they live apart from datasets and runs: Hub downloads
 * (finished and partial files, keyed by URL, see modelCache.ts) and the models a person
 * brought (see userModels.ts). Dropping this database never touches datasets or runs.
 */
import Dexie, { type EntityTable, type Table } from 'dexie';
import type { Task } from '../core/types';

/** What the studio knows about a model folder, read once when it is loaded. */
export interface ModelInfo {
  /** config.json's model_type: gpt2, llama, bert. */
  family: string;
  /** Tasks the family can be trained for (bert: classification only). */
  tasks: Task[];
  /** LoRA targets in PEFT's module-name form; `default` is what a run adapts unless told otherwise. */
  loraTargets: { default: string[]; all: string[] };
  /** Parameters of the body and LM head (a classification head is not counted). */
  params: number;
  /** Bytes of the folder's files; null when unknown (a shipped model before it is fetched). */
  bytes: number | null;
  /** Classes of a classification head in the weights, else null. */
  labels: string[] | null;
  layers: number;
  hiddenSize: number;
  vocabSize: number;
  maxPositions: number;
  /** config.json as read, for memory estimates (the worker re-derives the architecture from it). */
  config: Record<string, unknown>;
}

export type ModelSource = 'files' | 'hub';

export interface HubRef {
  repo: string;
  revision: string;
  /** Without a trailing slash, as hub.ts normalises it. */
  endpoint: string;
}

export interface UserModelRecord {
  /** "files:<random>" for uploads, "hub:<endpoint>/<repo>@<revision>" for downloads (one record per repo). */
  id: string;
  name: string;
  source: ModelSource;
  createdAt: number;
  info: ModelInfo;
  /** Where a Hub model came from; its files stay in the download cache (one copy). */
  hub?: HubRef;
}

/** A file of an uploaded model folder. */
export interface ModelFileRecord {
  modelId: string;
  name: string;
  blob: Blob;
}

/** A finished or partial download, keyed by its URL (or hub.ts's manifest key). */
export interface CachedBlobRecord {
  key: string;
  blob: Blob;
  size: number;
  savedAt: number;
}

export type ModelDb = Dexie & {
  models: EntityTable<UserModelRecord, 'id'>;
  files: Table<ModelFileRecord, [string, string]>;
  blobs: Table<CachedBlobRecord, string>;
  partials: Table<CachedBlobRecord, string>;
};

export const MODEL_DB_NAME = 'finetune-studio-models';

export function openModelDb(name = MODEL_DB_NAME): ModelDb {
  const db = new Dexie(name) as ModelDb;
  db.version(1).stores({
    models: 'id, createdAt',
    files: '[modelId+name], modelId',
    blobs: 'key',
    partials: 'key',
  });
  return db;
}

let shared: ModelDb | null = null;

/** The app's model database, opened once per thread (page or worker). */
export function modelDb(): ModelDb {
  shared ??= openModelDb();
  return shared;
}

export async function blobBytes(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}
