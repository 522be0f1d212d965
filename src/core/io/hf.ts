/**
 * A GPT-2 model folder in Hugging Face layout <-> tensors under their HF names.
 * Import and export are a name-for-name copy; the only translation is the optional
 * "transformer." prefix that bare GPT2Model checkpoints (e.g. openai-community/gpt2) omit.
 */
import { tf } from '../backend';
import { gpt2ConfigToJson, labelList, parseGpt2Config, type Gpt2Config } from '../model/config';
import { gpt2ParamShapes } from '../model/gpt2';
import type { ModelFiles } from '../types';
import { parseSafetensors, serializeSafetensors, type TensorToWrite } from './safetensors';

export interface Gpt2Model {
  config: Gpt2Config;
  /** Every parameter under its HF name, `score.weight` included for classifiers. */
  params: Map<string, tf.Variable>;
  /** Class names of the classification head, by index; null for a pure LM. */
  labels: string[] | null;
}

const decoder = new TextDecoder();

export function readJsonFile(files: ModelFiles, name: string): unknown {
  const bytes = files[name];
  if (!bytes) throw new Error(`the model folder has no ${name}`);
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (e) {
    throw new Error(`${name} is not valid JSON (${(e as Error).message})`);
  }
}

/** Buffers and tied copies that checkpoints carry but that are not parameters. */
function isIgnoredTensor(name: string): boolean {
  return /\.attn\.(bias|masked_bias)$/.test(name) || name === 'lm_head.weight';
}

function canonicalName(name: string): string {
  if (name === 'score.weight' || name.startsWith('transformer.')) return name;
  return `transformer.${name}`;
}

/** Small normal init (std 0.02, residual projections scaled by 1/sqrt(2 n_layer)) as GPT-2 does. */
export function initGpt2Params(cfg: Gpt2Config, seed: number): Map<string, tf.Variable> {
  const params = new Map<string, tf.Variable>();
  let k = 0;
  const std = 0.02;
  for (const [name, shape] of gpt2ParamShapes(cfg)) {
    k++;
    const init = (): tf.Tensor => {
      if (/\.(ln_\d|ln_f)\.weight$/.test(name)) return tf.ones(shape);
      if (name.endsWith('.bias')) return tf.zeros(shape);
      const s = name.endsWith('c_proj.weight') ? std / Math.sqrt(2 * cfg.nLayer) : std;
      return tf.truncatedNormal(shape, 0, s, 'float32', seed * 1009 + k);
    };
    params.set(name, tf.tidy(() => tf.variable(init())));
  }
  return params;
}

/** Add (or replace) a classification head for `labels`, initialised N(0, 0.02). */
export function setClassifierHead(model: Gpt2Model, labels: string[], seed: number): void {
  if (labels.length < 2) throw new Error(`classification needs at least 2 labels, found ${labels.length}`);
  model.params.get('score.weight')?.dispose();
  model.params.set('score.weight', tf.tidy(() => tf.variable(tf.truncatedNormal([labels.length, model.config.nEmbd], 0, 0.02, 'float32', seed + 17))));
  model.labels = [...labels];
}

export function loadGpt2(files: ModelFiles): Gpt2Model {
  const config = parseGpt2Config(readJsonFile(files, 'config.json'));
  const weights = files['model.safetensors'];
  if (!weights) throw new Error('the model folder has no model.safetensors');
  const st = parseSafetensors(weights, 'model.safetensors');
  const expected = gpt2ParamShapes(config);
  const labels = labelList(config);
  const params = new Map<string, tf.Variable>();
  try {
    for (const raw of st.names) {
      if (isIgnoredTensor(raw)) continue;
      const name = canonicalName(raw);
      const info = st.info(raw);
      const want = name === 'score.weight' ? [labels?.length ?? info.shape[0], config.nEmbd] : expected.get(name);
      if (!want) continue; // extra tensors (other heads) are not ours to train
      if (want.join(',') !== info.shape.join(',')) {
        throw new Error(`model.safetensors: "${raw}" has shape [${info.shape}] but config.json implies [${want}]`);
      }
      params.set(name, tf.tidy(() => tf.variable(tf.tensor(st.getFloat32(raw), info.shape, 'float32'))));
    }
    const missing = [...expected.keys()].filter((n) => !params.has(n));
    if (missing.length) {
      throw new Error(`model.safetensors is missing ${missing.length} GPT-2 tensor(s), e.g. "${missing[0]}"`);
    }
  } catch (e) {
    for (const v of params.values()) v.dispose();
    throw e;
  }
  const hasHead = params.has('score.weight');
  return { config, params, labels: hasHead ? (labels ?? defaultLabels(params.get('score.weight')!.shape[0])) : null };
}

function defaultLabels(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `LABEL_${i}`);
}

/** Tensors as safetensors wants them, read back from the backend. */
export async function tensorsToWrite(params: Map<string, tf.Tensor>): Promise<Map<string, TensorToWrite>> {
  const out = new Map<string, TensorToWrite>();
  for (const [name, t] of params) out.set(name, { shape: [...t.shape], data: (await t.data()) as Float32Array });
  return out;
}

const encoder = new TextEncoder();

export function jsonFile(value: unknown): Uint8Array {
  return encoder.encode(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * The model folder: config.json, model.safetensors, and any tokenizer files passed
 * through unchanged. `params` may differ from `model.params` (e.g. LoRA-merged weights).
 */
export async function saveGpt2(
  model: Gpt2Model,
  head: 'lm' | 'classify',
  passthrough: ModelFiles = {},
  params: Map<string, tf.Tensor> = model.params,
  dtype: 'F32' | 'F16' = 'F32',
): Promise<ModelFiles> {
  const keep = new Map([...params].filter(([n]) => head === 'classify' || n !== 'score.weight'));
  if (head === 'classify' && !keep.has('score.weight')) throw new Error('cannot save a classifier without its score head');
  const files: ModelFiles = { ...passthrough };
  files['config.json'] = jsonFile(gpt2ConfigToJson(model.config, head, model.labels ?? undefined));
  files['model.safetensors'] = serializeSafetensors(await tensorsToWrite(keep), { dtype, metadata: { format: 'pt' } });
  return files;
}

export function disposeGpt2(model: Gpt2Model): void {
  for (const v of model.params.values()) v.dispose();
  model.params.clear();
}

/** Tokenizer and generation files that travel with a model folder unchanged. */
export const PASSTHROUGH_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json', 'vocab.json', 'merges.txt'];

export function passthroughFiles(files: ModelFiles): ModelFiles {
  return Object.fromEntries(PASSTHROUGH_FILES.filter((n) => files[n]).map((n) => [n, files[n]]));
}
