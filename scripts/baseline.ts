/**
 * Is the starter model worth shipping? Two comparisons against deliberately simple
 * baselines (`npm run baseline`):
 *
 *  (a) language modelling: the starter model's perplexity on the held-out pretraining
 *      documents vs a unigram model (add-one smoothed training-split counts, same
 *      tokenizer, same positions);
 *  (b) classification: the starter model fine-tuned on spam.csv vs bag-of-words
 *      logistic regression, both trained on the same seeded train split and scored on
 *      the same held-out test split (accuracy and macro F1).
 *
 * The test split is never used for any choice: the fine-tune's per-epoch validation
 * (printed for information) uses a dev slice carved from the training split.
 * The figures are printed and written into the model card's baseline section.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend, type BackendName } from '../src/core/backend';
import { loadDataset } from '../src/core/data/load';
import { splitTrainVal } from '../src/core/data/split';
import { predictBowLabel, trainBow, DEFAULT_BOW } from '../src/core/eval/bow';
import { evaluateSequences } from '../src/core/eval/evaluate';
import { evaluateExamples, loadForInference } from '../src/core/eval/inference';
import { classificationReport } from '../src/core/eval/metrics';
import { train } from '../src/core/train/trainer';
import { DEFAULT_HYPERPARAMS, type Example, type Hyperparams, type Method, type ModelFiles } from '../src/core/types';
import { readFolder } from '../src/testutil/node';
import { setCardSection } from './lib/card';
import { loadCorpus, splitCorpus, weighted } from './lib/corpus';
import { evalWindows, tokenStream, unigramLogProbs, unigramPerplexity } from './lib/lm';
import { FULL } from './pretrain';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const log = (l: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${l}`);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

const SPLIT_SEED = 7;
const TEST_FRACTION = 0.2;

/** The model's context length (GPT-2's n_positions). */
function contextOf(modelDir: string, files: ModelFiles): number {
  const config = JSON.parse(new TextDecoder().decode(files['config.json'])) as { n_positions?: number; n_ctx?: number };
  const context = config.n_positions ?? config.n_ctx;
  if (!context) throw new Error(`${modelDir}/config.json has no n_positions: is it a GPT-2 folder?`);
  return context;
}

/** Held-out perplexity of the model folder vs the unigram model, on the pretraining split's held-out documents. */
async function lmComparison(modelDir: string, files: ModelFiles, maxWindows: number): Promise<{ ppl: number; unigram: number; tokens: number }> {
  const ctx = contextOf(modelDir, files);
  const m = loadForInference(files);
  try {
    const { train: trainDocs, val: valDocs } = splitCorpus(loadCorpus(), FULL.valFraction, FULL.seed);
    const eot = m.tokenizer.eosTokenId!;
    let windows = evalWindows(tokenStream(m.tokenizer, valDocs.map((d) => d.text), eot), ctx);
    if (maxWindows > 0 && windows.length > maxWindows) windows = windows.filter((_, i) => i % Math.ceil(windows.length / maxWindows) === 0);
    // The unigram model counts the training text the starter model saw (e-mails weighted alike).
    const uni = unigramPerplexity(unigramLogProbs(tokenStream(m.tokenizer, weighted(trainDocs, FULL.emailWeight).map((d) => d.text), eot), m.tokenizer.vocabSize), windows);
    const r = await evaluateSequences(m.run, windows, 16, m.padId);
    return { ppl: r.perplexity!, unigram: uni.perplexity, tokens: uni.tokens };
  } finally {
    m.dispose();
  }
}

function labeled(examples: Example[]): { text: string; label: string }[] {
  return examples.map((e) => {
    if (e.kind !== 'labeled') throw new Error('spam.csv should give text + label rows');
    return { text: e.text, label: e.label };
  });
}

/** Print a part of the comparison and write it into its own section of the model card. */
function report(modelDir: string, writeCard: boolean, section: string, text: string): void {
  console.log(`\n${text}\n`);
  const cardPath = join(modelDir, 'README.md');
  if (writeCard && existsSync(cardPath)) {
    writeFileSync(cardPath, setCardSection(readFileSync(cardPath, 'utf8'), section, text));
    log(`wrote the ${section} section of ${cardPath}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: join(root, 'public/models/starter-gpt2') },
      data: { type: 'string', default: join(root, 'public/samples/spam.csv') },
      backend: { type: 'string', default: 'wasm' },
      method: { type: 'string', default: 'full' },
      epochs: { type: 'string', default: '8' },
      lr: { type: 'string', default: '1e-3' },
      'batch-size': { type: 'string', default: '16' },
      dropout: { type: 'string', default: '0.1' },
      // Early stopping on the dev slice (0: off): keeps the weights of the best dev epoch.
      patience: { type: 'string', default: '2' },
      // The fine-tune's own seed (batch order, dropout, head init); the split's seed stays fixed.
      'train-seed': { type: 'string', default: String(SPLIT_SEED) },
      'lm-windows': { type: 'string', default: '0' },
      'skip-lm': { type: 'boolean', default: false },
      'skip-classify': { type: 'boolean', default: false },
      'no-card': { type: 'boolean', default: false },
    },
  });
  const caps = await initBackend(values.backend as BackendName);
  log(`backend ${caps.backend}`);
  const modelDir = resolve(values.model!);
  const writeCard = !values['no-card'];
  const base = readFolder(modelDir);

  // (a) language modelling
  if (!values['skip-lm']) {
    const lm = await lmComparison(modelDir, base, Number(values['lm-windows']));
    log(`(a) held-out perplexity: starter model ${lm.ppl.toFixed(2)} vs unigram ${lm.unigram.toFixed(2)} (${lm.tokens} tokens)`);
    report(
      modelDir,
      writeCard,
      'baseline-lm',
      `Held-out language modelling (${lm.tokens.toLocaleString('en-US')} tokens of the held-out documents): starter model perplexity **${lm.ppl.toFixed(2)}** vs unigram ${lm.unigram.toFixed(2)}.`,
    );
  }
  if (values['skip-classify']) return;

  // One seeded, stratified split of spam.csv; a dev slice of train for the fine-tune's progress reports.
  const dataPath = resolve(values.data!);
  const all = loadDataset(new Uint8Array(readFileSync(dataPath)), 'spam.csv', 'classify').examples;
  const byLabel = (e: Example) => (e.kind === 'labeled' ? e.label : '');
  const { train: trainSet, val: testSet } = splitTrainVal(all, TEST_FRACTION, SPLIT_SEED, byLabel);
  const { train: fitSet, val: devSet } = splitTrainVal(trainSet, 0.1, SPLIT_SEED, byLabel);
  const count = (xs: Example[], l: string) => xs.filter((e) => byLabel(e) === l).length;
  const split = `${all.length} rows: train ${trainSet.length} (spam ${count(trainSet, 'spam')}, ham ${count(trainSet, 'ham')}), test ${testSet.length} (spam ${count(testSet, 'spam')}, ham ${count(testSet, 'ham')})`;
  log(`spam.csv split (seed ${SPLIT_SEED}): ${split}`);

  // (b1) bag-of-words logistic regression on the whole train split
  const t0 = performance.now();
  const trainRows = labeled(trainSet);
  const bow = trainBow(trainRows.map((r) => r.text), trainRows.map((r) => r.label), DEFAULT_BOW);
  const labels = bow.labels;
  const testRows = labeled(testSet);
  const bowReport = classificationReport(
    testRows.map((r) => labels.indexOf(r.label)),
    testRows.map((r) => labels.indexOf(predictBowLabel(bow, r.text))),
    labels,
  );
  log(`(b) BoW logistic regression (${bow.vocab.size} words, ${DEFAULT_BOW.epochs} epochs, L2 ${DEFAULT_BOW.l2}, ${((performance.now() - t0) / 1000).toFixed(1)} s): test accuracy ${pct(bowReport.accuracy)}, macro F1 ${bowReport.macroF1.toFixed(3)}`);

  // (b2) the starter model fine-tuned for classification, reading as much of each e-mail as its context holds
  const context = contextOf(modelDir, base);
  const hp: Hyperparams = {
    ...DEFAULT_HYPERPARAMS,
    learningRate: Number(values.lr),
    epochs: Number(values.epochs),
    batchSize: Number(values['batch-size']),
    maxLength: context,
    dropout: Number(values.dropout),
    warmupSteps: 10,
    schedule: 'linear',
    seed: Number(values['train-seed']),
    evalEvery: 0,
    patience: Number(values.patience),
  };
  const method = values.method as Method;
  if (!['full', 'freeze', 'lora'].includes(method)) throw new Error(`--method must be full, freeze or lora, not "${method}"`);
  log(`fine-tuning on ${fitSet.length} rows (dev ${devSet.length}): method ${method}, ${hp.epochs} epochs, lr ${hp.learningRate}, batch ${hp.batchSize}, dropout ${hp.dropout}, max length ${hp.maxLength}, seed ${hp.seed}`);
  const started = performance.now();
  const result = await train(
    { task: 'classify', method, base, train: fitSet, val: devSet, hyperparams: hp },
    {
      onProgress: (e) => {
        if (e.step % 10 === 0 || e.val)
          log(`  step ${e.step}/${e.totalSteps} loss ${e.trainLoss.toFixed(3)} ${e.tokensPerSec.toFixed(0)} tok/s${e.val ? `  dev accuracy ${pct(e.val.accuracy!)} F1 ${e.val.macroF1!.toFixed(3)}` : ''}`);
      },
    },
  );
  const minutes = (performance.now() - started) / 60_000;
  const tuned = loadForInference(result.model);
  const ft = await evaluateExamples(tuned, testSet, { maxLength: hp.maxLength, batchSize: 16 });
  tuned.dispose();
  log(`(b) fine-tuned starter model (${minutes.toFixed(1)} min): test accuracy ${pct(ft.accuracy!)}, macro F1 ${ft.macroF1!.toFixed(3)}`);

  report(
    modelDir,
    writeCard,
    'baseline-classify',
    [
      `Spam classification on \`public/samples/spam.csv\`, one seeded stratified split (seed ${SPLIT_SEED}): ${split}.`,
      '',
      '| classifier | test accuracy | test macro F1 |',
      '| --- | --- | --- |',
      `| Starter GPT-2, fine-tuned (${method}, ${hp.epochs} epochs${hp.patience ? ` with early stopping on dev loss (patience ${hp.patience} epochs): ran ${result.history.length} of ${hp.epochs * Math.ceil(fitSet.length / hp.batchSize)} steps, kept the weights of step ${result.best?.step ?? result.history.length}` : ''}, lr ${hp.learningRate}, batch ${hp.batchSize}, dropout ${hp.dropout}, max length ${hp.maxLength}, seed ${hp.seed}; ${fitSet.length} train + ${devSet.length} dev rows) | ${pct(ft.accuracy!)} | ${ft.macroF1!.toFixed(3)} |`,
      `| Bag-of-words logistic regression (${bow.vocab.size} words, L2 ${DEFAULT_BOW.l2}, ${DEFAULT_BOW.epochs} epochs of gradient descent; all ${trainSet.length} train rows) | ${pct(bowReport.accuracy)} | ${bowReport.macroF1.toFixed(3)} |`,
      '',
      `Fine-tuning took ${minutes.toFixed(1)} minutes on ${caps.backend} (2 CPU cores shared with other jobs).`,
    ].join('\n'),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
