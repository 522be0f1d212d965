import { describe, expect, it } from 'vitest';
import { DEFAULT_HYPERPARAMS, type ProgressEvent } from '../core/types';
import type { RunRecord } from '../storage/db';
import { compareSeries, compareTable, RUN_COLORS } from './compare';

const run = (id: number, over: Partial<RunRecord> = {}): RunRecord => ({
  id,
  name: `classify-full-${id}`,
  createdAt: 0,
  finishedAt: 90_000,
  datasetId: 1,
  datasetName: 'spam · v1',
  versionId: 3,
  modelId: 'starter',
  modelName: 'Starter GPT-2',
  task: 'classify',
  method: 'full',
  backendChoice: 'auto',
  backend: 'wasm',
  hyperparams: DEFAULT_HYPERPARAMS,
  status: 'completed',
  final: { steps: 240, trainLoss: 0.03, valLoss: 0.12, valAccuracy: 0.95 },
  ...over,
});

const event = (step: number, trainLoss: number, val?: { loss: number; accuracy?: number }): ProgressEvent => ({
  step,
  totalSteps: 4,
  epoch: step / 2,
  trainLoss,
  learningRate: 1e-3,
  gradNorm: 1,
  tokensPerSec: 100,
  elapsedMs: step * 10,
  val,
});

describe('compareSeries()', () => {
  const runs = [run(1), run(2)];
  const events = new Map([
    [1, [event(1, 2.0), event(2, 1.0, { loss: 1.5, accuracy: 0.6 }), event(3, 0.5), event(4, 0.4, { loss: 1.1, accuracy: 0.8 })]],
    [2, [event(1, 3.0), event(2, 2.0)]],
  ]);

  it('draws a run by its validation points only, against steps or epochs', () => {
    const [a, b] = compareSeries(runs, events, 'valLoss', 'step');
    expect(a).toEqual({ runId: 1, name: 'classify-full-1', color: RUN_COLORS[0], points: [{ x: 2, y: 1.5 }, { x: 4, y: 1.1 }] });
    // A run that never validated has an empty line, not a line of zeros.
    expect(b.points).toEqual([]);
    expect(b.color).toBe(RUN_COLORS[1]);
    expect(compareSeries(runs, events, 'valAccuracy', 'epoch')[0].points).toEqual([{ x: 1, y: 0.6 }, { x: 2, y: 0.8 }]);
  });

  it('smooths the train loss with the debiased moving average of the live chart', () => {
    const [, b] = compareSeries(runs, events, 'smoothLoss', 'step');
    // Weight 0.8: the first point is itself; the second (0.8 * 0.2 * 3 + 0.2 * 2) / (1 - 0.8^2).
    expect(b.points[0]).toEqual({ x: 1, y: 3 });
    expect(b.points[1].x).toBe(2);
    expect(b.points[1].y).toBeCloseTo((0.16 * 3 + 0.2 * 2) / 0.36, 12);
  });

  it('gives a run whose metrics are not loaded yet an empty line', () => {
    expect(compareSeries([run(9)], events, 'smoothLoss', 'step')[0].points).toEqual([]);
  });
});

describe('compareTable()', () => {
  it('lists only the settings that differ, and says which are the same', () => {
    const a = run(1);
    const b = run(2, { hyperparams: { ...DEFAULT_HYPERPARAMS, learningRate: 1e-3, seed: 2 }, backend: 'webgpu' });
    const t = compareTable([a, b]);
    expect(t.settings.map((r) => [r.label, ...r.values])).toEqual([
      ['Backend', 'wasm', 'webgpu'],
      ['Learning rate', '5e-4', '1e-3'],
      ['Seed', String(DEFAULT_HYPERPARAMS.seed), '2'],
    ]);
    expect(t.same).toContain('base model Starter GPT-2');
    expect(t.same).toContain('method full');
    // LoRA and freeze rows appear only when a compared run uses them.
    expect(t.same.some((s) => s.startsWith('lora'))).toBe(false);
    const lora = run(3, { method: 'lora', hyperparams: { ...DEFAULT_HYPERPARAMS, lora: { r: 4, alpha: 8, dropout: 0, targetModules: [] } } });
    expect(compareTable([a, lora]).settings.map((r) => [r.label, ...r.values])).toEqual([
      ['Method', 'full', 'LoRA'],
      ['LoRA rank / alpha', '—', '4 / 8'],
      ['LoRA targets', '—', 'default'],
    ]);
  });

  it('marks the best result each way (ties share it), never a lone or an equal value', () => {
    const a = run(1, { final: { steps: 240, trainLoss: 0.03, valLoss: 0.12, valAccuracy: 0.95 }, finishedAt: 60_000 });
    const b = run(2, { final: { steps: 120, trainLoss: 0.05, valLoss: 0.1, valAccuracy: 0.95 }, finishedAt: 30_000 });
    const c = run(3, { final: { steps: 240, trainLoss: 0.03, valAccuracy: 0.9 }, finishedAt: undefined, status: 'failed' });
    const byLabel = Object.fromEntries(compareTable([a, b, c]).results.map((r) => [r.label, r]));
    expect(byLabel['Final train loss']).toEqual({ label: 'Final train loss', values: ['0.0300', '0.0500', '0.0300'], best: [0, 2] });
    expect(byLabel['Validation loss']).toEqual({ label: 'Validation loss', values: ['0.1200', '0.1000', '—'], best: [1] });
    expect(byLabel['Validation accuracy'].best).toEqual([0, 1]);
    expect(byLabel.Time).toEqual({ label: 'Time', values: ['1m 00s', '30s', '—'], best: [1] });
    // Steps say how long each trained; they are not a score.
    expect(byLabel.Steps.best).toEqual([]);
    // A classifier has no perplexity row.
    expect(byLabel['Validation perplexity']).toBeUndefined();
    const same = compareTable([a, run(4, { final: a.final, finishedAt: a.finishedAt })]).results;
    expect(same.every((r) => r.best.length === 0)).toBe(true);
    // Ranked as shown: 1m 19.4s and 1m 19.1s both read 1m 19s, and 0.03004 and 0.03001 both 0.0300.
    const close = compareTable([
      run(6, { final: { steps: 30, trainLoss: 0.03004 }, finishedAt: 79_400 }),
      run(7, { final: { steps: 30, trainLoss: 0.03001 }, finishedAt: 79_100 }),
    ]).results;
    expect(close.find((r) => r.label === 'Time')).toEqual({ label: 'Time', values: ['1m 19s', '1m 19s'], best: [] });
    expect(close.find((r) => r.label === 'Final train loss')!.best).toEqual([]);
    // A run resumed a day later counts the time it trained, not the day it waited.
    const resumed = run(5, { final: { steps: 240, trainMs: 45_000 }, finishedAt: 86_400_000 });
    expect(Object.fromEntries(compareTable([a, resumed]).results.map((r) => [r.label, r])).Time).toEqual({ label: 'Time', values: ['1m 00s', '45s'], best: [1] });
  });

  it('compares held-out scores only on rows every run was evaluated on', () => {
    const test = 'spam · v1, test split';
    const a = run(1, { evaluations: [{ on: test, rows: 160, at: 1, accuracy: 0.95, macroF1: 0.949 }, { on: 'other, all rows', rows: 20, at: 1, accuracy: 1 }] });
    const b = run(2, { evaluations: [{ on: test, rows: 160, at: 2, accuracy: 0.9625, macroF1: 0.962 }] });
    const rows = compareTable([a, b]).results.filter((r) => r.label.includes(' on '));
    expect(rows).toEqual([
      { label: `Accuracy on ${test}`, values: ['95.0%', '96.3%'], best: [1] },
      { label: `Macro F1 on ${test}`, values: ['0.949', '0.962'], best: [1] },
    ]);
  });
});
