/** The model slices wired to the browser: the model and playground workers, IndexedDB, fetch. */
import type { ModelFiles } from '../core/types';
import { modelDb, type UserModelRecord } from '../storage/modelDb';
import { deleteUserModel, listUserModels, loadUserModelFiles, loadUserTokenizerFiles } from '../storage/userModels';
import type { Outcome } from '../workers/errors';
import { describeConfigInWorker, downloadInWorker, estimateInWorker, importFolderInWorker, measureRowsInWorker, startPlaygroundWorker } from '../workers/modelClients';
import { readDeviceFacts } from './deviceMemory';
import type { ModelDeps } from './modelDeps';
import { fetchModelFiles, fetchShippedTokenizer, type ModelEntry } from './models';

const ENDPOINT_KEY = 'finetune-studio.hub-endpoint';

export function entryFromRecord(r: UserModelRecord): ModelEntry {
  return { id: r.id, name: r.name, description: '', path: '', source: r.source, info: r.info, hub: r.hub };
}

export function recordFromEntry(e: ModelEntry): UserModelRecord {
  if (e.source !== 'files' && e.source !== 'hub') throw new Error(`${e.name} is not a model you brought`);
  if (!e.info) throw new Error(`${e.name} has not been checked yet`);
  return { id: e.id, name: e.name, source: e.source, createdAt: 0, info: e.info, hub: e.hub };
}

function mapOutcome<A, B>(o: Outcome<A>, f: (a: A) => B): Outcome<B> {
  return o.ok ? { ok: true, value: f(o.value) } : o;
}

function appUrl(path: string): string {
  return new URL(path, new URL(import.meta.env.BASE_URL, location.href)).href;
}

/** Shipped models come over HTTP; brought ones from this browser's storage. */
export async function fetchAnyModelFiles(entry: ModelEntry): Promise<ModelFiles> {
  if (entry.source === 'files' || entry.source === 'hub') return loadUserModelFiles(modelDb(), recordFromEntry(entry));
  return fetchModelFiles(entry);
}

/** The tokenizer files alone: a shipped model's over HTTP, a brought one's from storage. */
async function tokenizerFiles(entry: ModelEntry): Promise<ModelFiles | null> {
  if (entry.source === 'files' || entry.source === 'hub') return loadUserTokenizerFiles(modelDb(), recordFromEntry(entry));
  return fetchShippedTokenizer(entry);
}

/** A positive number from the page's query string (?largeBytes=1000 makes the size question easy to reach in tests). */
function queryNumber(name: string): number | undefined {
  const v = Number(new URLSearchParams(globalThis.location?.search ?? '').get(name));
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

async function describeShipped(entry: ModelEntry): ReturnType<ModelDeps['describeShipped']> {
  const folder = entry.path.replace(/\/?$/, '/');
  try {
    const res = await fetch(appUrl(`${folder}config.json`));
    if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) throw new Error(`${folder}config.json: HTTP ${res.status}`);
    const config = (await res.json()) as Record<string, unknown>;
    // The weights' size from a HEAD request, when the server tells it.
    const head = await fetch(appUrl(`${folder}model.safetensors`), { method: 'HEAD' }).catch(() => null);
    const length = Number(head?.ok ? head.headers.get('content-length') : NaN);
    return await describeConfigInWorker(config, Number.isFinite(length) && length > 0 ? length : null);
  } catch (e) {
    return { ok: false, error: { code: 'network', message: `Could not read ${entry.name}'s config.json: ${(e as Error).message}` } };
  }
}

export const browserModelDeps: ModelDeps = {
  async listUserModels() {
    return (await listUserModels(modelDb())).map(entryFromRecord);
  },
  async importFolder(files) {
    return mapOutcome(await importFolderInWorker(files), entryFromRecord);
  },
  async download(req, onProgress, confirmSize, signal) {
    return mapOutcome(await downloadInWorker(req, onProgress, confirmSize, signal), entryFromRecord);
  },
  deleteUserModel: (id) => deleteUserModel(modelDb(), id),
  describeShipped,
  estimate: estimateInWorker,
  tokenizerFiles,
  measureRows: measureRowsInWorker,
  deviceFacts: readDeviceFacts,
  startPlayground: startPlaygroundWorker,
  savedEndpoint: () => globalThis.localStorage?.getItem(ENDPOINT_KEY) ?? null,
  saveEndpoint: (endpoint) => globalThis.localStorage?.setItem(ENDPOINT_KEY, endpoint),
  largeBytes: queryNumber('largeBytes'),
};
