/**
 * The studio's engine, headless: `npm run cli -- <command> [options]`.
 * Every command prints JSON on stdout; an error prints one line on stderr and exits 1.
 */
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, tf, type BackendChoice } from './core/backend';
import { loadDataset } from './core/data/load';
import { evaluateHeldOut } from './core/eval/heldout';
import { complete, classify, evaluateExamples, loadForInference } from './core/eval/inference';
import { disposeModel, loadModel } from './core/io/hf';
import { taskLogits } from './core/model/runner';
import { loadTokenizer } from './core/tokenize/tokenizer';
import { train } from './core/train/trainer';
import { decodeCheckpoint, encodeCheckpoint } from './core/train/checkpoint';
import { DATA_COMMANDS, DATA_OPTIONS, DATA_USAGE } from './cliData';
import { DEFAULT_HYPERPARAMS, type Hyperparams, type Method, type Task } from './core/types';
import { readFolder, writeFolder } from './testutil/node';

const USAGE = `usage: npm run cli -- <command> [options]
  forward  --model DIR --ids 1,2,3
  tokenize --tokenizer tokenizer.json --text "..."
  train    --model DIR --data FILE --task lm|classify --out DIR [--method full|freeze|lora] [--lr N] [--epochs N]
           [--batch-size N] [--max-length N] [--warmup N] [--weight-decay N] [--dropout N] [--schedule linear|cosine|constant]
           [--lora-r N] [--lora-alpha N] [--lora-targets c_attn,mlp.c_fc] [--trainable-blocks N] [--seed N] [--val-split F]
           [--eval-every N] [--patience N] [--max-steps N] [--grad-accum N] [--class-weights] [--group-by-length] [--gradient-checkpointing] [--text-column C] [--label-column C]
           [--checkpoint FILE] (kept every --checkpoint-every SECONDS, default 60; when FILE exists the run goes on from it,
           to the same weights as a run never stopped; removed when the run ends)
  eval     --model DIR --data FILE [--max-length N] [--batch-size N] [--text-column C] [--label-column C]
           [--robustness] (also: seeded typos, casing, punctuation, dropped words, synonyms; mistakes; completions;
           progress on stderr unless --quiet) [--baseline-train FILE] (a classifier's training rows: bag-of-words
           and majority-label baselines on the same rows)
  predict  --model DIR --text "..." [--max-new-tokens N] [--min-new-tokens N] [--temperature T] [--top-k K] [--top-p P]
           [--repetition-penalty R] [--stop STRING] [--chat] [--seed N]
${DATA_USAGE}
  common   [--backend auto|wasm|cpu|webgl|webgpu]`;

class CliError extends Error {}

const OPTIONS = {
  model: { type: 'string' },
  ids: { type: 'string' },
  tokenizer: { type: 'string' },
  text: { type: 'string' },
  data: { type: 'string' },
  'baseline-train': { type: 'string' },
  task: { type: 'string' },
  out: { type: 'string' },
  method: { type: 'string' },
  lr: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'max-length': { type: 'string' },
  warmup: { type: 'string' },
  'weight-decay': { type: 'string' },
  dropout: { type: 'string' },
  schedule: { type: 'string' },
  'lora-r': { type: 'string' },
  'lora-alpha': { type: 'string' },
  'lora-targets': { type: 'string' },
  'trainable-blocks': { type: 'string' },
  seed: { type: 'string' },
  'val-split': { type: 'string' },
  'eval-every': { type: 'string' },
  patience: { type: 'string' },
  'max-steps': { type: 'string' },
  'grad-accum': { type: 'string' },
  'class-weights': { type: 'boolean' },
  'group-by-length': { type: 'boolean' },
  'gradient-checkpointing': { type: 'boolean' },
  'text-column': { type: 'string' },
  'label-column': { type: 'string' },
  checkpoint: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'max-new-tokens': { type: 'string' },
  'min-new-tokens': { type: 'string' },
  temperature: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  'repetition-penalty': { type: 'string' },
  stop: { type: 'string', multiple: true },
  chat: { type: 'boolean' },
  robustness: { type: 'boolean' },
  backend: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
  ...DATA_OPTIONS,
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function need(v: Values, key: keyof Values): string {
  const x = v[key];
  if (typeof x !== 'string' || x === '') throw new CliError(`--${String(key)} is required`);
  return x;
}

function number(v: Values, key: keyof Values, fallback: number, check: (n: number) => boolean = Number.isFinite): number {
  const x = v[key];
  if (x === undefined) return fallback;
  const n = Number(x);
  if (!Number.isFinite(n) || !check(n)) throw new CliError(`--${String(key)} must be a valid number, got "${String(x)}"`);
  return n;
}

const positive = (n: number) => n > 0;
const nonNegative = (n: number) => n >= 0;
const integer = (n: number) => Number.isInteger(n) && n > 0;

function modelDir(v: Values): string {
  const dir = need(v, 'model');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`--model ${dir} is not a folder`);
  return dir;
}

function oneOf<T extends string>(v: Values, key: keyof Values, allowed: readonly T[], fallback: T): T {
  const x = (v[key] as string | undefined) ?? fallback;
  if (!allowed.includes(x as T)) throw new CliError(`--${String(key)} must be one of ${allowed.join(', ')}, got "${x}"`);
  return x as T;
}

function hyperparamsFrom(v: Values): Hyperparams {
  const d = DEFAULT_HYPERPARAMS;
  const r = number(v, 'lora-r', d.lora.r, integer);
  return {
    ...d,
    learningRate: number(v, 'lr', d.learningRate, positive),
    epochs: number(v, 'epochs', d.epochs, integer),
    batchSize: number(v, 'batch-size', d.batchSize, integer),
    gradAccumSteps: number(v, 'grad-accum', d.gradAccumSteps, integer),
    maxLength: number(v, 'max-length', d.maxLength, integer),
    warmupSteps: number(v, 'warmup', d.warmupSteps, nonNegative),
    weightDecay: number(v, 'weight-decay', d.weightDecay, nonNegative),
    dropout: number(v, 'dropout', d.dropout, (n) => n >= 0 && n < 1),
    schedule: oneOf(v, 'schedule', ['linear', 'cosine', 'constant'] as const, d.schedule),
    seed: number(v, 'seed', d.seed, Number.isInteger),
    valSplit: number(v, 'val-split', d.valSplit, (n) => n >= 0 && n < 1),
    evalEvery: number(v, 'eval-every', d.evalEvery, nonNegative),
    patience: number(v, 'patience', d.patience, nonNegative),
    maxSteps: number(v, 'max-steps', d.maxSteps, nonNegative),
    classWeights: v['class-weights'] === true,
    groupByLength: v['group-by-length'] === true,
    gradientCheckpointing: v['gradient-checkpointing'] === true,
    lora: {
      r,
      alpha: number(v, 'lora-alpha', 2 * r, positive),
      dropout: d.lora.dropout,
      targetModules: v['lora-targets'] ? String(v['lora-targets']).split(',').map((s) => s.trim()).filter(Boolean) : d.lora.targetModules,
    },
    freeze: { ...d.freeze, trainableBlocks: number(v, 'trainable-blocks', d.freeze.trainableBlocks, nonNegative) },
  };
}

function columns(v: Values): { text?: string; label?: string } {
  return { text: v['text-column'] as string | undefined, label: v['label-column'] as string | undefined };
}

function readData(v: Values, task: Task, option: 'data' | 'baseline-train' = 'data') {
  const file = need(v, option);
  if (!existsSync(file)) throw new CliError(`--${option} ${file} does not exist`);
  return loadDataset(new Uint8Array(readFileSync(file)), basename(file), task, columns(v));
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

async function cmdForward(v: Values): Promise<void> {
  const ids = need(v, 'ids').split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 0) throw new CliError(`--ids must be comma-separated token ids, got "${s}"`);
    return n;
  });
  const files = readFolder(modelDir(v));
  const model = loadModel(files);
  try {
    const bad = ids.find((i) => i >= model.config.vocabSize);
    if (bad !== undefined) throw new CliError(`token id ${bad} is outside the vocabulary (size ${model.config.vocabSize})`);
    const logits = tf.tidy(() => taskLogits({ model, lora: null, task: 'lm' }, tf.tensor2d([ids], undefined, 'int32'), null, { training: false }));
    print({ logits: (logits.arraySync() as number[][][])[0] });
    logits.dispose();
  } finally {
    disposeModel(model);
  }
}

async function cmdTokenize(v: Values): Promise<void> {
  const file = need(v, 'tokenizer');
  if (!existsSync(file)) throw new CliError(`--tokenizer ${file} does not exist`);
  const text = v.text;
  if (typeof text !== 'string') throw new CliError('--text is required');
  const configPath = join(dirname(file), 'tokenizer_config.json');
  const parse = (p: string) => {
    try {
      return JSON.parse(readFileSync(p, 'utf8'));
    } catch (e) {
      throw new CliError(`${basename(p)} is not valid JSON (${(e as Error).message})`);
    }
  };
  const tok = loadTokenizer(parse(file), existsSync(configPath) ? parse(configPath) : undefined);
  print({ ids: tok.encode(text) });
}

async function cmdTrain(v: Values): Promise<void> {
  const task = oneOf(v, 'task', ['lm', 'classify'] as const, 'lm');
  const method = oneOf<Method>(v, 'method', ['full', 'freeze', 'lora'], 'full');
  const out = need(v, 'out');
  const hyperparams = hyperparamsFrom(v);
  const base = readFolder(modelDir(v));
  const { examples } = readData(v, task);
  const quiet = v.quiet === true;
  const ckFile = typeof v.checkpoint === 'string' && v.checkpoint !== '' ? v.checkpoint : null;
  const everyMs = number(v, 'checkpoint-every', 60, nonNegative) * 1000;
  const resume = ckFile && existsSync(ckFile) ? decodeCheckpoint(new Uint8Array(readFileSync(ckFile)), ckFile) : undefined;
  if (resume && !quiet) process.stderr.write(`resuming from step ${resume.step} of ${resume.totalSteps} (${ckFile})\n`);
  const result = await train({ task, method, base, train: examples, hyperparams }, {
    resume,
    checkpoints: ckFile
      ? {
          everyMs,
          save: (c) => {
            // Written whole, then renamed over the last one: a kill mid-write leaves the previous checkpoint.
            writeFileSync(`${ckFile}.tmp`, encodeCheckpoint(c));
            renameSync(`${ckFile}.tmp`, ckFile);
          },
        }
      : undefined,
    onProgress: (e) => {
      if (quiet) return;
      const val = e.val ? ` val_loss ${e.val.loss.toFixed(4)}${e.val.accuracy !== undefined ? ` val_acc ${e.val.accuracy.toFixed(3)}` : ''}` : '';
      process.stderr.write(`step ${e.step}/${e.totalSteps} epoch ${e.epoch.toFixed(2)} loss ${e.trainLoss.toFixed(4)} lr ${e.learningRate.toExponential(2)} grad_norm ${e.gradNorm.toFixed(3)} ${Math.round(e.tokensPerSec)} tok/s${val}\n`);
    },
  });
  writeFolder(out, result.model);
  if (result.adapter) writeFolder(join(out, 'adapter'), result.adapter);
  const metrics = {
    task,
    method,
    stopReason: result.stopReason,
    message: result.message,
    best: result.best ?? null,
    hyperparams,
    examples: examples.length,
    lossCurve: result.history.map((e) => ({ step: e.step, epoch: e.epoch, trainLoss: e.trainLoss, learningRate: e.learningRate, gradNorm: e.gradNorm, tokensPerSec: e.tokensPerSec, val: e.val ?? null })),
  };
  writeFileSync(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  // The run is over and its weights written: nothing is left to resume.
  if (ckFile) rmSync(ckFile, { force: true });
  print({ out, stopReason: result.stopReason, message: result.message, steps: result.history.length, finalTrainLoss: result.history.at(-1)?.trainLoss ?? null, best: result.best ?? null });
  if (result.stopReason === 'non-finite') throw new CliError(result.message);
}

async function cmdEval(v: Values): Promise<void> {
  const m = loadForInference(readFolder(modelDir(v)));
  try {
    const { examples } = readData(v, m.run.task);
    if (v.robustness) {
      const maxLength = number(v, 'max-length', DEFAULT_HYPERPARAMS.maxLength, integer);
      const r = await evaluateHeldOut(m, examples, {
        maxLength,
        batchSize: number(v, 'batch-size', 16, integer),
        seed: number(v, 'seed', 1, integer),
        baselineTrain: v['baseline-train'] ? readData(v, m.run.task, 'baseline-train').examples : undefined,
        onProgress: (p) => {
          if (v.quiet !== true && p.done < p.total) process.stderr.write(`${p.stage} (${Math.floor((100 * p.done) / p.total)}%)\n`);
        },
      });
      const c = r.classification;
      print({ task: r.task, examples: r.count, ...r.metrics, ...(c && { labels: c.labels, confusionMatrix: c.confusion, perClass: c.perClass, mistakes: r.mistakes }), ...(r.baselines && { baselines: r.baselines }), robustness: r.robustness, ...(r.generation && { generation: r.generation }) });
      return;
    }
    const r = await evaluateExamples(m, examples, { maxLength: number(v, 'max-length', DEFAULT_HYPERPARAMS.maxLength, integer), batchSize: number(v, 'batch-size', 16, integer) });
    if (m.run.task === 'lm') print({ task: 'lm', examples: r.count, loss: r.loss, perplexity: r.perplexity });
    else print({ task: 'classify', examples: r.count, loss: r.loss, accuracy: r.accuracy, macroF1: r.macroF1, labels: r.report!.labels, confusionMatrix: r.report!.confusion, perClass: r.report!.perClass });
  } finally {
    m.dispose();
  }
}

async function cmdPredict(v: Values): Promise<void> {
  const text = v.text;
  if (typeof text !== 'string') throw new CliError('--text is required');
  const m = loadForInference(readFolder(modelDir(v)));
  try {
    if (m.run.task === 'classify') print(await classify(m, text));
    else {
      const r = await complete(m, text, {
        maxNewTokens: number(v, 'max-new-tokens', 40, integer),
        minNewTokens: number(v, 'min-new-tokens', 0, (n) => Number.isInteger(n) && n >= 0),
        temperature: number(v, 'temperature', 0, nonNegative),
        topK: number(v, 'top-k', 0, nonNegative),
        topP: number(v, 'top-p', 1, (n) => n > 0 && n <= 1),
        repetitionPenalty: number(v, 'repetition-penalty', 1, positive),
        stopSequences: (v.stop as string[] | undefined) ?? [],
        chat: v.chat === true,
        seed: number(v, 'seed', 0, Number.isInteger),
      });
      print({ prompt: text, completion: r.text, ids: r.ids });
    }
  } finally {
    m.dispose();
  }
}

const COMMANDS: Record<string, (v: Values) => Promise<void>> = {
  forward: cmdForward,
  tokenize: cmdTokenize,
  train: cmdTrain,
  eval: cmdEval,
  predict: cmdPredict,
  ...DATA_COMMANDS,
};

/** tfjs advertises its native Node backend on first use; in a CLI that is noise on stderr. */
function silenceTfjsNodeAdvert(): void {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('tfjs-node')) return;
    warn(...args);
  };
}

async function main(argv: string[]): Promise<void> {
  silenceTfjsNodeAdvert();
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError((e as Error).message.split('\n')[0]);
  }
  const [command] = parsed.positionals;
  if (parsed.values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    if (!command && !parsed.values.help) process.exitCode = 1;
    return;
  }
  const run = COMMANDS[command];
  if (!run) throw new CliError(`unknown command "${command}" (${Object.keys(COMMANDS).join(', ')})`);
  const backend = oneOf<BackendChoice>(parsed.values, 'backend', ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'], 'auto');
  // The tokenizer and the data commands need no tensors; everything else runs on the chosen backend.
  if (command !== 'tokenize' && !(command in DATA_COMMANDS)) await initBackend(backend);
  await run(parsed.values);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`error: ${msg.split('\n')[0]}\n`);
  process.exit(1);
});
