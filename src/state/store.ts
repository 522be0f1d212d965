/**
 * The studio's zustand store, built from three slices: data (datasets and imports),
 * training (settings and the live run) and runs (history, curves, downloads).
 * `createStudioStore(deps)` takes its outside world as an argument so tests can drive it.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createDataSlice, type DataSlice } from './dataSlice';
import type { StudioDeps } from './deps';
import { createRunsSlice, type RunsSlice } from './runsSlice';
import { createTrainingSlice, type TrainingSlice } from './trainingSlice';

export type StudioState = DataSlice & TrainingSlice & RunsSlice & { init(): Promise<void> };

export type StudioStore = StoreApi<StudioState>;

export type SliceCreator<T> = (set: StoreApi<StudioState>['setState'], get: StoreApi<StudioState>['getState'], deps: StudioDeps) => T;

export function createStudioStore(deps: StudioDeps): StudioStore {
  return createStore<StudioState>()((set, get) => ({
    ...createDataSlice(set, get, deps),
    ...createTrainingSlice(set, get, deps),
    ...createRunsSlice(set, get, deps),
    async init() {
      await Promise.all([get().loadDatasets(), get().loadModels(), get().loadSamples(), get().loadRuns(true)]);
      await get().refreshUsage();
    },
  }));
}
