import 'fake-indexeddb/auto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HubProgress } from '../core/io/hub';
import type { ModelFiles } from '../core/types';
import { DexieBlobCache } from '../storage/modelCache';
import { openModelDb, type ModelDb } from '../storage/modelDb';
import { deleteUserModel, listUserModels, loadUserModelFiles } from '../storage/userModels';
import { FAKE_ENDPOINT, fakeHub } from '../testutil/fakeHub';
import { readFolder } from '../testutil/node';
import { normaliseEndpoint } from './hubEndpoint';
import { describeConfig, describeModel, downloadHubModel, estimateMemory, importUploadedModel, toModelError, type UploadedFile } from './modelJob';

const TINY = readFolder(join(__dirname, '../../e2e/fixtures/tiny-gpt2'));
const BERT = { ...readFolder(join(__dirname, '../core/model/fixtures/bert-tiny')), ...readFolder(join(__dirname, '../core/tokenize/fixtures/wordpiece')) };
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const config = (files: ModelFiles) => JSON.parse(new TextDecoder().decode(files['config.json'])) as Record<string, unknown>;

let n = 0;
let db: ModelDb | null = null;
function fresh(): ModelDb {
  db = openModelDb(`model-job-${++n}`);
  return db;
}
afterEach(async () => {
  await db?.delete();
  db = null;
});

/** A folder as a folder picker hands it over: paths under the folder's name, plus files the studio ignores. */
function picked(files: ModelFiles, folder = 'tiny-gpt2'): UploadedFile[] {
  return [
    ...Object.entries(files).map(([name, bytes]) => ({ path: `${folder}/${name}`, file: new Blob([bytes as BlobPart]) })),
    { path: `${folder}/README.md`, file: new Blob(['# model card']) },
    { path: `${folder}/onnx/model.onnx`, file: new Blob([new Uint8Array(10)]) },
  ];
}

describe('describeModel()', () => {
  it('reads family, parameters, size, tasks and LoRA targets of a GPT-2 folder', () => {
    const info = describeModel(TINY);
    // 2 layers, d=32, vocab 265, context 64: embeddings + blocks + final norm.
    const perBlock = 2 * 32 * 2 + 32 * 96 + 96 + 32 * 32 + 32 + 32 * 128 + 128 + 128 * 32 + 32;
    expect(info).toMatchObject({ family: 'gpt2', tasks: ['lm', 'classify'], params: 265 * 32 + 64 * 32 + 2 * perBlock + 2 * 32, labels: null, layers: 2, maxPositions: 64 });
    expect(info.bytes).toBe(Object.values(TINY).reduce((s, b) => s + b.length, 0));
    expect(info.loraTargets.default).toEqual(['c_attn']);
  });

  it('knows BERT is for classification only', () => {
    expect(describeModel(BERT)).toMatchObject({ family: 'bert', tasks: ['classify'], loraTargets: { default: ['query', 'value'] } });
  });

  it('refuses a folder whose weights do not match its config', () => {
    const wrong = { ...TINY, 'config.json': json({ ...config(TINY), n_embd: 64 }) };
    expect(() => describeModel(wrong)).toThrow(/shape \[.*\] but config.json implies/);
  });

  it('refuses a truncated weights file', () => {
    expect(() => describeModel({ ...TINY, 'model.safetensors': TINY['model.safetensors'].slice(0, 100) })).toThrow(/model.safetensors/);
  });

  it('describes a shipped model from config.json alone', () => {
    expect(describeConfig(config(TINY), 1234)).toMatchObject({ family: 'gpt2', bytes: 1234, params: describeModel(TINY).params });
    expect(() => describeConfig({ model_type: 't5' })).toThrow(/t5.*not supported/);
  });
});

describe('importUploadedModel()', () => {
  it('stores the folder under its name with only the files the studio reads', async () => {
    const d = fresh();
    const record = await importUploadedModel(d, picked(TINY));
    expect(record).toMatchObject({ name: 'tiny-gpt2', source: 'files', info: { family: 'gpt2' } });
    expect(record.id).toMatch(/^files:/);
    expect((await listUserModels(d)).map((m) => m.id)).toEqual([record.id]);
    const files = await loadUserModelFiles(d, record);
    expect(Object.keys(files).sort()).toEqual(Object.keys(TINY).sort());
    expect(files['model.safetensors']).toEqual(TINY['model.safetensors']);
  });

  it('names loose files after config.json', async () => {
    const record = await importUploadedModel(fresh(), Object.entries(TINY).map(([name, bytes]) => ({ path: name, file: new Blob([bytes as BlobPart]) })));
    expect(record.name).toBe('tiny-gpt2');
  });

  it('refuses a folder without a tokenizer and stores nothing', async () => {
    const d = fresh();
    const { 'tokenizer.json': _, ...rest } = TINY;
    await expect(importUploadedModel(d, picked(rest, 'broken'))).rejects.toThrow(/^broken: tokenizer.json is missing/);
    expect(await d.models.count()).toBe(0);
    expect(await d.files.count()).toBe(0);
  });

  it('deletes a model with its files', async () => {
    const d = fresh();
    const record = await importUploadedModel(d, picked(TINY));
    await deleteUserModel(d, record.id);
    expect(await d.models.count()).toBe(0);
    expect(await d.files.count()).toBe(0);
    await expect(loadUserModelFiles(d, record)).rejects.toThrow(/no longer in this browser/);
  });
});

describe('downloadHubModel()', () => {
  it('downloads with progress, records the model and loads it later without the network', async () => {
    const d = fresh();
    const hub = fakeHub({ 'org/tiny': TINY });
    const progress: HubProgress[] = [];
    const record = await downloadHubModel(d, { repoId: 'org/tiny', endpoint: `${FAKE_ENDPOINT}/` }, { fetch: hub.fetch, onProgress: (p) => progress.push(p) });
    expect(record).toMatchObject({ id: `hub:${FAKE_ENDPOINT}/org/tiny@main`, name: 'org/tiny', source: 'hub', hub: { repo: 'org/tiny', revision: 'main', endpoint: FAKE_ENDPOINT } });
    expect(new Set(progress.map((p) => p.file))).toEqual(new Set(Object.keys(TINY)));
    expect(progress.at(-1)?.overallLoaded).toBe(record.info.bytes);
    const files = await loadUserModelFiles(d, record);
    expect(files['model.safetensors']).toEqual(TINY['model.safetensors']);
  });

  it('asks before a large download, and declining fetches no weights', async () => {
    const d = fresh();
    const hub = fakeHub({ 'org/tiny': TINY });
    const asked: number[] = [];
    const out = downloadHubModel(d, { repoId: 'org/tiny', endpoint: FAKE_ENDPOINT, largeBytes: 1000 }, { fetch: hub.fetch, confirmSize: (bytes) => (asked.push(bytes), false) });
    await expect(out).rejects.toMatchObject({ code: 'too-large-declined', message: expect.stringContaining('org/tiny') });
    expect(asked).toEqual([TINY['model.safetensors'].length]);
    expect(hub.weightGets()).toEqual([]);
    expect(await d.models.count()).toBe(0);
  });

  it('names the repo when it does not exist', async () => {
    const err = await downloadHubModel(fresh(), { repoId: 'org/missing', endpoint: FAKE_ENDPOINT }, { fetch: fakeHub({}).fetch }).catch((e: unknown) => e);
    expect(toModelError(err)).toMatchObject({ code: 'not-found', message: expect.stringContaining('org/missing was not found') });
  });

  it('refuses an unsupported family before any weight moves', async () => {
    const hub = fakeHub({ 'org/t5': { ...TINY, 'config.json': json({ model_type: 't5' }) } });
    await expect(downloadHubModel(fresh(), { repoId: 'org/t5', endpoint: FAKE_ENDPOINT }, { fetch: hub.fetch })).rejects.toThrow(/org\/t5: config.json: model_type "t5" is not supported/);
    expect(hub.log.map((r) => r.file)).toEqual(['config.json']);
  });

  it('forgets the cached files when the model is removed', async () => {
    const d = fresh();
    const record = await downloadHubModel(d, { repoId: 'org/tiny', endpoint: FAKE_ENDPOINT }, { fetch: fakeHub({ 'org/tiny': TINY }).fetch });
    await deleteUserModel(d, record.id);
    expect(await new DexieBlobCache(d).totalBytes()).toBe(0);
    await expect(loadUserModelFiles(d, record)).rejects.toThrow(/load org\/tiny from the Hub again/);
  });

  it('checks the Hub address', () => {
    expect(normaliseEndpoint('')).toBe('https://huggingface.co');
    expect(normaliseEndpoint(' http://localhost:9000// ')).toBe('http://localhost:9000');
    expect(() => normaliseEndpoint('ftp://mirror')).toThrow(/not an http\(s\) address/);
    expect(() => normaliseEndpoint('mirror')).toThrow(/not a web address/);
  });
});

describe('estimateMemory()', () => {
  const base = { config: config(TINY), task: 'lm' as const, batchSize: 8, seqLen: 64, availableBytes: 4e9 };

  it('needs far less for LoRA than for full fine-tuning, and says it fits', () => {
    const full = estimateMemory({ ...base, method: 'full' });
    const lora = estimateMemory({ ...base, method: 'lora', lora: { r: 4, alpha: 8, dropout: 0, targetModules: [] } });
    expect(full.fits).toBe(true);
    expect(lora.estimate.gradients).toBeLessThan(full.estimate.gradients / 5);
    expect(full.estimate.total).toBe(full.estimate.weights + full.estimate.gradients + full.estimate.optimizer + full.estimate.activations);
  });

  it('says plainly when it will not fit, with what to try', () => {
    const out = estimateMemory({ ...base, method: 'full', availableBytes: 1e5 });
    expect(out.fits).toBe(false);
    expect(out.message).toMatch(/needs about .*this device has about 100 KB free — try/);
  });

  it('finds the largest tensor: the LM logits at a large batch', () => {
    expect(estimateMemory({ ...base, method: 'full', batchSize: 1, seqLen: 1 }).largestTensor.name).toBe('transformer.wte.weight');
    expect(estimateMemory({ ...base, method: 'full' }).largestTensor).toEqual({ name: 'LM logits (batch × length × vocabulary)', bytes: 8 * 64 * 265 * 4 });
  });

  it('refuses a task the family cannot do', () => {
    expect(() => estimateMemory({ ...base, config: config(BERT), method: 'full' })).toThrow(/cannot be trained for text generation/);
  });
});
