import { beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { initBackend } from './core/backend';
import { parseSafetensors } from './core/io/safetensors';
import { readJson, writeFolder } from './testutil/node';
import { FIXTURE_TOKENIZER_DIR, tinyGpt2Files } from './testutil/tinyModel';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, [join(ROOT, 'src/cli.ts'), ...args], { cwd: ROOT, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

let dir: string;
let modelDir: string;

beforeAll(async () => {
  await initBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'cli-test-'));
  modelDir = join(dir, 'base');
  writeFolder(modelDir, await tinyGpt2Files({ embeddingStd: 0.5 }));
  const rows = Array.from({ length: 24 }, (_, i) => (i % 2 ? `"bad film, number ${i}",neg` : `"good film, number ${i}",pos`));
  writeFileSync(join(dir, 'reviews.csv'), `review,sentiment\n${rows.join('\n')}\n`);
  // Other rows to train baselines on, and two of the rows above (which baselines must not learn from).
  const more = Array.from({ length: 20 }, (_, k) => (k % 2 ? `"bad film, number ${24 + k}",neg` : `"good film, number ${24 + k}",pos`));
  writeFileSync(join(dir, 'more.csv'), `review,sentiment\n${[...more, ...rows.slice(0, 2)].join('\n')}\n`);
  writeFileSync(join(dir, 'qa.jsonl'), Array.from({ length: 12 }, (_, i) => JSON.stringify({ prompt: `q${i % 3}:`, completion: ` a${i % 3}` })).join('\n'));
});

describe('cli', () => {
  it('forward prints one row of logits per position, matching the PyTorch reference', async () => {
    const expected = readJson<{ input_ids: number[][]; lm_logits: number[][][] }>(join(__dirname, 'core/model/fixtures/gpt2-tiny/expected.json'));
    const r = await cli('forward', '--model', join(__dirname, 'core/model/fixtures/gpt2-tiny'), '--ids', expected.input_ids[0].join(','), '--backend', 'cpu');
    expect(r.code).toBe(0);
    const { logits } = JSON.parse(r.stdout) as { logits: number[][] };
    expect(logits).toHaveLength(7);
    logits.forEach((row, t) => row.forEach((v, k) => expect(v).toBeCloseTo(expected.lm_logits[0][t][k], 4)));
  });

  it('tokenize prints the ids of a text', async () => {
    const r = await cli('tokenize', '--tokenizer', join(FIXTURE_TOKENIZER_DIR, 'tokenizer.json'), '--text', ' the');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ids: [258] }); // "Ġthe" is a merged token of the fixture vocabulary
  });

  it('trains a LoRA classifier from a CSV with detected columns, then evaluates and predicts with it', async () => {
    const out = join(dir, 'cls');
    const r = await cli('train', '--model', modelDir, '--data', join(dir, 'reviews.csv'), '--task', 'classify', '--method', 'lora', '--out', out,
      '--epochs', '3', '--batch-size', '8', '--lr', '0.03', '--lora-r', '4', '--val-split', '0.25', '--backend', 'cpu', '--quiet');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // 18 training rows after the 25% validation split: 3 batches of 8 a epoch.
    expect(JSON.parse(r.stdout)).toMatchObject({ stopReason: 'completed', steps: 9 });
    const metrics = readJson<{ lossCurve: { trainLoss: number }[]; examples: number }>(join(out, 'metrics.json'));
    expect(metrics.lossCurve).toHaveLength(9);
    expect(metrics.examples).toBe(24);
    const config = readJson<Record<string, unknown>>(join(out, 'config.json'));
    expect(config).toMatchObject({ architectures: ['GPT2ForSequenceClassification'], id2label: { 0: 'neg', 1: 'pos' } });
    expect(existsSync(join(out, 'tokenizer.json'))).toBe(true);
    const adapter = parseSafetensors(new Uint8Array(readFileSync(join(out, 'adapter', 'adapter_model.safetensors'))));
    expect(adapter.names).toContain('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight');

    const ev = await cli('eval', '--model', out, '--data', join(dir, 'reviews.csv'), '--backend', 'cpu');
    expect(ev.code).toBe(0);
    const m = JSON.parse(ev.stdout);
    expect(m).toMatchObject({ task: 'classify', examples: 24, labels: ['neg', 'pos'] });
    expect(m.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(24);
    expect(m.accuracy).toBeGreaterThanOrEqual(0);
    expect(m.macroF1).toBeLessThanOrEqual(1);
    // With --robustness: the same metrics, plus each seeded edit's and the rows it gets wrong.
    const rob = JSON.parse((await cli('eval', '--model', out, '--data', join(dir, 'reviews.csv'), '--backend', 'cpu', '--robustness')).stdout);
    expect(rob).toMatchObject({ task: 'classify', examples: 24, confusionMatrix: m.confusionMatrix });
    expect(rob.accuracy).toBeCloseTo(m.accuracy, 10);
    expect(rob.loss).toBeCloseTo(m.loss, 4);
    expect(rob.robustness.map((x: { perturbation: string }) => x.perturbation)).toEqual(['typos', 'casing', 'punctuation', 'deletion', 'synonyms']);
    expect(rob.mistakes).toHaveLength(Math.round((1 - m.accuracy) * 24));
    expect(rob.baselines).toBeUndefined();
    // --baseline-train: the simple classifiers a fine-tune has to beat, scored on the same rows.
    const withBaselines = await cli('eval', '--model', out, '--data', join(dir, 'reviews.csv'), '--backend', 'cpu', '--robustness', '--quiet', '--baseline-train', join(dir, 'more.csv'));
    expect(withBaselines.stderr).toBe('');
    const b = JSON.parse(withBaselines.stdout).baselines;
    expect(b).toMatchObject({ trainRows: 20, majority: { label: 'neg', accuracy: 0.5 } });
    // "good" and "bad" decide every row.
    expect(b.bow).toEqual({ accuracy: 1, macroF1: 1 });

    const p = await cli('predict', '--model', out, '--text', 'good film', '--backend', 'cpu');
    expect(p.code).toBe(0);
    const pred = JSON.parse(p.stdout);
    expect(Object.keys(pred.probabilities)).toEqual(['neg', 'pos']);
    expect(pred.probabilities.neg + pred.probabilities.pos).toBeCloseTo(1, 5);
  });

  it('fine-tunes a causal LM on prompt/completion JSONL and generates from it', async () => {
    const out = join(dir, 'lm');
    const r = await cli('train', '--model', modelDir, '--data', join(dir, 'qa.jsonl'), '--task', 'lm', '--out', out, '--epochs', '2', '--batch-size', '4', '--val-split', '0', '--backend', 'cpu', '--quiet');
    expect(r.code).toBe(0);
    expect(readJson<Record<string, unknown>>(join(out, 'config.json'))).toMatchObject({ architectures: ['GPT2LMHeadModel'] });
    const ev = await cli('eval', '--model', out, '--data', join(dir, 'qa.jsonl'), '--backend', 'cpu');
    const m = JSON.parse(ev.stdout);
    expect(m.perplexity).toBeCloseTo(Math.exp(m.loss), 6);
    const rob = JSON.parse((await cli('eval', '--model', out, '--data', join(dir, 'qa.jsonl'), '--backend', 'cpu', '--robustness')).stdout);
    expect(rob.generation).toMatchObject({ rows: 12 });
    expect(rob.generation.samples[0]).toMatchObject({ prompt: 'q0:', reference: ' a0' });
    expect(rob.generation.exactMatch).toBeCloseTo(rob.generation.samples.filter((x: { exact: boolean }) => x.exact).length / 12, 10);
    const p = await cli('predict', '--model', out, '--text', 'q1:', '--max-new-tokens', '5', '--backend', 'cpu');
    const pred = JSON.parse(p.stdout);
    expect(pred.prompt).toBe('q1:');
    expect(pred.ids.length).toBeGreaterThan(0);
    expect(pred.ids.length).toBeLessThanOrEqual(5);
  });

  it('train --checkpoint: killed mid-run, the same command goes on from the file to the weights of a run never stopped', async () => {
    const args = (out: string) => ['train', '--model', modelDir, '--data', join(dir, 'qa.jsonl'), '--task', 'lm', '--out', out, '--epochs', '20', '--batch-size', '4', '--val-split', '0', '--dropout', '0.1', '--backend', 'cpu'];
    const whole = await cli(...args(join(dir, 'whole')), '--quiet');
    expect(whole.code).toBe(0);
    const ck = join(dir, 'run.ckpt');
    const out = join(dir, 'resumed');
    // Killed (as a closed terminal or a crash would) once step 5 is reported: a checkpoint is kept after every step.
    await new Promise<void>((resolve) => {
      const child = spawn(TSX, [join(ROOT, 'src/cli.ts'), ...args(out), '--checkpoint', ck, '--checkpoint-every', '0'], { cwd: ROOT });
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/^step 5\//m.test(err)) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    expect(existsSync(ck)).toBe(true);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(false);
    const again = await cli(...args(out), '--checkpoint', ck);
    expect(again.code).toBe(0);
    const from = Number(/^resuming from step (\d+) of 60 \(/m.exec(again.stderr)?.[1]);
    expect(from).toBeGreaterThanOrEqual(5);
    expect(from).toBeLessThan(60);
    expect(again.stderr).not.toMatch(/^step 1\//m);
    const curve = (d: string) => readJson<{ lossCurve: { step: number; trainLoss: number }[] }>(join(d, 'metrics.json')).lossCurve.map((e) => [e.step, e.trainLoss]);
    expect(curve(out)).toEqual(curve(join(dir, 'whole')));
    expect(readFileSync(join(out, 'model.safetensors'))).toEqual(readFileSync(join(dir, 'whole', 'model.safetensors')));
    expect(existsSync(ck)).toBe(false);
    // A checkpoint of another run is refused, and said.
    writeFileSync(ck, readFileSync(join(out, 'model.safetensors')));
    const wrong = await cli(...args(join(dir, 'x')), '--checkpoint', ck);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain(`${ck} is not a training checkpoint of this studio.`);
  });

  it('says in one line what is wrong and exits non-zero', async () => {
    const cases: [string[], RegExp][] = [
      [['train', '--model', modelDir, '--data', join(dir, 'reviews.csv'), '--task', 'classify', '--out', join(dir, 'x'), '--text-column', 'body'], /there is no column "body" for the text; the columns are: review, sentiment/],
      [['train', '--model', modelDir, '--data', join(dir, 'qa.jsonl'), '--task', 'classify', '--out', join(dir, 'x')], /classification needs a text column and a label column/],
      [['train', '--model', modelDir, '--data', join(dir, 'missing.csv'), '--out', join(dir, 'x')], /--data .*missing\.csv does not exist/],
      [['train', '--model', modelDir, '--data', join(dir, 'reviews.csv'), '--out', join(dir, 'x'), '--lr', 'fast'], /--lr must be a valid number, got "fast"/],
      [['forward', '--model', modelDir, '--ids', '1,99999'], /token id 99999 is outside the vocabulary/],
      [['eval', '--model', dir, '--data', join(dir, 'reviews.csv')], /tokenizer\.json/],
      [['predict', '--model', modelDir, '--text', 'x', '--backend', 'webgpu'], /The webgpu backend is not available here/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
