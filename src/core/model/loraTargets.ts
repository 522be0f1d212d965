/** Which modules LoRA adapts (PEFT's matching rule), without tensors: the memory estimate uses it too. */
import type { LoraSettings } from '../types';

/** The settings with their target modules filled in from the architecture when none were chosen. */
export function withDefaultTargets(settings: LoraSettings, defaults: { default: string[] }): LoraSettings {
  return settings.targetModules.length ? settings : { ...settings, targetModules: [...defaults.default] };
}

/** PEFT's rule: a target matches a module whose name is the target or ends with ".target". */
export function matchesTarget(module: string, targets: string[]): boolean {
  return targets.some((t) => module === t || module.endsWith(`.${t}`));
}
