/** The "Download weights" archive: the model folder at the root, a LoRA adapter under adapter/. */
import { zipSync, type Zippable } from 'fflate';
import type { ModelFiles } from '../core/types';

export function weightsZip(model: ModelFiles, adapter?: ModelFiles): Uint8Array {
  const entries: Zippable = {};
  for (const [name, bytes] of Object.entries(model)) entries[name] = bytes;
  if (adapter) for (const [name, bytes] of Object.entries(adapter)) entries[`adapter/${name}`] = bytes;
  // Weights barely compress; level 1 keeps the click snappy.
  return zipSync(entries, { level: 1 });
}

/** A file name safe on every OS: letters, digits, dash, dot, underscore. */
export function zipFileName(runName: string): string {
  const base = runName.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
  return `${base}.zip`;
}
