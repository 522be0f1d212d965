/**
 * A model folder in Hugging Face layout <-> tensors under their HF names, for any
 * registered architecture. Import and export are a name-for-name copy.
 */
import { tf } from '../backend';
import type { Architecture, BaseConfig } from '../model/arch';
import { labelList } from '../model/config';
import { architectureFor } from '../model/registry';
import type { ModelFiles, Task } from '../types';
import { jsonFile, readJsonFile, readSpec } from './hfFiles';
import { parseSafetensors, serializeSafetensors, type SafetensorsFile, type TensorToWrite } from './safetensors';

export interface LoadedModel<C extends BaseConfig = BaseConfig> {
  arch: Architecture<C>;
  config: C;
  /** Every parameter under its HF name, the classification head included when present. */
  params: Map<string, tf.Variable>;
  /** Class names of the classification head, by index; null without a head. */
  labels: string[] | null;
}

export function readConfig(files: ModelFiles): { arch: Architecture<BaseConfig>; config: BaseConfig } {
  const { config } = readSpec(files);
  return { arch: architectureFor(config.raw), config };
}

function variable(t: () => tf.Tensor): tf.Variable {
  // tidy frees the initial value; the variable keeps its own reference to the data.
  return tf.tidy(() => tf.variable(t()));
}

export function initModel<C extends BaseConfig>(arch: Architecture<C>, config: C, seed: number): LoadedModel<C> {
  const params = new Map<string, tf.Variable>();
  let k = 0;
  for (const [name, shape] of arch.paramShapes(config)) {
    k++;
    params.set(name, variable(() => arch.initParam(name, shape, config, seed * 1009 + k)));
  }
  return { arch, config, params, labels: null };
}

/** Add (or replace) a classification head for `labels`. */
export function setClassifierHead(model: LoadedModel, labels: string[], seed: number): void {
  if (labels.length < 2) throw new Error(`classification needs at least 2 labels, found ${labels.length}`);
  let k = 0;
  for (const [name, shape] of model.arch.headShapes(model.config, labels.length)) {
    model.params.get(name)?.dispose();
    model.params.set(name, variable(() => (name.endsWith('.bias') ? tf.zeros(shape) : tf.truncatedNormal(shape, 0, 0.02, 'float32', seed + 17 + ++k))));
  }
  model.labels = [...labels];
}

/** The weights file(s): one model.safetensors, or the shards a model.safetensors.index.json lists. */
function weightFiles(files: ModelFiles): { file: string; st: SafetensorsFile }[] {
  if (files['model.safetensors']) return [{ file: 'model.safetensors', st: parseSafetensors(files['model.safetensors'], 'model.safetensors') }];
  if (files['model.safetensors.index.json']) {
    const index = readJsonFile(files, 'model.safetensors.index.json') as { weight_map?: Record<string, string> };
    if (!index.weight_map || typeof index.weight_map !== 'object') throw new Error('model.safetensors.index.json has no "weight_map"');
    const shards = [...new Set(Object.values(index.weight_map))];
    return shards.map((name) => {
      if (!files[name]) throw new Error(`model.safetensors.index.json lists ${name}, but the folder has no such file`);
      return { file: name, st: parseSafetensors(files[name], name) };
    });
  }
  if (files['pytorch_model.bin']) throw new Error('this model has only pytorch_model.bin; the studio reads safetensors (convert it, or pick a checkpoint that ships model.safetensors)');
  throw new Error('the model folder has no model.safetensors');
}

export function loadModel(files: ModelFiles): LoadedModel {
  const { arch, config } = readConfig(files);
  const expected = arch.paramShapes(config);
  const labels = labelList(config);
  const params = new Map<string, tf.Variable>();
  try {
    for (const { file, st } of weightFiles(files)) {
      for (const raw of st.names) {
        const name = arch.canonicalName(raw);
        if (name === null) continue;
        const info = st.info(raw);
        const want = expected.get(name) ?? arch.headShapes(config, labels?.length ?? info.shape[0]).get(name);
        if (!want) continue; // tensors of heads we do not train
        if (want.join(',') !== info.shape.join(',')) {
          throw new Error(`${file}: "${raw}" has shape [${info.shape}] but config.json implies [${want}]`);
        }
        params.set(name, variable(() => tf.tensor(st.getFloat32(raw), info.shape, 'float32')));
      }
    }
    const missing = [...expected.keys()].filter((n) => !params.has(n));
    if (missing.length) throw new Error(`the weights are missing ${missing.length} ${config.modelType} tensor(s), e.g. "${missing[0]}"`);
  } catch (e) {
    for (const v of params.values()) v.dispose();
    throw e;
  }
  const headNames = [...arch.headShapes(config, 2).keys()];
  const hasHead = headNames.every((n) => params.has(n));
  if (!hasHead) {
    // A partial head is no head: drop it so a new one is made for the data's labels.
    for (const n of headNames) {
      params.get(n)?.dispose();
      params.delete(n);
    }
  }
  const numLabels = hasHead ? params.get(headNames[0])!.shape[0] : 0;
  return { arch, config, params, labels: hasHead ? (labels ?? Array.from({ length: numLabels }, (_, i) => `LABEL_${i}`)) : null };
}

/** Tensors as safetensors wants them, read back from the backend. */
export async function tensorsToWrite(params: Map<string, tf.Tensor>): Promise<Map<string, TensorToWrite>> {
  const out = new Map<string, TensorToWrite>();
  for (const [name, t] of params) out.set(name, { shape: [...t.shape], data: (await t.data()) as Float32Array });
  return out;
}

/**
 * The model folder: config.json, model.safetensors, and any tokenizer files passed
 * through unchanged. `params` may differ from `model.params` (e.g. LoRA-merged weights).
 */
export async function saveModel(
  model: LoadedModel,
  head: Task,
  passthrough: ModelFiles = {},
  params: Map<string, tf.Tensor> = model.params,
  dtype: 'F32' | 'F16' = 'F32',
): Promise<ModelFiles> {
  const headNames = new Set(model.arch.headShapes(model.config, 2).keys());
  const keep = new Map([...params].filter(([n]) => head === 'classify' || !headNames.has(n)));
  if (head === 'classify' && ![...headNames].every((n) => keep.has(n))) throw new Error('cannot save a classifier without its head');
  const files: ModelFiles = { ...passthrough };
  files['config.json'] = jsonFile(model.arch.configToJson(model.config, head, model.labels ?? undefined));
  files['model.safetensors'] = serializeSafetensors(await tensorsToWrite(keep), { dtype, metadata: { format: 'pt' } });
  return files;
}

export function disposeModel(model: LoadedModel): void {
  for (const v of model.params.values()) v.dispose();
  model.params.clear();
}
