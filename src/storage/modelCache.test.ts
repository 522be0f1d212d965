import 'fake-indexeddb/auto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { downloadModel } from '../core/io/hub';
import { FAKE_ENDPOINT, fakeHub } from '../testutil/fakeHub';
import { readFolder } from '../testutil/node';
import { DexieBlobCache } from './modelCache';
import { openModelDb, type ModelDb } from './modelDb';

const TINY = readFolder(join(__dirname, '../../e2e/fixtures/tiny-gpt2'));
const REF = { endpoint: FAKE_ENDPOINT, repo: 'org/tiny', revision: 'main' };

let n = 0;
let db: ModelDb | null = null;
function fresh(): ModelDb {
  db = openModelDb(`model-cache-${++n}`);
  return db;
}
afterEach(async () => {
  await db?.delete();
  db = null;
});

const bytes = (...v: number[]) => new Uint8Array(v);

describe('DexieBlobCache', () => {
  it('keeps finished and partial files apart, and forgets a partial on request', async () => {
    const cache = new DexieBlobCache(fresh());
    expect(await cache.get('a')).toBeNull();
    await cache.put('a', bytes(1, 2, 3));
    await cache.putPartial('a', bytes(9));
    expect(await cache.get('a')).toEqual(bytes(1, 2, 3));
    expect(await cache.getPartial('a')).toEqual(bytes(9));
    await cache.deletePartial('a');
    expect(await cache.getPartial('a')).toBeNull();
    expect(await cache.get('a')).toEqual(bytes(1, 2, 3));
    expect(await cache.totalBytes()).toBe(3);
  });

  it('copies a partial view, so later writes into its growing buffer do not leak in', async () => {
    const cache = new DexieBlobCache(fresh());
    const buffer = new Uint8Array(8);
    buffer.set([1, 2, 3]);
    await cache.putPartial('k', buffer.subarray(0, 3));
    buffer.set([7, 7, 7, 7], 0);
    expect(await cache.getPartial('k')).toEqual(bytes(1, 2, 3));
  });

  it('answers a second download of the same repo offline, and a new database sees it too', async () => {
    const d = fresh();
    const hub = fakeHub({ 'org/tiny': TINY });
    const first = await downloadModel('org/tiny', { endpoint: FAKE_ENDPOINT, cache: new DexieBlobCache(d), fetch: hub.fetch });
    expect(Object.keys(first).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    const offline = (() => Promise.reject(new Error('offline'))) as typeof fetch;
    const again = await downloadModel('org/tiny', { endpoint: FAKE_ENDPOINT, cache: new DexieBlobCache(openModelDb(d.name)), fetch: offline, retries: 0 });
    expect(again['model.safetensors']).toEqual(TINY['model.safetensors']);
  });

  it('resumes a dropped download from the partial bytes it kept, with a Range request', async () => {
    const d = fresh();
    const hub = fakeHub({ 'org/tiny': TINY }, { dropOnce: ['model.safetensors'] });
    const files = await downloadModel('org/tiny', { endpoint: FAKE_ENDPOINT, cache: new DexieBlobCache(d), fetch: hub.fetch });
    expect(files['model.safetensors']).toEqual(TINY['model.safetensors']);
    const half = Math.floor(TINY['model.safetensors'].length / 2);
    expect(hub.weightGets().map((r) => r.range)).toEqual([null, `bytes=${half}-`]);
    expect(await d.partials.count()).toBe(0);
  });

  it('keeps what arrived before a cancel, and the next attempt resumes from it', async () => {
    const d = fresh();
    const cache = new DexieBlobCache(d);
    const hub = fakeHub({ 'org/tiny': TINY });
    const controller = new AbortController();
    // Cancel as soon as weight bytes arrive; what arrived is saved as a partial file.
    const cancelled = downloadModel('org/tiny', {
      endpoint: FAKE_ENDPOINT,
      cache,
      fetch: hub.fetch,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.file === 'model.safetensors') controller.abort();
      },
    });
    await expect(cancelled).rejects.toMatchObject({ code: 'aborted' });
    const kept = await cache.partialBytes(REF);
    expect(kept).toBeGreaterThan(0);
    const files = await downloadModel('org/tiny', { endpoint: FAKE_ENDPOINT, cache, fetch: hub.fetch });
    expect(files['model.safetensors']).toEqual(TINY['model.safetensors']);
    expect(hub.weightGets().at(-1)?.range).toBe(`bytes=${kept}-`);
    expect(await cache.partialBytes(REF)).toBe(0);
  });

  it('deletes a repo: finished files, partial files and the manifest that made it load offline', async () => {
    const d = fresh();
    const cache = new DexieBlobCache(d);
    const hub = fakeHub({ 'org/tiny': TINY, 'org/other': TINY });
    await downloadModel('org/tiny', { endpoint: FAKE_ENDPOINT, cache, fetch: hub.fetch });
    await downloadModel('org/other', { endpoint: FAKE_ENDPOINT, cache, fetch: hub.fetch });
    await cache.putPartial(`${FAKE_ENDPOINT}/org/tiny/resolve/main/extra.safetensors`, bytes(1));
    const before = await d.blobs.count();
    await cache.deleteRepo(REF);
    expect(await d.partials.count()).toBe(0);
    // Four files and a manifest per repo; the other repo is untouched.
    expect(before).toBe(10);
    expect(await d.blobs.count()).toBe(5);
    expect((await d.blobs.toCollection().primaryKeys()).every((k) => String(k).includes('org/other'))).toBe(true);
  });
});
