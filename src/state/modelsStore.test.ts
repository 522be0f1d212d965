import 'fake-indexeddb/auto';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../core/backend';
import type { DataRow } from '../core/data/rows';
import { csv, labeledRows, utf8 } from '../core/data/test-builders';
import { datasetStats, type DataRecipe } from '../core/data/versions';
import { evaluateExamples, loadForInference } from '../core/eval/inference';
import type { ModelFiles } from '../core/types';
import { loadRows } from '../storage/datasets';
import { openDb, type StudioDb } from '../storage/db';
import { openModelDb, type ModelDb } from '../storage/modelDb';
import { deleteUserModel, listUserModels, loadUserModelFiles } from '../storage/userModels';
import { saveVersion } from '../storage/versions';
import { FAKE_ENDPOINT, fakeHub, type FakeHub } from '../testutil/fakeHub';
import { readFolder } from '../testutil/node';
import type { Outcome } from '../workers/errors';
import { importFile } from '../workers/importJob';
import { startTrainingInProcess } from '../workers/inProcess';
import { describeConfig, downloadHubModel, estimateMemory, importUploadedModel, toModelError } from '../workers/modelJob';
import { startPlaygroundInProcess } from '../workers/playgroundInProcess';
import type { StudioDeps } from './deps';
import type { DeviceFacts } from './deviceMemory';
import type { ModelDeps } from './modelDeps';
import { entryFromRecord, recordFromEntry } from './modelWiring';
import { createStudioStore, type StudioStore } from './store';
import { FULL_FINE_TUNE_MAX_PARAMS } from './trainingSlice';

const TINY = readFolder(join(__dirname, '../../e2e/fixtures/tiny-gpt2'));
const BERT = { ...readFolder(join(__dirname, '../core/model/fixtures/bert-tiny')), ...readFolder(join(__dirname, '../core/tokenize/fixtures/wordpiece')) };
const SHIPPED = { id: 'tiny', name: 'Tiny', description: 'test model', path: 'models/tiny' };
const configOf = (files: ModelFiles) => JSON.parse(new TextDecoder().decode(files['config.json'])) as Record<string, unknown>;

beforeAll(async () => {
  await initBackend('cpu');
});

let n = 0;
let open: { db: StudioDb; models: ModelDb } | null = null;
afterEach(async () => {
  await open?.db.delete();
  await open?.models.delete();
  open = null;
});

async function outcome<T>(work: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work };
  } catch (e) {
    return { ok: false, error: toModelError(e) };
  }
}

interface Setup {
  hub?: FakeHub;
  facts?: DeviceFacts;
  largeBytes?: number;
  models?: Partial<ModelDeps>;
}

/** The store with the model worker's work done in process, on fresh databases. */
function deps(setup: Setup = {}): StudioDeps & { modelDb: ModelDb } {
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

async function ready(d: StudioDeps): Promise<StudioStore> {
  const store = createStudioStore(d);
  await store.getState().init();
  return store;
}

const reviews = () => new File([utf8(csv(['text', 'label'], labeledRows(24)))], 'reviews.csv');
const bertFolder = () => Object.entries(BERT).map(([name, bytes]) => ({ path: `bert-tiny/${name}`, file: new Blob([bytes as BlobPart]) }));

describe('models in the store', () => {
  it('lists the shipped model with its facts, then models brought earlier', async () => {
    const d = deps();
    await importUploadedModel(d.modelDb, bertFolder());
    const store = await ready(d);
    const { models, settings } = store.getState();
    expect(models.map((m) => [m.name, m.source ?? 'shipped'])).toEqual([
      ['Tiny', 'shipped'],
      ['bert-tiny', 'files'],
    ]);
    expect(settings.modelId).toBe('tiny');
    expect(models[0].info).toMatchObject({ family: 'gpt2', bytes: 150_000 });
  });

  it('suggests full fine-tuning for a small model and LoRA for a large one, until the person picks a method', async () => {
    // GPT-2 small's shape: 124 M parameters.
    const gpt2Small = { ...configOf(TINY), n_embd: 768, n_layer: 12, n_head: 12, vocab_size: 50257, n_positions: 1024 };
    const big = { id: 'big', name: 'Big', description: 'GPT-2 small', path: 'models/big' };
    const d = deps({ models: { describeShipped: async (m) => ({ ok: true, value: describeConfig(m.id === 'big' ? gpt2Small : configOf(TINY), 150_000) }) } });
    const store = await ready({ ...d, fetchModels: async () => [SHIPPED, big] });
    const { models, settings } = store.getState();
    expect(models[0].info!.params).toBeLessThan(FULL_FINE_TUNE_MAX_PARAMS);
    expect(settings.method).toBe('full');
    store.getState().setModel('big');
    await store.getState().modelChosen();
    expect(store.getState().models.find((m) => m.id === 'big')!.info!.params).toBeGreaterThan(100e6);
    expect(store.getState().settings.method).toBe('lora');
    // A method the person picks stays when the model changes.
    store.getState().setMethod('freeze');
    store.getState().setModel('tiny');
    await store.getState().modelChosen();
    expect(store.getState().settings.method).toBe('freeze');
  });

  it('downloads from the Hub with per-file progress, chooses the model and trains with it', async () => {
    const store = await ready(deps());
    const seen = new Set<string>();
    const unsubscribe = store.subscribe((s) => s.hubDownload?.files.forEach((f) => seen.add(f.name)));
    await store.getState().downloadFromHub(' org/tiny ');
    unsubscribe();
    const s = store.getState();
    expect(s.hubDownload).toMatchObject({ repoId: 'org/tiny', status: 'done', error: null });
    expect(seen).toEqual(new Set(Object.keys(TINY)));
    expect(s.settings.modelId).toBe(`hub:${FAKE_ENDPOINT}/org/tiny@main`);
    expect(s.models.at(-1)).toMatchObject({ name: 'org/tiny', source: 'hub', info: { family: 'gpt2' } });

    await store.getState().importFiles([reviews()]);
    store.getState().setBackend('cpu');
    store.getState().setHyperparams({ epochs: 1, batchSize: 8, maxLength: 16, maxSteps: 2, valSplit: 0.25 });
    await store.getState().startTraining();
    expect(store.getState().trainError).toBeNull();
    expect(store.getState().runs[0]).toMatchObject({ status: 'completed', modelName: 'org/tiny', final: { steps: 2 } });
  });

  it('asks before a large download; declining downloads no weights', async () => {
    const hub = fakeHub({ 'org/tiny': TINY });
    const store = await ready(deps({ hub, largeBytes: 1000 }));
    const done = store.getState().downloadFromHub('org/tiny');
    await expect.poll(() => store.getState().sizeQuestion).toMatchObject({ repoId: 'org/tiny', bytes: TINY['model.safetensors'].length });
    store.getState().answerSizeQuestion(false);
    await done;
    expect(store.getState().hubDownload).toMatchObject({ status: 'declined', error: { code: 'too-large-declined' } });
    expect(hub.weightGets()).toEqual([]);

    const again = store.getState().downloadFromHub('org/tiny');
    await expect.poll(() => store.getState().sizeQuestion).not.toBeNull();
    store.getState().answerSizeQuestion(true);
    await again;
    expect(store.getState().hubDownload?.status).toBe('done');
  });

  it('cancels a download and says so', async () => {
    const store = await ready(deps());
    const unsubscribe = store.subscribe((s) => {
      if (s.hubDownload?.files.some((f) => f.name === 'model.safetensors')) s.cancelHubDownload();
    });
    await store.getState().downloadFromHub('org/tiny');
    unsubscribe();
    expect(store.getState().hubDownload).toMatchObject({ status: 'cancelled', error: { code: 'aborted' } });
    expect(store.getState().models.map((m) => m.id)).toEqual(['tiny']);
  });

  it('shows a missing repo as a failure naming it', async () => {
    const store = await ready(deps());
    await store.getState().downloadFromHub('org/missing');
    expect(store.getState().hubDownload).toMatchObject({ status: 'failed', error: { code: 'not-found', message: expect.stringContaining('org/missing') } });
  });

  it('fits the task and LoRA targets to the chosen family', async () => {
    const store = await ready(deps());
    store.getState().setLoraTargets(['mlp.c_fc']);
    await store.getState().importModelFiles(bertFolder());
    const s = store.getState();
    expect(s.localImport).toBeNull();
    expect(s.settings.task).toBe('classify');
    expect(s.settings.hyperparams.lora.targetModules).toEqual([]);
    // Back on GPT-2 the task stays, and LoRA targets chosen for GPT-2 stay chosen.
    store.getState().setModel('tiny');
    store.getState().setLoraTargets(['mlp.c_fc']);
    await store.getState().modelChosen();
    expect(store.getState().settings.hyperparams.lora.targetModules).toEqual(['mlp.c_fc']);
  });

  it('refuses a pick without config.json at once, and removes a model with its files', async () => {
    const d = deps();
    const store = await ready(d);
    await store.getState().importModelFiles([{ path: 'x/model.safetensors', file: new Blob([]) }]);
    expect(store.getState().localImport).toMatchObject({ status: 'failed', error: expect.stringContaining('No config.json') });
    await store.getState().importModelFiles(bertFolder());
    const id = store.getState().settings.modelId!;
    await store.getState().removeUserModel(id);
    expect(store.getState().models.map((m) => m.id)).toEqual(['tiny']);
    expect(store.getState().settings.modelId).toBe('tiny');
    expect(await d.modelDb.files.count()).toBe(0);
  });

  it('estimates memory for the run as set up, and warns when it will not fit', async () => {
    const store = await ready(deps());
    await store.getState().refreshMemoryEstimate();
    const fits = store.getState().memory!;
    expect(fits.result).toMatchObject({ fits: true });
    expect(fits.budget.bytes).toBe(4e9);

    const small = await ready(deps({ facts: { deviceMemoryGB: 0.0001, jsHeapLimit: null, gpu: null } }));
    small.getState().setMethod('full');
    await small.getState().refreshMemoryEstimate();
    expect(small.getState().memory?.result).toMatchObject({ fits: false, message: expect.stringMatching(/try /) });
  });
});

describe('playground in the store', () => {
  it('loads a base model, streams a completion into the state and stops on request', async () => {
    const store = await ready(deps());
    await store.getState().setPlaygroundBackend('cpu');
    await store.getState().choosePlaygroundSource('model:tiny');
    expect(store.getState().playground).toMatchObject({ status: 'ready', model: { task: 'lm', name: 'Tiny', backend: 'cpu', hasChatTemplate: true } });
    store.getState().setPlaygroundSettings({ maxNewTokens: 200, temperature: 0 });
    const outputs: string[] = [];
    const unsubscribe = store.subscribe((s) => {
      if (s.playground.status !== 'generating') return;
      if (outputs.at(-1) !== s.playground.output) outputs.push(s.playground.output);
      if (outputs.length === 4) s.stopGenerating();
    });
    await store.getState().generateText('the cat');
    unsubscribe();
    const pg = store.getState().playground;
    expect(pg.status).toBe('ready');
    expect(pg.last).toMatchObject({ end: 'stopped' });
    expect(pg.output).toBe(outputs.at(-1));
    expect(outputs.length).toBeGreaterThanOrEqual(4);
  });

  it('writes with a second model beside the first: same prompt, settings and seed', async () => {
    const store = await ready(deps());
    await store.getState().importFiles([reviews()]);
    store.getState().setTask('lm');
    store.getState().setBackend('cpu');
    store.getState().setHyperparams({ epochs: 1, batchSize: 8, maxLength: 16, maxSteps: 2, learningRate: 5e-2, valSplit: 0 });
    await store.getState().startTraining();
    const run = store.getState().runs[0];
    await store.getState().setPlaygroundBackend('cpu');
    await store.getState().choosePlaygroundSource(`run:${run.id}`);
    await store.getState().chooseCompareSource('model:tiny');
    expect(store.getState().playground.compare).toMatchObject({ status: 'ready', model: { name: 'Tiny', task: 'lm' }, error: null });
    store.getState().setPlaygroundSettings({ maxNewTokens: 12, temperature: 0.9, topK: 0, topP: 1 });
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.37);
    try {
      await store.getState().generateText('the film');
      const both = store.getState().playground;
      expect(both.status).toBe('ready');
      expect(both.last).not.toBeNull();
      expect(both.compare.last).not.toBeNull();
      // Two different models (the run trained at a high rate).
      expect(both.output).not.toBe(both.compare.output);
      // The base model alone, with the same seed, writes what it wrote beside the run.
      await store.getState().choosePlaygroundSource('model:tiny');
      expect(store.getState().playground.compare).toMatchObject({ source: null, model: null });
      await store.getState().generateText('the film');
      expect(store.getState().playground.output).toBe(both.compare.output);
      expect(store.getState().playground.last!.tokens).toBe(both.compare.last!.tokens);
    } finally {
      random.mockRestore();
    }
    // Evaluating with a model under "Compare with" scores it on the same rows, cut to the run's length, without the edits.
    await store.getState().choosePlaygroundSource(`run:${run.id}`);
    await store.getState().chooseCompareSource('model:tiny');
    await store.getState().chooseEvalSource(store.getState().playground.evaluation.sources[0].key);
    await store.getState().evaluateModel();
    const ev = store.getState().playground.evaluation;
    expect(ev.error).toBeNull();
    expect(ev.compared).toMatchObject({ name: 'Tiny', report: { task: 'lm', count: 24, robustness: [] } });
    const tiny = loadForInference({ ...TINY });
    try {
      const rows = labeledRows(24).map(([text, label]) => ({ kind: 'labeled' as const, text, label }));
      const alone = await evaluateExamples(tiny, rows, { maxLength: 16, batchSize: 8 });
      expect(ev.compared!.report.metrics.loss).toBeCloseTo(alone.loss, 5);
      expect(ev.report!.metrics.loss).not.toBeCloseTo(alone.loss, 3);
    } finally {
      tiny.dispose();
    }
    // Only text generators compare.
    await store.getState().importFiles([reviews()]);
    store.getState().setTask('classify');
    await store.getState().startTraining();
    const classifier = store.getState().runs[0];
    await store.getState().chooseCompareSource(`run:${classifier.id}`);
    expect(store.getState().playground.compare).toMatchObject({ status: 'idle', model: null, error: `${classifier.name} is a classifier: compare a text generator with another text generator.` });
  });

  it('scores a text with a classifier run', async () => {
    const store = await ready(deps());
    await store.getState().importFiles([reviews()]);
    store.getState().setBackend('cpu');
    store.getState().setHyperparams({ epochs: 1, batchSize: 8, maxLength: 16, maxSteps: 2, valSplit: 0.25 });
    await store.getState().startTraining();
    const run = store.getState().runs[0];
    await store.getState().setPlaygroundBackend('cpu');
    await store.getState().choosePlaygroundSource(`run:${run.id}`);
    expect(store.getState().playground.model).toMatchObject({ task: 'classify', labels: expect.arrayContaining(['pos', 'neg']) });
    await store.getState().classifyText('a lovely film');
    const c = store.getState().playground.classification!;
    expect(Object.values(c.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(c.label).toBe(Object.entries(c.probabilities).sort((a, b) => b[1] - a[1])[0][0]);
  });

  it('evaluates a classifier run on the test split of the version it trained on', async () => {
    const d = deps();
    const store = await ready(d);
    await store.getState().importFiles([reviews()]);
    const dataset = store.getState().datasets[0];
    // A version split 18 / 6, saved as the data studio would: row ids are the file's row numbers.
    const { rowNumbers } = await loadRows(d.db(), dataset.id);
    const splitAt = (testFrom: number, testTo: number): DataRow[] =>
      labeledRows(24).map(([text, label], i) => ({ id: rowNumbers[i], text, label, split: i >= testFrom && i < testTo ? 'test' : 'train' }));
    const saveSplit = (rows: DataRow[]) =>
      saveVersion(d.db(), { datasetId: dataset.id, parentId: null, recipe: { split: { train: 0.75, validation: 0, test: 0.25, seed: 1, stratify: true } } as DataRecipe, schema: dataset.schema, createdAt: Date.now(), stats: datasetStats(rows) }, rows);
    const version = await saveSplit(splitAt(18, 24));
    await store.getState().loadVersions();
    await store.getState().chooseVersion(version.id);
    store.getState().setBackend('cpu');
    store.getState().setHyperparams({ epochs: 1, batchSize: 8, maxLength: 16, maxSteps: 2 });
    await store.getState().startTraining();
    const run = store.getState().runs[0];
    expect(run).toMatchObject({ status: 'completed', versionId: version.id });

    await store.getState().setPlaygroundBackend('cpu');
    await store.getState().choosePlaygroundSource(`run:${run.id}`);
    const ev = store.getState().playground.evaluation;
    // The run's own test split is chosen, and the run learned from none of it.
    expect(ev.sourceKey).toBe(`test:${version.id}`);
    expect(ev.overlap).toBe(0);
    expect(ev.sources).toEqual([
      expect.objectContaining({ key: `test:${version.id}`, rows: 6 }),
      expect.objectContaining({ key: `all:${dataset.id}`, rows: 24 }),
    ]);
    // The imported rows hold its 18 training rows; a later split that tests on 6 of them says so.
    await store.getState().chooseEvalSource(`all:${dataset.id}`);
    expect(store.getState().playground.evaluation.overlap).toBe(18);
    const later = await saveSplit(splitAt(0, 6));
    await store.getState().loadVersions();
    await vi.waitFor(() => expect(store.getState().playground.evaluation.sources).toHaveLength(3));
    await store.getState().chooseEvalSource(`test:${later.id}`);
    expect(store.getState().playground.evaluation.overlap).toBe(6);
    await store.getState().chooseEvalSource(`test:${version.id}`);
    const seen: string[] = [];
    const unsubscribe = store.subscribe((s) => {
      const p = s.playground.evaluation.progress;
      if (p && seen.at(-1) !== `${p.done}/${p.total}`) seen.push(`${p.done}/${p.total}`);
    });
    await store.getState().evaluateModel();
    unsubscribe();
    const after = store.getState().playground;
    expect(after.status).toBe('ready');
    expect(after.evaluation).toMatchObject({ status: 'idle', error: null, progress: null, evaluatedOn: expect.stringContaining('test split') });
    const report = after.evaluation.report!;
    expect(report).toMatchObject({ task: 'classify', count: 6, offered: 6 });
    expect(report.classification!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(6);
    expect(report.robustness).toHaveLength(5);
    // The baselines learned from the version's 18 training rows.
    expect(report.baselines).toMatchObject({ trainRows: 18, majority: { label: expect.stringMatching(/^(pos|neg)$/) } });
    expect(seen).toEqual(['0/6', '1/6', '2/6', '3/6', '4/6', '5/6', '6/6']);
    // Kept with the run; evaluating the same rows again replaces it.
    const kept = store.getState().runs[0].evaluations!;
    expect(kept).toEqual([
      {
        on: `reviews · v1, test split`,
        rows: 6,
        at: expect.any(Number),
        accuracy: report.metrics.accuracy,
        macroF1: report.metrics.macroF1,
        bowAccuracy: report.baselines!.bow.accuracy,
        bowMacroF1: report.baselines!.bow.macroF1,
        report,
      },
    ]);
    expect(after.evaluation.savedAt).toBeNull();
    await store.getState().evaluateModel();
    expect(store.getState().runs[0].evaluations).toHaveLength(1);
    // Loading the run again (as after a reload) shows the kept report for its own test split, marked as kept.
    const again = store.getState().runs[0].evaluations![0];
    await store.getState().choosePlaygroundSource(null);
    await store.getState().choosePlaygroundSource(`run:${run.id}`);
    expect(store.getState().playground.evaluation).toMatchObject({ sourceKey: `test:${version.id}`, report: again.report, savedAt: again.at, evaluatedOn: `${run.name} on reviews · v1, test split` });
    // Scored on other rows, the new report shows; back on its own split, the kept one returns.
    await store.getState().chooseEvalSource(`test:${later.id}`);
    await store.getState().evaluateModel();
    expect(store.getState().playground.evaluation).toMatchObject({ savedAt: null, evaluatedOn: `${run.name} on reviews · v2, test split` });
    await store.getState().chooseEvalSource(`test:${version.id}`);
    expect(store.getState().playground.evaluation).toMatchObject({ report: again.report, savedAt: again.at });
    expect(store.getState().runs[0].evaluations!.map((e) => e.on)).toEqual(['reviews · v1, test split', 'reviews · v2, test split']);
    // Each mistake is a test row (ids 18-23 of the import) and names what the model said.
    for (const m of report.mistakes!) {
      expect(m.text).toBe(`review number ${19 + m.index} says something`);
      expect(m.predicted).not.toBe(m.label);
    }
  });

  it('scores a language model on labelled rows as text, and asks for rows when none are chosen', async () => {
    const store = await ready(deps());
    await store.getState().importFiles([reviews()]);
    await store.getState().setPlaygroundBackend('cpu');
    await store.getState().choosePlaygroundSource('model:tiny');
    const ev = store.getState().playground.evaluation;
    expect(ev.sourceKey).toBeNull();
    store.getState().chooseEvalSource(ev.sources[0].key);
    await store.getState().evaluateModel();
    // The tiny model is a language model: labelled rows are scored as text (perplexity), with nothing to edit for robustness.
    const report = store.getState().playground.evaluation.report!;
    expect(report.task).toBe('lm');
    expect(report.metrics.perplexity).toBeGreaterThan(1);
    expect(report.robustness).toEqual([]);
    store.getState().chooseEvalSource(null);
    await store.getState().evaluateModel();
    expect(store.getState().playground.evaluation.error).toBe('Choose the rows to evaluate on first.');
  });

  it('reports a model that cannot load', async () => {
    const store = await ready(deps({ models: { startPlayground: async () => ({ ok: false, error: { code: 'Error', message: 'The webgpu backend is not available here.' } }) } }));
    await store.getState().choosePlaygroundSource('model:tiny');
    expect(store.getState().playground).toMatchObject({ status: 'idle', model: null, error: 'The webgpu backend is not available here.' });
  });
});
