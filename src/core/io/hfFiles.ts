/**
 * A Hugging Face model folder's JSON files and its config read as a family's spec: no tensors,
 * so the model worker checks folders without TensorFlow.js (hf.ts loads the weights).
 */
import type { ArchSpec, BaseConfig } from '../model/arch';
import { specFor } from '../model/specs';
import type { ModelFiles } from '../types';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function readJsonFile(files: ModelFiles, name: string): unknown {
  const bytes = files[name];
  if (!bytes) throw new Error(`the model folder has no ${name} (it has: ${Object.keys(files).sort().join(', ') || 'nothing'})`);
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (e) {
    throw new Error(`${name} is not valid JSON (${(e as Error).message})`);
  }
}

export function jsonFile(value: unknown): Uint8Array {
  return encoder.encode(`${JSON.stringify(value, null, 2)}\n`);
}

/** config.json as its family's spec and the config it parses to. */
export function readSpec(files: ModelFiles): { arch: ArchSpec<BaseConfig>; config: BaseConfig } {
  const raw = readJsonFile(files, 'config.json');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('config.json: expected a JSON object');
  const arch = specFor(raw as Record<string, unknown>);
  return { arch, config: arch.parseConfig(raw as Record<string, unknown>) };
}

/** Tokenizer and generation files that travel with a model folder unchanged. */
export const PASSTHROUGH_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json', 'vocab.json', 'merges.txt', 'vocab.txt'];

export function passthroughFiles(files: ModelFiles): ModelFiles {
  return Object.fromEntries(PASSTHROUGH_FILES.filter((n) => files[n]).map((n) => [n, files[n]]));
}
