/** The runs list: every run with its settings, status and curves; delete and download. */
import type { ProgressEvent } from '../core/types';
import type { RunRecord } from '../storage/db';
import { deleteRun, listRuns, loadMetrics, loadRunFiles, markInterruptedRuns, saveRunOutputs, type RunFiles } from '../storage/runs';
import type { SliceCreator } from './store';
import { modelCard } from './modelCard';
import { storageFailure } from './trainingSlice';
import { weightsZip, zipFileName } from './zip';

export interface RunsSlice {
  runs: RunRecord[];
  /** The run whose curves the charts show (the live one while training). */
  viewRunId: number | null;
  viewEvents: ProgressEvent[];
  downloadError: string | null;
  /** Runs ticked for comparison, in the order ticked, and their per-step metrics. */
  compareIds: number[];
  compareEvents: Record<number, ProgressEvent[]>;
  /** Weights of runs that finished but could not be stored (storage full): in this page only. */
  unsaved: Record<number, RunFiles>;
  /** Try again to store a run's unsaved weights (after space was freed). */
  keepUnsaved(id: number): Promise<void>;
  toggleCompare(id: number): Promise<void>;
  clearCompare(): void;
  loadRuns(startup?: boolean): Promise<void>;
  viewRun(id: number | null): Promise<void>;
  showLiveRun(run: RunRecord): void;
  appendLiveEvents(runId: number, events: ProgressEvent[]): void;
  replaceLiveEvents(runId: number, events: ProgressEvent[]): void;
  deleteRun(id: number): Promise<void>;
  downloadWeights(id: number): Promise<void>;
  reuseSettings(id: number): void;
}

export const createRunsSlice: SliceCreator<RunsSlice> = (set, get, deps) => ({
  runs: [],
  viewRunId: null,
  viewEvents: [],
  downloadError: null,
  compareIds: [],
  compareEvents: {},
  unsaved: {},

  async loadRuns(startup = false) {
    if (startup) await markInterruptedRuns(deps.db());
    const runs = await listRuns(deps.db());
    set({ runs });
    if (startup && get().viewRunId === null && runs[0]) await get().viewRun(runs[0].id);
  },

  async viewRun(id) {
    set({ viewRunId: id, viewEvents: [] });
    if (id === null) return;
    const events = await loadMetrics(deps.db(), id);
    // The live run's events arrive through appendLiveEvent; do not overwrite them with an older read.
    if (get().viewRunId === id && get().active?.runId !== id) set({ viewEvents: events });
  },

  showLiveRun(run) {
    set({ runs: [run, ...get().runs.filter((r) => r.id !== run.id)], viewRunId: run.id, viewEvents: [] });
  },

  appendLiveEvents(runId, events) {
    if (get().viewRunId === runId) set({ viewEvents: [...get().viewEvents, ...events] });
    const compared = get().compareEvents[runId];
    if (compared) set({ compareEvents: { ...get().compareEvents, [runId]: [...compared, ...events] } });
  },

  replaceLiveEvents(runId, events) {
    if (get().viewRunId === runId) set({ viewEvents: [...events] });
    if (get().compareEvents[runId]) set({ compareEvents: { ...get().compareEvents, [runId]: [...events] } });
  },

  async toggleCompare(id) {
    const { compareIds, compareEvents } = get();
    if (compareIds.includes(id)) {
      const { [id]: _, ...rest } = compareEvents;
      return void set({ compareIds: compareIds.filter((x) => x !== id), compareEvents: rest });
    }
    set({ compareIds: [...compareIds, id] });
    // The live run's curve is the one the charts show; a finished run's is read back.
    const live = get().active?.runId === id && get().viewRunId === id;
    const events = live ? get().viewEvents : await loadMetrics(deps.db(), id);
    // Unticked while loading: keep nothing.
    if (get().compareIds.includes(id) && !get().compareEvents[id]) set({ compareEvents: { ...get().compareEvents, [id]: events } });
  },

  clearCompare() {
    set({ compareIds: [], compareEvents: {} });
  },

  async keepUnsaved(id) {
    const files = get().unsaved[id];
    const run = get().runs.find((r) => r.id === id);
    if (!files || !run) return;
    set({ downloadError: null });
    try {
      await saveRunOutputs(deps.db(), id, files, { message: undefined });
    } catch (e) {
      return void set({ downloadError: `${run.name}: still could not keep the weights: ${storageFailure(e)}. Download them, or free more space.` });
    }
    const { [id]: _, ...rest } = get().unsaved;
    set({ unsaved: rest });
    await get().loadRuns();
    await get().refreshUsage();
  },

  async deleteRun(id) {
    if (get().active?.runId === id) return;
    await deleteRun(deps.db(), id);
    if (get().unsaved[id]) {
      const { [id]: _, ...rest } = get().unsaved;
      set({ unsaved: rest });
    }
    set({ runs: get().runs.filter((r) => r.id !== id) });
    if (get().compareIds.includes(id)) await get().toggleCompare(id);
    if (get().viewRunId === id) await get().viewRun(get().runs[0]?.id ?? null);
    await get().refreshUsage();
  },

  async downloadWeights(id) {
    set({ downloadError: null });
    const run = get().runs.find((r) => r.id === id);
    const files = get().unsaved[id] ?? (await loadRunFiles(deps.db(), id));
    if (!run || !files) return void set({ downloadError: 'This run has no saved weights.' });
    const baseRepo = get().models.find((m) => m.id === run.modelId)?.hub?.repo;
    const cards = { model: modelCard(run, { baseRepo }), adapter: files.adapter ? modelCard(run, { baseRepo, adapter: true }) : undefined };
    deps.save(weightsZip(files.model, files.adapter, cards), zipFileName(run.name), 'application/zip');
  },

  reuseSettings(id) {
    const run = get().runs.find((r) => r.id === id);
    if (!run) return;
    const { settings } = get();
    set({
      settings: {
        ...settings,
        task: run.task,
        method: run.method,
        backend: run.backendChoice,
        modelId: get().models.some((m) => m.id === run.modelId) ? run.modelId : settings.modelId,
        hyperparams: structuredClone(run.hyperparams),
      },
    });
  },
});
