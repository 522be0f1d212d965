import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mulberry32, shuffleInPlace } from './random';

const draw = (seed: number, n: number) => {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => rng());
};

describe('mulberry32()', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    expect(draw(42, 5)).toEqual(draw(42, 5));
    expect(draw(42, 5)).not.toEqual(draw(43, 5));
  });

  it('stays in [0, 1) and averages about one half', () => {
    const xs = draw(7, 20_000);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
  });
});

describe('shuffleInPlace()', () => {
  it('returns a permutation of its input, the same one for the same seed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer(), (xs, seed) => {
        const a = shuffleInPlace(xs.slice(), mulberry32(seed));
        expect(a.slice().sort((p, q) => p - q)).toEqual(xs.slice().sort((p, q) => p - q));
        expect(shuffleInPlace(xs.slice(), mulberry32(seed))).toEqual(a);
      }),
    );
  });

  it('moves items around', () => {
    const xs = Array.from({ length: 20 }, (_, i) => i);
    expect(shuffleInPlace(xs.slice(), mulberry32(1))).not.toEqual(xs);
  });
});
