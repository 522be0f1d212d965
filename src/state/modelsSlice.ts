/**
 * Bringing your own model: uploads, Hub downloads (progress per file, cancel, the size
 * question), the models kept in this browser, what the chosen model allows (tasks, LoRA
 * targets) and the memory estimate for the run as set up.
 */
import type { BackendName } from '../core/backend';
import type { HubProgress } from '../core/io/hub';
import type { ModelFiles } from '../core/types';
import type { ModelInfo } from '../storage/modelDb';
import type { TravellingError } from '../workers/errors';
import type { EstimateResult, UploadedFile } from '../workers/modelJob';
import { DEFAULT_ENDPOINT } from '../workers/hubEndpoint';
import { ModelFolderError, pickModelFiles } from '../workers/modelFolder';
import { estimateBackend, gpuLimitWarning, memoryBudget, type DeviceFacts, type MemoryBudget } from './deviceMemory';
import type { ModelDeps } from './modelDeps';
import type { ModelEntry } from './models';
import { effectiveSeqLen, currentRowLengths, rowLengthsKey, type MeasuredRows } from './rowLengths';
import type { SliceCreator, StudioState } from './store';
import { currentVersionId } from './studioDataSlice';

export interface FileProgress {
  name: string;
  loaded: number;
  total: number | null;
}

export interface HubDownload {
  repoId: string;
  status: 'downloading' | 'done' | 'failed' | 'cancelled' | 'declined';
  files: FileProgress[];
  overall: { loaded: number; total: number | null };
  error: TravellingError | null;
}

export interface SizeQuestion {
  repoId: string;
  bytes: number;
  files: { name: string; size: number | null }[];
}

export interface LocalImport {
  status: 'reading' | 'failed';
  error: string | null;
}

export interface MemoryView {
  result: EstimateResult | null;
  budget: MemoryBudget;
  /** The backend the estimate is for (the choice, or what "auto" will most likely pick). */
  backend: BackendName;
  gpuWarning: string | null;
  error: string | null;
}

export interface ModelsSlice {
  hubEndpoint: string;
  hubDownload: HubDownload | null;
  sizeQuestion: SizeQuestion | null;
  localImport: LocalImport | null;
  memory: MemoryView | null;
  device: DeviceFacts | null;
  /** The training rows in the chosen model's tokens (see rowLengths.ts); null until measured. */
  rowLengths: MeasuredRows | null;
  /** The key (see rowLengthsKey) of the measurement under way, if any. */
  measuringRows: string | null;
  /** The share of rows that measurement has done (0 to 1). */
  measuringDone: number;
  setHubEndpoint(endpoint: string): void;
  downloadFromHub(repoId: string): Promise<void>;
  cancelHubDownload(): void;
  answerSizeQuestion(download: boolean): void;
  importModelFiles(picked: UploadedFile[]): Promise<void>;
  dismissModelMessage(which: 'files' | 'hub'): void;
  removeUserModel(id: string): Promise<void>;
  /** After the model changes: read its description if needed, then fit the task and LoRA targets to it. */
  modelChosen(): Promise<void>;
  setLoraTargets(targets: string[]): void;
  refreshMemoryEstimate(): Promise<void>;
  /** Measures the chosen training rows in the chosen model's tokens, unless that is what was measured last. */
  refreshRowLengths(): Promise<void>;
}

export function chosenModel(s: Pick<StudioState, 'models' | 'settings'>): ModelEntry | undefined {
  return s.models.find((m) => m.id === s.settings.modelId);
}

/** Max sequence length as a run will use it: the setting, capped by the chosen model's context. */
export function maxLengthInUse(s: Pick<StudioState, 'models' | 'settings'>): number {
  return Math.min(s.settings.hyperparams.maxLength, chosenModel(s)?.info?.maxPositions ?? Infinity);
}

/** The LoRA targets a run will adapt: the chosen ones, else the family's defaults. */
export function effectiveLoraTargets(targetModules: string[], info: ModelInfo | undefined): string[] {
  if (targetModules.length) return targetModules;
  return info?.loraTargets.default ?? [];
}

/** Merges one progress report into the per-file list (files appear in download order). */
export function withProgress(d: HubDownload, p: HubProgress): HubDownload {
  const files = d.files.some((f) => f.name === p.file)
    ? d.files.map((f) => (f.name === p.file ? { name: p.file, loaded: p.loaded, total: p.total } : f))
    : [...d.files, { name: p.file, loaded: p.loaded, total: p.total }];
  return { ...d, files, overall: { loaded: p.overallLoaded, total: p.overallTotal } };
}

function missing(): never {
  throw new Error('The studio was started without model support (deps.models).');
}

export const createModelsSlice: SliceCreator<ModelsSlice> = (set, get, deps) => {
  const md = (): ModelDeps => deps.models ?? missing();
  let abort: AbortController | null = null;
  let answer: ((ok: boolean) => void) | null = null;
  let estimateToken = 0;
  let lengthsToken = 0;
  let tokenizerOf: { model: string; files: ModelFiles | null } | null = null;
  const describing = new Set<string>();

  /** Adds or replaces a brought model after the shipped ones, and chooses it. */
  const adopt = (entry: ModelEntry) => {
    set({ models: [...get().models.filter((m) => m.id !== entry.id), entry] });
    get().setModel(entry.id);
  };

  return {
    hubEndpoint: deps.models?.savedEndpoint() ?? DEFAULT_ENDPOINT,
    hubDownload: null,
    sizeQuestion: null,
    localImport: null,
    memory: null,
    device: null,
    rowLengths: null,
    measuringRows: null,
    measuringDone: 0,

    setHubEndpoint(endpoint) {
      set({ hubEndpoint: endpoint });
    },

    async downloadFromHub(repoId) {
      if (get().hubDownload?.status === 'downloading') return;
      const id = repoId.trim();
      const endpoint = get().hubEndpoint.trim() || DEFAULT_ENDPOINT;
      abort = new AbortController();
      const mine = abort;
      set({ hubDownload: { repoId: id, status: 'downloading', files: [], overall: { loaded: 0, total: null }, error: null } });
      const onProgress = (p: HubProgress) => {
        const d = get().hubDownload;
        if (abort === mine && d?.status === 'downloading') set({ hubDownload: withProgress(d, p) });
      };
      const confirmSize = (bytes: number, files: { name: string; size: number | null }[]) =>
        new Promise<boolean>((resolve) => {
          if (mine.signal.aborted) return resolve(false);
          answer = resolve;
          set({ sizeQuestion: { repoId: id, bytes, files } });
        });
      const out = await md().download({ repoId: id, endpoint, largeBytes: md().largeBytes }, onProgress, confirmSize, mine.signal);
      if (abort === mine) abort = null;
      const d = get().hubDownload ?? { repoId: id, files: [], overall: { loaded: 0, total: null } };
      if (!out.ok) {
        const status = out.error.code === 'aborted' || mine.signal.aborted ? 'cancelled' : out.error.code === 'too-large-declined' ? 'declined' : 'failed';
        return void set({ hubDownload: { ...d, status, error: out.error }, sizeQuestion: null });
      }
      md().saveEndpoint(endpoint);
      set({ hubDownload: { ...d, status: 'done', error: null } });
      adopt(out.value);
    },

    cancelHubDownload() {
      abort?.abort();
      if (get().sizeQuestion) get().answerSizeQuestion(false);
    },

    answerSizeQuestion(download) {
      answer?.(download);
      answer = null;
      set({ sizeQuestion: null });
    },

    async importModelFiles(picked) {
      if (get().localImport?.status === 'reading') return;
      try {
        // Checked here first, so a wrong pick is told at once, before any byte is read.
        pickModelFiles(picked);
      } catch (e) {
        if (!(e instanceof ModelFolderError)) throw e;
        return void set({ localImport: { status: 'failed', error: e.message } });
      }
      set({ localImport: { status: 'reading', error: null } });
      const out = await md().importFolder(picked);
      if (!out.ok) return void set({ localImport: { status: 'failed', error: out.error.message } });
      set({ localImport: null });
      adopt(out.value);
    },

    dismissModelMessage(which) {
      if (which === 'files' && get().localImport?.status === 'failed') set({ localImport: null });
      if (which === 'hub' && get().hubDownload?.status !== 'downloading') set({ hubDownload: null });
    },

    async removeUserModel(id) {
      const entry = get().models.find((m) => m.id === id);
      if (!entry || entry.source === 'shipped' || entry.source === undefined || get().active) return;
      await md().deleteUserModel(id);
      set({ models: get().models.filter((m) => m.id !== id) });
      if (get().settings.modelId === id) {
        const next = get().models[0];
        if (next) get().setModel(next.id);
        else set({ settings: { ...get().settings, modelId: null } });
      }
      await get().refreshUsage();
    },

    async modelChosen() {
      let model = chosenModel(get());
      if (!model) return;
      if (!model.info && deps.models && !describing.has(model.id)) {
        describing.add(model.id);
        const out = await md().describeShipped(model);
        describing.delete(model.id);
        const info = out.ok ? out.value : undefined;
        if (info) set({ models: get().models.map((m) => (m.id === model!.id ? { ...m, info } : m)) });
        model = chosenModel(get());
      }
      const info = model?.info;
      if (!info || model?.id !== get().settings.modelId) return;
      get().suggestMethod(info.params);
      const { settings } = get();
      const task = info.tasks.includes(settings.task) ? settings.task : info.tasks[0];
      const lora = settings.hyperparams.lora;
      const targetsFit = lora.targetModules.every((t) => info.loraTargets.all.includes(t));
      if (task !== settings.task || !targetsFit) {
        set({ settings: { ...settings, task, hyperparams: { ...settings.hyperparams, lora: { ...lora, targetModules: targetsFit ? lora.targetModules : [] } } } });
      }
    },

    setLoraTargets(targets) {
      const hp = get().settings.hyperparams;
      set({ settings: { ...get().settings, hyperparams: { ...hp, lora: { ...hp.lora, targetModules: [...targets] } } } });
    },

    async refreshMemoryEstimate() {
      const token = ++estimateToken;
      const model = chosenModel(get());
      if (!model?.info || !deps.models) return void set({ memory: null });
      let device = get().device;
      if (!device) {
        device = await md().deviceFacts();
        set({ device });
      }
      const { settings } = get();
      const hp = settings.hyperparams;
      const budget = memoryBudget(device, settings.backend);
      const backend = estimateBackend(settings.backend, device);
      const out = await md().estimate({
        config: model.info.config,
        task: settings.task,
        method: settings.method,
        batchSize: hp.batchSize,
        seqLen: effectiveSeqLen(hp.maxLength, currentRowLengths(get())),
        lora: { ...hp.lora, targetModules: effectiveLoraTargets(hp.lora.targetModules, model.info) },
        freeze: hp.freeze,
        dropout: hp.dropout,
        backend,
        checkpointing: hp.gradientCheckpointing === true,
        availableBytes: budget.bytes,
      });
      if (token !== estimateToken) return;
      if (!out.ok) return void set({ memory: { result: null, budget, backend, gpuWarning: null, error: out.error.message } });
      set({ memory: { result: out.value, budget, backend, gpuWarning: gpuLimitWarning(out.value.largestTensor, device, settings.backend), error: null } });
    },

    async refreshRowLengths() {
      const s = get();
      const key = rowLengthsKey(s);
      if (key !== null && s.rowLengths?.key === key) return;
      const token = ++lengthsToken;
      const model = chosenModel(s);
      const dataset = s.datasets.find((d) => d.id === s.selectedDatasetId);
      const m = deps.models;
      if (key === null || !model || !dataset || !m?.measureRows || !m.tokenizerFiles) return void set({ rowLengths: null, measuringRows: null });
      set({ measuringRows: key, measuringDone: 0 });
      try {
        // Read once per model: a change of dataset, mapping or task measures again with the same files.
        const which = `${model.id}@${model.hub?.revision ?? ''}`;
        if (tokenizerOf?.model !== which) tokenizerOf = { model: which, files: await m.tokenizerFiles(model) };
        const tokenizer = tokenizerOf.files;
        const eos = model.info?.config.eos_token_id;
        const out = tokenizer
          ? await m.measureRows({ datasetId: dataset.id, versionId: currentVersionId(s), schema: dataset.schema, task: s.settings.task, tokenizer, eosTokenId: typeof eos === 'number' ? eos : null }, (done) => {
              if (token === lengthsToken) set({ measuringDone: done });
            })
          : null;
        // Nothing to say when the rows cannot be read as this task wants (the run will say why).
        if (token === lengthsToken) set({ rowLengths: out?.ok ? { key, ...out.value } : null, measuringRows: null });
      } catch {
        if (token === lengthsToken) set({ rowLengths: null, measuringRows: null });
      }
    },
  };
};
