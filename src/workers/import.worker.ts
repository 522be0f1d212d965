/** Dataset import off the main thread. Thin shell: the work is in importJob.ts. */
import { expose } from 'comlink';
import { db } from '../storage/db';
import { toTravellingError, type Outcome } from './errors';
import { importFile, type ImportProgress, type ImportSummary } from './importJob';

const api = {
  async importFile(file: File, onProgress: (p: ImportProgress) => void): Promise<Outcome<ImportSummary>> {
    try {
      return { ok: true, value: await importFile(db(), file, onProgress) };
    } catch (e) {
      return { ok: false, error: toTravellingError(e) };
    }
  },
};

expose(api);
export type ImportApi = typeof api;
