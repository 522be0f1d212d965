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
 * The test split is never used for any choice. The fine-tune uses the studio's default
 * hyperparameters on every train row (as bag-of-words does) and runs once per fine-tune
 * seed; the bar is judged on the mean over seeds, so one lucky or unlucky seed decides
 * nothing. `--dev` carves a dev slice from train for early stopping instead.
 * The figures are printed and written into the model card's baseline section.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend, type BackendName } from '../src/core/backend';
import { loadDataset } from '../src/core/data/load';
import { kFolds, splitTrainVal } from '../src/core/data/split';
import { predictBowLabel, trainBow, DEFAULT_BOW } from '../src/core/eval/bow';
import { evaluateSequences } from '../src/core/eval/evaluate';
import { evaluateExamples, loadForInference } from '../src/core/eval/inference';
import { classificationReport } from '../src/core/eval/metrics';
import { train } from '../src/core/train/trainer';
import { DEFAULT_HYPERPARAMS, type Example, type Hyperparams, type Method, type ModelFiles } from '../src/core/types';
import { readFolder } from '../src/testutil/node';
import { setCardSection } from './lib/card';
import { loadCorpus, splitCorpus, weighted } from './lib/corpus';
import { missedOverlap, missedRows, missedUnion } from './lib/missed';
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
      // The studio's own defaults (what a user gets by pressing Train), not tuned on this data.
      epochs: { type: 'string', default: String(DEFAULT_HYPERPARAMS.epochs) },
      lr: { type: 'string', default: String(DEFAULT_HYPERPARAMS.learningRate) },
      'batch-size': { type: 'string', default: String(DEFAULT_HYPERPARAMS.batchSize) },
      dropout: { type: 'string', default: String(DEFAULT_HYPERPARAMS.dropout) },
      // A dev slice carved from train (0: the fine-tune sees every train row, as bag-of-words does).
      dev: { type: 'string', default: '0' },
      // Early stopping on the dev slice (0: off); needs --dev.
      patience: { type: 'string', default: '0' },
      // The fine-tune's own seeds (batch order, dropout, head init), one run each; the split's seed stays fixed.
      'train-seeds': { type: 'string', default: '1,2,3,4,5' },
      // transformers' group_by_length (the studio's "Group by length"): off by default, as in the studio.
      'group-by-length': { type: 'boolean', default: false },
      // Cross-validation on the train split only: fold i of K stands in for the test rows
      // (which are not touched); for choosing a recipe without looking at the test score.
      'cv-fold': { type: 'string' },
      'lm-windows': { type: 'string', default: '0' },
      'skip-lm': { type: 'boolean', default: false },
      'skip-classify': { type: 'boolean', default: false },
      'no-card': { type: 'boolean', default: false },
    },
  });
  const caps = await initBackend(values.backend as BackendName);
  log(`backend ${caps.backend}`);
  const modelDir = resolve(values.model!);
  const writeCard = !values['no-card'] && !values['cv-fold'];
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

  // One seeded, stratified split of spam.csv; on request, a dev slice of train for early stopping.
  const dataPath = resolve(values.data!);
  const all = loadDataset(new Uint8Array(readFileSync(dataPath)), 'spam.csv', 'classify').examples;
  const byLabel = (e: Example) => (e.kind === 'labeled' ? e.label : '');
  const outer = splitTrainVal(all, TEST_FRACTION, SPLIT_SEED, byLabel);
  let { train: trainSet, val: testSet } = outer;
  let scope = `spam.csv split (seed ${SPLIT_SEED})`;
  if (values['cv-fold']) {
    const m = /^(\d+)\/(\d+)$/.exec(values['cv-fold']);
    if (!m || Number(m[1]) >= Number(m[2])) throw new Error(`--cv-fold must be i/K with 0 <= i < K, e.g. 0/4, not "${values['cv-fold']}"`);
    ({ train: trainSet, val: testSet } = kFolds(outer.train, Number(m[2]), SPLIT_SEED, byLabel)[Number(m[1])]);
    scope = `cross-validation fold ${m[1]} of ${m[2]} within the train split of spam.csv (seed ${SPLIT_SEED}; the test rows are not used)`;
  }
  const devFraction = Number(values.dev);
  if (Number(values.patience) > 0 && !(devFraction > 0)) throw new Error('--patience needs a dev slice to stop on: pass --dev, e.g. --dev 0.1');
  const { train: fitSet, val: devSet } = splitTrainVal(trainSet, devFraction, SPLIT_SEED, byLabel);
  const count = (xs: Example[], l: string) => xs.filter((e) => byLabel(e) === l).length;
  const split = `${trainSet.length + testSet.length} rows: train ${trainSet.length} (spam ${count(trainSet, 'spam')}, ham ${count(trainSet, 'ham')}), test ${testSet.length} (spam ${count(testSet, 'spam')}, ham ${count(testSet, 'ham')})`;
  log(`${scope}: ${split}`);

  // (b1) bag-of-words logistic regression on the whole train split
  const t0 = performance.now();
  const trainRows = labeled(trainSet);
  const bow = trainBow(trainRows.map((r) => r.text), trainRows.map((r) => r.label), DEFAULT_BOW);
  const labels = bow.labels;
  const testRows = labeled(testSet);
  const bowPredicted = testRows.map((r) => predictBowLabel(bow, r.text));
  const bowReport = classificationReport(
    testRows.map((r) => labels.indexOf(r.label)),
    bowPredicted.map((l) => labels.indexOf(l)),
    labels,
  );
  const bowMissed = missedRows(testRows, bowPredicted);
  log(`(b) BoW logistic regression (${bow.vocab.size} words, ${DEFAULT_BOW.epochs} epochs, L2 ${DEFAULT_BOW.l2}, ${((performance.now() - t0) / 1000).toFixed(1)} s): test accuracy ${pct(bowReport.accuracy)}, macro F1 ${bowReport.macroF1.toFixed(3)}`);

  // (b2) the starter model fine-tuned for classification, reading as much of each e-mail as its context holds
  const context = contextOf(modelDir, base);
  const seeds = values['train-seeds']!.split(',').map((x) => Number(x.trim()));
  if (seeds.length === 0 || seeds.some((x) => !Number.isInteger(x))) throw new Error(`--train-seeds must be a comma-separated list of integers, not "${values['train-seeds']}"`);
  const method = values.method as Method;
  if (!['full', 'freeze', 'lora'].includes(method)) throw new Error(`--method must be full, freeze or lora, not "${method}"`);
  const hpFor = (seed: number): Hyperparams => ({
    ...DEFAULT_HYPERPARAMS,
    learningRate: Number(values.lr),
    epochs: Number(values.epochs),
    batchSize: Number(values['batch-size']),
    maxLength: context,
    dropout: Number(values.dropout),
    seed,
    evalEvery: 0,
    patience: Number(values.patience),
    groupByLength: values['group-by-length'] === true,
  });
  const hp0 = hpFor(seeds[0]);
  const recipe = `${method}, ${hp0.epochs} epochs, lr ${hp0.learningRate} (${hp0.schedule} decay after ${hp0.warmupSteps} warm-up steps), batch ${hp0.batchSize}, dropout ${hp0.dropout}, weight decay ${hp0.weightDecay}, max length ${hp0.maxLength}${hp0.groupByLength ? ', rows grouped by length' : ''}${devSet.length ? `, early stopping on ${devSet.length} dev rows (patience ${hp0.patience})` : ''}; ${fitSet.length} train rows`;
  log(`fine-tuning: ${recipe}; seeds ${seeds.join(', ')}`);
  const runs: { seed: number; accuracy: number; macroF1: number; minutes: number; note: string; missed: Set<number> }[] = [];
  for (const seed of seeds) {
    const hp = hpFor(seed);
    const started = performance.now();
    const result = await train(
      { task: 'classify', method, base, train: fitSet, val: devSet, hyperparams: hp },
      {
        onProgress: (e) => {
          if (e.step % 20 === 0 || e.val)
            log(`  seed ${seed} step ${e.step}/${e.totalSteps} loss ${e.trainLoss.toFixed(3)} ${e.tokensPerSec.toFixed(0)} tok/s${e.val ? `  dev accuracy ${pct(e.val.accuracy!)} F1 ${e.val.macroF1!.toFixed(3)}` : ''}`);
        },
      },
    );
    const minutes = (performance.now() - started) / 60_000;
    const tuned = loadForInference(result.model);
    const ft = await evaluateExamples(tuned, testSet, { maxLength: hp.maxLength, batchSize: 16 });
    const ftLabels = tuned.run.model.labels!;
    tuned.dispose();
    const note = result.best && hp.patience ? `stopped at step ${result.history.length}, kept step ${result.best.step}` : `${result.history.length} steps`;
    runs.push({ seed, accuracy: ft.accuracy!, macroF1: ft.macroF1!, minutes, note, missed: missedRows(testRows, ft.predicted!.map((k) => ftLabels[k])) });
    log(`(b) fine-tuned starter model, seed ${seed} (${note}, ${minutes.toFixed(1)} min): test accuracy ${pct(ft.accuracy!)}, macro F1 ${ft.macroF1!.toFixed(3)}`);
  }
  const mean = (f: (r: (typeof runs)[number]) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
  const meanAcc = mean((r) => r.accuracy);
  const meanF1 = mean((r) => r.macroF1);
  const met = meanAcc >= bowReport.accuracy && meanF1 >= bowReport.macroF1;
  const verdict = `${met ? 'Met' : 'Not met'}: over ${runs.length} fine-tune seed(s) the starter model averages ${pct(meanAcc)} / ${meanF1.toFixed(3)} against bag-of-words ${pct(bowReport.accuracy)} / ${bowReport.macroF1.toFixed(3)}; ${runs.filter((r) => r.accuracy >= bowReport.accuracy && r.macroF1 >= bowReport.macroF1).length} of ${runs.length} seeds reach it on both.`;
  log(`(b) ${verdict}`);
  const overlap = missedOverlap(bowMissed, runs);
  log(`(b) ${overlap}`);
  for (const i of missedUnion(bowMissed, runs)) {
    const by = [...(bowMissed.has(i) ? ['bag-of-words'] : []), ...runs.filter((r) => r.missed.has(i)).map((r) => `seed ${r.seed}`)];
    log(`    test row ${i} (${testRows[i].label}) missed by ${by.join(', ')}: ${JSON.stringify(testRows[i].text.replace(/\s+/g, ' ').slice(0, 100))}`);
  }

  report(
    modelDir,
    writeCard,
    'baseline-classify',
    [
      `Spam classification on \`public/samples/spam.csv\`, one seeded stratified split (seed ${SPLIT_SEED}): ${split}. Nothing is chosen on the test rows.`,
      '',
      `Fine-tune recipe: ${recipe} (what the studio sets for this model: full fine-tuning, as for every model under 20 M parameters, with the engine's default hyperparameters; not tuned on this data). One run per fine-tune seed (batch order, dropout, head initialisation).`,
      '',
      '| classifier | test accuracy | test macro F1 |',
      '| --- | --- | --- |',
      ...runs.map((r) => `| Starter GPT-2 fine-tuned, seed ${r.seed} (${r.note}, ${r.minutes.toFixed(1)} min) | ${pct(r.accuracy)} | ${r.macroF1.toFixed(3)} |`),
      `| **Starter GPT-2 fine-tuned, mean of ${runs.length}** | **${pct(meanAcc)}** | **${meanF1.toFixed(3)}** |`,
      `| Bag-of-words logistic regression (${bow.vocab.size} words, L2 ${DEFAULT_BOW.l2}, ${DEFAULT_BOW.epochs} epochs of gradient descent; all ${trainSet.length} train rows) | ${pct(bowReport.accuracy)} | ${bowReport.macroF1.toFixed(3)} |`,
      '',
      `**The bar** (fine-tuned at least as good as bag-of-words on both): ${verdict}`,
      '',
      overlap,
      '',
      `Timings on ${caps.backend} (2 CPU cores).`,
    ].join('\n'),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
