/** The app's one store, wired to the browser: workers, IndexedDB, fetch and downloads. */
import { useStore } from 'zustand';
import { db } from '../storage/db';
import { storageUsage } from '../storage/usage';
import { importInWorker, startTrainingWorker } from '../workers/clients';
import { createDataWorkerClient } from '../workers/dataClient';
import type { StudioDeps } from './deps';
import { fetchModelManifest } from './models';
import { browserModelDeps, fetchAnyModelFiles } from './modelWiring';
import { fetchSampleFile, fetchSampleManifest } from './samples';
import { createStudioStore, type StudioState } from './store';

function saveFile(bytes: Uint8Array, fileName: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser a moment to start the download before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export const browserDeps: StudioDeps = {
  db,
  importFile: importInWorker,
  startTraining: startTrainingWorker,
  fetchModels: fetchModelManifest,
  fetchModelFiles: fetchAnyModelFiles,
  fetchSamples: fetchSampleManifest,
  fetchSampleFile,
  storageUsage,
  save: saveFile,
  data: createDataWorkerClient(),
  models: browserModelDeps,
};

export const studio = createStudioStore(browserDeps);

export function useStudio<T>(selector: (s: StudioState) => T): T {
  return useStore(studio, selector);
}
