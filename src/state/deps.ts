/**
 * What the store needs from the outside world. The browser wires workers, IndexedDB
 * and fetch (browserDeps); tests wire in-process fakes, so the store's logic runs in Node.
 */
import type { BackendChoice } from '../core/backend';
import type { ModelFiles, ProgressEvent, TrainRequest } from '../core/types';
import type { StudioDb } from '../storage/db';
import type { StorageUsage } from '../storage/usage';
import type { Outcome } from '../workers/errors';
import type { ImportProgress, ImportSummary } from '../workers/importJob';
import type { StartOutcome } from '../workers/clients';
import type { Checkpointing } from '../workers/checkpointing';
import type { DataClient } from '../workers/dataClient';
import type { ModelDeps } from './modelDeps';
import type { ModelEntry } from './models';
import type { SampleEntry } from './samples';

export interface StudioDeps {
  db(): StudioDb;
  importFile(file: File, onProgress: (p: ImportProgress) => void, signal?: AbortSignal): Promise<Outcome<ImportSummary>>;
  startTraining(backend: BackendChoice, request: TrainRequest, onProgress: (e: ProgressEvent) => void, checkpointing?: Checkpointing): Promise<StartOutcome>;
  fetchModels(): Promise<ModelEntry[]>;
  fetchModelFiles(entry: ModelEntry): Promise<ModelFiles>;
  fetchSamples(): Promise<SampleEntry[]>;
  fetchSampleFile(entry: SampleEntry): Promise<File>;
  storageUsage(): Promise<StorageUsage | null>;
  /** Hands a finished file to the person (a download in the browser). */
  save(bytes: Uint8Array, fileName: string, mime: string): void;
  /** The data studio's engine (a worker in the browser); without it the data studio reports it is unavailable. */
  data?: DataClient;
  /** Bring-your-own-model and the playground (modelDeps.ts); without it those panels report they are unavailable. */
  models?: ModelDeps;
}
