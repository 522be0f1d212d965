/**
 * Reading Hugging Face `config.json` values with checks that name the key, shared by
 * every architecture. Unknown keys are kept (BaseConfig.raw) so a config survives a
 * round trip through the studio.
 */
import type { BaseConfig } from './arch';

export class ConfigError extends Error {
  constructor(message: string) {
    super(`config.json: ${message}`);
    this.name = 'ConfigError';
  }
}

export type RawConfig = Record<string, unknown>;

export function num(raw: RawConfig, key: string, fallback?: number): number {
  const v = raw[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`"${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

export function posInt(raw: RawConfig, key: string, fallback?: number): number {
  const v = num(raw, key, fallback);
  if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`"${key}" must be a positive integer, got ${v}`);
  return v;
}

/** A token id (or the first of a list, as some configs give eos_token_id), or null. */
export function optId(raw: RawConfig, key: string): number | null {
  let v = raw[key];
  if (Array.isArray(v)) v = v[0];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConfigError(`"${key}" must be an integer or null`);
  return v;
}

export function parseId2Label(v: unknown): Record<string, string> | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError('"id2label" must be an object');
  const out: Record<string, string> = {};
  for (const [k, label] of Object.entries(v as RawConfig)) {
    if (!/^\d+$/.test(k)) throw new ConfigError(`"id2label" key "${k}" is not a class index`);
    out[k] = String(label);
  }
  return out;
}

/** Token ids and labels, common to every family. */
export function commonFields(raw: RawConfig): Pick<BaseConfig, 'bosTokenId' | 'eosTokenId' | 'padTokenId' | 'id2label' | 'raw'> {
  return {
    bosTokenId: optId(raw, 'bos_token_id'),
    eosTokenId: optId(raw, 'eos_token_id'),
    padTokenId: optId(raw, 'pad_token_id'),
    id2label: parseId2Label(raw.id2label),
    raw: { ...raw },
  };
}

/** Labels ordered by class index, or null for a model without a classification head. */
export function labelList(cfg: BaseConfig): string[] | null {
  if (!cfg.id2label) return null;
  const n = Object.keys(cfg.id2label).length;
  return Array.from({ length: n }, (_, i) => cfg.id2label![String(i)] ?? `LABEL_${i}`);
}

/** The label maps and token ids as transformers writes them, on top of the family's own keys. */
export function withHeadFields(out: RawConfig, cfg: BaseConfig, head: 'lm' | 'classify', labels?: string[]): RawConfig {
  out.bos_token_id = cfg.bosTokenId;
  out.eos_token_id = cfg.eosTokenId;
  out.pad_token_id = cfg.padTokenId;
  if (head === 'classify' && labels) {
    out.num_labels = labels.length;
    out.id2label = Object.fromEntries(labels.map((l, i) => [String(i), l]));
    out.label2id = Object.fromEntries(labels.map((l, i) => [l, i]));
    // transformers needs a pad token to find the last real token of each row.
    if (out.pad_token_id == null) out.pad_token_id = cfg.eosTokenId;
  } else {
    delete out.num_labels;
    delete out.id2label;
    delete out.label2id;
  }
  return out;
}
