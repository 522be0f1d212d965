/**
 * Model work off the main thread: checking and storing an uploaded folder, Hub downloads
 * into the browser cache (progress and the size question travel as Comlink proxies), and
 * describing models and estimating memory, which need the engine's architecture code.
 * Thin shell: the work is in modelJob.ts.
 */
import { expose } from 'comlink';
import type { HubProgress } from '../core/io/hub';
import type { ModelInfo, UserModelRecord } from '../storage/modelDb';
import { modelDb } from '../storage/modelDb';
import type { Outcome } from './errors';
import { describeConfig, downloadHubModel, estimateMemory, importUploadedModel, toModelError, type EstimateRequest, type EstimateResult, type HubRequest, type UploadedFile } from './modelJob';

let download: AbortController | null = null;

function attempt<T>(work: () => T): Outcome<T> {
  try {
    return { ok: true, value: work() };
  } catch (e) {
    return { ok: false, error: toModelError(e) };
  }
}

const api = {
  async importFolder(files: UploadedFile[]): Promise<Outcome<UserModelRecord>> {
    try {
      return { ok: true, value: await importUploadedModel(modelDb(), files) };
    } catch (e) {
      return { ok: false, error: toModelError(e) };
    }
  },

  async download(
    req: HubRequest,
    onProgress: (p: HubProgress) => void,
    confirmSize: (bytes: number, files: { name: string; size: number | null }[]) => Promise<boolean>,
  ): Promise<Outcome<UserModelRecord>> {
    download?.abort();
    const controller = new AbortController();
    download = controller;
    try {
      const value = await downloadHubModel(modelDb(), req, { signal: controller.signal, onProgress: (p) => void onProgress(p), confirmSize: (bytes, files) => confirmSize(bytes, files) });
      return { ok: true, value };
    } catch (e) {
      return { ok: false, error: toModelError(e) };
    } finally {
      if (download === controller) download = null;
    }
  },

  /** Ends the running download; bytes received so far stay cached for the next attempt. */
  cancelDownload(): void {
    download?.abort();
  },

  describeConfig(config: Record<string, unknown>, bytes: number | null): Outcome<ModelInfo> {
    return attempt(() => describeConfig(config, bytes));
  },

  estimate(req: EstimateRequest): Outcome<EstimateResult> {
    return attempt(() => estimateMemory(req));
  },
};

expose(api);
export type ModelApi = typeof api;
