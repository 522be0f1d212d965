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

export type HubErrorCode = 'not-found' | 'gated' | 'network' | 'aborted' | 'too-large-declined' | 'bad-repo' | 'http';

export class HubError extends Error {
  readonly code: HubErrorCode;
  readonly repo?: string;
  readonly file?: string;
  readonly status?: number;

  constructor(code: HubErrorCode, message: string, extra: { repo?: string; file?: string; status?: number; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'HubError';
    this.code = code;
    this.repo = extra.repo;
    this.file = extra.file;
    this.status = extra.status;
  }
}

// ---- repo ids ---------------------------------------------------------------

const HUB_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);
/** The Hub's rule for user, org and repo names: word characters, '-' and '.', no '--' or '..', not starting or ending with '-' or '.'. */
const NAME = /^(?![-.])(?!.*--)(?!.*\.\.)[\w.-]{1,96}(?<![-.])$/;
const REVISION = /^(?!.*\.\.)[\w.\-/]{1,200}$/;

function badRepo(input: string, why: string): HubError {
  const shown = input.length > 80 ? `${input.slice(0, 80)}…` : input;
  return new HubError('bad-repo', `"${shown}" is not a model id: ${why}. Enter "org/name" (e.g. openai-community/gpt2), optionally with "@revision", or a huggingface.co link.`);
}

function splitRepo(input: string, parts: string[]): string {
  if (parts.length === 0 || parts.length > 2) throw badRepo(input, `expected one or two names separated by "/", found ${parts.length}`);
  const bad = parts.find((p) => !NAME.test(p));
  if (bad !== undefined) throw badRepo(input, `"${bad}" is not a valid name (letters, digits, "-", "_" and "." only)`);
  return parts.join('/');
}

/** Repo and explicit revision (null when the id names none). */
function parseRepoParts(raw: string): { repo: string; revision: string | null } {
  const input = String(raw ?? '').trim();
  if (!input) throw badRepo(input, 'it is empty');
  let text = input;
  if (/^(hf\.co|(www\.)?huggingface\.co)\//i.test(text)) text = `https://${text}`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw badRepo(input, 'the link cannot be read');
    }
    if (!HUB_HOSTS.has(url.hostname.toLowerCase())) {
      throw badRepo(input, `links must point to huggingface.co, not ${url.hostname} (for a mirror, set the Hub address and enter org/name)`);
    }
    const segs = url.pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    if (segs[0] === 'datasets' || segs[0] === 'spaces') throw badRepo(input, `that is a ${segs[0].slice(0, -1)}, not a model`);
    // /org/name[/(tree|blob|resolve)/<rev>[/file...]]; a bare /name is a legacy root model.
    const marker = segs.findIndex((s) => s === 'tree' || s === 'blob' || s === 'resolve' || s === 'commit');
    const repoSegs = marker === -1 ? segs : segs.slice(0, marker);
    const revision = marker === -1 ? null : (segs[marker + 1] ?? null);
    const repo = splitRepo(input, repoSegs);
    if (revision !== null && !REVISION.test(revision)) throw badRepo(input, `"${revision}" is not a valid revision`);
    return { repo, revision };
  }
  if (/\s/.test(text)) throw badRepo(input, 'it contains spaces');
  const at = text.indexOf('@');
  const revision = at === -1 ? null : text.slice(at + 1);
  const name = at === -1 ? text : text.slice(0, at);
  if (revision !== null && !REVISION.test(revision)) throw badRepo(input, `"${revision}" after "@" is not a valid revision`);
  return { repo: splitRepo(input, name.split('/')), revision };
}

/** Accepts "org/name", "name", "org/name@rev" and huggingface.co links (…/tree/<rev> too); junk is a bad-repo HubError. */
export function parseRepoId(input: string): { repo: string; revision: string } {
  const { repo, revision } = parseRepoParts(input);
  return { repo, revision: revision ?? 'main' };
}

// ---- requests ----------------------------------------------------------------

const DEFAULT_ENDPOINT = 'https://huggingface.co';
const DEFAULT_LARGE_BYTES = 200_000_000;
const WEIGHTS = 'model.safetensors';
const INDEX = 'model.safetensors.index.json';
const TOKENIZER = 'tokenizer.json';
const OPTIONAL_FILES = ['tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json'];
/** First partial save after this many bytes, then each time the file has doubled. */
const FIRST_PARTIAL_SAVE = 8 * 1024 * 1024;
const PROGRESS_BYTES = 256 * 1024;
const PROGRESS_MS = 100;

interface Ctx {
  repo: string;
  revision: string;
  endpoint: string;
  fetch: typeof fetch;
  cache: BlobCache;
  signal?: AbortSignal;
  onProgress?: (p: HubProgress) => void;
  retries: number;
  /** Finished files already read from the cache, so none is read (and held) twice. */
  have: Map<string, Uint8Array>;
  /** Per-file bytes counted in `overall`. */
  counted: Map<string, number>;
  overall: number;
  overallTotal: number | null;
}

/** A failure worth another attempt (a dropped connection, a 5xx). */
class Retry extends Error {
  constructor(readonly error: HubError) {
    super(error.message);
  }
}

function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${Math.round(n / 1e6)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} KB`;
  return `${n} bytes`;
}

function fileUrl(ctx: Ctx, file: string): string {
  return `${ctx.endpoint}/${ctx.repo}/resolve/${encodeURIComponent(ctx.revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

function describeCause(e: unknown): string {
  const err = e as { message?: string; cause?: { message?: string; code?: string } };
  const cause = err?.cause?.message ?? err?.cause?.code;
  return [err?.message, cause].filter(Boolean).join(': ') || String(e);
}

function abortedError(ctx: Ctx, file: string): HubError {
  return new HubError('aborted', `${ctx.repo}: download of ${file} was cancelled`, { repo: ctx.repo, file });
}

function networkError(ctx: Ctx, file: string, what: string, cause?: unknown): HubError {
  return new HubError('network', `${ctx.repo}: ${file} could not be downloaded (${what}) — check the connection and the Hub address`, {
    repo: ctx.repo,
    file,
    cause,
  });
}

async function send(ctx: Ctx, file: string, init: RequestInit): Promise<Response> {
  if (ctx.signal?.aborted) throw abortedError(ctx, file);
  try {
    return await ctx.fetch(fileUrl(ctx, file), { ...init, redirect: 'follow', signal: ctx.signal });
  } catch (e) {
    if (ctx.signal?.aborted) throw abortedError(ctx, file);
    throw new Retry(networkError(ctx, file, `network error: ${describeCause(e)}`, e));
  }
}

function discard(res: Response): void {
  res.body?.cancel().catch(() => undefined);
}

/** The Hub's answer for a failed request, in words a person can act on. */
function statusError(ctx: Ctx, file: string, res: Response): HubError {
  const { status } = res;
  const code = res.headers.get('x-error-code');
  const extra = { repo: ctx.repo, file, status };
  if (code === 'RepoNotFound') {
    return new HubError('not-found', `${ctx.repo} was not found on the Hub (HTTP ${status}) — check the model id (private models need a token, which the studio does not use)`, extra);
  }
  if (code === 'RevisionNotFound') {
    return new HubError('not-found', `${ctx.repo}: revision "${ctx.revision}" was not found (HTTP ${status}) — check the branch, tag or commit`, extra);
  }
  if (status === 401 || status === 403) {
    return new HubError(
      'gated',
      `${ctx.repo}: ${file} needs a Hugging Face token (HTTP ${status}) — the model is gated or private, and using it means signing in and accepting its licence on the Hub, which the studio does not do; pick an open model or upload its files`,
      extra,
    );
  }
  if (status === 404) return new HubError('not-found', `${ctx.repo}: ${file} was not found (HTTP 404) — check the model id`, extra);
  return new HubError('http', `${ctx.repo}: ${file} failed with HTTP ${status}${res.statusText ? ` ${res.statusText}` : ''}`, extra);
}

function intHeader(res: Response, name: string): number | null {
  const v = res.headers.get(name);
  if (v === null || !/^\d+$/.test(v.trim())) return null;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : null;
}

/** Content-Length when it is the length of the body we read (not of a compressed transfer). */
function bodyLength(res: Response): number | null {
  const enc = res.headers.get('content-encoding');
  if (enc && enc.toLowerCase() !== 'identity') return null;
  return intHeader(res, 'content-length');
}

function contentRange(res: Response): { start: number | null; total: number | null } | null {
  const m = /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/i.exec(res.headers.get('content-range')?.trim() ?? '');
  if (!m) return null;
  return { start: m[1] === undefined ? null : Number(m[1]), total: m[2] === '*' ? null : Number(m[2]) };
}

/**
 * HEAD: does the file exist, and how large is it. The Hub answers LFS files with a
 * redirect carrying X-Linked-Size; fetch follows it, and either that header or the
 * final Content-Length gives the size.
 */
async function probe(ctx: Ctx, file: string): Promise<{ exists: boolean; size: number | null }> {
  const res = await withRetries(ctx, async () => {
    const r = await send(ctx, file, { method: 'HEAD' });
    discard(r);
    if (r.status >= 500 && r.status !== 501) throw new Retry(statusError(ctx, file, r));
    return r;
  });
  if (res.ok) return { exists: true, size: intHeader(res, 'x-linked-size') ?? bodyLength(res) };
  if (res.status === 404 && res.headers.get('x-error-code') !== 'RepoNotFound' && res.headers.get('x-error-code') !== 'RevisionNotFound') {
    return { exists: false, size: null };
  }
  // A server without HEAD: assume the file is there and let the GET decide.
  if (res.status === 405 || res.status === 501) return { exists: true, size: null };
  throw statusError(ctx, file, res);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function withRetries<T>(ctx: Ctx, attempt: () => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof Retry)) throw e;
      if (n >= ctx.retries || ctx.signal?.aborted) throw ctx.signal?.aborted ? abortedError(ctx, e.error.file ?? '') : e.error;
      await sleep(200 * 2 ** n, ctx.signal);
    }
  }
}

// ---- streaming one file ---------------------------------------------------------

function report(ctx: Ctx, file: string, loaded: number, total: number | null): void {
  ctx.overall += loaded - (ctx.counted.get(file) ?? 0);
  ctx.counted.set(file, loaded);
  ctx.onProgress?.({ file, loaded, total, overallLoaded: ctx.overall, overallTotal: ctx.overallTotal });
}

/** Bytes of one file, preallocated when the length is known so the file is held once. */
class Sink {
  buf: Uint8Array;
  length = 0;
  constructor(capacity: number, readonly exact: boolean) {
    this.buf = new Uint8Array(capacity);
  }
  push(chunk: Uint8Array): boolean {
    const need = this.length + chunk.length;
    if (need > this.buf.length) {
      if (this.exact) return false;
      const grown = new Uint8Array(Math.max(need, this.buf.length * 2, 64 * 1024));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(chunk, this.length);
    this.length = need;
    return true;
  }
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
  bytes(): Uint8Array {
    return this.length === this.buf.length ? this.buf : this.buf.slice(0, this.length);
  }
}

async function finish(ctx: Ctx, key: string, bytes: Uint8Array, hadPartial: boolean): Promise<Uint8Array> {
  await ctx.cache.put(key, bytes);
  if (hadPartial) await ctx.cache.deletePartial(key);
  return bytes;
}

/** One attempt at a file: resume from the cached partial when there is one. Null: an optional file that does not exist. */
async function downloadOnce(ctx: Ctx, file: string, key: string, required: boolean): Promise<Uint8Array | null> {
  let partial = await ctx.cache.getPartial(key);
  if (partial && partial.length === 0) partial = null;
  const startedWithPartial = partial !== null;
  let res = await send(ctx, file, partial ? { headers: { Range: `bytes=${partial.length}-` } } : {});
  const restart = async () => {
    discard(res);
    await ctx.cache.deletePartial(key);
    partial = null;
    res = await send(ctx, file, {});
  };
  if (partial && res.status === 416) {
    // Nothing past the partial: it is the whole file when the server's total says so.
    const total = contentRange(res)?.total;
    if (total === partial.length) {
      discard(res);
      report(ctx, file, total, total);
      return finish(ctx, key, partial, true);
    }
    await restart();
  }
  if (partial && res.status === 206) {
    // A range that does not continue our bytes (or a file now shorter than them): the file changed.
    const cr = contentRange(res);
    if ((cr?.start != null && cr.start !== partial.length) || (cr?.total != null && cr.total < partial.length)) await restart();
  }

  if (!res.ok) {
    discard(res);
    if (res.status === 404 && !required && res.headers.get('x-error-code') !== 'RepoNotFound') return null;
    const err = statusError(ctx, file, res);
    if (res.status >= 500) throw new Retry(err);
    throw err;
  }

  let sink: Sink;
  let total: number | null;
  if (res.status === 206 && partial) {
    const length = bodyLength(res);
    total = contentRange(res)?.total ?? (length === null ? null : partial.length + length);
    sink = new Sink(total ?? partial.length + 64 * 1024, total !== null);
    sink.push(partial);
  } else {
    // A 200 to a range request means the server ignored it: start over. The Content-Length
    // of a 200 is checked against a short body, but a longer one is kept (a proxy may recompress).
    total = bodyLength(res);
    sink = new Sink(total ?? 64 * 1024, false);
  }
  partial = null;

  let saved = sink.length;
  const savePartial = async () => {
    if (sink.length > saved) {
      await ctx.cache.putPartial(key, sink.view());
      saved = sink.length;
    }
  };
  let lastBytes = sink.length;
  let lastTime = Date.now();
  report(ctx, file, sink.length, total);

  if (!res.body) {
    sink.push(new Uint8Array(await res.arrayBuffer()));
  } else {
    const reader = res.body.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        await savePartial();
        if (ctx.signal?.aborted) throw abortedError(ctx, file);
        throw new Retry(networkError(ctx, file, `the connection dropped after ${formatBytes(sink.length)}${total === null ? '' : ` of ${formatBytes(total)}`}: ${describeCause(e)}`, e));
      }
      if (chunk.done) break;
      if (!sink.push(chunk.value)) {
        reader.cancel().catch(() => undefined);
        await ctx.cache.deletePartial(key);
        throw new Retry(networkError(ctx, file, `the server sent more than the ${formatBytes(total ?? 0)} it announced`));
      }
      if (ctx.signal?.aborted) {
        reader.cancel().catch(() => undefined);
        await savePartial();
        throw abortedError(ctx, file);
      }
      const now = Date.now();
      if (sink.length - lastBytes >= PROGRESS_BYTES || now - lastTime >= PROGRESS_MS) {
        report(ctx, file, sink.length, total);
        lastBytes = sink.length;
        lastTime = now;
      }
      if (sink.length - saved >= Math.max(FIRST_PARTIAL_SAVE, saved)) await savePartial();
    }
  }
  if (total !== null && sink.length < total) {
    await savePartial();
    throw new Retry(networkError(ctx, file, `the download ended after ${formatBytes(sink.length)} of ${formatBytes(total)}`));
  }
  const bytes = sink.bytes();
  report(ctx, file, bytes.length, bytes.length);
  return finish(ctx, key, bytes, startedWithPartial || saved > 0);
}

/** A file from the cache or the network (with retries that resume). */
async function getFile(ctx: Ctx, file: string, required: boolean): Promise<Uint8Array | null> {
  const key = fileUrl(ctx, file);
  const known = ctx.have.get(file) ?? (await ctx.cache.get(key));
  if (known) {
    ctx.have.set(file, known);
    report(ctx, file, known.length, known.length);
    return known;
  }
  const bytes = await withRetries(ctx, () => downloadOnce(ctx, file, key, required));
  if (bytes) ctx.have.set(file, bytes);
  return bytes;
}

async function cachedSize(ctx: Ctx, file: string): Promise<number | null> {
  const hit = ctx.have.get(file) ?? (await ctx.cache.get(fileUrl(ctx, file)));
  if (!hit) return null;
  ctx.have.set(file, hit);
  return hit.length;
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

/**
 * config.json, tokenizer files, then the weights (one file or an index and its shards),
 * confirming large sizes first. Small files come before the weights so a repo that
 * cannot work (no tokenizer, unsupported config) fails before gigabytes move.
 */
export async function downloadModel(repoId: string, opts: HubOptions = {}): Promise<ModelFiles> {
  const parsed = parseRepoParts(repoId);
  const ctx: Ctx = {
    repo: parsed.repo,
    revision: parsed.revision ?? opts.revision ?? 'main',
    endpoint: (opts.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, ''),
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
