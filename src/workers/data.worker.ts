/** The data studio's worker. Thin shell: the work is in dataJob.ts. */
import { expose } from 'comlink';
import { db } from '../storage/db';
import { createDataApi } from './dataJob';

const api = createDataApi(db);

expose(api);
export type DataWorkerApi = typeof api;
