/** config.json -> the architecture that runs it. */
import type { Architecture, BaseConfig } from './arch';
import { ConfigError, type RawConfig } from './config';
import { bert } from './bert';
import { gpt2 } from './gpt2';
import { llama } from './llama';

const ARCHITECTURES: Record<string, Architecture<BaseConfig>> = {
  bert: bert as unknown as Architecture<BaseConfig>,
  gpt2: gpt2 as unknown as Architecture<BaseConfig>,
  llama: llama as unknown as Architecture<BaseConfig>,
};

export function supportedModelTypes(): string[] {
  return Object.keys(ARCHITECTURES);
}

export function architectureFor(raw: RawConfig): Architecture<BaseConfig> {
  const type = raw.model_type;
  if (typeof type !== 'string') throw new ConfigError('"model_type" is missing');
  const arch = ARCHITECTURES[type];
  if (!arch) throw new ConfigError(`model_type "${type}" is not supported (supported: ${supportedModelTypes().join(', ')})`);
  return arch;
}
