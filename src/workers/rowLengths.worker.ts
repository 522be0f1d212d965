/**
 * Measures the training rows in a model's tokens (rowLengthsJob.ts) in a worker of its own:
 * a large dataset takes a while, and neither the page nor the memory estimates wait for it.
 * One worker per measurement; a newer one ends the older (see modelClients.ts).
 */
import { expose } from 'comlink';
import { openDb, type StudioDb } from '../storage/db';
import { toTravellingError, type Outcome } from './errors';
import { measureRows, type RowLengths, type RowLengthsRequest } from './rowLengthsJob';

let db: StudioDb | null = null;

const api = {
  async measureRows(req: RowLengthsRequest, onProgress?: (done: number) => void): Promise<Outcome<RowLengths>> {
    try {
      db ??= openDb();
      return { ok: true, value: await measureRows(db, req, onProgress) };
    } catch (e) {
      return { ok: false, error: toTravellingError(e) };
    }
  },
};

expose(api);
export type RowLengthsApi = typeof api;
