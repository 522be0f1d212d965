import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HYPERPARAMS, type ProgressEvent } from '../core/types';
import { formatLearningRate, moreSettingsSummary, SLIDERS, sliderValue, withSlider } from './hyperparams';
import { columnFor, switchKind, withColumn } from './mapping';
import { chartPoints, emaSmooth, formatDuration, progressSummary } from './metrics';
import { weightsZip, zipFileName } from './zip';

const slider = (key: string) => SLIDERS.find((s) => s.key === key)!;

function event(step: number, over: Partial<ProgressEvent> = {}): ProgressEvent {
  return { step, totalSteps: 10, epoch: step / 5, trainLoss: 2 / step, learningRate: 1e-3, gradNorm: 1, tokensPerSec: 100, elapsedMs: step * 1000, ...over };
}

describe('sliders', () => {
  it('moves the learning rate on a log10 scale and round-trips it', () => {
    const lr = slider('learningRate');
    expect(lr.toSlider(1e-4)).toBe(-4);
    expect(lr.fromSlider(-2.5)).toBe(0.0032);
    for (const p of [-6, -5.3, -4, -3.1, -2]) expect(lr.toSlider(lr.fromSlider(p))).toBeCloseTo(p, 1);
  });

  it('rounds away float noise on linear sliders', () => {
    expect(slider('dropout').fromSlider(0.1 + 0.2)).toBe(0.3);
    expect(slider('epochs').fromSlider(3)).toBe(3);
  });

  it('reads and writes LoRA rank and alpha inside hp.lora, immutably', () => {
    const hp = withSlider(DEFAULT_HYPERPARAMS, 'loraRank', 4);
    expect(sliderValue(hp, 'loraRank')).toBe(4);
    expect(DEFAULT_HYPERPARAMS.lora.r).toBe(8);
    expect(sliderValue(withSlider(hp, 'loraAlpha', 32), 'loraAlpha')).toBe(32);
    expect(sliderValue(withSlider(hp, 'batchSize', 16), 'batchSize')).toBe(16);
  });

  it('formats learning rates compactly', () => {
    expect(formatLearningRate(5e-4)).toBe('5e-4');
    expect(formatLearningRate(3.2e-3)).toBe('3.2e-3');
    expect(formatLearningRate(0)).toBe('0');
  });

  it('keeps every default inside its slider range', () => {
    for (const s of SLIDERS) {
      const p = s.toSlider(sliderValue(DEFAULT_HYPERPARAMS, s.key));
      expect(p, s.label).toBeGreaterThanOrEqual(s.min);
      expect(p, s.label).toBeLessThanOrEqual(s.max);
    }
  });
});

describe('more settings', () => {
  it('folds to the defaults, or to what differs from them', () => {
    const d = DEFAULT_HYPERPARAMS;
    expect(moreSettingsSummary(d, 'full', 'lm')).toBe('the defaults');
    // Class weights count only for a classifier, the blocks only for the freeze method.
    expect(moreSettingsSummary({ ...d, classWeights: true }, 'full', 'lm')).toBe('the defaults');
    expect(moreSettingsSummary({ ...d, schedule: 'cosine', gradAccumSteps: 4, evalEvery: 20, patience: 3, maxGradNorm: 0, classWeights: true }, 'freeze', 'classify')).toBe(
      `cosine schedule · effective batch ${4 * d.batchSize} · validate every 20 steps · early stopping after 3 · no clipping · class weights · top 1 block`,
    );
    expect(moreSettingsSummary({ ...d, maxGradNorm: 2.5, freeze: { trainableBlocks: 2, trainEmbeddings: true } }, 'freeze', 'lm')).toBe('clip at 2.5 · top 2 blocks + embeddings');
  });
});

describe('metrics', () => {
  it('debiases the EMA so it starts at the first value', () => {
    expect(emaSmooth([4, 4, 4])).toEqual([4, 4, 4].map((v) => expect.closeTo(v, 10)));
    const s = emaSmooth([10, 0], 0.5);
    expect(s[0]).toBeCloseTo(10);
    expect(s[1]).toBeCloseTo((0.25 * 10 + 0.5 * 0) / 0.75);
  });

  it('turns events into chart points with validation where present', () => {
    const pts = chartPoints([event(1), event(2, { val: { loss: 1.5, accuracy: 0.75 } })]);
    expect(pts[0].valLoss).toBeUndefined();
    expect(pts[1]).toMatchObject({ step: 2, trainLoss: 1, valLoss: 1.5, valAccuracy: 0.75 });
  });

  it('estimates the time left from the mean time per step', () => {
    const p = progressSummary([event(1), event(2), event(4)])!;
    expect(p).toMatchObject({ step: 4, totalSteps: 10, fraction: 0.4, remainingMs: 6000 });
    expect(progressSummary([])).toBeNull();
  });

  it('formats durations for people', () => {
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(125_000)).toBe('2m 05s');
    expect(formatDuration(3_726_000)).toBe('1h 02m');
    expect(formatDuration(null)).toBe('—');
  });
});

describe('column mapping', () => {
  const columns = ['id', 'review', 'sentiment'];

  it('keeps chosen columns when switching format', () => {
    const labeled = { kind: 'labeled', textColumn: 'review', labelColumn: 'sentiment' } as const;
    expect(switchKind(labeled, 'text', columns)).toEqual({ kind: 'text', textColumn: 'review' });
    expect(switchKind(labeled, 'prompt', columns)).toEqual({ kind: 'prompt', promptColumn: 'review', completionColumn: 'sentiment' });
    expect(switchKind({ kind: 'text', textColumn: 'review' }, 'labeled', columns)).toEqual({ kind: 'labeled', textColumn: 'review', labelColumn: 'id' });
  });

  it('sets and clears a role', () => {
    const s = withColumn({ kind: 'alpaca', instructionColumn: 'a', outputColumn: 'b' }, 'inputColumn', 'c');
    expect(columnFor(s, 'inputColumn')).toBe('c');
    expect(columnFor(withColumn(s, 'inputColumn', ''), 'inputColumn')).toBeUndefined();
  });
});

describe('weightsZip()', () => {
  it('puts the model at the root and the adapter under adapter/', () => {
    const zip = unzipSync(weightsZip({ 'config.json': new Uint8Array([1]) }, { 'adapter_config.json': new Uint8Array([2]) }));
    expect(Object.keys(zip).sort()).toEqual(['adapter/adapter_config.json', 'config.json']);
    expect(zip['adapter/adapter_config.json']).toEqual(new Uint8Array([2]));
  });

  it('adds the model cards as README.md beside the model and the adapter', () => {
    const zip = unzipSync(weightsZip({ 'config.json': new Uint8Array([1]) }, { 'adapter_config.json': new Uint8Array([2]) }, { model: '# m', adapter: '# a' }));
    expect(Object.keys(zip).sort()).toEqual(['README.md', 'adapter/README.md', 'adapter/adapter_config.json', 'config.json']);
    expect(new TextDecoder().decode(zip['adapter/README.md'])).toBe('# a');
  });

  it('makes a safe file name', () => {
    expect(zipFileName('classify-lora-1')).toBe('classify-lora-1.zip');
    expect(zipFileName(' my run / v2 ')).toBe('my-run-v2.zip');
    expect(zipFileName('///')).toBe('model.zip');
  });
});
