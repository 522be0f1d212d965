import { describe, expect, it } from 'vitest';
import type { HeldOutReport, RobustnessResult } from '../core/eval/heldout';
import { robustnessAdvice } from './evaluation';

const classifier = (accuracy: number, robustness: RobustnessResult[]): HeldOutReport =>
  ({ task: 'classify', count: 163, offered: 163, empty: 0, metrics: { loss: 0.2, accuracy, macroF1: accuracy }, robustness, mistakes: [] }) as unknown as HeldOutReport;
const generator = (perplexity: number, robustness: RobustnessResult[]): HeldOutReport =>
  ({ task: 'lm', count: 89, offered: 89, empty: 0, metrics: { loss: Math.log(perplexity), perplexity }, robustness, mistakes: [] }) as unknown as HeldOutReport;
const edit = (perturbation: RobustnessResult['perturbation'], m: Partial<RobustnessResult>): RobustnessResult => ({ perturbation, loss: 0, changed: 100, ...m });

describe('robustnessAdvice()', () => {
  it('names the edit that costs a classifier most and the augmentation that makes the same edit', () => {
    const report = classifier(0.951, [
      edit('typos', { accuracy: 0.951, flipped: 0 }),
      edit('casing', { accuracy: 0.791, flipped: 34 }),
      edit('punctuation', { accuracy: 0.945, flipped: 4 }),
    ]);
    expect(robustnessAdvice(report)?.text).toBe(
      "Casing costs this model the most (16.0 points of accuracy, 34 of 163 predictions changed). To make it steadier, train on such variants: the data studio's Augment → Case makes them with the same edit.",
    );
    expect(robustnessAdvice(report)).toMatchObject({ op: 'casing', title: 'Case' });
  });

  it('says nothing when no edit costs a classifier 2 points', () => {
    expect(robustnessAdvice(classifier(0.951, [edit('typos', { accuracy: 0.945, flipped: 1 }), edit('synonyms', { accuracy: 0.96, flipped: 2 })]))).toBeNull();
    expect(robustnessAdvice(classifier(0.951, []))).toBeNull();
  });

  it('weighs a generator by how much perplexity rises, and points at the matching augmentation', () => {
    const report = generator(1.18, [edit('typos', { perplexity: 1.28 }), edit('punctuation', { perplexity: 1.9 }), edit('deletion', { perplexity: 1.39 })]);
    expect(robustnessAdvice(report)?.text).toBe(
      "Punctuation costs this model the most (perplexity up 61%). To make it steadier, train on such variants: the data studio's Augment → Punctuation makes them with the same edit.",
    );
    expect(robustnessAdvice(generator(10, [edit('deletion', { perplexity: 10.5 })]))).toBeNull();
    expect(robustnessAdvice(generator(10, [edit('deletion', { perplexity: 12 })]))).toMatchObject({ op: 'deletion', title: 'Random deletion' });
  });
});
