/**
 * PEFT adapter folders: adapter_config.json + adapter_model.safetensors, named
 * `base_model.model.<module>.lora_A.weight` [r, in] and `.lora_B.weight` [out, r].
 * Modules saved whole next to the adapter (a classifier's `score`) are written as
 * `base_model.model.<module>.weight`, as PEFT's get_peft_model_state_dict does.
 */
import { tf } from '../backend';
import type { LoraState } from '../model/lora';
import { matchesTarget } from '../model/loraTargets';
import type { ModelFiles } from '../types';
import { tensorsToWrite } from './hf';
import { jsonFile, readJsonFile } from './hfFiles';
import { parseSafetensors, serializeSafetensors } from './safetensors';

const PREFIX = 'base_model.model.';

export interface AdapterExport {
  baseModel: string;
  taskType: 'CAUSAL_LM' | 'SEQ_CLS';
  /** True for GPT-2's Conv1D, whose weights are stored [in, out]. */
  fanInFanOut: boolean;
  /** Whole modules trained beside the adapter, by parameter name (e.g. "score.weight"). */
  modulesToSave?: Map<string, tf.Tensor>;
}

export async function saveAdapter(state: LoraState, opts: AdapterExport): Promise<ModelFiles> {
  const tensors = new Map<string, tf.Tensor>();
  for (const [module, m] of state.modules) {
    tensors.set(`${PREFIX}${module}.lora_A.weight`, m.A);
    tensors.set(`${PREFIX}${module}.lora_B.weight`, m.B);
  }
  for (const [name, w] of opts.modulesToSave ?? []) tensors.set(`${PREFIX}${name}`, w);
  const saved = [...new Set([...(opts.modulesToSave?.keys() ?? [])].map((n) => n.replace(/\.(weight|bias)$/, '')))];
  const config = {
    peft_type: 'LORA',
    task_type: opts.taskType,
    base_model_name_or_path: opts.baseModel,
    r: state.r,
    lora_alpha: state.alpha,
    lora_dropout: state.dropout,
    target_modules: state.targetModules,
    fan_in_fan_out: opts.fanInFanOut,
    bias: 'none',
    modules_to_save: saved.length ? saved : null,
    inference_mode: true,
    init_lora_weights: true,
    use_rslora: false,
    use_dora: false,
  };
  return {
    'adapter_config.json': jsonFile(config),
    'adapter_model.safetensors': serializeSafetensors(await tensorsToWrite(tensors), { metadata: { format: 'pt' } }),
  };
}

export interface LoadedAdapter {
  state: LoraState;
  fanInFanOut: boolean;
  modulesToSave: Map<string, tf.Tensor>;
}

/** Read a PEFT LoRA adapter; module names are checked against the model's `knownModules`. */
export function loadAdapter(files: ModelFiles, knownModules: Set<string>): LoadedAdapter {
  const cfg = readJsonFile(files, 'adapter_config.json') as Record<string, unknown>;
  if (cfg.peft_type !== 'LORA') throw new Error(`adapter_config.json: peft_type "${String(cfg.peft_type)}" is not LORA`);
  const r = Number(cfg.r);
  const alpha = Number(cfg.lora_alpha ?? r);
  if (!Number.isInteger(r) || r < 1) throw new Error('adapter_config.json: "r" must be a positive integer');
  const targets = Array.isArray(cfg.target_modules) ? cfg.target_modules.map(String) : [String(cfg.target_modules)];
  const bytes = files['adapter_model.safetensors'];
  if (!bytes) throw new Error('the adapter folder has no adapter_model.safetensors');
  const st = parseSafetensors(bytes, 'adapter_model.safetensors');
  const state: LoraState = { r, alpha, dropout: Number(cfg.lora_dropout ?? 0), targetModules: targets, modules: new Map() };
  const modulesToSave = new Map<string, tf.Tensor>();
  const halves = new Map<string, { A?: tf.Variable; B?: tf.Variable }>();
  for (const name of st.names) {
    if (!name.startsWith(PREFIX)) throw new Error(`adapter_model.safetensors: "${name}" does not start with "${PREFIX}"`);
    const rest = name.slice(PREFIX.length).replace(/\.default(?=\.weight$)/, '');
    const info = st.info(name);
    const value = tf.tidy(() => tf.variable(tf.tensor(st.getFloat32(name), info.shape, 'float32')));
    const lora = /^(.*)\.lora_([AB])\.weight$/.exec(rest);
    if (!lora) {
      modulesToSave.set(rest, value);
      continue;
    }
    const [, module, which] = lora;
    if (!knownModules.has(module) || !matchesTarget(module, targets)) {
      value.dispose();
      throw new Error(`adapter_model.safetensors: "${name}" names a module this model does not have or the config does not target`);
    }
    const entry = halves.get(module) ?? {};
    entry[which as 'A' | 'B'] = value;
    halves.set(module, entry);
  }
  for (const [module, { A, B }] of halves) {
    if (!A || !B) throw new Error(`adapter_model.safetensors: module "${module}" has lora_${A ? 'A' : 'B'} but not lora_${A ? 'B' : 'A'}`);
    if (A.shape[0] !== r || B.shape[1] !== r) throw new Error(`adapter_model.safetensors: "${module}" does not have rank ${r}`);
    state.modules.set(module, { A, B });
  }
  return { state, fanInFanOut: cfg.fan_in_fan_out === true, modulesToSave };
}
