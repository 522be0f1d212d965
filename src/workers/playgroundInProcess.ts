/**
 * The playground on the current thread, behind the same PlaygroundSession as the worker
 * client (as inProcess.ts is for training): store tests and Node tools use it.
 */
import { initBackend, type BackendChoice } from '../core/backend';
import type { ModelFiles } from '../core/types';
import { toTravellingError, type Outcome } from './errors';
import type { PlaygroundSession } from './modelClients';
import { Playground } from './playgroundJob';

async function attempt<T>(work: () => Promise<T> | T): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (e) {
    return { ok: false, error: toTravellingError(e) };
  }
}

export async function startPlaygroundInProcess(backend: BackendChoice, files: ModelFiles): Promise<Outcome<PlaygroundSession>> {
  const capabilities = await attempt(() => initBackend(backend));
  if (!capabilities.ok) return capabilities;
  const playground = new Playground();
  const model = await attempt(() => playground.load(files));
  if (!model.ok) return model;
  let stop = false;
  return {
    ok: true,
    value: {
      capabilities: capabilities.value,
      model: model.value,
      generate: (prompt, settings, onText) => {
        stop = false;
        return attempt(() => playground.generate(prompt, settings, onText, () => stop));
      },
      stop: () => {
        stop = true;
      },
      classify: (text) => attempt(() => playground.classify(text)),
      evaluate: (rows, onProgress, opts) => attempt(() => playground.evaluate(rows, onProgress, opts)),
      dispose: () => playground.dispose(),
    },
  };
}
