import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { initBackend, tf } from '../backend';
import { disposeModel, initModel, loadModel, saveModel, setClassifierHead, type LoadedModel } from '../io/hf';
import { loadAdapter } from '../io/peft';
import { parseSafetensors } from '../io/safetensors';
import { causalLmLoss, classificationLoss } from '../train/losses';
import { generate } from '../eval/generate';
import { train } from '../train/trainer';
import type { Method, ModelFiles, Task } from '../types';
import { readFolder, readJson } from '../../testutil/node';
import { hyperparams, promptExamples, sentimentExamples } from '../../testutil/tinyModel';
import type { KVCache, Params } from './arch';
import { ConfigError } from './config';
import { disposeCache, newCache } from './layers';
import { inverseFrequencies, llama, parseLlamaConfig, type LlamaConfig } from './llama';
import { createLora, mergedWeight, type LoraState } from './lora';
import { architectureFor } from './registry';
import { taskLogits } from './runner';

// Golden outputs from scripts/make_llama_fixtures.py, an independent PyTorch implementation.
const FIX = join(__dirname, 'fixtures');
const SP_BPE_DIR = join(__dirname, '../tokenize/fixtures/sp-bpe');
interface Expected {
  input_ids: number[][];
  attention_mask: number[][];
  lm_logits: number[][][];
  cls_logits: number[][];
  lora: { lora_lm_logits: number[][][] };
  rope_llama3: { head_dim: number; rope_theta: number; rope_scaling: Record<string, unknown>; inv_freq: number[] };
}
const VARIANTS = ['llama-tiny', 'llama-tiny-tied'] as const;
const expectedOf = (v: string) => readJson<Expected>(join(FIX, v, 'expected.json'));
const load = (v: string) => loadModel(readFolder(join(FIX, v)));
const modules = (model: LoadedModel) => new Set(model.arch.linearModules(model.config).map((m) => m.name));

function logits(model: LoadedModel, task: Task, ids: tf.Tensor2D, mask: tf.Tensor2D | null, extra: { lora?: LoraState; params?: Params; training?: boolean; seed?: number; dropout?: number; cache?: KVCache } = {}): tf.Tensor {
  const m = extra.params ? { ...model, params: extra.params as LoadedModel['params'] } : model;
  return tf.tidy(() => taskLogits({ model: m, lora: extra.lora ?? null, task }, ids, mask, { training: extra.training ?? false, seed: extra.seed, dropout: extra.dropout, cache: extra.cache }));
}

function maxAbsDiffAtRealTokens(actual: number[][][], want: number[][][], mask: number[][]): number {
  let worst = 0;
  want.forEach((row, b) => row.forEach((pos, t) => mask[b][t] && pos.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - actual[b][t][k]))))));
  return worst;
}

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(a.sub(b))).dataSync()[0]);

beforeAll(async () => {
  await initBackend('cpu');
});

describe.each(VARIANTS)('LLaMA forward against the PyTorch reference (%s)', (variant) => {
  const expected = expectedOf(variant);
  const inputs = () => ({ ids: tf.tensor2d(expected.input_ids, undefined, 'int32'), mask: tf.tensor2d(expected.attention_mask) });

  it('loads every parameter under its HF name, skipping rotary buffers and a tied lm_head copy', () => {
    const model = load(variant);
    const cfg = model.config as LlamaConfig;
    expect([...model.params.keys()].sort()).toEqual([...llama.paramShapes(cfg).keys(), 'score.weight'].sort());
    expect(model.params.has('lm_head.weight')).toBe(!cfg.tieWordEmbeddings);
    expect(model.labels).toEqual(['neg', 'neu', 'pos']);
  });

  it('matches causal-LM logits at every real token within 1e-4', () => {
    const { ids, mask } = inputs();
    const out = logits(load(variant), 'lm', ids, mask).arraySync() as number[][][];
    expect(maxAbsDiffAtRealTokens(out, expected.lm_logits, expected.attention_mask)).toBeLessThan(1e-4);
  });

  it('matches sequence-classification logits pooled at the last real token within 1e-4', () => {
    const { ids, mask } = inputs();
    const got = logits(load(variant), 'classify', ids, mask).arraySync() as number[][];
    expected.cls_logits.forEach((row, b) => row.forEach((v, k) => expect(Math.abs(got[b][k] - v)).toBeLessThan(1e-4)));
  });

  it('applies the PEFT LoRA adapter on q_proj and v_proj unmerged as the reference does, and merged gives the same logits', () => {
    const model = load(variant);
    const { state, fanInFanOut } = loadAdapter(readFolder(join(FIX, `${variant}-lora`)), modules(model));
    expect(fanInFanOut).toBe(false);
    expect([...state.modules.keys()].sort()).toEqual(['model.layers.0.self_attn.q_proj', 'model.layers.0.self_attn.v_proj', 'model.layers.1.self_attn.q_proj', 'model.layers.1.self_attn.v_proj']);
    const { ids, mask } = inputs();
    const side = logits(model, 'lm', ids, mask, { lora: state });
    expect(maxAbsDiffAtRealTokens(side.arraySync() as number[][][], expected.lora.lora_lm_logits, expected.attention_mask)).toBeLessThan(1e-4);

    const merged = new Map<string, tf.Tensor>(model.params);
    for (const module of state.modules.keys()) merged.set(`${module}.weight`, mergedWeight(state, module, model.params.get(`${module}.weight`) as tf.Tensor2D, false));
    expect(maxAbsDiff(side, logits(model, 'lm', ids, mask, { params: merged }))).toBeLessThan(1e-4);
  });

  it('gives the full-forward logits when fed a prompt and then one token at a time through the KV cache', () => {
    const model = load(variant);
    const cases = [expected.input_ids.slice(0, 1), expected.input_ids.map((r) => r.slice(0, 4))]; // [1, 7] and [2, 4], all real tokens
    for (const rows of cases) {
      const ids = tf.tensor2d(rows, undefined, 'int32');
      const full = logits(model, 'lm', ids, null);
      const cache = newCache();
      const T = rows[0].length;
      const parts = [logits(model, 'lm', ids.slice([0, 0], [-1, 2]), null, { cache })];
      for (let t = 2; t < T; t++) parts.push(logits(model, 'lm', ids.slice([0, t], [-1, 1]), null, { cache }));
      expect(cache.length).toBe(T);
      expect(cache.keys[0].shape).toEqual([rows.length, (model.config as LlamaConfig).numKvHeads, T, (model.config as LlamaConfig).headDim]);
      expect(maxAbsDiff(full, tf.concat(parts, 1))).toBeLessThan(1e-4);
      disposeCache(cache);
    }
  });

  it('generates the same tokens with and without the KV cache', async () => {
    const run = { model: load(variant), lora: null, task: 'lm' as const };
    const prompt = expected.input_ids[0].slice(0, 3);
    for (const temperature of [0, 1]) {
      const cached = await generate(run, prompt, { maxNewTokens: 12, temperature, seed: 5 });
      expect(await generate(run, prompt, { maxNewTokens: 12, temperature, seed: 5, useCache: false })).toEqual(cached);
    }
  });

  it('ignores padded positions: a padded row gives the same logits at its real tokens as the row alone', () => {
    const model = load(variant);
    const alone = logits(model, 'lm', tf.tensor2d([expected.input_ids[1].slice(0, 4)], undefined, 'int32'), null);
    const { ids, mask } = inputs();
    expect(maxAbsDiff(alone, logits(model, 'lm', ids, mask).slice([1, 0, 0], [1, 4, -1]))).toBeLessThan(1e-5);
  });

  it('uses attention dropout while training: the same seed replays, another seed differs, eval ignores it', () => {
    const model = load(variant);
    const { ids, mask } = inputs();
    const run = (seed: number, training: boolean) => logits(model, 'lm', ids, mask, { training, seed, dropout: 0.3 }).dataSync();
    expect(run(7, true)).toEqual(run(7, true));
    expect(run(7, true)).not.toEqual(run(8, true));
    expect(run(7, false)).toEqual(run(8, false));
  });
});

describe('parseLlamaConfig()', () => {
  const base = { model_type: 'llama', vocab_size: 10, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 1, num_attention_heads: 2 };

  it('is what the registry picks for model_type "llama", with LLaMA defaults', () => {
    expect(architectureFor(base)).toBe(llama);
    expect(parseLlamaConfig(base)).toMatchObject({ numKvHeads: 2, headDim: 4, ropeTheta: 10000, ropeScaling: null, tieWordEmbeddings: false, rmsNormEps: 1e-6, attentionBias: false, attentionDropout: 0 });
  });

  it('reads rope settings from transformers 5 "rope_parameters" too', () => {
    expect(parseLlamaConfig({ ...base, rope_parameters: { rope_type: 'default', rope_theta: 500 } })).toMatchObject({ ropeTheta: 500, ropeScaling: null });
  });

  it.each([
    [{ rope_scaling: { type: 'dynamic', factor: 2 } }, /rope_scaling type "dynamic" is not supported \(supported: null, default, linear, llama3\)/],
    [{ rope_scaling: { rope_type: 'yarn', factor: 4 } }, /rope_scaling type "yarn" is not supported/],
    [{ num_key_value_heads: 3 }, /num_attention_heads \(2\) must be a multiple of num_key_value_heads \(3\)/],
    [{ hidden_act: 'gelu' }, /hidden_act "gelu" is not supported/],
    [{ head_dim: 3 }, /head_dim \(3\) must be even/],
    [{ hidden_size: 9 }, /hidden_size \(9\) must be divisible by num_attention_heads/],
  ])('rejects %j with a ConfigError', (patch, message) => {
    expect(() => parseLlamaConfig({ ...base, ...patch })).toThrow(ConfigError);
    expect(() => parseLlamaConfig({ ...base, ...patch })).toThrow(message);
  });

  it('computes llama3-scaled rotary frequencies as the reference does, and linear scaling as inv_freq / factor', () => {
    const { rope_llama3: r } = expectedOf('llama-tiny');
    const cfg = parseLlamaConfig({ ...base, hidden_size: 32, head_dim: r.head_dim, rope_theta: r.rope_theta, rope_scaling: r.rope_scaling });
    inverseFrequencies(cfg).forEach((f, j) => expect(Math.abs(f - r.inv_freq[j]) / r.inv_freq[j]).toBeLessThan(1e-6));
    const plain = inverseFrequencies(parseLlamaConfig(base));
    const linear = inverseFrequencies(parseLlamaConfig({ ...base, rope_scaling: { type: 'linear', factor: 4 } }));
    linear.forEach((f, j) => expect(f).toBeCloseTo(plain[j] / 4, 12));
  });

  it('maps checkpoint names: rotary buffers skipped, bare LlamaModel names prefixed', () => {
    expect(llama.canonicalName('model.layers.3.self_attn.rotary_emb.inv_freq')).toBeNull();
    expect(llama.canonicalName('layers.0.mlp.up_proj.weight')).toBe('model.layers.0.mlp.up_proj.weight');
    expect(llama.canonicalName('embed_tokens.weight')).toBe('model.embed_tokens.weight');
    expect(llama.canonicalName('norm.weight')).toBe('model.norm.weight');
    expect(llama.canonicalName('lm_head.weight')).toBe('lm_head.weight');
    expect(llama.blockOf('model.layers.1.post_attention_layernorm.weight')).toBe(1);
    expect(llama.blockOf('model.norm.weight')).toBeNull();
    expect(['model.embed_tokens.weight', 'lm_head.weight', 'model.norm.weight'].map(llama.isEmbedding)).toEqual([true, true, false]);
  });

  it('lists the seven nn.Linear projections of each block with their fan-in and fan-out', () => {
    const cfg = load('llama-tiny').config as LlamaConfig;
    const lin = llama.linearModules(cfg);
    expect(lin).toHaveLength(14);
    expect(lin.slice(0, 7).map((m) => [m.name.replace('model.layers.0.', ''), m.fanIn, m.fanOut])).toEqual([
      ['self_attn.q_proj', 16, 16],
      ['self_attn.k_proj', 16, 8],
      ['self_attn.v_proj', 16, 8],
      ['self_attn.o_proj', 16, 16],
      ['mlp.gate_proj', 16, 40],
      ['mlp.up_proj', 16, 40],
      ['mlp.down_proj', 40, 16],
    ]);
  });
});

describe('saveModel() with LLaMA', () => {
  const names = (files: ModelFiles) => parseSafetensors(files['model.safetensors']).names.sort();
  const config = (files: ModelFiles) => JSON.parse(new TextDecoder().decode(files['config.json']));
  const inputs = (v: string) => tf.tensor2d(expectedOf(v).input_ids, undefined, 'int32');

  it('writes a tied model without lm_head (even when the checkpoint had a copy) and reads it back to the same logits', async () => {
    const model = load('llama-tiny-tied');
    const files = await saveModel(model, 'lm');
    expect(names(files)).toEqual([...llama.paramShapes(model.config as LlamaConfig).keys()].sort());
    expect(names(files)).not.toContain('lm_head.weight');
    expect(config(files)).toMatchObject({ model_type: 'llama', architectures: ['LlamaForCausalLM'], tie_word_embeddings: true, num_key_value_heads: 4, head_dim: 6, rope_theta: 100, attention_bias: true });
    const back = loadModel(files);
    expect(maxAbsDiff(logits(model, 'lm', inputs('llama-tiny-tied'), null), logits(back, 'lm', inputs('llama-tiny-tied'), null))).toBe(0);
    const cls = await saveModel(model, 'classify');
    expect(names(cls)).toEqual([...names(files), 'score.weight'].sort());
    expect(config(cls)).toMatchObject({ architectures: ['LlamaForSequenceClassification'], num_labels: 3 });
  });

  it('writes an untied model with lm_head and reads it back to the same logits', async () => {
    const model = load('llama-tiny');
    const files = await saveModel(model, 'lm');
    expect(names(files)).toContain('lm_head.weight');
    expect(names(files)).toEqual([...llama.paramShapes(model.config as LlamaConfig).keys()].sort());
    expect(config(files)).toMatchObject({ tie_word_embeddings: false, num_key_value_heads: 2, rope_scaling: null });
    const back = loadModel(files);
    expect(maxAbsDiff(logits(model, 'lm', inputs('llama-tiny'), null), logits(back, 'lm', inputs('llama-tiny'), null))).toBe(0);
  });
});

// ---------------------------------------------------------------------------
// Gradients: tfjs autodiff through the forward against central finite differences.
// ---------------------------------------------------------------------------

const GRAD_CONFIGS = {
  // GQA (2 query heads per kv head), untied head, small theta so both frequencies turn.
  gqa: { num_attention_heads: 4, num_key_value_heads: 2, head_dim: 4, tie_word_embeddings: false },
  // Tied head, every projection with a bias.
  'tied+bias': { num_attention_heads: 2, num_key_value_heads: 2, tie_word_embeddings: true, attention_bias: true, mlp_bias: true },
};

function gradConfig(kind: keyof typeof GRAD_CONFIGS): LlamaConfig {
  return parseLlamaConfig({ model_type: 'llama', vocab_size: 11, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 2, max_position_embeddings: 8, rope_theta: 10, ...GRAD_CONFIGS[kind] });
}

/** float32 limits finite differences, so weights are O(0.3) to keep gradients well above noise. */
function gradModel(cfg: LlamaConfig): LoadedModel {
  const model = initModel(llama, cfg, 1) as unknown as LoadedModel;
  let k = 0;
  for (const [name, v] of model.params) {
    const norm = name.endsWith('norm.weight');
    v.assign(tf.randomNormal(v.shape, norm ? 1 : 0, norm ? 0.2 : name.includes('embed') ? 1 : 0.3, 'float32', ++k));
  }
  setClassifierHead(model, ['a', 'b', 'c'], 3);
  model.params.get('score.weight')!.assign(tf.randomNormal([3, cfg.hiddenSize], 0, 0.5, 'float32', 99));
  return model;
}

const G = { ids: [[1, 4, 7, 2, 9, 3], [5, 10, 0, 6, 0, 0]], mask: [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]], lm: [[-100, 4, 7, 2, 9, 3], [5, 10, 0, 6, -100, -100]] };

function lossFn(model: LoadedModel, task: Task, lora: LoraState | null): () => tf.Scalar {
  return () =>
    tf.tidy(() => {
      const out = taskLogits({ model, lora, task }, tf.tensor2d(G.ids, undefined, 'int32'), tf.tensor2d(G.mask), { training: false });
      if (task === 'lm') return causalLmLoss(out as tf.Tensor3D, tf.tensor2d(G.lm, undefined, 'int32'));
      return classificationLoss(out as tf.Tensor2D, tf.tensor1d([2, 0], 'int32'), [0.5, 1, 2]);
    });
}

/** Central difference at a few entries of `v` (and its largest-gradient entry) against autodiff. */
function checkEntries(f: () => tf.Scalar, v: tf.Variable, grad: tf.Tensor, picks: number): void {
  const base = v.dataSync().slice();
  const g = Array.from(grad.dataSync());
  const eps = 1e-2;
  const idx = new Set<number>([g.reduce((best, x, i) => (Math.abs(x) > Math.abs(g[best]) ? i : best), 0)]);
  for (let i = 0; i < picks; i++) idx.add(Math.floor(((i + 0.5) / picks) * base.length));
  for (const i of idx) {
    const at = (delta: number) => {
      const w = base.slice();
      w[i] += delta;
      v.assign(tf.tensor(w, v.shape));
      const l = f();
      const out = l.dataSync()[0];
      l.dispose();
      return out;
    };
    const fd = (at(eps) - at(-eps)) / (2 * eps);
    v.assign(tf.tensor(base, v.shape));
    expect(Math.abs(fd - g[i]), `${v.name} entry ${i}: finite difference ${fd}, autodiff ${g[i]}`).toBeLessThan(2e-3 + 3e-2 * Math.abs(fd));
  }
}

describe.each(['cpu', 'wasm'] as const)('LLaMA gradients against finite differences on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it.each([
    ['gqa', 'lm', 12], // embed, 9 per-block groups, model.norm, lm_head
    ['gqa', 'classify', 12], // lm_head unused, score added
    ['tied+bias', 'lm', 18], // embed, 2 norms + 7 weights + 7 biases per block, model.norm
    ['tied+bias', 'classify', 19],
  ] as const)('match for every parameter group (%s config, %s)', (kind, task, groupCount) => {
    const model = gradModel(gradConfig(kind));
    const names = [...model.params.keys()].filter((n) => (task === 'classify' ? n !== 'lm_head.weight' : n !== 'score.weight'));
    const vars = names.map((n) => model.params.get(n)!);
    const { grads, value } = tf.variableGrads(lossFn(model, task, null), vars);
    value.dispose();
    for (const v of vars) checkEntries(lossFn(model, task, null), v, grads[v.name], 2);
    expect(new Set(names.map((n) => n.replace(/layers\.\d+\./, 'layers.*.'))).size).toBe(groupCount);
    tf.dispose(Object.values(grads));
    disposeModel(model);
  });

  it('match for LoRA A and B on all seven projections', () => {
    const cfg = gradConfig('gqa');
    const model = gradModel(cfg);
    const lora = createLora(llama.linearModules(cfg), { r: 2, alpha: 4, dropout: 0, targetModules: llama.loraTargets.all }, 5);
    let k = 0;
    // B starts at zero in real training; give it values so A's gradient is not trivially zero.
    for (const m of lora.modules.values()) m.B.assign(tf.randomNormal(m.B.shape, 0, 0.3, 'float32', 50 + ++k));
    expect(lora.modules.size).toBe(14);
    const vars = [...lora.modules.values()].flatMap((m) => [m.A, m.B]);
    const { grads, value } = tf.variableGrads(lossFn(model, 'lm', lora), vars);
    value.dispose();
    for (const v of vars) checkEntries(lossFn(model, 'lm', lora), v, grads[v.name], 2);
  });
});

// ---------------------------------------------------------------------------
// Training through train() on a tiny random LLaMA with the SentencePiece-style tokenizer.
// ---------------------------------------------------------------------------

/**
 * A tiny LLaMA folder (GQA, untied unless asked) with the sp-bpe fixture tokenizer.
 * `embeddingStd` widens embed_tokens and lm_head: at LLaMA's 0.02 a random model can
 * barely move its logits through frozen embeddings (freeze, LoRA), unlike a pretrained base.
 */
async function tinyLlamaFiles(opts: { tied?: boolean; seed?: number; embeddingStd?: number } = {}): Promise<ModelFiles> {
  const files = readFolder(SP_BPE_DIR);
  const tokenizer = { 'tokenizer.json': files['tokenizer.json'], 'tokenizer_config.json': files['tokenizer_config.json'] };
  const config = parseLlamaConfig({
    model_type: 'llama',
    architectures: ['LlamaForCausalLM'],
    vocab_size: 305,
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 64,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: opts.tied ?? false,
    bos_token_id: 1,
    eos_token_id: 2,
  });
  const model = initModel(llama, config, opts.seed ?? 1);
  for (const name of ['model.embed_tokens.weight', 'lm_head.weight']) {
    const w = model.params.get(name);
    if (w && opts.embeddingStd) w.assign(tf.tidy(() => w.mul(opts.embeddingStd! / 0.02)));
  }
  try {
    return await saveModel(model, 'lm', tokenizer);
  } finally {
    disposeModel(model);
  }
}

describe('train() on a tiny LLaMA', () => {
  let base: ModelFiles;
  beforeAll(async () => {
    await initBackend('cpu');
    base = await tinyLlamaFiles({ embeddingStd: 0.5 });
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const lora = { r: 4, alpha: 8, dropout: 0, targetModules: llama.loraTargets.default };

  it.each<{ task: Task; method: Method; lr: number }>([
    { task: 'lm', method: 'full', lr: 1e-2 },
    { task: 'lm', method: 'freeze', lr: 1e-2 },
    { task: 'lm', method: 'lora', lr: 3e-2 },
    { task: 'classify', method: 'full', lr: 1e-2 },
    { task: 'classify', method: 'freeze', lr: 1e-2 },
    { task: 'classify', method: 'lora', lr: 3e-2 },
  ])('lowers the loss on a toy $task task with $method', async ({ task, method, lr }) => {
    const result = await train({
      task,
      method,
      base,
      train: task === 'lm' ? promptExamples(24) : sentimentExamples(24),
      hyperparams: hyperparams({ learningRate: lr, epochs: 20, batchSize: 8, schedule: 'constant', lora }),
    });
    const losses = result.history.map((e) => e.trainLoss);
    expect(result.stopReason).toBe('completed');
    expect(mean(losses.slice(-3))).toBeLessThan(0.6 * mean(losses.slice(0, 3)));
  });

  it('exports a PEFT adapter on q_proj and v_proj that, applied to the base, equals the merged model', async () => {
    const result = await train({ task: 'lm', method: 'lora', base, train: promptExamples(8), hyperparams: hyperparams({ learningRate: 3e-2, epochs: 2, batchSize: 8, lora }) });
    const adapterConfig = JSON.parse(new TextDecoder().decode(result.adapter!['adapter_config.json']));
    expect(adapterConfig).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 4, lora_alpha: 8, target_modules: ['q_proj', 'v_proj'], fan_in_fan_out: false, modules_to_save: null });
    const ad = parseSafetensors(result.adapter!['adapter_model.safetensors'], 'adapter_model.safetensors');
    const layer = (i: number) => ['q_proj', 'v_proj'].flatMap((m) => ['A', 'B'].map((ab) => `base_model.model.model.layers.${i}.self_attn.${m}.lora_${ab}.weight`));
    expect(ad.names.sort()).toEqual([...layer(0), ...layer(1)].sort());
    expect(ad.info('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight').shape).toEqual([4, 16]);
    expect(ad.info('base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight').shape).toEqual([16, 4]);
    expect(ad.info('base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight').shape).toEqual([8, 4]); // 2 kv heads x 4

    const baseModel = loadModel(base);
    const { state } = loadAdapter(result.adapter!, modules(baseModel));
    const merged = loadModel(result.model);
    expect(JSON.parse(new TextDecoder().decode(result.model['config.json'])).architectures).toEqual(['LlamaForCausalLM']);
    const ids = tf.tensor2d([[1, 261, 267, 271, 2]], undefined, 'int32');
    const side = logits(baseModel, 'lm', ids, null, { lora: state });
    expect(maxAbsDiff(side, logits(baseModel, 'lm', ids, null))).toBeGreaterThan(1e-3); // the adapter learned something
    expect(maxAbsDiff(side, logits(merged, 'lm', ids, null))).toBeLessThan(1e-4);
  });

  it('returns every tensor it allocated once the run is over', async () => {
    const before = tf.memory().numTensors;
    await train({ task: 'lm', method: 'lora', base, train: promptExamples(8), hyperparams: hyperparams({ epochs: 1, batchSize: 4, valSplit: 0.25, evalEvery: 1, dropout: 0.1, lora }) });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains a tied model and writes it back without lm_head', async () => {
    const tied = await tinyLlamaFiles({ tied: true, embeddingStd: 0.5 });
    const result = await train({ task: 'lm', method: 'full', base: tied, train: promptExamples(8), hyperparams: hyperparams({ epochs: 1, batchSize: 8 }) });
    const st = parseSafetensors(result.model['model.safetensors']);
    expect(st.names).not.toContain('lm_head.weight');
    expect(st.names).toContain('model.embed_tokens.weight');
  });
});
