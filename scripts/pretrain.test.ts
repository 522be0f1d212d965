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
import { pretrain, SHORT, type PretrainOptions } from './pretrain';

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
});
