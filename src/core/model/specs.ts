/** config.json -> the family's spec (names, shapes, LoRA modules), without the code that runs it. */
import type { ArchSpec, BaseConfig } from './arch';
import { bertSpec } from './bertSpec';
import { ConfigError, type RawConfig } from './config';
import { gpt2Spec } from './gpt2Spec';
import { llamaSpec } from './llamaSpec';

const SPECS: Record<string, ArchSpec<BaseConfig>> = {
  bert: bertSpec as unknown as ArchSpec<BaseConfig>,
  gpt2: gpt2Spec as unknown as ArchSpec<BaseConfig>,
  llama: llamaSpec as unknown as ArchSpec<BaseConfig>,
};

export function supportedModelTypes(): string[] {
  return Object.keys(SPECS);
}

export function specFor(raw: RawConfig): ArchSpec<BaseConfig> {
  const type = raw.model_type;
  if (typeof type !== 'string') throw new ConfigError('"model_type" is missing');
  const spec = SPECS[type];
  if (!spec) throw new ConfigError(`model_type "${type}" is not supported (supported: ${supportedModelTypes().join(', ')})`);
  return spec;
}
