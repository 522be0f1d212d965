/** The sample manifest as the studio reads it, and a sample's settings: applied, kept while they hold, taken back. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HYPERPARAMS } from '../core/types';
import { applySample, describeSampleValues, sampleManifest, stillInForce, withoutSample, type SampleEntry } from './samples';

const facts: SampleEntry = {
  id: 'facts',
  name: 'Facts',
  task: 'lm',
  file: 'samples/facts.jsonl',
  description: '',
  settings: { hyperparams: { epochs: 10, learningRate: 1e-3 }, reason: 'Short rows need more passes.' },
};

describe('sampleManifest', () => {
  it('keeps the settings it knows and drops what it does not trust', () => {
    const list = sampleManifest([
      { ...facts, settings: { hyperparams: { epochs: 10, learningRate: 1e-3, batchSize: 64 }, reason: 'r' } },
      { ...facts, id: 'bad', settings: { hyperparams: { epochs: -2, learningRate: 'fast' }, reason: 'r' } },
      { ...facts, id: 'no-reason', settings: { hyperparams: { epochs: 5 } } },
      { name: 'no id', file: 'x' },
    ]);
    expect(list.map((e) => e.id)).toEqual(['facts', 'bad', 'no-reason']);
    expect(list[0].settings).toEqual({ hyperparams: { epochs: 10, learningRate: 1e-3 }, reason: 'r' });
    expect(list[1].settings).toBeUndefined();
    expect(list[2].settings).toBeUndefined();
    expect(sampleManifest({ not: 'a list' })).toEqual([]);
  });

  it('reads the shipped public/samples/index.json: the instruction sample brings its settings, the others none', () => {
    const shipped = sampleManifest(JSON.parse(readFileSync(join(__dirname, '..', '..', 'public', 'samples', 'index.json'), 'utf8')));
    const byId = Object.fromEntries(shipped.map((e) => [e.id, e]));
    expect(byId.instructions.settings?.hyperparams.epochs).toBeGreaterThan(DEFAULT_HYPERPARAMS.epochs);
    expect(byId.instructions.settings?.reason).toMatch(/\d+%/);
    // The spam sample trains with the studio's defaults: the starter model's baseline (issue 4) is measured on them.
    expect(byId.spam.settings).toBeUndefined();
  });
});

describe('a sample’s settings', () => {
  it('apply over the settings, remember what they replaced, and hold until a value is moved', () => {
    const hp = { ...DEFAULT_HYPERPARAMS, epochs: 4 };
    const { hyperparams, inForce } = applySample(hp, 7, facts.name, facts.settings!);
    expect(hyperparams).toEqual({ ...hp, epochs: 10, learningRate: 1e-3 });
    expect(inForce).toMatchObject({ datasetId: 7, sample: 'Facts', previous: { epochs: 4, learningRate: DEFAULT_HYPERPARAMS.learningRate } });
    expect(stillInForce(inForce, hyperparams)).toBe(true);
    expect(stillInForce(inForce, { ...hyperparams, epochs: 12 })).toBe(false);
  });

  it('are taken back only where the person has not changed them since', () => {
    const hp = DEFAULT_HYPERPARAMS;
    const { hyperparams, inForce } = applySample(hp, 7, facts.name, facts.settings!);
    expect(withoutSample(hyperparams, inForce)).toEqual(hp);
    const moved = { ...hyperparams, epochs: 12, batchSize: 4 };
    expect(withoutSample(moved, inForce)).toEqual({ ...hp, epochs: 12, batchSize: 4 });
  });

  it('read as the sliders do', () => {
    expect(describeSampleValues({ epochs: 10, learningRate: 1e-3 })).toBe('10 epochs, learning rate 1e-3');
    expect(describeSampleValues({ epochs: 1 })).toBe('1 epoch');
  });
});
