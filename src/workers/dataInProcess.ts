/** The data studio's engine on the current thread, behind the page's DataClient interface (Node tests and tools). */
import type { StudioDb } from '../storage/db';
import type { DataClient } from './dataClient';
import { createDataApi } from './dataJob';

/** The engine on the current thread (tests, Node tools). */
export function createInProcessDataClient(getDb: () => StudioDb): DataClient {
  const api = createDataApi(getDb);
  const flag = new Int32Array(1);
  api.setCancelFlag(flag);
  const { setCancelFlag: _unused, ...calls } = api;
  return {
    ...calls,
    cancel: () => Atomics.store(flag, 0, 1),
    dispose: () => undefined,
  };
}
