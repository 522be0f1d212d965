/**
 * The model worker's work as plain functions over a database handle, so Node tests run
 * them without a Worker: check and store an uploaded folder, download a Hub repo into
 * the browser cache, describe a model (family, parameters, tasks, LoRA targets) and
 * estimate a run's memory.
 */
import { PASSTHROUGH_FILES, readJsonFile, readSpec } from '../core/io/hfFiles';
import { downloadModel, HubError, parseRepoId, type HubProgress } from '../core/io/hub';
import { parseSafetensors, SafetensorsError } from '../core/io/safetensors';
import type { ArchSpec, BaseConfig } from '../core/model/arch';
import { labelList } from '../core/model/config';
import { specFor } from '../core/model/specs';
import { loadTokenizerFromFiles } from '../core/tokenize/tokenizer';
import { estimateTrainingMemory, fitsIn, type MemoryEstimate } from '../core/train/memory';
import type { FreezeSettings, LoraSettings, Method, ModelFiles, Task } from '../core/types';
import { DexieBlobCache } from '../storage/modelCache';
import { blobBytes, type ModelDb, type ModelInfo, type UserModelRecord } from '../storage/modelDb';
import { hubModelId, saveHubModel, saveUploadedModel } from '../storage/userModels';
import { toTravellingError, type TravellingError } from './errors';
import { normaliseEndpoint } from './hubEndpoint';
import { pickModelFiles } from './modelFolder';

function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function infoFrom(arch: ArchSpec<BaseConfig>, config: BaseConfig, bytes: number | null, labels: string[] | null): ModelInfo {
  let params = 0;
  for (const shape of arch.paramShapes(config).values()) params += count(shape);
  return {
    family: config.modelType,
    tasks: [...arch.tasks],
    loraTargets: { default: [...arch.loraTargets.default], all: [...arch.loraTargets.all] },
    params,
    bytes,
    labels,
    layers: config.numLayers,
    hiddenSize: config.hiddenSize,
    vocabSize: config.vocabSize,
    maxPositions: config.maxPositions,
    config: config.raw,
  };
}

/** A model from its config.json alone (a shipped model, before its weights are fetched). */
export function describeConfig(raw: Record<string, unknown>, bytes: number | null = null): ModelInfo {
  const arch = specFor(raw);
  const config = arch.parseConfig(raw);
  return infoFrom(arch, config, bytes, labelList(config));
}

function weightFiles(files: ModelFiles): string[] {
  if (files['model.safetensors']) return ['model.safetensors'];
  if (files['model.safetensors.index.json']) {
    const index = readJsonFile(files, 'model.safetensors.index.json') as { weight_map?: Record<string, unknown> };
    if (!index?.weight_map || typeof index.weight_map !== 'object') throw new Error('model.safetensors.index.json has no "weight_map"');
    const shards = [...new Set(Object.values(index.weight_map))].map(String);
    const missing = shards.find((s) => !files[s]);
    if (missing) throw new Error(`model.safetensors.index.json lists ${missing}, but the folder has no such file`);
    return shards;
  }
  if (files['pytorch_model.bin']) throw new Error('this model has only pytorch_model.bin; the studio reads safetensors (pick a checkpoint that ships model.safetensors)');
  throw new Error('the model folder has no model.safetensors');
}

/**
 * Reads the folder as training will (config, tokenizer, every weight's name and shape)
 * without making a single tensor, so a broken folder is refused before it is stored.
 */
export function describeModel(files: ModelFiles): ModelInfo {
  const { arch, config } = readSpec(files);
  loadTokenizerFromFiles(files);
  const expected = arch.paramShapes(config);
  const headNames = [...arch.headShapes(config, 2).keys()];
  const seen = new Set<string>();
  let headClasses: number | null = null;
  for (const file of weightFiles(files)) {
    const st = parseSafetensors(files[file], file);
    for (const raw of st.names) {
      const name = arch.canonicalName(raw);
      if (name === null) continue;
      const shape = st.info(raw).shape;
      if (headNames.includes(name) && headClasses === null) headClasses = shape[0];
      const want = expected.get(name) ?? arch.headShapes(config, labelList(config)?.length ?? headClasses ?? shape[0]).get(name);
      if (!want) continue;
      if (want.join(',') !== shape.join(',')) throw new Error(`${file}: "${raw}" has shape [${shape}] but config.json implies [${want}]`);
      seen.add(name);
    }
  }
  const missing = [...expected.keys()].filter((n) => !seen.has(n));
  if (missing.length) throw new Error(`the weights are missing ${missing.length} ${config.modelType} tensor(s), e.g. "${missing[0]}"`);
  const hasHead = headNames.every((n) => seen.has(n));
  const labels = hasHead ? (labelList(config) ?? Array.from({ length: headClasses ?? 0 }, (_, i) => `LABEL_${i}`)) : null;
  const bytes = Object.values(files).reduce((s, b) => s + b.length, 0);
  return infoFrom(arch, config, bytes, labels);
}

function randomId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export interface UploadedFile {
  path: string;
  file: Blob;
}

/** Checks an uploaded folder and stores it (record and files in one transaction). */
export async function importUploadedModel(db: ModelDb, picked: UploadedFile[]): Promise<UserModelRecord> {
  const folder = pickModelFiles(picked);
  const files: ModelFiles = {};
  for (const [name, blob] of Object.entries(folder.files)) files[name] = await blobBytes(blob);
  let info: ModelInfo;
  try {
    info = describeModel(files);
  } catch (e) {
    throw new Error(`${folder.folderName ?? 'The chosen files'}: ${(e as Error).message}`);
  }
  const keep = new Set(['config.json', 'model.safetensors', 'model.safetensors.index.json', ...PASSTHROUGH_FILES]);
  const stored = Object.fromEntries(Object.entries(files).filter(([n]) => keep.has(n) || n.endsWith('.safetensors')));
  const named = typeof info.config._name_or_path === 'string' && info.config._name_or_path ? String(info.config._name_or_path).split('/').pop()! : null;
  const record: UserModelRecord = { id: `files:${randomId()}`, name: folder.folderName ?? named ?? 'Uploaded model', source: 'files', createdAt: Date.now(), info };
  await saveUploadedModel(db, record, stored);
  return record;
}

export interface HubRequest {
  repoId: string;
  endpoint?: string;
  /** Ask before downloading more than this many bytes (hub.ts default: 200 MB). */
  largeBytes?: number;
}

export interface HubHooks {
  signal?: AbortSignal;
  onProgress?: (p: HubProgress) => void;
  confirmSize?: (bytes: number, files: { name: string; size: number | null }[]) => Promise<boolean> | boolean;
  fetch?: typeof fetch;
}

/** Downloads a repo into the browser cache (resuming any partial files), checks it and records it. */
export async function downloadHubModel(db: ModelDb, req: HubRequest, hooks: HubHooks = {}): Promise<UserModelRecord> {
  const endpoint = normaliseEndpoint(req.endpoint);
  const { repo, revision } = parseRepoId(req.repoId);
  const files = await downloadModel(req.repoId, {
    endpoint,
    cache: new DexieBlobCache(db),
    signal: hooks.signal,
    onProgress: hooks.onProgress,
    confirmSize: hooks.confirmSize,
    largeBytes: req.largeBytes,
    fetch: hooks.fetch,
    // An unsupported family fails on config.json, before any weight moves.
    checkConfig: (config) => {
      try {
        specFor(config);
      } catch (e) {
        throw new HubError('bad-repo', `${repo}: ${(e as Error).message}`, { repo, file: 'config.json' });
      }
    },
  });
  let info: ModelInfo;
  try {
    info = describeModel(files);
  } catch (e) {
    throw new HubError('bad-repo', `${repo}: ${(e as Error).message}`, { repo });
  }
  const hub = { repo, revision, endpoint };
  const id = hubModelId(hub);
  const before = await db.models.get(id);
  const record: UserModelRecord = {
    id,
    name: revision === 'main' ? repo : `${repo}@${revision}`,
    source: 'hub',
    createdAt: before?.createdAt ?? Date.now(),
    info,
    hub,
  };
  await saveHubModel(db, record);
  return record;
}

export interface EstimateRequest {
  config: Record<string, unknown>;
  task: Task;
  method: Method;
  batchSize: number;
  seqLen: number;
  lora?: LoraSettings;
  freeze?: FreezeSettings;
  numLabels?: number;
  dropout?: number;
  /** The backend the run will train on (its fused kernels decide what a step keeps). */
  backend?: string;
  checkpointing?: boolean;
  /** What the page thinks the device can give (see state/deviceMemory.ts). */
  availableBytes: number;
}

export interface EstimateResult {
  estimate: MemoryEstimate;
  fits: boolean;
  /** fitsIn's sentence: what the run needs, what the device has, and what to try. */
  message: string;
  /** The largest single tensor of the run (a weight or the LM logits), for GPU buffer limits. */
  largestTensor: { name: string; bytes: number };
}

export function estimateMemory(req: EstimateRequest): EstimateResult {
  const arch = specFor(req.config);
  const config = arch.parseConfig(req.config);
  const estimate = estimateTrainingMemory({ arch, config, method: req.method, batchSize: req.batchSize, seqLen: req.seqLen, lora: req.lora, freeze: req.freeze, task: req.task, numLabels: req.numLabels, dropout: req.dropout, backend: req.backend, checkpointing: req.checkpointing });
  const { fits, message } = fitsIn(estimate, req.availableBytes, req.checkpointing === true);
  let largestTensor = { name: '', bytes: 0 };
  for (const [name, shape] of arch.paramShapes(config)) {
    const bytes = count(shape) * 4;
    if (bytes > largestTensor.bytes) largestTensor = { name, bytes };
  }
  if (req.task === 'lm') {
    const logits = Math.max(1, req.batchSize) * Math.max(1, Math.min(req.seqLen, config.maxPositions)) * config.vocabSize * 4;
    if (logits > largestTensor.bytes) largestTensor = { name: 'LM logits (batch × length × vocabulary)', bytes: logits };
  }
  return { estimate, fits, message, largestTensor };
}

/** HubErrors keep their code (not-found, gated, too-large-declined...) and file across the worker boundary. */
export function toModelError(e: unknown): TravellingError {
  if (e instanceof HubError) return { code: e.code, message: e.message, file: e.file };
  if (e instanceof SafetensorsError) return { code: 'safetensors', message: e.message };
  return toTravellingError(e);
}
