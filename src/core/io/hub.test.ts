import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { initBackend } from '../backend';
import { readFolder } from '../../testutil/node';
import type { ModelFiles } from '../types';
import { disposeModel, loadModel } from './hf';
import { HubError, MemoryCache, downloadModel, parseRepoId, type HubOptions, type HubProgress } from './hub';
import { parseSafetensors, serializeSafetensors, type TensorToWrite } from './safetensors';

// ---- fixtures -----------------------------------------------------------------

const tiny = readFolder(join(__dirname, '../model/fixtures/gpt2-tiny'));
const tok = readFolder(join(__dirname, '../tokenize/fixtures/byte-bpe'));
const enc = new TextEncoder();

/** gpt2-tiny as the Hub holds it: config, weights and tokenizer files. */
function tinyRepo(): ModelFiles {
  return { 'config.json': tiny['config.json'], 'model.safetensors': tiny['model.safetensors'], ...tok };
}

/** gpt2-tiny's tensors split over two shards with an index, as transformers' save_pretrained(max_shard_size) writes them. */
function shardedRepo(): ModelFiles {
  const st = parseSafetensors(tiny['model.safetensors']);
  const shards = [new Map<string, TensorToWrite>(), new Map<string, TensorToWrite>()];
  st.names.forEach((name, i) => shards[i < st.names.length / 2 ? 0 : 1].set(name, { shape: st.info(name).shape, data: st.getFloat32(name) }));
  const names = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  const weightMap: Record<string, string> = {};
  shards.forEach((m, i) => m.forEach((_, t) => (weightMap[t] = names[i])));
  const bytes = shards.map((m) => serializeSafetensors(m));
  const index = { metadata: { total_size: bytes[0].length + bytes[1].length }, weight_map: weightMap };
  return {
    'config.json': tiny['config.json'],
    'model.safetensors.index.json': enc.encode(JSON.stringify(index)),
    [names[0]]: bytes[0],
    [names[1]]: bytes[1],
    ...tok,
  };
}

// ---- a small Hub ----------------------------------------------------------------

interface Repo {
  files: ModelFiles;
  /** Every request answers this status (e.g. 401 for a gated repo) with this X-Error-Code. */
  status?: number;
  errorCode?: string;
  /** The first full GET of these files sends half the bytes, then drops the connection. */
  drop?: Set<string>;
  /** The first full GET of these files sends half the bytes, then waits until the client goes away. */
  stall?: Set<string>;
}

interface Logged {
  method: string;
  path: string;
  range: string | null;
}

const repos: Record<string, Repo> = {
  'test-org/tiny': { files: tinyRepo() },
  'test-org/sharded': { files: shardedRepo() },
  'test-org/no-tokenizer': { files: { 'config.json': tiny['config.json'], 'model.safetensors': tiny['model.safetensors'] } },
  'test-org/no-config': { files: { 'model.safetensors': tiny['model.safetensors'], ...tok } },
  'test-org/pytorch-only': { files: { 'config.json': tiny['config.json'], 'pytorch_model.bin': new Uint8Array(1000), ...tok } },
  'test-org/gated': { files: tinyRepo(), status: 401, errorCode: 'GatedRepo' },
  'test-org/flaky': { files: tinyRepo(), drop: new Set(['model.safetensors']) },
  'test-org/slow': { files: tinyRepo(), stall: new Set(['model.safetensors']) },
};

const log: Logged[] = [];
const served = new Set<string>();
let stalled: () => void = () => undefined;
let server: Server;
let endpoint = '';

const LFS = /\.(safetensors|bin)$/;

function sendBytes(req: IncomingMessage, res: ServerResponse, repo: Repo, file: string, bytes: Uint8Array): void {
  const size = bytes.length;
  res.setHeader('Accept-Ranges', 'bytes');
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (req.method === 'HEAD') {
    res.writeHead(200, { 'Content-Length': size }).end();
    return;
  }
  if (range) {
    const start = Number(range[1]);
    const end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start >= size) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
    res.end(bytes.subarray(start, end + 1));
    return;
  }
  const key = `${req.url}`;
  const half = Math.floor(size / 2);
  if (repo.drop?.has(file) && !served.has(key)) {
    served.add(key);
    res.writeHead(200, { 'Content-Length': size });
    // Give the client time to read the first half before the connection goes.
    res.write(bytes.subarray(0, half), () => setTimeout(() => res.socket?.destroy(), 300));
    return;
  }
  if (repo.stall?.has(file) && !served.has(key)) {
    served.add(key);
    res.writeHead(200, { 'Content-Length': size });
    res.write(bytes.subarray(0, half), () => setTimeout(stalled, 200));
    return;
  }
  res.writeHead(200, { 'Content-Length': size }).end(bytes);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  log.push({ method: req.method ?? '', path, range: req.headers.range ?? null });
  const cdn = /^\/cdn\/([^/]+\/[^/]+)\/(.+)$/.exec(path);
  if (cdn) {
    const repo = repos[cdn[1]];
    const bytes = repo?.files[cdn[2]];
    if (!bytes) return void res.writeHead(404).end();
    return sendBytes(req, res, repo, cdn[2], bytes);
  }
  const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
  if (!m) return void res.writeHead(404).end();
  const [, name, rev, file] = m;
  const repo = repos[name];
  // The Hub answers an unknown repo with 401 RepoNotFound, so as not to reveal private ones.
  if (!repo) return void res.writeHead(401, { 'X-Error-Code': 'RepoNotFound' }).end();
  if (repo.status) return void res.writeHead(repo.status, { 'X-Error-Code': repo.errorCode ?? '' }).end();
  if (rev !== 'main') return void res.writeHead(404, { 'X-Error-Code': 'RevisionNotFound' }).end();
  const bytes = repo.files[file];
  if (!bytes) return void res.writeHead(404, { 'X-Error-Code': 'EntryNotFound' }).end('Entry not found');
  if (LFS.test(file)) {
    // Like the Hub: large files redirect to a CDN; the redirect carries the size.
    return void res.writeHead(302, { Location: `/cdn/${name}/${file}`, 'X-Linked-Size': bytes.length }).end();
  }
  sendBytes(req, res, repo, file, bytes);
}

beforeAll(async () => {
  await initBackend('cpu');
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  log.length = 0;
  served.clear();
});

function opts(extra: HubOptions = {}): HubOptions {
  return { endpoint, cache: new MemoryCache(), ...extra };
}

async function hubError(p: Promise<unknown>): Promise<HubError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HubError);
  return e as HubError;
}

/** Byte equality without a slow element-by-element diff. */
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const weightGets = () => log.filter((r) => r.method === 'GET' && LFS.test(r.path));

// ---- tests --------------------------------------------------------------------

describe('parseRepoId()', () => {
  it('accepts ids, revisions and Hub links', () => {
    expect(parseRepoId('openai-community/gpt2')).toEqual({ repo: 'openai-community/gpt2', revision: 'main' });
    expect(parseRepoId('  gpt2 ')).toEqual({ repo: 'gpt2', revision: 'main' });
    expect(parseRepoId('HuggingFaceTB/SmolLM2-135M@v1.0')).toEqual({ repo: 'HuggingFaceTB/SmolLM2-135M', revision: 'v1.0' });
    expect(parseRepoId('https://huggingface.co/openai-community/gpt2')).toEqual({ repo: 'openai-community/gpt2', revision: 'main' });
    expect(parseRepoId('huggingface.co/openai-community/gpt2/tree/refs%2Fpr%2F3')).toEqual({ repo: 'openai-community/gpt2', revision: 'refs/pr/3' });
    expect(parseRepoId('https://hf.co/org/model/blob/abc123/config.json')).toEqual({ repo: 'org/model', revision: 'abc123' });
  });

  it.each([
    ['', 'empty'],
    ['hello world', 'spaces'],
    ['a/b/c', 'found 3'],
    ['../passwd', 'not a valid name'],
    ['org/na--me', 'not a valid name'],
    ['org/name@', 'not a valid revision'],
    ['https://example.com/org/name', 'huggingface.co'],
    ['https://huggingface.co/datasets/org/name', 'dataset'],
  ])('rejects %j with a clear message', (input, why) => {
    let err: unknown;
    try {
      parseRepoId(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe('bad-repo');
    expect((err as HubError).message).toContain(why);
    expect((err as HubError).message).toContain('org/name');
  });
});

describe('downloadModel()', () => {
  it('downloads a folder byte for byte, following the CDN redirect, and it loads', async () => {
    const files = await downloadModel('test-org/tiny', opts());
    expect(Object.keys(files).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    for (const [name, bytes] of Object.entries(files)) expect(same(bytes, repos['test-org/tiny'].files[name])).toBe(true);
    expect(log.some((r) => r.method === 'HEAD' && r.path.endsWith('/model.safetensors'))).toBe(true);
    expect(weightGets().map((r) => r.path)).toEqual(['/test-org/tiny/resolve/main/model.safetensors', '/cdn/test-org/tiny/model.safetensors']);
    const model = loadModel(files);
    expect(model.config.numLayers).toBe(2);
    disposeModel(model);
  });

  it('reports progress that only grows, up to the folder total', async () => {
    const events: HubProgress[] = [];
    const files = await downloadModel('test-org/tiny', opts({ onProgress: (p) => events.push(p) }));
    const total = Object.values(files).reduce((s, b) => s + b.length, 0);
    const overall = events.map((e) => e.overallLoaded);
    expect(overall).toEqual([...overall].sort((a, b) => a - b));
    const last = events[events.length - 1];
    expect(last).toMatchObject({ file: 'model.safetensors', loaded: files['model.safetensors'].length, overallLoaded: total, overallTotal: total });
    const weights = events.filter((e) => e.file === 'model.safetensors');
    expect(weights[0].loaded).toBe(0);
    expect(weights.every((e) => e.total === files['model.safetensors'].length && e.overallTotal === total)).toBe(true);
  });

  it('downloads a sharded checkpoint: the index and every shard, with the same tensors', async () => {
    const files = await downloadModel('test-org/sharded', opts());
    const shards = Object.keys(files).filter((n) => n.endsWith('.safetensors')).sort();
    expect(shards).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(files['model.safetensors.index.json']).toBeDefined();
    const a = loadModel(files);
    const b = loadModel(tinyRepo());
    expect([...a.params.keys()].sort()).toEqual([...b.params.keys()].sort());
    for (const [name, v] of a.params) expect(Array.from(v.dataSync())).toEqual(Array.from(b.params.get(name)!.dataSync()));
    disposeModel(a);
    disposeModel(b);
  });

  it('answers a second call for the same repo from the cache, without the network', async () => {
    const cache = new MemoryCache();
    const first = await downloadModel('test-org/sharded', opts({ cache }));
    log.length = 0;
    const offline = vi.fn(async () => {
      throw new TypeError('offline');
    }) as unknown as typeof fetch;
    const second = await downloadModel('test-org/sharded', opts({ cache, fetch: offline }));
    expect(log).toHaveLength(0);
    expect(offline).not.toHaveBeenCalled();
    expect(Object.keys(second).sort()).toEqual(Object.keys(first).sort());
    for (const name of Object.keys(first)) expect(same(second[name], first[name])).toBe(true);
  });

  it('asks before a large download, with the total, and a "no" fetches no weights', async () => {
    const files = shardedRepo();
    const sizes = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'].map((name) => ({ name, size: files[name].length }));
    const total = sizes[0].size + sizes[1].size;
    const no = vi.fn(() => false);
    const err = await hubError(downloadModel('test-org/sharded', opts({ largeBytes: 1000, confirmSize: no })));
    expect(err.code).toBe('too-large-declined');
    expect(no).toHaveBeenCalledWith(total, sizes);
    expect(weightGets()).toHaveLength(0);

    const yes = vi.fn(async () => true);
    await downloadModel('test-org/sharded', opts({ largeBytes: 1000, confirmSize: yes }));
    expect(yes).toHaveBeenCalledTimes(1);
    const small = vi.fn(() => true);
    await downloadModel('test-org/sharded', opts({ confirmSize: small }));
    expect(small).not.toHaveBeenCalled();
  });

  it('resumes with a Range request after the connection drops half-way', async () => {
    const files = await downloadModel('test-org/flaky', opts());
    const gets = log.filter((r) => r.method === 'GET' && r.path === '/cdn/test-org/flaky/model.safetensors');
    expect(gets).toHaveLength(2);
    expect(gets[0].range).toBeNull();
    const from = Number(/^bytes=(\d+)-$/.exec(gets[1].range ?? '')?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(same(files['model.safetensors'], tiny['model.safetensors'])).toBe(true);
  });

  it('leaves a partial file in the cache when cancelled, and the next call resumes from it', async () => {
    const cache = new MemoryCache();
    const controller = new AbortController();
    stalled = () => setTimeout(() => controller.abort(), 100);
    const err = await hubError(downloadModel('test-org/slow', opts({ cache, signal: controller.signal })));
    expect(err.code).toBe('aborted');
    const partials = [...cache.partials.entries()];
    expect(partials).toHaveLength(1);
    const [key, part] = partials[0];
    expect(key).toBe(`${endpoint}/test-org/slow/resolve/main/model.safetensors`);
    const half = Math.floor(tiny['model.safetensors'].length / 2);
    expect(part.length).toBe(half);

    log.length = 0;
    const files = await downloadModel('test-org/slow', opts({ cache }));
    const gets = log.filter((r) => r.method === 'GET' && r.path.endsWith('/model.safetensors'));
    expect(gets.map((r) => r.range)).toEqual([`bytes=${half}-`, `bytes=${half}-`]); // the redirect and the CDN
    expect(same(files['model.safetensors'], tiny['model.safetensors'])).toBe(true);
    expect(cache.partials.size).toBe(0);
  });

  it('finishes a partial that already holds the whole file from the 416 answer', async () => {
    const cache = new MemoryCache();
    const key = `${endpoint}/test-org/tiny/resolve/main/model.safetensors`;
    await cache.putPartial(key, tiny['model.safetensors']);
    const files = await downloadModel('test-org/tiny', opts({ cache }));
    expect(same(files['model.safetensors'], tiny['model.safetensors'])).toBe(true);
    expect(weightGets().every((r) => r.range === `bytes=${tiny['model.safetensors'].length}-`)).toBe(true);
    expect(cache.partials.size).toBe(0);
  });

  it('starts over when the server ignores the Range header', async () => {
    const cache = new MemoryCache();
    const key = `${endpoint}/test-org/tiny/resolve/main/model.safetensors`;
    await cache.putPartial(key, new Uint8Array(100).fill(7)); // wrong bytes: they must not survive
    const noRange: typeof fetch = (url, init) => fetch(url, { ...init, headers: {} });
    const files = await downloadModel('test-org/tiny', opts({ cache, fetch: noRange }));
    expect(same(files['model.safetensors'], tiny['model.safetensors'])).toBe(true);
    expect(cache.partials.size).toBe(0);
  });

  it('retries a server error and gives up with the status after the retries', async () => {
    let failures = 1;
    const flaky: typeof fetch = async (url, init) => (String(url).endsWith('/config.json') && failures-- > 0 ? new Response('busy', { status: 503 }) : fetch(url, init));
    await downloadModel('test-org/tiny', opts({ fetch: flaky }));
    const down: typeof fetch = async () => new Response('down', { status: 502, statusText: 'Bad Gateway' });
    const err = await hubError(downloadModel('test-org/tiny', opts({ fetch: down, retries: 1 })));
    expect(err).toMatchObject({ code: 'http', status: 502, file: 'config.json' });
    expect(err.message).toBe('test-org/tiny: config.json failed with HTTP 502 Bad Gateway');
  });

  it('names the repo and file when a required file is missing', async () => {
    const err = await hubError(downloadModel('test-org/no-config', opts()));
    expect(err).toMatchObject({ code: 'not-found', file: 'config.json', status: 404 });
    expect(err.message).toBe('test-org/no-config: config.json was not found (HTTP 404) — check the model id');

    const noTok = await hubError(downloadModel('test-org/no-tokenizer', opts()));
    expect(noTok).toMatchObject({ code: 'not-found', file: 'tokenizer.json' });
    expect(noTok.message).toContain('test-org/no-tokenizer: tokenizer.json was not found');
    expect(weightGets()).toHaveLength(0);
  });

  it('says when a repo does not exist or a revision is unknown', async () => {
    const err = await hubError(downloadModel('test-org/nothing-here', opts()));
    expect(err.code).toBe('not-found');
    expect(err.message).toContain('test-org/nothing-here was not found on the Hub');
    const rev = await hubError(downloadModel('test-org/tiny@v9', opts()));
    expect(rev.code).toBe('not-found');
    expect(rev.message).toContain('revision "v9"');
  });

  it('explains that a gated model needs a token the studio does not use', async () => {
    const err = await hubError(downloadModel('test-org/gated', opts()));
    expect(err).toMatchObject({ code: 'gated', status: 401, file: 'config.json' });
    expect(err.message).toMatch(/test-org\/gated: .*token.*licence/);
  });

  it('says safetensors is needed for a repo with only pytorch_model.bin', async () => {
    const err = await hubError(downloadModel('test-org/pytorch-only', opts()));
    expect(err.code).toBe('not-found');
    expect(err.message).toContain('pytorch_model.bin');
    expect(err.message).toContain('safetensors');
  });

  it('reports a network failure with its cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await hubError(downloadModel('test-org/tiny', { endpoint: `http://127.0.0.1:${port}`, retries: 1 }));
    expect(err.code).toBe('network');
    expect(err.message).toContain('test-org/tiny: config.json could not be downloaded');
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('rejects a junk id before any request', async () => {
    const err = await hubError(downloadModel('not a model!', opts()));
    expect(err.code).toBe('bad-repo');
    expect(log).toHaveLength(0);
  });
});
