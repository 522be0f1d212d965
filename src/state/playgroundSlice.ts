/**
 * The playground: load a finished run or a base model into its own worker, then stream a
 * completion (with sampling settings and a Stop) or score a text against a classifier.
 */
import type { BackendChoice, BackendName } from '../core/backend';
import type { Schema } from '../core/data/detect';
import { rowsToExamples } from '../core/data/rows';
import type { Example, ModelFiles } from '../core/types';
import { trainValRows } from '../core/data/split';
import type { RunRecord } from '../storage/db';
import { loadRunFiles, updateRun } from '../storage/runs';
import { listVersions } from '../storage/versions';
import type { TravellingError } from '../workers/errors';
import type { PlaygroundSession } from '../workers/modelClients';
import type { Classification, GenerationEnd, GenerationSettings, PlaygroundModel } from '../workers/playgroundJob';
import { rowReader, sourceRows, type RowReader } from './evalRows';
import { evalSources, evaluationSummary, NO_EVALUATION, trainedRowIds, type EvalSource, type EvaluationState } from './evaluation';
import type { SliceCreator, StudioStore } from './store';

export interface PlaygroundSettings {
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  maxNewTokens: number;
  /** transformers' min_new_tokens: end of text is ruled out until this many tokens are written. */
  minNewTokens: number;
  /** One stop sequence per line, as typed. */
  stopSequences: string;
  chat: boolean;
}

export const DEFAULT_PLAYGROUND_SETTINGS: PlaygroundSettings = {
  temperature: 0.8,
  topK: 40,
  topP: 0.95,
  repetitionPenalty: 1.1,
  maxNewTokens: 64,
  minNewTokens: 0,
  stopSequences: '',
  chat: false,
};

export type PlaygroundStatus = 'idle' | 'loading' | 'ready' | 'generating' | 'classifying' | 'evaluating';

export interface PlaygroundLoaded extends PlaygroundModel {
  name: string;
  backend: BackendName;
}

export interface PlaygroundState {
  /** "run:<id>" or "model:<id>"; null before a choice. */
  source: string | null;
  backend: BackendChoice;
  status: PlaygroundStatus;
  model: PlaygroundLoaded | null;
  error: string | null;
  settings: PlaygroundSettings;
  output: string;
  last: { tokens: number; ms: number; end: GenerationEnd } | null;
  classification: Classification | null;
  evaluation: EvaluationState;
  /** A second text generator that writes for the same prompt, with the same seed, beside the first. */
  compare: CompareState;
}

export interface CompareState {
  /** "run:<id>" or "model:<id>"; null: no comparison. */
  source: string | null;
  status: 'idle' | 'loading' | 'ready';
  model: PlaygroundLoaded | null;
  output: string;
  last: { tokens: number; ms: number; end: GenerationEnd } | null;
  error: string | null;
}

const NO_COMPARE: CompareState = { source: null, status: 'idle', model: null, output: '', last: null, error: null };

export interface PlaygroundSlice {
  playground: PlaygroundState;
  choosePlaygroundSource(source: string | null): Promise<void>;
  /** Loads a second text generator to write beside the first (null: stop comparing). */
  chooseCompareSource(source: string | null): Promise<void>;
  setPlaygroundBackend(backend: BackendChoice): Promise<void>;
  setPlaygroundSettings(patch: Partial<PlaygroundSettings>): void;
  generateText(prompt: string): Promise<void>;
  stopGenerating(): void;
  classifyText(text: string): Promise<void>;
  chooseEvalSource(key: string | null): Promise<void>;
  /** Re-reads the datasets and versions offered for evaluation (after an import or a new split). */
  refreshEvalSources(): Promise<void>;
  /** Saves the last evaluation report as JSON. */
  downloadEvaluation(): void;
  /** Scores the loaded model on the chosen rows: held-out metrics, confusion matrix, mistakes, robustness. */
  evaluateModel(): Promise<void>;
}

/** Stop sequences as the engine wants them: one per line, "\n" typed as an escape, blanks dropped. */
export function parseStopSequences(text: string): string[] {
  return text
    .split('\n')
    .map((s) => s.replace(/\\n/g, '\n').replace(/\\t/g, '\t'))
    .filter((s) => s.length > 0);
}

export function generationSettings(s: PlaygroundSettings, seed: number): GenerationSettings {
  return {
    temperature: s.temperature,
    topK: Math.round(s.topK),
    topP: s.topP,
    repetitionPenalty: s.repetitionPenalty,
    maxNewTokens: Math.max(1, Math.round(s.maxNewTokens)),
    minNewTokens: Math.min(Math.max(0, Math.round(s.minNewTokens)), Math.max(1, Math.round(s.maxNewTokens))),
    stopSequences: parseStopSequences(s.stopSequences),
    chat: s.chat,
    seed,
  };
}

export const createPlaygroundSlice: SliceCreator<PlaygroundSlice> = (set, get, deps) => {
  let session: PlaygroundSession | null = null;
  let compareSession: PlaygroundSession | null = null;
  let compareToken = 0;
  let loadToken = 0;
  const patch = (p: Partial<PlaygroundState>) => set({ playground: { ...get().playground, ...p } });
  const patchEval = (p: Partial<EvaluationState>) => patch({ evaluation: { ...get().playground.evaluation, ...p } });
  const patchCompare = (p: Partial<CompareState>) => patch({ compare: { ...get().playground.compare, ...p } });

  function endCompare(): void {
    compareToken++;
    compareSession?.dispose();
    compareSession = null;
    patch({ compare: NO_COMPARE });
  }

  function loadedRun(): RunRecord | null {
    const source = get().playground.source;
    if (!source?.startsWith('run:')) return null;
    return get().runs.find((r) => r.id === Number(source.slice(4))) ?? null;
  }

  async function refreshEvalSources(): Promise<void> {
    const db = deps.db();
    const datasets = get().datasets;
    const versions = (await Promise.all(datasets.map((d) => listVersions(db, d.id)))).flat();
    const { sources, preferred } = evalSources(datasets, versions, loadedRun());
    const current = get().playground.evaluation.sourceKey;
    patchEval({ sources, sourceKey: current && sources.some((s) => s.key === current) ? current : preferred });
    if (!get().playground.evaluation.report) showSaved();
    await refreshOverlap();
  }

  /** The loaded run's kept report on the chosen rows, if it has one: shown until the model is evaluated again. */
  function showSaved(): void {
    const { model, evaluation } = get().playground;
    const source = evaluation.sources.find((s) => s.key === evaluation.sourceKey);
    const saved = source ? loadedRun()?.evaluations?.find((e) => e.on === source.label && e.report) : undefined;
    if (model && source && saved) patchEval({ report: saved.report!, evaluatedOn: `${model.name} on ${source.label}`, savedAt: saved.at, compared: null });
  }

  /** The rows of a source as examples, with their row ids; imported rows are read with `schema` when given. */
  function evalRows(key: string, schema?: Schema, read: RowReader = rowReader(deps.db())): Promise<{ examples: Example[]; ids: number[] }> {
    return sourceRows(key, get().datasets, read, schema);
  }

  /** How many of a source's rows the loaded run learned from; null when that cannot be known. */
  async function overlapWithRun(source: EvalSource): Promise<number | null> {
    const run = loadedRun();
    if (!run || run.datasetId !== source.datasetId || run.versionId === undefined) return null;
    const read = rowReader(deps.db());
    const { ids } = await evalRows(source.key, undefined, read);
    if (run.versionId === null) return ids.length; // The imported rows: every one could have trained (its validation rows were drawn at random).
    const trained = trainedRowIds(await read.version(run.versionId));
    return ids.filter((i) => trained.has(i)).length;
  }

  /** The rows a classifier run trained on (its version's train rows, or the imported rows less its validation share), for the baselines; null when not known. */
  async function runTrainRows(read: RowReader = rowReader(deps.db())): Promise<Example[] | null> {
    const run = loadedRun();
    if (!run || run.task !== 'classify' || run.versionId === undefined) return null;
    // Read with the mapping the run trained with, which the dataset may no longer have.
    if (run.versionId === null) return trainValRows({ task: run.task, train: (await evalRows(`all:${run.datasetId}`, run.schema, read)).examples, hyperparams: run.hyperparams }).train;
    return rowsToExamples((await read.version(run.versionId)).filter((r) => r.split !== 'test' && r.split !== 'validation'));
  }

  async function refreshOverlap(): Promise<void> {
    const { sources, sourceKey } = get().playground.evaluation;
    const source = sources.find((s) => s.key === sourceKey);
    const overlap = source ? await overlapWithRun(source).catch(() => null) : null;
    if (get().playground.evaluation.sourceKey === sourceKey) patchEval({ overlap });
  }

  async function filesFor(source: string): Promise<{ name: string; files: ModelFiles }> {
    const [kind, id] = [source.slice(0, source.indexOf(':')), source.slice(source.indexOf(':') + 1)];
    if (kind === 'run') {
      const run = get().runs.find((r) => r.id === Number(id));
      const files = get().unsaved[Number(id)] ?? (await loadRunFiles(deps.db(), Number(id)));
      if (!run || !files) throw new Error('This run has no saved weights.');
      return { name: run.name, files: files.model };
    }
    const model = get().models.find((m) => m.id === id);
    if (!model) throw new Error('That model is no longer available.');
    return { name: model.name, files: await deps.fetchModelFiles(model) };
  }

  /** A lost GPU takes the loaded model with it: the page lets go of it, so choosing it again reloads it. */
  function droppedOnLoss(error: TravellingError): boolean {
    if (error.code !== 'gpu-lost') return false;
    session?.dispose();
    session = null;
    endCompare();
    patch({ status: 'idle', source: null, model: null, error: error.message, evaluation: { ...NO_EVALUATION, sourceKey: null } });
    return true;
  }

  async function load(): Promise<void> {
    const token = ++loadToken;
    session?.dispose();
    session = null;
    endCompare();
    const { source, backend } = get().playground;
    patch({ model: null, error: null, output: '', last: null, classification: null, status: source ? 'loading' : 'idle', evaluation: { ...NO_EVALUATION, sourceKey: null } });
    if (!source) return;
    if (!deps.models) return void patch({ status: 'idle', error: 'The playground is not available in this build of the studio.' });
    try {
      const { name, files } = await filesFor(source);
      if (token !== loadToken) return;
      const out = await deps.models.startPlayground(backend, files);
      if (token !== loadToken) {
        if (out.ok) out.value.dispose();
        return;
      }
      if (!out.ok) return void patch({ status: 'idle', error: out.error.message });
      session = out.value;
      const chat = session.model.hasChatTemplate && get().playground.settings.chat;
      patch({
        status: 'ready',
        model: { ...session.model, name, backend: session.capabilities.backend },
        settings: { ...get().playground.settings, chat },
      });
      await refreshEvalSources().catch((e: unknown) => patchEval({ error: `Could not list the datasets to evaluate on: ${(e as Error).message ?? String(e)}` }));
    } catch (e) {
      if (token === loadToken) patch({ status: 'idle', error: (e as Error).message ?? String(e) });
    }
  }

  return {
    playground: {
      source: null,
      backend: 'auto',
      status: 'idle',
      model: null,
      error: null,
      settings: DEFAULT_PLAYGROUND_SETTINGS,
      output: '',
      last: null,
      classification: null,
      evaluation: NO_EVALUATION,
      compare: NO_COMPARE,
    },

    async choosePlaygroundSource(source) {
      patch({ source });
      await load();
    },

    async chooseCompareSource(source) {
      const { status, model } = get().playground;
      if (status === 'generating' || status === 'evaluating') return;
      endCompare();
      if (!source || !model || !deps.models) return;
      const token = compareToken;
      patchCompare({ source, status: 'loading' });
      try {
        const { name, files } = await filesFor(source);
        if (token !== compareToken) return;
        const out = await deps.models.startPlayground(get().playground.backend, files);
        if (token !== compareToken) {
          if (out.ok) out.value.dispose();
          return;
        }
        if (!out.ok) return void patchCompare({ status: 'idle', error: out.error.message });
        if (out.value.model.task !== 'lm') {
          out.value.dispose();
          return void patchCompare({ status: 'idle', error: `${name} is a classifier: compare a text generator with another text generator.` });
        }
        compareSession = out.value;
        patchCompare({ status: 'ready', model: { ...out.value.model, name, backend: out.value.capabilities.backend } });
      } catch (e) {
        if (token === compareToken) patchCompare({ status: 'idle', error: (e as Error).message ?? String(e) });
      }
    },

    async setPlaygroundBackend(backend) {
      patch({ backend });
      if (get().playground.source) await load();
    },

    setPlaygroundSettings(p) {
      patch({ settings: { ...get().playground.settings, ...p } });
    },

    async generateText(prompt) {
      const s = session;
      if (!s || get().playground.status !== 'ready') return;
      const seed = Math.floor(Math.random() * 2 ** 31);
      const settings = generationSettings(get().playground.settings, seed);
      const c = get().playground.compare.status === 'ready' ? compareSession : null;
      patch({ status: 'generating', output: '', last: null, error: null });
      if (c) patchCompare({ output: '', last: null, error: null });
      // Both models get the same prompt, settings and seed: what differs is the model.
      const [out] = await Promise.all([
        s.generate(prompt, settings, (text) => {
          if (session === s && get().playground.status === 'generating') patch({ output: text });
        }),
        c?.generate(prompt, settings, (text) => {
          if (compareSession === c) patchCompare({ output: text });
        }).then((o) => {
          if (compareSession !== c) return;
          patchCompare(o.ok ? { output: o.value.text, last: { tokens: o.value.tokens, ms: o.value.ms, end: o.value.end } } : { error: o.error.message });
        }),
      ]);
      if (session !== s) return;
      if (!out.ok) return void (droppedOnLoss(out.error) || patch({ status: 'ready', error: out.error.message }));
      const { text, tokens, ms, end } = out.value;
      patch({ status: 'ready', output: text, last: { tokens, ms, end } });
    },

    stopGenerating() {
      if (get().playground.status !== 'generating') return;
      session?.stop();
      compareSession?.stop();
    },

    async classifyText(text) {
      const s = session;
      if (!s || get().playground.status !== 'ready') return;
      patch({ status: 'classifying', error: null });
      const out = await s.classify(text);
      if (session !== s || (!out.ok && droppedOnLoss(out.error))) return;
      patch(out.ok ? { status: 'ready', classification: out.value } : { status: 'ready', error: out.error.message });
    },

    async chooseEvalSource(key) {
      if (get().playground.evaluation.status === 'running') return;
      patchEval({ sourceKey: key, error: null, overlap: null });
      showSaved();
      await refreshOverlap();
    },

    async refreshEvalSources() {
      if (get().playground.model) await refreshEvalSources();
    },

    downloadEvaluation() {
      const { evaluation, model } = get().playground;
      if (!evaluation.report || !model) return;
      const doc = { model: model.name, evaluatedOn: evaluation.evaluatedOn, backend: model.backend, report: evaluation.report };
      const safe = model.name.replace(/[^\w.-]+/g, '-');
      deps.save(new TextEncoder().encode(`${JSON.stringify(doc, null, 2)}\n`), `${safe}-evaluation.json`, 'application/json');
    },

    async evaluateModel() {
      const s = session;
      const { status, evaluation, model } = get().playground;
      const source = evaluation.sources.find((x) => x.key === evaluation.sourceKey);
      if (!s || !model || status !== 'ready' || evaluation.status === 'running') return;
      if (!source) return void patchEval({ error: 'Choose the rows to evaluate on first.' });
      patch({ status: 'evaluating' });
      patchEval({ status: 'running', progress: null, error: null });
      const done = (p: Partial<EvaluationState>) => {
        if (session !== s) return;
        patch({ status: 'ready' });
        patchEval({ status: 'idle', progress: null, ...p });
      };
      try {
        const read = rowReader(deps.db());
        const rows = (await evalRows(source.key, undefined, read)).examples;
        if (rows.length === 0) return done({ error: `${source.label} has no rows.` });
        const baselineTrain = (await runTrainRows(read).catch(() => null)) ?? undefined;
        // A run is scored on text cut as it was in training; a base model reads its whole context.
        const maxLength = loadedRun()?.hyperparams.maxLength;
        const c = get().playground.compare.status === 'ready' ? compareSession : null;
        const other = get().playground.compare.model?.name;
        const out = await s.evaluate(
          rows,
          (p) => {
            if (session === s) patchEval({ progress: c ? { ...p, total: p.total + 1 } : p });
          },
          { maxLength, baselineTrain },
        );
        if (!out.ok) return void ((session === s && droppedOnLoss(out.error)) || done({ error: out.error.message }));
        // The model under "Compare with" on the same rows, cut the same way: the same passes but the edits.
        let compared: EvaluationState['compared'] = null;
        if (c && other) {
          const total = out.value.robustness.length + (out.value.generation ? 2 : 1) + 1;
          const theirs = await c.evaluate(
            rows,
            (p) => {
              if (session === s) patchEval({ progress: { done: total - 1 + p.done / p.total, total, stage: `${other}: ${p.stage}` } });
            },
            { maxLength, robustness: false },
          );
          if (session !== s) return;
          if (!theirs.ok) return done({ report: out.value, evaluatedOn: `${model.name} on ${source.label}`, savedAt: null, error: `${other} could not be scored: ${theirs.error.message}` });
          compared = { name: other, report: theirs.value };
        }
        done({ report: out.value, evaluatedOn: `${model.name} on ${source.label}`, savedAt: null, compared });
        const run = loadedRun();
        if (run) {
          // Kept with the run, so the runs list compares runs on the same rows.
          const saved = { ...evaluationSummary(source.label, out.value, Date.now()), report: out.value };
          const evaluations = [...(run.evaluations ?? []).filter((e) => e.on !== saved.on), saved];
          await updateRun(deps.db(), run.id, { evaluations });
          await get().loadRuns();
        }
      } catch (e) {
        done({ error: (e as Error).message ?? String(e) });
      }
    },
  };
};

/** Keeps the evaluation choices in step with the datasets and versions (an import, a new split). */
export function watchEvalSources(store: StudioStore): void {
  let seen = [store.getState().datasets, store.getState().versions];
  store.subscribe((s) => {
    if (s.datasets === seen[0] && s.versions === seen[1]) return;
    seen = [s.datasets, s.versions];
    void s.refreshEvalSources();
  });
}
