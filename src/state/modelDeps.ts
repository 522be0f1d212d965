/**
 * What the model slices need from the outside world: the model worker (uploads, Hub
 * downloads, descriptions, memory estimates), the playground worker and the browser's
 * memory figures. modelWiring.ts wires the browser; tests wire in-process fakes.
 */
import type { BackendChoice } from '../core/backend';
import type { HubProgress } from '../core/io/hub';
import type { ModelFiles } from '../core/types';
import type { ModelInfo } from '../storage/modelDb';
import type { Outcome } from '../workers/errors';
import type { PlaygroundSession } from '../workers/modelClients';
import type { EstimateRequest, EstimateResult, HubRequest, UploadedFile } from '../workers/modelJob';
import type { RowLengths, RowLengthsRequest } from '../workers/rowLengthsJob';
import type { DeviceFacts } from './deviceMemory';
import type { ModelEntry } from './models';

export type ConfirmSize = (bytes: number, files: { name: string; size: number | null }[]) => Promise<boolean>;

export interface ModelDeps {
  /** Models the person brought earlier (uploads and downloads), oldest first. */
  listUserModels(): Promise<ModelEntry[]>;
  importFolder(files: UploadedFile[]): Promise<Outcome<ModelEntry>>;
  download(req: HubRequest, onProgress: (p: HubProgress) => void, confirmSize: ConfirmSize, signal: AbortSignal): Promise<Outcome<ModelEntry>>;
  deleteUserModel(id: string): Promise<void>;
  /** Family, parameters and size of a shipped model, from its config.json. */
  describeShipped(entry: ModelEntry): Promise<Outcome<ModelInfo>>;
  estimate(req: EstimateRequest): Promise<Outcome<EstimateResult>>;
  /** The model's tokenizer files without its weights; null when they are not at hand. */
  tokenizerFiles?(entry: ModelEntry): Promise<ModelFiles | null>;
  /** The training rows measured in the model's tokens, off the page's thread. */
  measureRows?(req: RowLengthsRequest, onProgress?: (done: number) => void): Promise<Outcome<RowLengths>>;
  deviceFacts(): Promise<DeviceFacts>;
  startPlayground(backend: BackendChoice, files: ModelFiles): Promise<Outcome<PlaygroundSession>>;
  /** The Hub address last used (a mirror, or a local server in tests). */
  savedEndpoint(): string | null;
  saveEndpoint(endpoint: string): void;
  /** Ask before downloads over this many bytes (undefined: hub.ts's 200 MB). */
  largeBytes?: number;
}
