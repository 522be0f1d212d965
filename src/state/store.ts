/**
 * The studio's zustand store, built from four slices: data (datasets and imports),
 * training (settings and the live run), runs (history, curves, downloads) and the data
 * studio (versions, explorer, clean / augment / split).
 * `createStudioStore(deps)` takes its outside world as an argument so tests can drive it.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createDataSlice, type DataSlice } from './dataSlice';
import type { StudioDeps } from './deps';
import { createModelsSlice, type ModelsSlice } from './modelsSlice';
import { createPlaygroundSlice, watchEvalSources, type PlaygroundSlice } from './playgroundSlice';
import { createRunsSlice, type RunsSlice } from './runsSlice';
import { createStudioDataSlice, watchStudioData, type StudioDataSlice } from './studioDataSlice';
import { createTrainingSlice, type TrainingSlice } from './trainingSlice';

export type StudioState = DataSlice & TrainingSlice & RunsSlice & StudioDataSlice & ModelsSlice & PlaygroundSlice & { init(): Promise<void> };

export type StudioStore = StoreApi<StudioState>;

export type SliceCreator<T> = (set: StoreApi<StudioState>['setState'], get: StoreApi<StudioState>['getState'], deps: StudioDeps) => T;

export function createStudioStore(deps: StudioDeps): StudioStore {
  const store = createStore<StudioState>()((set, get) => ({
    ...createDataSlice(set, get, deps),
    ...createTrainingSlice(set, get, deps),
    ...createRunsSlice(set, get, deps),
    ...createStudioDataSlice(set, get, deps),
    ...createModelsSlice(set, get, deps),
    ...createPlaygroundSlice(set, get, deps),
    async init() {
      await Promise.all([get().loadDatasets(), get().loadModels(), get().loadSamples(), get().loadRuns(true)]);
      await get().refreshUsage();
    },
  }));
  watchStudioData(store);
  watchEvalSources(store);
  return store;
}
