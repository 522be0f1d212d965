/** Datasets: import (in a worker), preview, column mapping, delete, storage used. */
import type { Schema } from '../core/data/detect';
import type { DatasetRecord } from '../storage/db';
import { deleteDataset, getDataset, listDatasets, markSample, PREVIEW_ROWS, previewRows, updateDatasetSchema } from '../storage/datasets';
import type { StorageUsage } from '../storage/usage';
import type { TravellingError } from '../workers/errors';
import type { ImportStage } from '../workers/importJob';
import type { SampleEntry } from './samples';
import type { SliceCreator } from './store';

export interface ImportState {
  fileName: string;
  stage: ImportStage;
  fraction: number;
}

export interface DataSlice {
  datasets: DatasetRecord[];
  selectedDatasetId: number | null;
  preview: Record<string, unknown>[];
  importing: ImportState | null;
  importError: TravellingError | null;
  /** Why the last column-mapping change could not be saved (the mapping shown is the saved one). */
  schemaError: string | null;
  usage: StorageUsage | null;
  samples: SampleEntry[];
  loadDatasets(): Promise<void>;
  loadSamples(): Promise<void>;
  importSample(id: string): Promise<void>;
  importFiles(files: File[]): Promise<void>;
  selectDataset(id: number | null): Promise<void>;
  setSchema(schema: Schema): Promise<void>;
  deleteDataset(id: number): Promise<void>;
  dismissImportError(): void;
  cancelImport(): void;
  refreshUsage(): Promise<void>;
}

export const createDataSlice: SliceCreator<DataSlice> = (set, get, deps) => {
  let importToken = 0;
  let abort: AbortController | null = null;
  return {
    datasets: [],
    selectedDatasetId: null,
    preview: [],
    importing: null,
    importError: null,
    schemaError: null,
    usage: null,
    samples: [],

    async loadSamples() {
      try {
        set({ samples: await deps.fetchSamples() });
        // The manifest may come after the datasets: a sample chosen at start gets its settings now.
        get().followDatasetSettings(get().selectedDatasetId);
      } catch {
        set({ samples: [] });
      }
    },

    async importSample(id) {
      const entry = get().samples.find((s) => s.id === id);
      if (!entry) return;
      let file: File;
      try {
        file = await deps.fetchSampleFile(entry);
      } catch (e) {
        return void set({ importError: { code: 'network', message: (e as Error).message, file: entry.file.split('/').pop() } });
      }
      await get().importFiles([file]);
      const datasetId = get().selectedDatasetId;
      if (get().importError || datasetId === null) return;
      set({ datasets: get().datasets.map((d) => (d.id === datasetId ? { ...d, sampleId: entry.id } : d)) });
      get().followDatasetSettings(datasetId);
      // Kept so the settings follow the sample after a reload; if the write fails, only that is lost.
      await markSample(deps.db(), datasetId, entry.id).catch(() => undefined);
    },

    async loadDatasets() {
      const datasets = await listDatasets(deps.db());
      set({ datasets });
      const selected = get().selectedDatasetId;
      if (selected === null || !datasets.some((d) => d.id === selected)) await get().selectDataset(datasets[0]?.id ?? null);
    },

    async importFiles(files) {
      // One file at a time: each is its own all-or-nothing import.
      for (const file of files) {
        const token = ++importToken;
        abort = new AbortController();
        set({ importing: { fileName: file.name, stage: 'reading', fraction: 0 }, importError: null });
        // Progress messages travel on their own port and may land after the result: drop late ones.
        const outcome = await deps.importFile(
          file,
          (p) => {
            if (token === importToken && get().importing) set({ importing: { fileName: file.name, stage: p.stage, fraction: p.fraction } });
          },
          abort.signal,
        );
        importToken++;
        abort = null;
        set({ importing: null });
        if (!outcome.ok) {
          set({ importError: outcome.error });
          break;
        }
        const { dataset, preview } = outcome.value;
        set({ datasets: [dataset, ...get().datasets.filter((d) => d.id !== dataset.id)], selectedDatasetId: dataset.id, preview });
        get().followDatasetSettings(dataset.id);
        get().suggestTask(dataset.schema);
      }
      await get().refreshUsage();
    },

    async selectDataset(id) {
      if (id === null) {
        set({ selectedDatasetId: null, preview: [] });
        return get().followDatasetSettings(null);
      }
      set({ selectedDatasetId: id });
      get().followDatasetSettings(id);
      const preview = await previewRows(deps.db(), id, PREVIEW_ROWS);
      if (get().selectedDatasetId === id) set({ preview });
      const ds = get().datasets.find((d) => d.id === id);
      if (ds) get().suggestTask(ds.schema);
    },

    async setSchema(schema) {
      const id = get().selectedDatasetId;
      if (id === null) return;
      const show = (next: Schema) => set({ datasets: get().datasets.map((d) => (d.id === id ? { ...d, schema: next } : d)) });
      // Shown before it is saved: the selects are controlled, so until the state changes they
      // show the old mapping, and a second change made while a slow write is pending would be
      // built on it and undo the first. Writes to one table are applied in the order issued.
      show(schema);
      set({ schemaError: null });
      get().suggestTask(schema);
      try {
        await updateDatasetSchema(deps.db(), id, schema);
      } catch (e) {
        // Show what the database holds again, unless a newer change has replaced this one.
        const stored = await getDataset(deps.db(), id).catch(() => undefined);
        if (stored && get().datasets.find((d) => d.id === id)?.schema === schema) {
          show(stored.schema);
          get().suggestTask(stored.schema);
        }
        set({ schemaError: `Could not save the column mapping: ${(e as Error).message}. The mapping shown is the last one saved.` });
      }
    },

    async deleteDataset(id) {
      await deleteDataset(deps.db(), id);
      const datasets = get().datasets.filter((d) => d.id !== id);
      set({ datasets });
      if (get().selectedDatasetId === id) await get().selectDataset(datasets[0]?.id ?? null);
      await get().refreshUsage();
    },

    cancelImport() {
      abort?.abort();
    },

    dismissImportError() {
      set({ importError: null });
    },

    async refreshUsage() {
      set({ usage: await deps.storageUsage() });
    },
  };
};
