/**
 * A fine-tuning run's resumable state: the trained weights, AdamW's moments, where the
 * loop was (epoch and micro-batch) and what it had recorded. Resuming from it gives the
 * same weights, step for step, as a run that was never stopped: the data order is
 * replayed from the seed and every step's dropout is seeded by its step number.
 *
 * On disk it is one safetensors file: tensors `weights/NAME`, `best/NAME`, `adam.m/NAME`,
 * `adam.v/NAME` (float32, flat) and the loop's state as JSON under the metadata key "state".
 */
import { parseSafetensors, serializeSafetensors, type TensorToWrite } from '../io/safetensors';
import type { Example, ModelFiles, ProgressEvent, TrainRequest, ValMetrics } from '../types';
import type { AdamState } from './adamw';

export interface TrainCheckpoint {
  /** Of the request it belongs to (see `trainFingerprint`); resuming another request is refused. */
  fingerprint: string;
  step: number;
  totalSteps: number;
  epoch: number;
  /** The next micro-batch of `epoch` to run (it may be past the epoch's last: the next epoch starts). */
  micro: number;
  elapsedMs: number;
  history: ProgressEvent[];
  best?: { step: number; val: ValMetrics };
  /** Evaluations without improvement, for early stopping. */
  sinceBest: number;
  /** The trainable parameters (all of them for full fine-tuning, the adapters for LoRA). */
  weights: Map<string, Float32Array>;
  /** The best weights kept for early stopping, when patience is on. */
  bestWeights: Map<string, Float32Array> | null;
  optimizer: AdamState;
}

const FORMAT = 'finetune-studio/train-checkpoint';
const VERSION = '1';

/** What the file keeps as JSON: the checkpoint less its tensors, and the optimizer's step count. */
type LoopState = Omit<TrainCheckpoint, 'weights' | 'bestWeights' | 'optimizer'> & { adamT: number; hasBest: boolean };

const flat = (data: Float32Array): TensorToWrite => ({ shape: [data.length], data });

export function encodeCheckpoint(c: TrainCheckpoint): Uint8Array {
  const tensors = new Map<string, TensorToWrite>();
  for (const [name, data] of c.weights) tensors.set(`weights/${name}`, flat(data));
  for (const [name, data] of c.bestWeights ?? []) tensors.set(`best/${name}`, flat(data));
  for (const [name, { m, v }] of c.optimizer.moments) {
    tensors.set(`adam.m/${name}`, flat(m));
    tensors.set(`adam.v/${name}`, flat(v));
  }
  const { weights: _w, bestWeights, optimizer, ...loop } = c;
  const state: LoopState = { ...loop, adamT: optimizer.t, hasBest: bestWeights !== null };
  return serializeSafetensors(tensors, { metadata: { format: FORMAT, version: VERSION, state: JSON.stringify(state) } });
}

/** Reads a checkpoint back; a file that is not one (or from a newer studio) is refused with a message naming `where`. */
export function decodeCheckpoint(bytes: Uint8Array, where = 'the checkpoint'): TrainCheckpoint {
  const st = parseSafetensors(bytes, where);
  if (st.metadata.format !== FORMAT) throw new Error(`${where} is not a training checkpoint of this studio.`);
  if (st.metadata.version !== VERSION) throw new Error(`${where} is a version ${st.metadata.version} checkpoint; this studio reads version ${VERSION}.`);
  let state: LoopState;
  try {
    state = JSON.parse(st.metadata.state) as LoopState;
  } catch {
    throw new Error(`${where} has an unreadable loop state.`);
  }
  const weights = new Map<string, Float32Array>();
  const best = new Map<string, Float32Array>();
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const key of st.names) {
    const slash = key.indexOf('/');
    const [kind, name] = [key.slice(0, slash), key.slice(slash + 1)];
    const target = { weights, best, 'adam.m': m, 'adam.v': v }[kind];
    if (!target) throw new Error(`${where} has an unknown tensor "${key}".`);
    target.set(name, st.getFloat32(key));
  }
  const moments = new Map<string, { m: Float32Array; v: Float32Array }>();
  for (const [name, mm] of m) {
    const vv = v.get(name);
    if (!vv) throw new Error(`${where} has the first moment of "${name}" but not its second.`);
    moments.set(name, { m: mm, v: vv });
  }
  const { adamT, hasBest, ...loop } = state;
  return { ...loop, weights, bestWeights: hasBest ? best : null, optimizer: { t: adamT, moments } };
}

/** FNV-1a, twice with different offsets, fed 16-bit code units or bytes: a 64-bit identity, not a secret. */
class Fnv {
  private a = 0x811c9dc5;
  private b = 0x050c5d1f;
  unit(x: number): void {
    this.a = Math.imul(this.a ^ x, 0x01000193) >>> 0;
    this.b = Math.imul(this.b ^ x, 0x01000193) >>> 0;
  }
  /** Feeds `s` without ending it, so a long text can be fed in pieces. */
  chars(s: string): this {
    for (let i = 0; i < s.length; i++) this.unit(s.charCodeAt(i));
    return this;
  }
  text(s: string): this {
    this.chars(s).unit(0xffff);
    return this;
  }
  bytes(u: Uint8Array): this {
    for (let i = 0; i < u.length; i++) this.unit(u[i]);
    return this;
  }
  hex(): string {
    return this.a.toString(16).padStart(8, '0') + this.b.toString(16).padStart(8, '0');
  }
}

/** Enough of a file to tell it from another: its size and its first and last 64 KB (weights files can be gigabytes). */
function fileSample(h: Fnv, name: string, bytes: Uint8Array): void {
  const edge = 65536;
  h.text(`${name}:${bytes.length}`);
  if (bytes.length <= 2 * edge) h.bytes(bytes);
  else h.bytes(bytes.subarray(0, edge)).bytes(bytes.subarray(bytes.length - edge));
}

/** Identifies what a run trains: task, method, settings, rows and base model. Equal requests give equal fingerprints. */
export function trainFingerprint(req: TrainRequest): string {
  // The hash of JSON.stringify({ task, method, hyperparams, train, val }), fed a row at a time:
  // a large dataset's JSON can be longer than the longest string the engine allows.
  const h = new Fnv();
  h.chars(`{"task":${JSON.stringify(req.task)},"method":${JSON.stringify(req.method)},"hyperparams":${JSON.stringify(req.hyperparams)},"train":`);
  rowsJson(h, req.train);
  h.chars(',"val":');
  if (req.val) rowsJson(h, req.val);
  else h.chars('null');
  h.chars('}').unit(0xffff);
  const base: ModelFiles = req.base;
  for (const name of Object.keys(base).sort()) fileSample(h, name, base[name]);
  return h.hex();
}

function rowsJson(h: Fnv, rows: readonly Example[]): void {
  h.chars('[');
  rows.forEach((row, i) => h.chars(`${i > 0 ? ',' : ''}${JSON.stringify(row) ?? 'null'}`));
  h.chars(']');
}
