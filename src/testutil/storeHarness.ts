/**
 * The studio store wired for tests: the model worker's work done in process, on fresh
 * fake-indexeddb databases (delete them with closeStoreDbs after each test).
 */
import 'fake-indexeddb/auto';
import { join } from 'node:path';
import { csv, labeledRows, utf8 } from '../core/data/test-builders';
import type { ModelFiles } from '../core/types';
import type { StudioDeps } from '../state/deps';
import type { DeviceFacts } from '../state/deviceMemory';
import type { ModelDeps } from '../state/modelDeps';
import { entryFromRecord, recordFromEntry } from '../state/modelWiring';
import { createStudioStore, type StudioStore } from '../state/store';
import { openDb, type StudioDb } from '../storage/db';
import { openModelDb, type ModelDb } from '../storage/modelDb';
import { deleteUserModel, listUserModels, loadUserModelFiles, loadUserTokenizerFiles } from '../storage/userModels';
import type { Outcome } from '../workers/errors';
import { importFile } from '../workers/importJob';
import { startTrainingInProcess } from '../workers/inProcess';
import { describeConfig, downloadHubModel, estimateMemory, importUploadedModel, toModelError } from '../workers/modelJob';
import { startPlaygroundInProcess } from '../workers/playgroundInProcess';
import { measureRows } from '../workers/rowLengthsJob';
import { FAKE_ENDPOINT, fakeHub, type FakeHub } from './fakeHub';
import { readFolder } from './node';

export const TINY = readFolder(join(__dirname, '../../e2e/fixtures/tiny-gpt2'));
export const BERT = { ...readFolder(join(__dirname, '../core/model/fixtures/bert-tiny')), ...readFolder(join(__dirname, '../core/tokenize/fixtures/wordpiece')) };
export const SHIPPED = { id: 'tiny', name: 'Tiny', description: 'test model', path: 'models/tiny' };
export const configOf = (files: ModelFiles) => JSON.parse(new TextDecoder().decode(files['config.json'])) as Record<string, unknown>;

let n = 0;
let open: { db: StudioDb; models: ModelDb } | null = null;

/** Deletes the databases `deps()` opened; for afterEach. */
export async function closeStoreDbs(): Promise<void> {
  await open?.db.delete();
  await open?.models.delete();
  open = null;
}

async function outcome<T>(work: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work };
  } catch (e) {
    return { ok: false, error: toModelError(e) };
  }
}

export interface Setup {
  hub?: FakeHub;
  facts?: DeviceFacts;
  largeBytes?: number;
  models?: Partial<ModelDeps>;
}

/** The store with the model worker's work done in process, on fresh databases. */
export function deps(setup: Setup = {}): StudioDeps & { modelDb: ModelDb } {
  open ??= { db: openDb(`models-store-${++n}`), models: openModelDb(`models-store-models-${n}`) };
  const { db, models: mdb } = open;
  const hub = setup.hub ?? fakeHub({ 'org/tiny': TINY, 'org/bert': BERT });
  const models: ModelDeps = {
    listUserModels: async () => (await listUserModels(mdb)).map(entryFromRecord),
    importFolder: async (files) => {
      const out = await outcome(importUploadedModel(mdb, files));
      return out.ok ? { ok: true, value: entryFromRecord(out.value) } : out;
    },
    download: async (req, onProgress, confirmSize, signal) => {
      const out = await outcome(downloadHubModel(mdb, req, { fetch: hub.fetch, onProgress, confirmSize, signal }));
      return out.ok ? { ok: true, value: entryFromRecord(out.value) } : out;
    },
    deleteUserModel: (id) => deleteUserModel(mdb, id),
    describeShipped: async () => ({ ok: true, value: describeConfig(configOf(TINY), 150_000) }),
    estimate: async (req) => outcome(Promise.resolve().then(() => estimateMemory(req))),
    tokenizerFiles: async (entry) =>
      entry.source === 'files' || entry.source === 'hub'
        ? loadUserTokenizerFiles(mdb, recordFromEntry(entry))
        : { 'tokenizer.json': TINY['tokenizer.json'], 'tokenizer_config.json': TINY['tokenizer_config.json'] },
    measureRows: async (req, onProgress) => outcome(measureRows(db, req, onProgress)),
    deviceFacts: async () => setup.facts ?? { deviceMemoryGB: 8, jsHeapLimit: null, gpu: null },
    startPlayground: startPlaygroundInProcess,
    savedEndpoint: () => FAKE_ENDPOINT,
    saveEndpoint: () => undefined,
    largeBytes: setup.largeBytes,
    ...setup.models,
  };
  return {
    db: () => db,
    modelDb: mdb,
    importFile: async (file, onProgress) => ({ ok: true, value: await importFile(db, file, onProgress) }),
    startTraining: startTrainingInProcess,
    fetchModels: async () => [SHIPPED],
    fetchModelFiles: async (entry) => (entry.source === 'files' || entry.source === 'hub' ? loadUserModelFiles(mdb, recordFromEntry(entry)) : { ...TINY }),
    fetchSamples: async () => [],
    fetchSampleFile: async () => new File([], 'x'),
    storageUsage: async () => null,
    save: () => undefined,
    models,
  };
}

export async function ready(d: StudioDeps): Promise<StudioStore> {
  const store = createStudioStore(d);
  await store.getState().init();
  return store;
}

export const reviews = () => new File([utf8(csv(['text', 'label'], labeledRows(24)))], 'reviews.csv');
export const bertFolder = () => Object.entries(BERT).map(([name, bytes]) => ({ path: `bert-tiny/${name}`, file: new Blob([bytes as BlobPart]) }));
