import { describe, expect, it } from 'vitest';
import { learningRateAt, lrMultiplier } from './schedule';

describe('lrMultiplier()', () => {
  it('ramps linearly over the warmup steps from 0', () => {
    expect([0, 1, 2, 3].map((s) => lrMultiplier('constant', s, 100, 4))).toEqual([0, 0.25, 0.5, 0.75]);
    expect(lrMultiplier('constant', 4, 100, 4)).toBe(1);
    expect(lrMultiplier('constant', 99, 100, 4)).toBe(1);
  });

  it('decays linearly to 0 at the last step after warmup (transformers get_linear_schedule_with_warmup)', () => {
    // total 10, warmup 2: step 2 -> 8/8, step 6 -> 4/8, step 10 -> 0.
    expect(lrMultiplier('linear', 2, 10, 2)).toBe(1);
    expect(lrMultiplier('linear', 6, 10, 2)).toBe(0.5);
    expect(lrMultiplier('linear', 9, 10, 2)).toBe(0.125);
    expect(lrMultiplier('linear', 10, 10, 2)).toBe(0);
    expect(lrMultiplier('linear', 12, 10, 2)).toBe(0);
  });

  it('follows a half cosine after warmup (transformers get_cosine_schedule_with_warmup)', () => {
    // total 10, warmup 2: progress = (s - 2) / 8; multiplier = (1 + cos(pi * progress)) / 2.
    expect(lrMultiplier('cosine', 2, 10, 2)).toBe(1);
    expect(lrMultiplier('cosine', 6, 10, 2)).toBeCloseTo(0.5, 12);
    expect(lrMultiplier('cosine', 4, 10, 2)).toBeCloseTo((1 + Math.SQRT1_2) / 2, 12);
    expect(lrMultiplier('cosine', 10, 10, 2)).toBeCloseTo(0, 12);
  });

  it('has no warmup division by zero and scales the base rate', () => {
    expect(lrMultiplier('linear', 0, 4, 0)).toBe(1);
    expect(learningRateAt(3e-4, 'linear', 2, 4, 0)).toBeCloseTo(1.5e-4, 12);
  });
});
