/**
 * Hub requests and streaming one file: URLs, HTTP status and header handling, retries,
 * and the Sink that streams a body into one buffer, saves partial bytes to the cache
 * and resumes with a Range request.
 */
import { HubError } from './hubErrors';
import type { BlobCache, HubOptions, HubProgress } from './hub';
import { formatBytes } from '../format';

// ---- requests ----------------------------------------------------------------

export const DEFAULT_ENDPOINT = 'https://huggingface.co';
export const DEFAULT_LARGE_BYTES = 200_000_000;
export const WEIGHTS = 'model.safetensors';
export const INDEX = 'model.safetensors.index.json';
export const TOKENIZER = 'tokenizer.json';
export const OPTIONAL_FILES = ['tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json'];
/** First partial save after this many bytes, then each time the file has doubled. */
const FIRST_PARTIAL_SAVE = 8 * 1024 * 1024;
const PROGRESS_BYTES = 256 * 1024;
const PROGRESS_MS = 100;

export interface Ctx {
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

export function fileUrl(ctx: Pick<Ctx, 'endpoint' | 'repo' | 'revision'>, file: string): string {
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
export async function probe(ctx: Ctx, file: string): Promise<{ exists: boolean; size: number | null }> {
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

export function report(ctx: Ctx, file: string, loaded: number, total: number | null): void {
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
export async function getFile(ctx: Ctx, file: string, required: boolean): Promise<Uint8Array | null> {
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

export async function cachedSize(ctx: Ctx, file: string): Promise<number | null> {
  const hit = ctx.have.get(file) ?? (await ctx.cache.get(fileUrl(ctx, file)));
  if (!hit) return null;
  ctx.have.set(file, hit);
  return hit.length;
}
