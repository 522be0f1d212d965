/**
 * Training settings and the live run: turns the settings and the selected dataset into a
 * TrainRequest, starts the worker, records every progress event, and stores the result.
 */
import type { BackendChoice, BackendName } from '../core/backend';
import type { Schema } from '../core/data/detect';
import { DEFAULT_HYPERPARAMS, type Hyperparams, type Method, type ProgressEvent, type Task, type TrainRequest, type TrainResult } from '../core/types';
import type { Resumable, RunFinal, RunRecord, RunStatus } from '../storage/db';
import { addMetrics, createRun, loadCheckpoint, loadMetrics, resumeHint, saveCheckpoint, saveRunOutputs, trimMetrics, updateRun } from '../storage/runs';
import type { CheckpointAt } from '../workers/checkpointing';
import type { TrainSession } from '../workers/clients';
import type { TravellingError } from '../workers/errors';
import { withSlider, type SliderKey } from './hyperparams';
import type { ModelEntry } from './models';
import { applySample, withoutSample, type SampleSettingsInForce } from './samples';
import type { SliceCreator } from './store';

export interface TrainSettings {
  task: Task;
  modelId: string | null;
  method: Method;
  backend: BackendChoice;
  hyperparams: Hyperparams;
}

export type LiveStatus = 'starting' | 'running' | 'paused' | 'stopping' | 'saving';

export interface ActiveRun {
  runId: number;
  status: LiveStatus;
  backend: BackendName | null;
  /** wasm threads in use (1 elsewhere). */
  threads: number;
  /** The step of the last checkpoint kept (a closed tab resumes from there). */
  savedStep: number | null;
  /** Why the last checkpoint could not be kept; training goes on. */
  checkpointError: string | null;
}

export interface TrainingSlice {
  models: ModelEntry[];
  modelsError: string | null;
  settings: TrainSettings;
  active: ActiveRun | null;
  trainError: string | null;
  /** Settings a sample brought (more epochs, say) while they hold; null once taken back or changed. */
  sampleSettings: SampleSettingsInForce | null;
  loadModels(): Promise<void>;
  setTask(task: Task): void;
  setModel(id: string): void;
  setMethod(method: Method): void;
  setBackend(backend: BackendChoice): void;
  setSlider(key: SliderKey, value: number): void;
  setHyperparams(patch: Partial<Hyperparams>): void;
  /** The dataset's mapping suggests a task (labels -> classification) until the person picks one. */
  suggestTask(schema: Schema): void;
  /** The chosen model's size suggests a method (see `suggestedMethod`) until the person picks one. */
  suggestMethod(params: number): void;
  /**
   * The dataset chosen now: a shipped sample's settings are set (a previous sample's taken
   * back first), any other dataset takes them back. Called on every change of dataset.
   */
  followDatasetSettings(datasetId: number | null): void;
  /** The person asks for the settings the sample replaced. */
  revertSampleSettings(): void;
  startTraining(): Promise<void>;
  pauseTraining(): void;
  resumeTraining(): void;
  stopTraining(): void;
  /** Goes on with an interrupted or failed run from its last checkpoint, on the backend chosen now. */
  resumeRun(runId: number): Promise<void>;
}

/** How often a run keeps a checkpoint (it keeps one at every pause too): a closed tab loses at most this much training. */
export const CHECKPOINT_INTERVAL_MS = 60_000;

/**
 * Below this many parameters full fine-tuning is the default: weights, gradients and AdamW's
 * two moments take 16 bytes a parameter (320 MB at 20 M), which any device running the studio
 * holds, and on a small model it learns more than low-rank adapters for no more time (the
 * d=128 starter model that shipped before the current one, in the starter card's notes:
 * 93.3% with LoRA against 96.0% full on the spam sample, seeds 1-3).
 * Larger models default to LoRA.
 */
export const FULL_FINE_TUNE_MAX_PARAMS = 20_000_000;

export function suggestedMethod(params: number): Method {
  return params <= FULL_FINE_TUNE_MAX_PARAMS ? 'full' : 'lora';
}

/** The engine's defaults (what `npm run cli -- train` and the starter model's baseline use). */
export const DEFAULT_SETTINGS: TrainSettings = {
  task: 'lm',
  modelId: null,
  method: 'lora',
  backend: 'auto',
  hyperparams: DEFAULT_HYPERPARAMS,
};

/** How often live progress reaches the store (and so the charts). */
export const PROGRESS_INTERVAL_MS = 250;

export function finalMetrics(result: Pick<TrainResult, 'history' | 'best' | 'stopReason' | 'data'>): RunFinal {
  const last = result.history[result.history.length - 1];
  const lastVal = [...result.history].reverse().find((e) => e.val)?.val;
  return {
    steps: last?.step ?? 0,
    trainMs: last?.elapsedMs,
    trainLoss: last?.trainLoss,
    valLoss: lastVal?.loss,
    valAccuracy: lastVal?.accuracy,
    perplexity: lastVal?.perplexity,
    stopReason: result.stopReason,
    ...(result.data && { data: result.data }),
  };
}

/** Why IndexedDB refused a write, as a person reads it. */
export function storageFailure(e: unknown): string {
  const err = e as { name?: string; message?: string };
  const full = err?.name === 'QuotaExceededError' || /quota/i.test(err?.message ?? '');
  return full ? "this site's storage in the browser is full" : `the browser refused the write (${err?.message ?? String(e)})`;
}

/** Why a run's weights are only in the page, and what the person can do. */
export function unsavedMessage(e: unknown): string {
  return `Trained, but the weights could not be kept in this browser: ${storageFailure(e)}. They are in this page only until it closes: download them, or delete old runs or datasets and keep them.`;
}

/**
 * A run's failure message, and what to do: go on from the checkpoint when one is kept (with
 * the error's advice for that case), else the error's own advice.
 */
function withResumeHint({ message, advice, resumeAdvice }: TravellingError, resumable: Resumable | null): string {
  const parts = resumable ? [message, resumeHint(resumable), resumeAdvice] : [message, advice];
  return parts.filter(Boolean).join(' ');
}

function statusOf(result: TrainResult): RunStatus {
  return result.stopReason === 'cancelled' ? 'stopped' : result.stopReason === 'non-finite' ? 'failed' : 'completed';
}

export const createTrainingSlice: SliceCreator<TrainingSlice> = (set, get, deps) => {
  // The session lives beside the state, not in it: it holds a Worker, which is neither state nor serialisable.
  let session: TrainSession | null = null;
  let taskChosen = false;
  let methodChosen = false;
  const patchSettings = (patch: Partial<TrainSettings>) => set({ settings: { ...get().settings, ...patch } });
  const setActive = (patch: Partial<ActiveRun>) => {
    const a = get().active;
    if (a) set({ active: { ...a, ...patch } });
  };

  /** Writes metrics in order without making the progress callback wait for IndexedDB. */
  let metricsQueue: Promise<void> = Promise.resolve();

  async function fail(runId: number | null, error: string | TravellingError, resumable: Resumable | null = null) {
    const message = withResumeHint(typeof error === 'string' ? { code: 'error', message: error } : error, resumable);
    set({ trainError: message, active: null });
    if (runId !== null) {
      await updateRun(deps.db(), runId, { status: 'failed', message, finishedAt: Date.now() });
      await get().loadRuns();
    }
  }

  /**
   * Runs `request` in a training session for `run` (new, or resumed from `resume`), records its
   * progress and checkpoints, and stores the outcome.
   */
  async function execute(run: RunRecord, backendChoice: BackendChoice, request: TrainRequest, resume?: { bytes: Uint8Array; events: ProgressEvent[]; at: Resumable }) {
    const runId = run.id;
    let resumable: Resumable | null = resume?.at ?? null;
    set({ active: { runId, status: 'starting', backend: null, threads: 1, savedStep: resumable?.step ?? null, checkpointError: null } });
    get().showLiveRun(run);
    if (resume) get().appendLiveEvents(runId, resume.events);
    try {
      // Events are batched: a fast backend reports many steps a second, and redrawing the
      // charts (and writing IndexedDB) for each would take the page's time away from the person.
      let pending: ProgressEvent[] = [];
      let timer: ReturnType<typeof setTimeout> | null = null;
      const flush = () => {
        timer = null;
        const batch = pending;
        pending = [];
        if (batch.length === 0 || get().active?.runId !== runId) return;
        get().appendLiveEvents(runId, batch);
        metricsQueue = metricsQueue.then(() => addMetrics(deps.db(), runId, batch)).catch(() => undefined);
      };
      const onProgress = (e: ProgressEvent) => {
        pending.push(e);
        timer ??= setTimeout(flush, PROGRESS_INTERVAL_MS);
      };
      const onCheckpoint = async (bytes: Uint8Array, at: CheckpointAt) => {
        try {
          resumable = await saveCheckpoint(deps.db(), runId, bytes, at);
          setActive({ savedStep: at.step, checkpointError: null });
        } catch (e) {
          setActive({ checkpointError: `Progress could not be kept for resuming: ${storageFailure(e)}. Training goes on.` });
        }
      };
      const checkpointing = { resume: resume?.bytes, everyMs: CHECKPOINT_INTERVAL_MS, onCheckpoint };
      const started = await deps.startTraining(backendChoice, request, onProgress, checkpointing);
      if (!started.ok) return await fail(runId, started.error, resumable);
      session = started.value;
      const backend = session.capabilities.backend;
      // A stop pressed while the backend was starting is honoured now.
      const wanted = get().active?.status;
      setActive({ backend, threads: session.capabilities.threads, status: wanted === 'stopping' ? 'stopping' : 'running' });
      if (wanted === 'stopping') session.cancel();
      await updateRun(deps.db(), runId, { backend, backendChoice });
      await get().loadRuns();

      const outcome = await session.result;
      session.dispose();
      session = null;
      if (timer) clearTimeout(timer);
      flush();
      await metricsQueue;
      if (!outcome.ok) return await fail(runId, outcome.error, resumable);
      setActive({ status: 'saving' });
      const result = outcome.value;
      // The result's history is the complete record: progress messages may still be in flight.
      await addMetrics(deps.db(), runId, result.history);
      get().replaceLiveEvents(runId, result.history);
      const record = { status: statusOf(result), message: result.message, finishedAt: Date.now(), final: finalMetrics(result), totalSteps: result.history.at(-1)?.totalSteps };
      const outputs = { model: result.model, adapter: result.adapter };
      try {
        await saveRunOutputs(deps.db(), runId, outputs, record);
      } catch (e) {
        // Storage full (or any write refused): the weights are not thrown away. They stay in
        // the page, to download now or to keep once space is freed.
        set({ unsaved: { ...get().unsaved, [runId]: outputs } });
        await updateRun(deps.db(), runId, { ...record, message: unsavedMessage(e) });
      }
      set({ active: null });
      await get().loadRuns();
      await get().refreshUsage();
    } catch (e) {
      session?.dispose();
      session = null;
      await fail(runId, (e as Error).message ?? String(e), resumable);
    }
  }

  return {
    models: [],
    modelsError: null,
    settings: DEFAULT_SETTINGS,
    active: null,
    trainError: null,
    sampleSettings: null,

    async loadModels() {
      // Models the person brought are listed after the shipped ones, even when the shipped list fails.
      const mine = (await deps.models?.listUserModels().catch(() => [])) ?? [];
      try {
        const models = [...(await deps.fetchModels()), ...mine];
        set({ models, modelsError: models.length ? null : 'No base models are listed in models/index.json.' });
      } catch (e) {
        set({ models: mine, modelsError: `Could not load the model list: ${(e as Error).message}` });
      }
      const id = get().settings.modelId;
      if (!get().models.some((m) => m.id === id)) patchSettings({ modelId: get().models[0]?.id ?? null });
      await get().modelChosen();
    },

    setTask(task) {
      taskChosen = true;
      patchSettings({ task });
    },
    setModel(modelId) {
      patchSettings({ modelId });
      void get().modelChosen();
    },
    setMethod(method) {
      methodChosen = true;
      patchSettings({ method });
    },
    setBackend(backend) {
      patchSettings({ backend });
    },
    setSlider(key, value) {
      patchSettings({ hyperparams: withSlider(get().settings.hyperparams, key, value) });
    },
    setHyperparams(patch) {
      patchSettings({ hyperparams: { ...get().settings.hyperparams, ...patch } });
    },
    suggestTask(schema) {
      if (!taskChosen) patchSettings({ task: schema.kind === 'labeled' ? 'classify' : 'lm' });
    },
    suggestMethod(params) {
      if (!methodChosen) patchSettings({ method: suggestedMethod(params) });
    },
    followDatasetSettings(datasetId) {
      const { datasets, samples, sampleSettings } = get();
      const sampleId = datasets.find((d) => d.id === datasetId)?.sampleId;
      const entry = samples.find((e) => e.id === sampleId);
      if (sampleSettings && sampleSettings.datasetId === datasetId && entry?.settings) return;
      get().revertSampleSettings();
      if (datasetId === null || !entry?.settings) return;
      const { hyperparams, inForce } = applySample(get().settings.hyperparams, datasetId, entry.name, entry.settings);
      patchSettings({ hyperparams });
      set({ sampleSettings: inForce });
    },
    revertSampleSettings() {
      const s = get().sampleSettings;
      if (!s) return;
      patchSettings({ hyperparams: withoutSample(get().settings.hyperparams, s) });
      set({ sampleSettings: null });
    },

    async startTraining() {
      if (get().active) return;
      const { settings, datasets, selectedDatasetId, models } = get();
      const dataset = datasets.find((d) => d.id === selectedDatasetId);
      const model = models.find((m) => m.id === settings.modelId);
      set({ trainError: null });
      if (!dataset) return void set({ trainError: 'Upload or choose a dataset first.' });
      if (!model) return void set({ trainError: 'Choose a base model first.' });
      if (settings.task === 'classify' && dataset.schema.kind !== 'labeled') {
        return void set({ trainError: 'Classification needs a text column and a label column: set them under "Column mapping".' });
      }
      let run: RunRecord;
      let request: TrainRequest;
      try {
        // The version chosen in the data studio (its validation split, when it has one), or the imported rows.
        const data = await get().trainingData(dataset);
        const base = await deps.fetchModelFiles(model);
        const hyperparams = structuredClone(settings.hyperparams);
        const count = get().runs.length + 1;
        run = await createRun(deps.db(), {
          name: `${settings.task === 'classify' ? 'classify' : 'generate'}-${settings.method}-${count}`,
          createdAt: Date.now(),
          datasetId: dataset.id,
          datasetName: data.name,
          versionId: data.versionId,
          schema: dataset.schema,
          modelId: model.id,
          modelName: model.name,
          task: settings.task,
          method: settings.method,
          backendChoice: settings.backend,
          hyperparams,
          status: 'running',
        });
        request = { task: settings.task, method: settings.method, base, train: data.train, val: data.val, hyperparams };
      } catch (e) {
        return await fail(null, (e as Error).message ?? String(e));
      }
      await execute(run, settings.backend, request);
    },

    async resumeRun(runId) {
      if (get().active) return;
      const run = get().runs.find((r) => r.id === runId);
      set({ trainError: null });
      if (!run?.resumable) return void set({ trainError: 'This run has no saved checkpoint to go on from.' });
      const dataset = get().datasets.find((d) => d.id === run.datasetId);
      const model = get().models.find((m) => m.id === run.modelId);
      const cannot = (why: string) => set({ trainError: `${run.name} cannot go on: ${why}. Its checkpoint is kept.` });
      if (!dataset) return void cannot(`the dataset it trained on (${run.datasetName}) was deleted`);
      if (!model) return void cannot(`its base model (${run.modelName}) is no longer in the model list`);
      let request: TrainRequest;
      let bytes: Uint8Array | null;
      try {
        const data = await get().trainingData(dataset, run.versionId ?? null, run.schema);
        const base = await deps.fetchModelFiles(model);
        request = { task: run.task, method: run.method, base, train: data.train, val: data.val, hyperparams: run.hyperparams };
        bytes = await loadCheckpoint(deps.db(), runId);
      } catch (e) {
        return void cannot((e as Error).message ?? String(e));
      }
      if (!bytes) return void cannot('its checkpoint is no longer in this browser');
      const at = run.resumable;
      // The metrics past the checkpoint are recorded again as the run goes on.
      await trimMetrics(deps.db(), runId, at.step);
      const events = await loadMetrics(deps.db(), runId);
      const backendChoice = get().settings.backend;
      const resumed = { ...run, status: 'running' as const, message: `Resumed from step ${at.step} of ${at.totalSteps}.`, finishedAt: undefined, backendChoice };
      await updateRun(deps.db(), runId, { status: 'running', message: resumed.message, finishedAt: undefined, backendChoice });
      await execute(resumed, backendChoice, request, { bytes, events, at });
    },

    pauseTraining() {
      const a = get().active;
      if (!session || a?.status !== 'running') return;
      session.pause();
      setActive({ status: 'paused' });
      void updateRun(deps.db(), a.runId, { status: 'paused' }).then(() => get().loadRuns());
    },

    resumeTraining() {
      const a = get().active;
      if (!session || a?.status !== 'paused') return;
      session.resume();
      setActive({ status: 'running' });
      void updateRun(deps.db(), a.runId, { status: 'running' }).then(() => get().loadRuns());
    },

    stopTraining() {
      const a = get().active;
      if (!a || a.status === 'stopping' || a.status === 'saving') return;
      setActive({ status: 'stopping' });
      // Cancelling a paused run releases it; the loop ends at its next checkpoint and still saves the weights.
      session?.cancel();
    },
  };
};
