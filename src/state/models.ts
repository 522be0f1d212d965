/**
 * Base models shipped with the app: listed in public/models/index.json, each a folder
 * in Hugging Face layout. Adding a model is adding an entry.
 */
import { TOKENIZER_FILE, TOKENIZER_FILES } from '../core/tokenize/files';
import type { ModelFiles } from '../core/types';
import type { HubRef, ModelInfo, ModelSource } from '../storage/modelDb';

export interface ModelEntry {
  id: string;
  name: string;
  description: string;
  /** Folder URL relative to the app, e.g. "models/starter-gpt2". */
  path: string;
  /** Extra files of the folder to fetch (e.g. "generation_config.json"); the HF basics are always fetched. */
  files?: string[];
  /** Shipped with the app (the default), or brought by the person: uploaded files or a Hub download. */
  source?: 'shipped' | ModelSource;
  /** Family, size, parameters, tasks, LoRA targets: known for brought models, read on demand for shipped ones. */
  info?: ModelInfo;
  hub?: HubRef;
}

const REQUIRED = ['config.json', 'model.safetensors', 'tokenizer.json'];
const OPTIONAL = ['tokenizer_config.json'];

function appUrl(path: string): string {
  return new URL(path, new URL(import.meta.env.BASE_URL, location.href)).href;
}

function isEntry(v: unknown): v is ModelEntry {
  const o = v as Record<string, unknown>;
  return typeof o === 'object' && o !== null && ['id', 'name', 'path'].every((k) => typeof o[k] === 'string');
}

export async function fetchModelManifest(): Promise<ModelEntry[]> {
  const res = await fetch(appUrl('models/index.json'), { cache: 'no-cache' });
  if (!res.ok) throw new Error(`models/index.json: HTTP ${res.status}`);
  const list: unknown = await res.json();
  if (!Array.isArray(list)) throw new Error('models/index.json must be a JSON array of {id, name, description, path}');
  return list.filter(isEntry).map((e) => ({ ...e, description: e.description ?? '', files: Array.isArray(e.files) ? e.files.filter((f) => typeof f === 'string') : undefined }));
}

/** Fetches files of a shipped model folder: the required ones must exist, optional ones are skipped when absent. */
async function fetchFolder(entry: ModelEntry, required: string[], optional: string[]): Promise<ModelFiles> {
  const folder = entry.path.replace(/\/?$/, '/');
  const files: ModelFiles = {};
  const get = async (name: string, isRequired: boolean) => {
    const res = await fetch(appUrl(folder + name));
    // A dev server answers unknown paths with index.html; that is not a model file either.
    const missing = !res.ok || (res.headers.get('content-type') ?? '').includes('text/html');
    if (missing) {
      if (isRequired) throw new Error(`The base model "${entry.name}" is missing ${name} (${res.ok ? 'not found' : `HTTP ${res.status}`} at ${folder}${name}).`);
      return;
    }
    files[name] = new Uint8Array(await res.arrayBuffer());
  };
  await Promise.all([...required.map((n) => get(n, true)), ...optional.map((n) => get(n, false))]);
  return files;
}

/** Fetches a shipped model folder. */
export async function fetchModelFiles(entry: ModelEntry): Promise<ModelFiles> {
  const extra = (entry.files ?? []).filter((n) => !REQUIRED.includes(n) && !OPTIONAL.includes(n));
  return fetchFolder(entry, REQUIRED, [...OPTIONAL, ...extra]);
}

/** A shipped model's tokenizer files alone, without its weights. */
export async function fetchShippedTokenizer(entry: ModelEntry): Promise<ModelFiles> {
  return fetchFolder(entry, [TOKENIZER_FILE], TOKENIZER_FILES.filter((n) => n !== TOKENIZER_FILE));
}
