/** Which parameters a method trains (no tensor work: the memory estimate asks it with shape stubs). */
import type { tf } from '../backend';
import type { ArchSpec, BaseConfig } from '../model/arch';
import type { LoraState } from '../model/lora';
import type { Hyperparams, Method } from '../types';

/** The parameters the optimizer updates for a method, keyed by a stable name. */
export function selectTrainable(
  model: { arch: ArchSpec; config: BaseConfig; params: Map<string, tf.Variable> },
  method: Method,
  hp: Hyperparams,
  lora: LoraState | null,
  task: 'lm' | 'classify',
): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  const { arch } = model;
  const headNames = new Set(arch.headShapes(model.config, 2).keys());
  const addHead = () => {
    if (task === 'classify') for (const n of headNames) out.set(n, model.params.get(n)!);
  };
  if (method === 'lora') {
    for (const [module, m] of lora!.modules) {
      out.set(`${module}.lora_A.weight`, m.A);
      out.set(`${module}.lora_B.weight`, m.B);
    }
    addHead();
    return out;
  }
  const nLayer = model.config.numLayers;
  const firstTrainable = method === 'full' ? 0 : nLayer - Math.max(0, Math.min(nLayer, hp.freeze.trainableBlocks));
  for (const [name, v] of model.params) {
    if (headNames.has(name)) continue;
    const block = arch.blockOf(name);
    // Outside the blocks: embeddings (trainable on request) and the final norm/pooler (always).
    const keep = method === 'full' || (block !== null ? block >= firstTrainable : arch.isEmbedding(name) ? hp.freeze.trainEmbeddings : true);
    if (keep) out.set(name, v);
  }
  addHead();
  return out;
}
