/** config.json -> the architecture that runs it (specs.ts checks the type without loading any). */
import type { Architecture, BaseConfig } from './arch';
import type { RawConfig } from './config';
import { bert } from './bert';
import { gpt2 } from './gpt2';
import { llama } from './llama';
import { specFor } from './specs';

const ARCHITECTURES: Record<string, Architecture<BaseConfig>> = {
  bert: bert as unknown as Architecture<BaseConfig>,
  gpt2: gpt2 as unknown as Architecture<BaseConfig>,
  llama: llama as unknown as Architecture<BaseConfig>,
};

export function architectureFor(raw: RawConfig): Architecture<BaseConfig> {
  return ARCHITECTURES[specFor(raw).modelType];
}
