import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../core/backend';
import type { DataRow } from '../core/data/rows';
import { labeledRows } from '../core/data/test-builders';
import { datasetStats, type DataRecipe } from '../core/data/versions';
import { evaluateExamples, loadForInference } from '../core/eval/inference';
import { loadRows } from '../storage/datasets';
import { saveVersion } from '../storage/versions';
import { closeStoreDbs, deps, ready, reviews, TINY } from '../testutil/storeHarness';
import { startPlaygroundInProcess } from '../workers/playgroundInProcess';
import type { StudioDeps } from './deps';

beforeAll(async () => {
  await initBackend('cpu');
});
afterEach(closeStoreDbs);

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
    const reads = vi.spyOn(deps().db().versionRows, 'where');
    await store.getState().evaluateModel();
    unsubscribe();
    // The version's rows are read once, for its test rows and the baselines' training rows alike.
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockRestore();
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

  it("trains a run's baselines on the rows it trained on: the imported rows less its validation share", async () => {
    const store = await ready(deps());
    await store.getState().importFiles([reviews()]);
    store.getState().setBackend('cpu');
    store.getState().setHyperparams({ epochs: 1, batchSize: 8, maxLength: 16, maxSteps: 1, valSplit: 0.25 });
    await store.getState().startTraining();
    const run = store.getState().runs[0];
    expect(run).toMatchObject({ status: 'completed', versionId: null });
    const other = new File([`text,label\n${labeledRows(6).map((r) => `"${r[0]} again",${r[1]}`).join('\n')}\n`], 'other.csv');
    await store.getState().importFiles([other]);
    await store.getState().setPlaygroundBackend('cpu');
    await store.getState().choosePlaygroundSource(`run:${run.id}`);
    const source = store.getState().playground.evaluation.sources.find((x) => x.label.startsWith('other'))!;
    store.getState().chooseEvalSource(source.key);
    await store.getState().evaluateModel();
    // 24 imported rows, 6 of them (25%, stratified) held out to validate: the run learned from 18.
    expect(store.getState().playground.evaluation.report!.baselines).toMatchObject({ trainRows: 18 });
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

  it('lets go of a model whose GPU was lost, so that choosing it again reloads it', async () => {
    const lost = { code: 'gpu-lost', message: 'The GPU was lost (webgpu: destroyed), and the model loaded on it with it. Choose the model again to reload it, or run it on WebAssembly (CPU).' };
    const disposed = vi.fn();
    let loads = 0;
    const startPlayground: NonNullable<StudioDeps['models']>['startPlayground'] = async (backend, files) => {
      const out = await startPlaygroundInProcess(backend, files);
      if (!out.ok || ++loads > 1) return out;
      return { ok: true, value: { ...out.value, generate: async () => ({ ok: false, error: lost }), dispose: () => (disposed(), out.value.dispose()) } };
    };
    const store = await ready(deps({ models: { startPlayground } }));
    await store.getState().setPlaygroundBackend('cpu');
    await store.getState().choosePlaygroundSource('model:tiny');
    await store.getState().generateText('the cat');
    expect(store.getState().playground).toMatchObject({ status: 'idle', source: null, model: null, error: lost.message });
    expect(disposed).toHaveBeenCalledOnce();
    await store.getState().choosePlaygroundSource('model:tiny');
    store.getState().setPlaygroundSettings({ maxNewTokens: 3 });
    await store.getState().generateText('the cat');
    expect(store.getState().playground).toMatchObject({ status: 'ready', error: null, last: { tokens: expect.any(Number) } });
  });

  it('reports a model that cannot load', async () => {
    const store = await ready(deps({ models: { startPlayground: async () => ({ ok: false, error: { code: 'Error', message: 'The webgpu backend is not available here.' } }) } }));
    await store.getState().choosePlaygroundSource('model:tiny');
    expect(store.getState().playground).toMatchObject({ status: 'idle', model: null, error: 'The webgpu backend is not available here.' });
  });
});
