/**
 * Models a person brought: uploaded folders (their files stored here, in one transaction
 * with the record) and Hub downloads (only the record; the files stay in the download
 * cache, so a model is held once).
 */
import { cachedHubFiles, downloadModel, HubError } from '../core/io/hub';
import { TOKENIZER_FILE, TOKENIZER_FILES } from '../core/tokenize/files';
import type { ModelFiles } from '../core/types';
import { DexieBlobCache } from './modelCache';
import { blobBytes, type HubRef, type ModelDb, type UserModelRecord } from './modelDb';

export async function listUserModels(db: ModelDb): Promise<UserModelRecord[]> {
  return db.models.orderBy('createdAt').toArray();
}

export function hubModelId(ref: HubRef): string {
  return `hub:${ref.endpoint}/${ref.repo}@${ref.revision}`;
}

/** An uploaded folder: the record and every file land together or not at all. */
export async function saveUploadedModel(db: ModelDb, model: UserModelRecord, files: ModelFiles): Promise<void> {
  await db.transaction('rw', db.models, db.files, async () => {
    await db.files.where('modelId').equals(model.id).delete();
    await db.files.bulkAdd(Object.entries(files).map(([name, bytes]) => ({ modelId: model.id, name, blob: new Blob([bytes as BlobPart]) })));
    await db.models.put(model);
  });
}

/** A downloaded repo: its record (the same repo loaded again replaces it). */
export async function saveHubModel(db: ModelDb, model: UserModelRecord): Promise<void> {
  await db.models.put(model);
}

function refuseNetwork(): Promise<Response> {
  return Promise.reject(new Error('offline read'));
}

/** The folder of a model a person brought, read back from this browser's storage (never the network). */
export async function loadUserModelFiles(db: ModelDb, model: UserModelRecord): Promise<ModelFiles> {
  if (model.source === 'hub' && model.hub) {
    const { repo, revision, endpoint } = model.hub;
    try {
      return await downloadModel(repo, { revision, endpoint, cache: new DexieBlobCache(db), fetch: refuseNetwork, retries: 0 });
    } catch (e) {
      if (!(e instanceof HubError) || e.code !== 'network') throw e;
      throw new Error(`${model.name}: its downloaded files are no longer in this browser's storage — load ${repo} from the Hub again`);
    }
  }
  const records = await db.files.where('modelId').equals(model.id).toArray();
  if (records.length === 0) throw new Error(`${model.name}: its files are no longer in this browser's storage — load the folder again`);
  const files: ModelFiles = {};
  for (const r of records) files[r.name] = await blobBytes(r.blob);
  return files;
}

/** A brought model's tokenizer files without its weights (for measuring rows); null when they are not stored. */
export async function loadUserTokenizerFiles(db: ModelDb, model: UserModelRecord): Promise<ModelFiles | null> {
  let files: ModelFiles = {};
  if (model.source === 'hub' && model.hub) {
    const { repo, revision, endpoint } = model.hub;
    files = await cachedHubFiles(repo, { revision, endpoint, cache: new DexieBlobCache(db) }, TOKENIZER_FILES);
  } else {
    const records = await db.files.where('modelId').equals(model.id).filter((r) => TOKENIZER_FILES.includes(r.name)).toArray();
    for (const r of records) files[r.name] = await blobBytes(r.blob);
  }
  return files[TOKENIZER_FILE] ? files : null;
}

/** Removes the record and its bytes (an upload's files, or a download's cached files). */
export async function deleteUserModel(db: ModelDb, id: string): Promise<void> {
  const model = await db.models.get(id);
  await db.transaction('rw', db.models, db.files, async () => {
    await db.files.where('modelId').equals(id).delete();
    await db.models.delete(id);
  });
  if (model?.hub) await new DexieBlobCache(db).deleteRepo(model.hub);
}
