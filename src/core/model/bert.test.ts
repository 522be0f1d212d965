import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { initBackend, tf } from '../backend';
import { disposeModel, initModel, loadModel, saveModel, setClassifierHead, type LoadedModel } from '../io/hf';
import { loadAdapter } from '../io/peft';
import { parseSafetensors, serializeSafetensors, type TensorToWrite } from '../io/safetensors';
import { loadTokenizerFromFiles } from '../tokenize/tokenizer';
import { encodeExamples } from '../train/encode';
import { classificationLoss } from '../train/losses';
import { selectTrainable } from '../train/trainable';
import { train } from '../train/trainer';
import type { Method, ModelFiles } from '../types';
import { readFolder, readJson } from '../../testutil/node';
import { hyperparams, sentimentExamples } from '../../testutil/tinyModel';
import type { Params } from './arch';
import { bert, bertPooled, newBertConfig, parseBertConfig, type BertConfig } from './bert';
import { createLora, mergedWeight, type LoraState } from './lora';
import { matchesTarget } from './loraTargets';
import { taskLogits } from './runner';

// Golden outputs from scripts/make_bert_fixtures.py, an independent PyTorch implementation.
const FIX = join(__dirname, 'fixtures');
const WORDPIECE_DIR = join(__dirname, '../tokenize/fixtures/wordpiece');
interface Expected {
  input_ids: number[][];
  attention_mask: number[][];
  hidden_states: number[][][];
  pooled: number[][];
  cls_logits: number[][];
  cls_labels: number[];
  class_weights: number[];
  cls_loss: number;
  cls_loss_weighted: number;
  lora: { lora_hidden_states: number[][][]; lora_cls_logits: number[][]; lora_merged_query_0: number[][] };
}
const expected = readJson<Expected>(join(FIX, 'bert-tiny', 'expected.json'));
const tinyFiles = () => readFolder(join(FIX, 'bert-tiny'));
const loadTiny = () => loadModel(tinyFiles());
const moduleNames = (model: LoadedModel) => new Set(model.arch.linearModules(model.config).map((m) => m.name));

beforeAll(async () => {
  await initBackend('cpu');
});

const inputs = () => ({
  ids: tf.tensor2d(expected.input_ids, undefined, 'int32'),
  mask: tf.tensor2d(expected.attention_mask, undefined, 'float32'),
});

function forward(model: LoadedModel, extra: { lora?: LoraState | null; params?: Params; training?: boolean; seed?: number; dropout?: number } = {}) {
  const { ids, mask } = inputs();
  const params = extra.params ?? model.params;
  const cfg = model.config as BertConfig;
  const opts = { training: extra.training ?? false, seed: extra.seed, dropout: extra.dropout, lora: extra.lora ?? null };
  return tf.tidy(() => {
    const h = bert.hidden(cfg, params, ids, mask, opts);
    // A bare BertModel has no classifier: its logits are an empty tensor.
    const logits = params.has('classifier.weight') ? bert.classLogits(cfg, params, h, mask, opts) : tf.zeros([0]);
    return { hidden: h, pooled: bertPooled(params, h), logits };
  });
}

/** Largest |a - b| over the real (mask = 1) positions of [B, T, d] arrays. */
function maxDiffAtRealTokens(actual: number[][][], want: number[][][], mask: number[][]): number {
  let worst = 0;
  want.forEach((row, b) => row.forEach((pos, t) => mask[b][t] && pos.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - actual[b][t][k]))))));
  return worst;
}

function maxDiff(actual: tf.Tensor | number[][], want: number[][]): number {
  const a = Array.isArray(actual) ? actual : (actual.arraySync() as number[][]);
  return Math.max(...want.flatMap((row, i) => row.map((v, j) => Math.abs(v - a[i][j]))));
}

/** The adapter's saved classifier (PEFT modules_to_save) in place of the base one. */
function withSavedModules(model: LoadedModel, saved: Map<string, tf.Tensor>): Params {
  const params = new Map<string, tf.Tensor>(model.params);
  for (const [name, t] of saved) params.set(name, t);
  return params;
}

describe('BERT forward against the PyTorch reference', () => {
  it('matches the final hidden states at every real token, the pooled output and the logits within 1e-4', () => {
    const model = loadTiny();
    expect(model.labels).toEqual(['neg', 'neu', 'pos']);
    const out = forward(model);
    const dh = maxDiffAtRealTokens(out.hidden.arraySync(), expected.hidden_states, expected.attention_mask);
    const dp = maxDiff(out.pooled, expected.pooled);
    const dl = maxDiff(out.logits, expected.cls_logits);
    console.info(`bert-tiny max|diff|: hidden ${dh.toExponential(2)}, pooled ${dp.toExponential(2)}, logits ${dl.toExponential(2)}`);
    expect(dh).toBeLessThan(1e-4);
    expect(dp).toBeLessThan(1e-4);
    expect(dl).toBeLessThan(1e-4);
  });

  it('matches the (weighted) cross-entropy loss through the runner', () => {
    const model = loadTiny();
    const { ids, mask } = inputs();
    const [loss, weighted] = tf.tidy(() => {
      const logits = taskLogits({ model, lora: null, task: 'classify' }, ids, mask, { training: false }) as tf.Tensor2D;
      const y = tf.tensor1d(expected.cls_labels, 'int32');
      return [classificationLoss(logits, y), classificationLoss(logits, y, expected.class_weights)].map((t) => t.dataSync()[0]);
    });
    expect(loss).toBeCloseTo(expected.cls_loss, 4);
    expect(weighted).toBeCloseTo(expected.cls_loss_weighted, 4);
  });

  it('skips the position_ids buffer and the MLM head of the checkpoint', () => {
    const st = parseSafetensors(tinyFiles()['model.safetensors']);
    expect(st.names).toContain('bert.embeddings.position_ids');
    expect(st.names).toContain('cls.predictions.bias');
    const model = loadTiny();
    const want = [...bert.paramShapes(model.config as BertConfig).keys(), 'classifier.weight', 'classifier.bias'];
    expect([...model.params.keys()].sort()).toEqual(want.sort());
  });

  it('ignores padding: a padded row gives the same states and logits as the row alone', () => {
    const model = loadTiny();
    const n = expected.attention_mask[1].reduce((a, b) => a + b, 0);
    const cfg = model.config as BertConfig;
    const [aloneH, aloneL] = tf.tidy(() => {
      const h = bert.hidden(cfg, model.params, tf.tensor2d([expected.input_ids[1].slice(0, n)], undefined, 'int32'), null, { training: false });
      return [h.arraySync()[0], bert.classLogits(cfg, model.params, h, null, { training: false }).arraySync()[0]];
    });
    const out = forward(model);
    expect(maxDiff(out.hidden.arraySync()[1].slice(0, n), aloneH)).toBeLessThan(1e-5);
    expect(maxDiff([(out.logits.arraySync() as number[][])[1]], [aloneL])).toBeLessThan(1e-5);
  });

  it('is deterministic for a seed in training mode, applies classifier dropout, and is exact in eval mode', () => {
    const model = loadTiny();
    const run = (seed: number, training: boolean) => forward(model, { training, seed, dropout: 0.3 }).logits.dataSync();
    expect(run(7, true)).toEqual(run(7, true));
    expect(run(7, true)).not.toEqual(run(8, true));
    expect(run(7, false)).toEqual(run(8, false));
    // Dropout on the pooled output alone changes the logits of the same hidden states.
    const cfg = model.config as BertConfig;
    const [a, b] = tf.tidy(() => {
      const h = forward(model).hidden;
      const logits = (training: boolean) => bert.classLogits(cfg, model.params, h, null, { training, seed: 1, dropout: 0.5 }).dataSync();
      return [logits(true), logits(false)];
    });
    expect(a).not.toEqual(b);
  });
});

describe('BERT with a PEFT LoRA adapter (query, value; classifier in modules_to_save)', () => {
  it('applies the adapter unmerged as the reference does, and merges into the [out, in] weight', () => {
    const model = loadTiny();
    const { state, fanInFanOut, modulesToSave } = loadAdapter(readFolder(join(FIX, 'bert-tiny-lora')), moduleNames(model));
    expect(fanInFanOut).toBe(false);
    expect([...state.modules.keys()].sort()).toEqual([0, 1].flatMap((i) => ['query', 'value'].map((m) => `bert.encoder.layer.${i}.attention.self.${m}`)));
    expect([...modulesToSave.keys()].sort()).toEqual(['classifier.bias', 'classifier.weight']);
    const out = forward(model, { lora: state, params: withSavedModules(model, modulesToSave) });
    const dh = maxDiffAtRealTokens(out.hidden.arraySync(), expected.lora.lora_hidden_states, expected.attention_mask);
    const dl = maxDiff(out.logits, expected.lora.lora_cls_logits);
    console.info(`bert-tiny LoRA max|diff|: hidden ${dh.toExponential(2)}, logits ${dl.toExponential(2)}`);
    expect(dh).toBeLessThan(1e-4);
    expect(dl).toBeLessThan(1e-4);
    const q0 = 'bert.encoder.layer.0.attention.self.query';
    expect(maxDiff(mergedWeight(state, q0, model.params.get(`${q0}.weight`) as tf.Tensor2D, fanInFanOut), expected.lora.lora_merged_query_0)).toBeLessThan(1e-6);
  });

  it('gives the same logits merged into the weights as applied on the side', () => {
    const model = loadTiny();
    const { state, modulesToSave } = loadAdapter(readFolder(join(FIX, 'bert-tiny-lora')), moduleNames(model));
    const params = withSavedModules(model, modulesToSave);
    const side = forward(model, { lora: state, params }).logits;
    const merged = new Map(params);
    for (const module of state.modules.keys()) merged.set(`${module}.weight`, mergedWeight(state, module, params.get(`${module}.weight`) as tf.Tensor2D, false));
    const dm = tf.max(tf.abs(side.sub(forward(model, { params: merged }).logits))).dataSync()[0];
    console.info(`bert-tiny LoRA merged vs unmerged max|diff| ${dm.toExponential(2)}`);
    expect(dm).toBeLessThan(1e-5);
  });

  it('matches targets by PEFT suffix: "output.dense" adapts both attention.output.dense and the FFN output.dense', () => {
    const cfg = (loadTiny().config as BertConfig);
    const names = bert.linearModules(cfg).map((m) => m.name).filter((n) => n.includes('layer.0.'));
    const matched = (targets: string[]) => names.filter((n) => matchesTarget(n, targets)).map((n) => n.replace('bert.encoder.layer.0.', ''));
    expect(matched(bert.loraTargets.default)).toEqual(['attention.self.query', 'attention.self.value']);
    expect(matched(['output.dense'])).toEqual(['attention.output.dense', 'output.dense']);
    expect(matched(['attention.output.dense'])).toEqual(['attention.output.dense']);
    expect(matched(bert.loraTargets.all)).toEqual(names.map((n) => n.replace('bert.encoder.layer.0.', '')));
  });
});

/** The fixture checkpoint as an old, bare BertModel: no "bert." prefix, LayerNorm.gamma/beta, no head. */
function legacyCheckpoint(): ModelFiles {
  const files = tinyFiles();
  const st = parseSafetensors(files['model.safetensors']);
  const out = new Map<string, TensorToWrite>();
  for (const name of st.names) {
    if (!name.startsWith('bert.') || name.endsWith('position_ids')) continue;
    const legacy = name.slice('bert.'.length).replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta');
    out.set(legacy, { shape: st.info(name).shape, data: st.getFloat32(name) });
  }
  return { ...files, 'model.safetensors': serializeSafetensors(out) };
}

describe('bert checkpoint names and config', () => {
  it('maps checkpoint names: bare BertModel prefix, gamma/beta, buffers and pre-training heads', () => {
    expect(bert.canonicalName('embeddings.word_embeddings.weight')).toBe('bert.embeddings.word_embeddings.weight');
    expect(bert.canonicalName('encoder.layer.3.attention.output.LayerNorm.gamma')).toBe('bert.encoder.layer.3.attention.output.LayerNorm.weight');
    expect(bert.canonicalName('bert.embeddings.LayerNorm.beta')).toBe('bert.embeddings.LayerNorm.bias');
    expect(bert.canonicalName('pooler.dense.bias')).toBe('bert.pooler.dense.bias');
    expect(bert.canonicalName('classifier.weight')).toBe('classifier.weight');
    for (const skipped of ['bert.embeddings.position_ids', 'embeddings.position_ids', 'bert.embeddings.token_type_ids', 'cls.predictions.bias', 'cls.predictions.transform.LayerNorm.gamma', 'cls.seq_relationship.weight']) {
      expect(bert.canonicalName(skipped), skipped).toBeNull();
    }
  });

  it('loads a checkpoint with gamma/beta names and without the "bert." prefix', () => {
    const model = loadModel(legacyCheckpoint());
    expect(model.labels).toBeNull(); // no classifier in a bare BertModel
    const ref = loadTiny();
    for (const name of bert.paramShapes(model.config as BertConfig).keys()) {
      expect(model.params.get(name)!.dataSync(), name).toEqual(ref.params.get(name)!.dataSync());
    }
    expect(maxDiffAtRealTokens(forward(model).hidden.arraySync(), expected.hidden_states, expected.attention_mask)).toBeLessThan(1e-4);
  });

  it('rejects what it does not compute, naming the key', () => {
    const raw = readJson<Record<string, unknown>>(join(FIX, 'bert-tiny', 'config.json'));
    expect(() => parseBertConfig({ ...raw, position_embedding_type: 'relative_key' })).toThrow(/position_embedding_type "relative_key" is not supported/);
    expect(() => parseBertConfig({ ...raw, hidden_act: 'swish' })).toThrow(/hidden_act "swish"/);
    expect(() => parseBertConfig({ ...raw, hidden_size: 15 })).toThrow(/divisible by num_attention_heads/);
    expect(() => parseBertConfig({ ...raw, is_decoder: true })).toThrow(/is_decoder/);
    const { pad_token_id: _, ...noPad } = raw;
    expect(parseBertConfig(noPad).padTokenId).toBe(0);
    expect(parseBertConfig({ ...raw, hidden_act: 'gelu_new' }).hiddenAct).toBe('gelu_new');
  });

  it('saves a classifier as BertForSequenceClassification and loads back the same weights and config', async () => {
    const model = loadTiny();
    const saved = await saveModel(model, 'classify');
    const config = JSON.parse(new TextDecoder().decode(saved['config.json']));
    expect(config).toMatchObject({ model_type: 'bert', architectures: ['BertForSequenceClassification'], hidden_size: 16, num_hidden_layers: 2, classifier_dropout: null, layer_norm_eps: 1e-12, pad_token_id: 0, id2label: { 0: 'neg', 1: 'neu', 2: 'pos' } });
    const back = loadModel(saved);
    expect(back.labels).toEqual(model.labels);
    for (const [name, v] of model.params) expect(back.params.get(name)!.dataSync(), name).toEqual(v.dataSync());
    const bare = JSON.parse(new TextDecoder().decode((await saveModel(model, 'lm'))['config.json']));
    expect(bare.architectures).toEqual(['BertModel']);
    expect(bare.id2label).toBeUndefined();
  });

  it('says clearly that there is no language-modelling head', async () => {
    const model = loadTiny();
    expect(bert.tasks).toEqual(['classify']);
    const { ids, mask } = inputs();
    expect(() => taskLogits({ model, lora: null, task: 'lm' }, ids, mask, { training: false })).toThrow(/bert models have no language-modelling head here; use them for classification/);
    await expect(train({ task: 'lm', method: 'full', base: await tinyBertFiles(), train: sentimentExamples(4), hyperparams: hyperparams({ epochs: 1, batchSize: 4 }) })).rejects.toThrow(
      'bert models support classification only, not text generation',
    );
  });
});

// ---------------------------------------------------------------------------
// Gradients against central finite differences (the approach of gradients.test.ts)
// ---------------------------------------------------------------------------

const gradCfg = newBertConfig({ vocabSize: 11, maxPositions: 8, hiddenSize: 8, numLayers: 2, numHeads: 2, intermediateSize: 16, dropout: 0 });
const gradIds = [
  [2, 4, 7, 5, 9, 3],
  [2, 10, 6, 3, 0, 0],
];
const gradMask = [
  [1, 1, 1, 1, 1, 1],
  [1, 1, 1, 1, 0, 0],
];

/** float32 limits FD precision, so weights are O(0.3) to keep gradients well above noise. */
function gradModel(): LoadedModel {
  const model = initModel(bert, gradCfg, 1) as unknown as LoadedModel;
  let k = 0;
  for (const [name, v] of model.params) {
    const ln = name.endsWith('LayerNorm.weight');
    v.assign(tf.randomNormal(v.shape, ln ? 1 : 0, ln ? 0.2 : 0.3, 'float32', ++k));
  }
  setClassifierHead(model, ['a', 'b', 'c'], 3);
  model.params.get('classifier.weight')!.assign(tf.randomNormal([3, gradCfg.hiddenSize], 0, 0.5, 'float32', 99));
  model.params.get('classifier.bias')!.assign(tf.randomNormal([3], 0, 0.3, 'float32', 98));
  return model;
}

function gradLoss(model: LoadedModel, lora: LoraState | null): () => tf.Scalar {
  return () =>
    tf.tidy(() => {
      const out = taskLogits({ model, lora, task: 'classify' }, tf.tensor2d(gradIds, undefined, 'int32'), tf.tensor2d(gradMask), { training: false });
      return classificationLoss(out as tf.Tensor2D, tf.tensor1d([2, 0], 'int32'), [0.5, 1, 2]);
    });
}

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

// wasm too: the embedding gradient runs through the registered UnsortedSegmentSum kernel there.
describe.each(['cpu', 'wasm'] as const)('BERT gradients against finite differences on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it('match for every parameter group of the classifier', () => {
    const model = gradModel();
    const f = gradLoss(model, null);
    const names = [...model.params.keys()];
    const { grads, value } = tf.variableGrads(f, names.map((n) => model.params.get(n)!));
    value.dispose();
    const groups = new Set<string>();
    for (const name of names) {
      const v = model.params.get(name)!;
      checkEntries(f, v, grads[v.name], 2);
      groups.add(name.replace(/\.layer\.\d+\./, '.layer.*.'));
    }
    // embeddings (3 tables + LayerNorm w/b), 16 per-layer groups, pooler w/b, classifier w/b.
    expect(groups.size).toBe(25);
    disposeModel(model);
  });

  it('match for LoRA A and B on all six Linear modules of every layer', () => {
    const model = gradModel();
    const lora = createLora(bert.linearModules(gradCfg), { r: 2, alpha: 4, dropout: 0, targetModules: bert.loraTargets.all }, 5);
    let k = 0;
    // B starts at zero in real training; give it values so A's gradient is not trivially zero.
    for (const m of lora.modules.values()) m.B.assign(tf.randomNormal(m.B.shape, 0, 0.3, 'float32', 50 + ++k));
    expect(lora.modules.size).toBe(12);
    const f = gradLoss(model, lora);
    const vars = [...lora.modules.values()].flatMap((m) => [m.A, m.B]);
    const { grads, value } = tf.variableGrads(f, vars);
    value.dispose();
    for (const v of vars) checkEntries(f, v, grads[v.name], 2);
    disposeModel(model);
  });
});

// ---------------------------------------------------------------------------
// Training through train() on a tiny random BERT with the WordPiece fixture tokenizer
// ---------------------------------------------------------------------------

/** A tiny randomly initialised BERT folder (bare BertModel, no head) with the WordPiece fixture tokenizer. */
async function tinyBertFiles(opts: { seed?: number } = {}): Promise<ModelFiles> {
  const tokenizer = readFolder(WORDPIECE_DIR);
  const config = newBertConfig({ vocabSize: 40, maxPositions: 32, hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 32 });
  const model = initModel(bert, config, opts.seed ?? 1);
  try {
    return await saveModel(model as unknown as LoadedModel, 'lm', tokenizer);
  } finally {
    disposeModel(model as unknown as LoadedModel);
  }
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

describe('train() on BERT', () => {
  let base: ModelFiles;
  beforeAll(async () => {
    await initBackend('cpu');
    base = await tinyBertFiles();
  });

  it('encodes classification text as [CLS] ... [SEP] through the tokenizer post-processor', () => {
    const tok = loadTokenizerFromFiles(base);
    const [seq] = encodeExamples([{ kind: 'labeled', text: 'Good food!', label: 'pos' }], tok, { task: 'classify', maxLength: 16, labels: ['neg', 'pos'], eosTokenId: tok.eosTokenId });
    expect(seq).toEqual({ ids: [2, 16, 21, 5, 3], classId: 1 });
  });

  it('trains the pooler but not the embeddings or lower layers under "freeze"', () => {
    const model = loadModel(base);
    setClassifierHead(model, ['neg', 'pos'], 1);
    const names = [...selectTrainable(model, 'freeze', hyperparams({ freeze: { trainableBlocks: 1, trainEmbeddings: false } }), null, 'classify').keys()];
    expect(names).toContain('bert.pooler.dense.weight');
    expect(names).toContain('bert.encoder.layer.1.output.dense.weight');
    expect(names).toContain('classifier.bias');
    expect(names.some((n) => n.startsWith('bert.embeddings.') || n.startsWith('bert.encoder.layer.0.'))).toBe(false);
    disposeModel(model);
  });

  it.each([
    { method: 'full', lr: 1e-2 },
    { method: 'freeze', lr: 1e-2 },
    { method: 'lora', lr: 3e-2 },
  ] as { method: Method; lr: number }[])('lowers the classification loss with $method', async ({ method, lr }) => {
    const result = await train({
      task: 'classify',
      method,
      base,
      train: sentimentExamples(24),
      hyperparams: hyperparams({ learningRate: lr, epochs: 20, batchSize: 8, schedule: 'constant', lora: { r: 4, alpha: 8, dropout: 0, targetModules: bert.loraTargets.default } }),
    });
    const losses = result.history.map((e) => e.trainLoss);
    expect(result.stopReason).toBe('completed');
    expect(losses).toHaveLength(60);
    expect(mean(losses.slice(-3))).toBeLessThan(0.6 * mean(losses.slice(0, 3)));
  });

  it('exports a merged BertForSequenceClassification folder and a PEFT SEQ_CLS adapter', async () => {
    const result = await train({
      task: 'classify',
      method: 'lora',
      base,
      train: sentimentExamples(8),
      hyperparams: hyperparams({ epochs: 1, batchSize: 8, lora: { r: 4, alpha: 8, dropout: 0, targetModules: ['query', 'value'] } }),
    });
    const config = JSON.parse(new TextDecoder().decode(result.model['config.json']));
    expect(config).toMatchObject({ model_type: 'bert', architectures: ['BertForSequenceClassification'], id2label: { 0: 'neg', 1: 'pos' }, label2id: { neg: 0, pos: 1 } });
    expect(Object.keys(result.model).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    const st = parseSafetensors(result.model['model.safetensors']);
    expect(st.info('classifier.weight').shape).toEqual([2, 16]);
    expect(st.info('bert.encoder.layer.1.attention.self.query.weight').shape).toEqual([16, 16]);

    const adapterConfig = JSON.parse(new TextDecoder().decode(result.adapter!['adapter_config.json']));
    expect(adapterConfig).toMatchObject({ peft_type: 'LORA', task_type: 'SEQ_CLS', r: 4, lora_alpha: 8, target_modules: ['query', 'value'], fan_in_fan_out: false, modules_to_save: ['classifier'] });
    const ad = parseSafetensors(result.adapter!['adapter_model.safetensors'], 'adapter_model.safetensors');
    const loraNames = [0, 1].flatMap((i) => ['query', 'value'].flatMap((m) => ['A', 'B'].map((x) => `base_model.model.bert.encoder.layer.${i}.attention.self.${m}.lora_${x}.weight`)));
    expect(ad.names.sort()).toEqual(['base_model.model.classifier.bias', 'base_model.model.classifier.weight', ...loraNames].sort());
    expect(ad.info('base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight').shape).toEqual([4, 16]);
    expect(ad.info('base_model.model.bert.encoder.layer.0.attention.self.value.lora_B.weight').shape).toEqual([16, 4]);
    expect(ad.info('base_model.model.classifier.weight').shape).toEqual([2, 16]);
  });
});
