/**
 * The data studio: the selected dataset's versions, the version chosen for exploring and training,
 * the explorer's filter and charts, the clean / augment / split recipes and their previews, and the
 * one job the data worker runs at a time (progress and cancel). The work happens in the data worker
 * (deps.data); this slice keeps what the page shows.
 */
import type { AugmentOp, AugmentRecipe } from '../core/data/augment';
import type { CleanRecipe } from '../core/data/clean';
import type { Schema } from '../core/data/detect';
import type { SplitParams } from '../core/data/splits';
import type { DataRecipe, VersionDiff } from '../core/data/versions';
import type { Example } from '../core/types';
import type { DatasetRecord, VersionRecord } from '../storage/db';
import { loadTrainingRows } from '../storage/trainingRows';
import { deleteVersion, getVersion, listVersions, withDescendants } from '../storage/versions';
import type { DataClient } from '../workers/dataClient';
import type { AugmentPreview, CleanPreview, ExplorerView, JobProgress, OpenResult, SplitPreview, ViewRow } from '../workers/dataJob';
import type { Outcome } from '../workers/errors';
import {
  activeAugmentRecipe,
  augmentOnly,
  activeCleanRecipe,
  EMPTY_FILTER,
  toRowFilter,
  UI_AUGMENT_DEFAULT,
  UI_CLEAN_DEFAULT,
  UI_SPLIT_DEFAULT,
  type ExplorerFilter,
} from './recipes';
import type { SliceCreator, StudioState, StudioStore } from './store';

export type MainView = 'train' | 'data';
export type StudioTool = 'explore' | 'clean' | 'augment' | 'split';
export type StudioJobKind = 'open' | 'clean' | 'augment' | 'split' | 'apply' | 'diff' | 'reproduce';

export interface StudioJob {
  kind: StudioJobKind;
  fraction: number;
  label: string;
}

/** A preview and the recipe it was made from (the panel greys it out once the recipe changes). */
export interface Previewed<T> {
  key: string;
  value: T;
}

export interface StudioDataSlice {
  mainView: MainView;
  studioTool: StudioTool;
  /** Versions of the selected dataset, oldest first. */
  versions: VersionRecord[];
  /** The version explored, built on and trained on (null: the imported rows), for one dataset. */
  chosenVersion: { datasetId: number; versionId: number | null } | null;
  /** What the data worker has open. */
  opened: (OpenResult & { key: string }) | null;
  explorerView: ExplorerView | null;
  explorerFilter: ExplorerFilter;
  /** Bumped whenever the explorer's rows change, so the table drops the windows it holds. */
  explorerToken: number;
  cleanRecipe: CleanRecipe;
  augmentRecipe: AugmentRecipe;
  augmentSeed: number;
  splitParams: SplitParams;
  cleanPreview: Previewed<CleanPreview> | null;
  augmentPreview: Previewed<AugmentPreview> | null;
  splitPreview: Previewed<SplitPreview> | null;
  studioJob: StudioJob | null;
  studioError: string | null;
  studioNotice: string | null;
  comparison: { versionId: number; diff: VersionDiff } | null;

  setMainView(view: MainView): void;
  setStudioTool(tool: StudioTool): void;
  loadVersions(): Promise<void>;
  chooseVersion(versionId: number | null): Promise<void>;
  /** Opens the chosen version in the data worker (again, when `force`). */
  openStudio(force?: boolean): Promise<void>;
  setExplorerFilter(patch: Partial<ExplorerFilter>): Promise<void>;
  explorerRows(start: number, count: number): Promise<ViewRow[]>;
  setCleanRecipe(recipe: CleanRecipe): void;
  setAugmentRecipe(recipe: AugmentRecipe): void;
  /** The data studio's Augment step, opened on a dataset's version with one operation on (say, against a weakness a robustness check found). */
  augmentWith(op: AugmentOp, datasetId: number, versionId: number | null): Promise<void>;
  setAugmentSeed(seed: number): void;
  setSplitParams(params: SplitParams): void;
  previewClean(): Promise<void>;
  previewAugment(): Promise<void>;
  previewSplit(): Promise<void>;
  /** Stores the panel's recipe, applied to the chosen version, as its child, and chooses it. */
  applyStudio(kind: 'clean' | 'augment' | 'split'): Promise<void>;
  cancelStudioJob(): void;
  compareVersion(versionId: number): Promise<void>;
  reproduceVersion(versionId: number): Promise<void>;
  dropVersion(versionId: number): Promise<void>;
  dismissStudioMessage(): void;
  /** The rows a run trains on: `versionId`'s (null: the imported rows), by default the version chosen now. */
  trainingData(dataset: DatasetRecord, versionId?: number | null, schema?: Schema): Promise<{ name: string; versionId: number | null; train: Example[]; val?: Example[] }>;
}

/** The version chosen for the selected dataset (null: the imported rows). */
export function currentVersionId(s: Pick<StudioState, 'chosenVersion' | 'selectedDatasetId' | 'versions'>): number | null {
  const c = s.chosenVersion;
  if (!c || c.datasetId !== s.selectedDatasetId || c.versionId === null) return null;
  return s.versions.some((v) => v.id === c.versionId) ? c.versionId : null;
}

export const recipeKey = (recipe: unknown): string => JSON.stringify(recipe);

export function cleanKey(s: Pick<StudioState, 'cleanRecipe'>): string {
  return recipeKey({ clean: activeCleanRecipe(s.cleanRecipe) });
}
export function augmentKey(s: Pick<StudioState, 'augmentRecipe' | 'augmentSeed'>): string {
  return recipeKey({ augment: { recipe: activeAugmentRecipe(s.augmentRecipe), seed: s.augmentSeed } });
}
export function splitKey(s: Pick<StudioState, 'splitParams'>): string {
  return recipeKey({ split: s.splitParams });
}

const NO_CLIENT = 'The data studio is not available here (no data worker).';

export const createStudioDataSlice: SliceCreator<StudioDataSlice> = (set, get, deps) => {
  const client = (): DataClient => {
    if (!deps.data) throw new Error(NO_CLIENT);
    return deps.data;
  };

  /** Runs one job in the data worker with a progress bar; returns its value, or undefined after showing why not. */
  async function runJob<T>(kind: StudioJobKind, label: string, call: (onProgress: (p: JobProgress) => void) => Promise<Outcome<T>>): Promise<T | undefined> {
    if (get().studioJob && kind !== 'open') return undefined;
    set({ studioJob: { kind, fraction: 0, label }, studioError: null, studioNotice: null });
    let outcome: Outcome<T>;
    try {
      outcome = await call((p) => {
        if (get().studioJob?.kind === kind) set({ studioJob: { kind, fraction: p.fraction, label: p.label } });
      });
    } catch (e) {
      outcome = { ok: false, error: { code: 'error', message: (e as Error).message } };
    }
    set({ studioJob: null });
    if (!outcome.ok) {
      set(outcome.error.code === 'cancelled' ? { studioNotice: 'Cancelled. Nothing was changed.' } : { studioError: outcome.error.message });
      return undefined;
    }
    return outcome.value;
  }

  let opening: { key: string; done: Promise<void> } | null = null;

  const openKey = (s: StudioState, versionId: number | null) => {
    const ds = s.datasets.find((d) => d.id === s.selectedDatasetId);
    return recipeKey([s.selectedDatasetId, versionId, versionId === null ? ds?.schema : null]);
  };

  return {
    mainView: 'train',
    studioTool: 'explore',
    versions: [],
    chosenVersion: null,
    opened: null,
    explorerView: null,
    explorerFilter: EMPTY_FILTER,
    explorerToken: 0,
    cleanRecipe: UI_CLEAN_DEFAULT,
    augmentRecipe: UI_AUGMENT_DEFAULT,
    augmentSeed: 42,
    splitParams: UI_SPLIT_DEFAULT,
    cleanPreview: null,
    augmentPreview: null,
    splitPreview: null,
    studioJob: null,
    studioError: null,
    studioNotice: null,
    comparison: null,

    setMainView(mainView) {
      set({ mainView });
    },
    setStudioTool(studioTool) {
      set({ studioTool });
    },

    async augmentWith(op, datasetId, versionId) {
      if (!get().datasets.some((d) => d.id === datasetId)) return void set({ studioError: 'The dataset is no longer in this browser.' });
      if (get().selectedDatasetId !== datasetId) await get().selectDataset(datasetId);
      await get().loadVersions();
      if (versionId !== null && !get().versions.some((v) => v.id === versionId)) return void set({ studioError: 'The data version the run trained on was deleted.' });
      set({ augmentRecipe: augmentOnly(op), augmentPreview: null, studioTool: 'augment', mainView: 'data', studioNotice: null, studioError: null });
      await get().chooseVersion(versionId);
    },

    async loadVersions() {
      const id = get().selectedDatasetId;
      const versions = id === null ? [] : await listVersions(deps.db(), id);
      if (get().selectedDatasetId === id) set({ versions });
    },

    async chooseVersion(versionId) {
      const datasetId = get().selectedDatasetId;
      if (datasetId === null) return;
      set({ chosenVersion: { datasetId, versionId }, cleanPreview: null, augmentPreview: null, splitPreview: null });
      if (get().mainView === 'data') await get().openStudio();
    },

    async openStudio(force = false) {
      const s = get();
      if (s.selectedDatasetId === null) return void set({ opened: null, explorerView: null });
      const versionId = currentVersionId(s);
      const key = openKey(s, versionId);
      if (!force && s.opened?.key === key) return;
      // The same version asked for twice while it opens (the page and an action) opens once.
      if (!force && opening?.key === key) return opening.done;
      const datasetId = s.selectedDatasetId;
      const done = (async () => {
        const opened = await runJob('open', 'Loading rows', (onProgress) => client().open(datasetId, versionId, onProgress));
        if (opened) set({ opened: { ...opened, key }, explorerView: opened.view, explorerFilter: EMPTY_FILTER, explorerToken: get().explorerToken + 1 });
      })();
      opening = { key, done };
      try {
        await done;
      } finally {
        if (opening?.done === done) opening = null;
      }
    },

    async setExplorerFilter(patch) {
      const explorerFilter = { ...get().explorerFilter, ...patch };
      set({ explorerFilter });
      if (!get().opened) return;
      const outcome = await client().query(toRowFilter(explorerFilter));
      // A later keystroke wins: drop answers to filters that are no longer current.
      if (get().explorerFilter !== explorerFilter) return;
      if (outcome.ok) set({ explorerView: outcome.value, explorerToken: get().explorerToken + 1 });
      else set({ studioError: outcome.error.message });
    },

    async explorerRows(start, count) {
      if (!get().opened) return [];
      const outcome = await client().window(start, count);
      return outcome.ok ? outcome.value : [];
    },

    setCleanRecipe(cleanRecipe) {
      set({ cleanRecipe });
    },
    setAugmentRecipe(augmentRecipe) {
      set({ augmentRecipe });
    },
    setAugmentSeed(augmentSeed) {
      set({ augmentSeed });
    },
    setSplitParams(splitParams) {
      set({ splitParams });
    },

    async previewClean() {
      await get().openStudio();
      const key = cleanKey(get());
      const recipe = activeCleanRecipe(get().cleanRecipe);
      const value = await runJob('clean', 'Cleaning', (p) => client().previewClean(recipe, p));
      if (value) set({ cleanPreview: { key, value } });
    },

    async previewAugment() {
      await get().openStudio();
      const key = augmentKey(get());
      const recipe = activeAugmentRecipe(get().augmentRecipe);
      const value = await runJob('augment', 'Augmenting', (p) => client().previewAugment(recipe, get().augmentSeed, p));
      if (value) set({ augmentPreview: { key, value } });
    },

    async previewSplit() {
      await get().openStudio();
      const key = splitKey(get());
      const params = get().splitParams;
      const value = await runJob('split', 'Splitting', (p) => client().previewSplit(params, p));
      if (value) set({ splitPreview: { key, value } });
    },

    async applyStudio(kind) {
      await get().openStudio();
      const s = get();
      const recipe: DataRecipe =
        kind === 'clean'
          ? { clean: activeCleanRecipe(s.cleanRecipe) }
          : kind === 'augment'
            ? { augment: { recipe: activeAugmentRecipe(s.augmentRecipe), seed: s.augmentSeed } }
            : { split: { ...s.splitParams } };
      const parentName = s.versions.find((v) => v.id === currentVersionId(s))?.name ?? 'the imported rows';
      const version = await runJob('apply', 'Applying', (p) => client().apply(recipe, p));
      if (!version) return;
      set({
        versions: [...get().versions.filter((v) => v.id !== version.id), version],
        chosenVersion: { datasetId: version.datasetId, versionId: version.id },
        cleanPreview: null,
        augmentPreview: null,
        splitPreview: null,
      });
      await get().openStudio();
      set({ studioNotice: `Saved ${version.name}: ${version.rowCount.toLocaleString('en-US')} rows, made from ${parentName}.` });
    },

    cancelStudioJob() {
      if (get().studioJob) deps.data?.cancel();
    },

    async compareVersion(versionId) {
      const diff = await runJob('diff', 'Comparing', () => client().diff(versionId));
      if (diff) set({ comparison: { versionId, diff } });
    },

    async reproduceVersion(versionId) {
      const v = get().versions.find((x) => x.id === versionId);
      const r = await runJob('reproduce', 'Reproducing', (p) => client().reproduce(versionId, p));
      if (!r || !v) return;
      const { added, removed, edited, moved } = r.diff;
      set({
        studioNotice: r.identical
          ? `Reproduced ${v.name} from its parent and recipe: ${r.rowCount.toLocaleString('en-US')} rows, identical to the stored version.`
          : `Rebuilding ${v.name} gave a different result (${added} added, ${removed} removed, ${edited} edited, ${moved} moved): its parent was mapped differently or the engine changed.`,
      });
    },

    async dropVersion(versionId) {
      if (get().studioJob) return;
      const s = get();
      const dropped = withDescendants(s.versions, versionId);
      const parentId = s.versions.find((v) => v.id === versionId)?.parentId ?? null;
      await deleteVersion(deps.db(), versionId);
      const chosen = currentVersionId(s);
      set({
        versions: s.versions.filter((v) => !dropped.includes(v.id)),
        comparison: s.comparison && dropped.includes(s.comparison.versionId) ? null : s.comparison,
        studioNotice: null,
      });
      if (chosen !== null && dropped.includes(chosen)) await get().chooseVersion(parentId);
    },

    dismissStudioMessage() {
      set({ studioError: null, studioNotice: null });
    },

    async trainingData(dataset, wanted, schema = dataset.schema) {
      const s = get();
      const versionId = wanted !== undefined ? wanted : dataset.id === s.selectedDatasetId ? currentVersionId(s) : null;
      const version = versionId === null ? undefined : (s.versions.find((v) => v.id === versionId) ?? (await getVersion(deps.db(), versionId)));
      if (versionId !== null && !version) throw new Error(`the data version it trained on was deleted`);
      return loadTrainingRows(deps.db(), dataset, version, schema);
    },
  };
};

/** Keeps the versions list in step with the selected dataset. */
export function watchStudioData(store: StudioStore): void {
  let datasetId = store.getState().selectedDatasetId;
  store.subscribe((s) => {
    if (s.selectedDatasetId === datasetId) return;
    datasetId = s.selectedDatasetId;
    store.setState({ opened: null, explorerView: null, comparison: null, cleanPreview: null, augmentPreview: null, splitPreview: null, studioError: null, studioNotice: null });
    void s.loadVersions().then(() => {
      if (store.getState().mainView === 'data') void store.getState().openStudio();
    });
  });
}
