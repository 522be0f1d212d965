/**
 * The pretraining script end to end on a tiny model: it trains, checkpoints, resumes
 * exactly where it stopped (same trajectory as an uninterrupted run), and exports a
 * model folder the studio loads.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../src/core/io/hf';
import { loadTokenizerFromFiles } from '../src/core/tokenize/tokenizer';
import { readFolder } from '../src/testutil/node';
import { learningRateAt } from '../src/core/train/schedule';
import { FULL, lrAt, pretrain, SHORT, type PretrainOptions } from './pretrain';

const dir = mkdtempSync(join(tmpdir(), 'pretrain-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function options(name: string, stepsThisRun = 0): PretrainOptions {
  return {
    settings: SHORT,
    outDir: join(dir, name, 'out'),
    ckptDir: join(dir, name, 'ckpt'),
    backend: 'wasm',
    minutes: 0,
    checkpointMinutes: 60,
    stepsThisRun,
    modelIndex: null,
    samples: false,
    log: () => {},
  };
}

describe('scripts/pretrain.ts --short', () => {
  it('resumes from its checkpoint onto the same trajectory as an uninterrupted run', async () => {
    const straight = await pretrain(options('straight'));
    expect(straight.step).toBe(SHORT.totalSteps);

    const first = await pretrain(options('resumed', 3));
    expect(first.step).toBe(3);
    const resumed = await pretrain(options('resumed'));
    expect(resumed.step).toBe(SHORT.totalSteps);
    expect(resumed.tokensSeen).toBe(straight.tokensSeen);
    expect(resumed.history.map((h) => h.loss)).toEqual(straight.history.map((h) => h.loss));
    expect(resumed.valLoss).toBeCloseTo(straight.valLoss, 5);

    // Better than nothing: the tiny model already beats a uniform guess over the vocabulary.
    expect(straight.valPerplexity).toBeLessThan(SHORT.vocabSize);
    expect(straight.unigramPerplexity).toBeGreaterThan(1);
  });

  it('exports a Hugging Face folder that loads and whose tokenizer round-trips text', () => {
    const files = readFolder(join(dir, 'straight', 'out'));
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'README.md']) expect(files[f], f).toBeDefined();
    const model = loadModel(files);
    expect(model.labels).toBeNull();
    for (const v of model.params.values()) v.dispose();
    const tok = loadTokenizerFromFiles(files);
    expect(tok.vocabSize).toBe(SHORT.vocabSize);
    expect(tok.eosTokenId).toBe(SHORT.vocabSize - 1);
    const text = 'Fellow-citizens — naïve café, 🐳 whales!\n\tEnd.';
    expect(tok.decode(tok.encode(text))).toBe(text);
    const card = readFileSync(join(dir, 'straight', 'out', 'README.md'), 'utf8');
    expect(card).toContain('Unigram baseline');
  });

  it('restarts the cosine schedule per cycle without changing the steps of the first cycle', () => {
    const cycle = FULL.totalSteps / FULL.cycles;
    // The first cycle is exactly a one-cycle run of `cycle` steps (the previous starter model).
    const oneCycle = { ...FULL, totalSteps: cycle, cycles: 1 };
    for (let step = 0; step < cycle; step += 37) expect(lrAt(FULL, step)).toBe(lrAt(oneCycle, step));
    // Hand-computed points: warm-up, peak, floor, then the restart at a lower peak.
    expect(lrAt(FULL, 0)).toBe(0);
    expect(lrAt(FULL, FULL.warmupSteps)).toBeCloseTo(FULL.learningRate, 12);
    expect(lrAt(FULL, cycle - 1)).toBeCloseTo(FULL.learningRate * FULL.minLrFraction, 12);
    expect(lrAt(FULL, cycle)).toBe(0);
    expect(lrAt(FULL, cycle + FULL.warmupSteps / 2)).toBeCloseTo((FULL.learningRate * FULL.cyclePeakDecay) / 2, 12);
    expect(lrAt(FULL, cycle + FULL.warmupSteps)).toBeCloseTo(FULL.learningRate * FULL.cyclePeakDecay, 12);
    expect(lrAt(FULL, FULL.totalSteps - 1)).toBeCloseTo(FULL.learningRate * FULL.minLrFraction, 12);
    // Half-way down the second cycle's cosine: the mean of its peak and zero, above the floor.
    const mid = cycle + FULL.warmupSteps + (cycle - FULL.warmupSteps) / 2;
    expect(lrAt(FULL, mid)).toBeCloseTo(learningRateAt(FULL.learningRate * FULL.cyclePeakDecay, 'cosine', mid - cycle, cycle, FULL.warmupSteps), 12);
    expect(lrAt(FULL, mid)).toBeCloseTo((FULL.learningRate * FULL.cyclePeakDecay) / 2, 12);
  });
});
