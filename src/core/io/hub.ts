/**
 * Downloading a model folder from the Hugging Face Hub (or a mirror) the way
 * transformers.js does: every file is `${endpoint}/${repo}/resolve/${revision}/${file}`.
 *
 * Large files stream into one preallocated buffer, their partial bytes go to the
 * cache (at doubling sizes, so a 2 GB file is written at most about twice in all) and
 * a later attempt resumes with `Range: bytes=N-`. A finished folder is recorded in a
 * manifest, so asking again for the same repo and revision is answered from the cache
 * without touching the network. Pure `fetch`, no DOM: runs in Node, workers and pages.
 */
import type { ModelFiles } from '../types';
import { HubError } from './hubErrors';
import { formatBytes } from '../format';
import { cachedSize, DEFAULT_ENDPOINT, DEFAULT_LARGE_BYTES, fileUrl, getFile, INDEX, OPTIONAL_FILES, probe, report, TOKENIZER, WEIGHTS, type Ctx } from './hubFetch';
import { badRepo, parseRepoParts, REVISION } from './hubRepo';
export { HubError, type HubErrorCode } from './hubErrors';
export { parseRepoId } from './hubRepo';

export interface HubProgress {
  file: string;
  loaded: number;
  total: number | null;
  /** Bytes of the whole folder so far (cached and resumed bytes count as loaded). */
  overallLoaded: number;
  /** Known once the weight sizes are known (after the small files); null before or when a size is unknown. */
  overallTotal: number | null;
}

export interface HubOptions {
  /** Default 'https://huggingface.co'; files are `${endpoint}/${repo}/resolve/${revision}/${file}`. */
  endpoint?: string;
  /** Default 'main'; an "@rev" in the repo id wins over this. */
  revision?: string;
  fetch?: typeof fetch;
  /** Where finished and partial files live; default: a fresh MemoryCache (no reuse across calls). */
  cache?: BlobCache;
  signal?: AbortSignal;
  onProgress?: (p: HubProgress) => void;
  /** Called with the total size before any large download starts; return false to abort (the UI asks the person). */
  confirmSize?: (bytes: number, files: { name: string; size: number | null }[]) => Promise<boolean> | boolean;
  /** Threshold for confirmSize, default 200 MB. */
  largeBytes?: number;
  /** Checks config.json before any weight is fetched (e.g. the app passes the architecture registry's lookup). */
  checkConfig?: (config: Record<string, unknown>) => void;
  /** Attempts after a dropped connection or a 5xx, each resuming where the last stopped; default 3. */
  retries?: number;
}

/**
 * Byte storage for downloads. Keys are the file URLs. `putPartial` may be handed a view
 * whose buffer keeps growing afterwards (only past the view's end), so an adapter that
 * keeps the bytes in memory should copy them; IndexedDB and the Cache API copy anyway.
 */
export interface BlobCache {
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  getPartial(key: string): Promise<Uint8Array | null>;
  putPartial(key: string, bytes: Uint8Array): Promise<void>;
  deletePartial(key: string): Promise<void>;
}

export class MemoryCache implements BlobCache {
  readonly files = new Map<string, Uint8Array>();
  readonly partials = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | null> {
    return this.files.get(key) ?? null;
  }
  async put(key: string, bytes: Uint8Array): Promise<void> {
    this.files.set(key, bytes);
  }
  async getPartial(key: string): Promise<Uint8Array | null> {
    return this.partials.get(key) ?? null;
  }
  async putPartial(key: string, bytes: Uint8Array): Promise<void> {
    this.partials.set(key, bytes.slice());
  }
  async deletePartial(key: string): Promise<void> {
    this.partials.delete(key);
  }
}

// ---- the folder ------------------------------------------------------------------

function parseJson(ctx: Ctx, file: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new HubError('bad-repo', `${ctx.repo}: ${file} is not valid JSON (${(e as Error).message})`, { repo: ctx.repo, file });
  }
}

/** Shard names from an index, checked: a hostile index must not send us to other paths. */
function shardNames(ctx: Ctx, bytes: Uint8Array): string[] {
  const index = parseJson(ctx, INDEX, bytes) as { weight_map?: unknown };
  const map = index?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new HubError('bad-repo', `${ctx.repo}: ${INDEX} has no "weight_map"`, { repo: ctx.repo, file: INDEX });
  }
  const names = [...new Set(Object.values(map as Record<string, unknown>))];
  for (const n of names) {
    if (typeof n !== 'string' || !/^[\w.-]+\.safetensors$/.test(n) || n.includes('..')) {
      throw new HubError('bad-repo', `${ctx.repo}: ${INDEX} lists a shard named ${JSON.stringify(n)}, which is not a safetensors file name`, { repo: ctx.repo, file: INDEX });
    }
  }
  if (names.length === 0) throw new HubError('bad-repo', `${ctx.repo}: ${INDEX} lists no shards`, { repo: ctx.repo, file: INDEX });
  return names as string[];
}

interface WeightFile {
  name: string;
  size: number | null;
}

/** Which weight files the repo has, and their sizes, without downloading them. */
async function planWeights(ctx: Ctx): Promise<WeightFile[]> {
  const single = await cachedSize(ctx, WEIGHTS);
  if (single !== null) return [{ name: WEIGHTS, size: single }];
  const head = await probe(ctx, WEIGHTS);
  if (head.exists) return [{ name: WEIGHTS, size: head.size }];
  const index = await getFile(ctx, INDEX, false);
  if (index) {
    const out: WeightFile[] = [];
    for (const name of shardNames(ctx, index)) {
      const size = await cachedSize(ctx, name);
      if (size !== null) {
        out.push({ name, size });
        continue;
      }
      const p = await probe(ctx, name);
      if (!p.exists) throw new HubError('not-found', `${ctx.repo}: ${INDEX} lists ${name}, but it was not found (HTTP 404)`, { repo: ctx.repo, file: name, status: 404 });
      out.push({ name, size: p.size });
    }
    return out;
  }
  for (const bin of ['pytorch_model.bin', 'pytorch_model.bin.index.json']) {
    if ((await probe(ctx, bin)).exists) {
      throw new HubError(
        'not-found',
        `${ctx.repo}: has only PyTorch weights (${bin}); the studio reads safetensors — pick a checkpoint that ships model.safetensors (many do under a "refs/pr" revision or a "-safetensors" copy)`,
        { repo: ctx.repo, file: WEIGHTS, status: 404 },
      );
    }
  }
  throw new HubError('not-found', `${ctx.repo}: ${WEIGHTS} was not found (HTTP 404), nor ${INDEX} — check the model id`, { repo: ctx.repo, file: WEIGHTS, status: 404 });
}

function manifestKey(ctx: Ctx): string {
  return `hub-manifest:${ctx.endpoint}/${ctx.repo}@${ctx.revision}`;
}

/** The whole folder from the cache when a finished download recorded it; null otherwise. */
async function fromCache(ctx: Ctx): Promise<ModelFiles | null> {
  const raw = await ctx.cache.get(manifestKey(ctx));
  if (!raw) return null;
  let names: unknown;
  try {
    names = (JSON.parse(new TextDecoder().decode(raw)) as { files?: unknown }).files;
  } catch {
    return null;
  }
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) return null;
  const files: ModelFiles = {};
  for (const name of names as string[]) {
    const bytes = await ctx.cache.get(fileUrl(ctx, name));
    if (!bytes) return null;
    ctx.have.set(name, bytes);
    files[name] = bytes;
  }
  ctx.overallTotal = Object.values(files).reduce((s, b) => s + b.length, 0);
  for (const [name, bytes] of Object.entries(files)) report(ctx, name, bytes.length, bytes.length);
  return files;
}

/** Repo, revision and endpoint as a download names them (and keys its cache with). */
function hubRef(repoId: string, opts: { revision?: string; endpoint?: string }): { repo: string; revision: string; endpoint: string } {
  const parsed = parseRepoParts(repoId);
  return { repo: parsed.repo, revision: parsed.revision ?? opts.revision ?? 'main', endpoint: (opts.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '') };
}

/**
 * Some files of a repo a finished download cached, read from the cache alone (no network,
 * no weights): the tokenizer files for measuring rows, say. Missing names are left out.
 */
export async function cachedHubFiles(repoId: string, opts: { revision?: string; endpoint?: string; cache: BlobCache }, names: string[]): Promise<ModelFiles> {
  const ref = hubRef(repoId, opts);
  const files: ModelFiles = {};
  for (const name of names) {
    const bytes = await opts.cache.get(fileUrl(ref, name));
    if (bytes) files[name] = bytes;
  }
  return files;
}

/**
 * config.json, tokenizer files, then the weights (one file or an index and its shards),
 * confirming large sizes first. Small files come before the weights so a repo that
 * cannot work (no tokenizer, unsupported config) fails before gigabytes move.
 */
export async function downloadModel(repoId: string, opts: HubOptions = {}): Promise<ModelFiles> {
  const ctx: Ctx = {
    ...hubRef(repoId, opts),
    fetch: opts.fetch ?? globalThis.fetch.bind(globalThis),
    cache: opts.cache ?? new MemoryCache(),
    signal: opts.signal,
    onProgress: opts.onProgress,
    retries: Math.max(0, opts.retries ?? 3),
    have: new Map(),
    counted: new Map(),
    overall: 0,
    overallTotal: null,
  };
  if (!REVISION.test(ctx.revision)) throw badRepo(`${ctx.repo}@${ctx.revision}`, `"${ctx.revision}" is not a valid revision`);
  const cached = await fromCache(ctx);
  if (cached) return cached;

  const files: ModelFiles = {};
  const config = (await getFile(ctx, 'config.json', true))!;
  const json = parseJson(ctx, 'config.json', config);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new HubError('bad-repo', `${ctx.repo}: config.json is not a JSON object`, { repo: ctx.repo, file: 'config.json' });
  }
  opts.checkConfig?.(json as Record<string, unknown>);
  files['config.json'] = config;

  const tokenizer = await getFile(ctx, TOKENIZER, false);
  if (!tokenizer) {
    throw new HubError('not-found', `${ctx.repo}: ${TOKENIZER} was not found (HTTP 404) — the studio needs a fast tokenizer file; pick a checkpoint that ships one`, {
      repo: ctx.repo,
      file: TOKENIZER,
      status: 404,
    });
  }
  files[TOKENIZER] = tokenizer;
  for (const name of OPTIONAL_FILES) {
    const bytes = await getFile(ctx, name, false);
    if (bytes) files[name] = bytes;
  }

  const plan = await planWeights(ctx);
  if (ctx.have.has(INDEX)) files[INDEX] = ctx.have.get(INDEX)!;
  ctx.overallTotal = plan.every((f) => f.size !== null) ? plan.reduce((sum, f) => sum + f.size!, ctx.overall) : null;
  const toFetch = plan.filter((f) => !ctx.have.has(f.name));
  const bytes = toFetch.reduce((s, f) => s + (f.size ?? 0), 0);
  if (opts.confirmSize && bytes > (opts.largeBytes ?? DEFAULT_LARGE_BYTES)) {
    if (!(await opts.confirmSize(bytes, toFetch.map((f) => ({ ...f }))))) {
      throw new HubError('too-large-declined', `${ctx.repo}: the ${formatBytes(bytes)} download was declined`, { repo: ctx.repo });
    }
  }
  for (const { name } of plan) files[name] = (await getFile(ctx, name, true))!;

  await ctx.cache.put(manifestKey(ctx), new TextEncoder().encode(JSON.stringify({ files: Object.keys(files) })));
  return files;
}
