/** The "Download weights" archive: the model folder at the root, a LoRA adapter under adapter/, each with its README.md card when given. */
import { zipSync, type Zippable } from 'fflate';
import type { ModelFiles } from '../core/types';

export function weightsZip(model: ModelFiles, adapter?: ModelFiles, cards?: { model: string; adapter?: string }): Uint8Array {
  const entries: Zippable = {};
  const text = (s: string) => new TextEncoder().encode(s);
  for (const [name, bytes] of Object.entries(model)) entries[name] = bytes;
  if (cards) entries['README.md'] = text(cards.model);
  if (adapter) for (const [name, bytes] of Object.entries(adapter)) entries[`adapter/${name}`] = bytes;
  if (adapter && cards?.adapter) entries['adapter/README.md'] = text(cards.adapter);
  // Weights barely compress; level 1 keeps the click snappy.
  return zipSync(entries, { level: 1 });
}

/** A file name safe on every OS: letters, digits, dash, dot, underscore. */
export function zipFileName(runName: string): string {
  const base = runName.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
  return `${base}.zip`;
}
