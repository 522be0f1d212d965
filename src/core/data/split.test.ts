import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kFolds, splitTrainVal, valCount } from './split';

/** Items 0..n-1 with a class each, e.g. { id: 3, cls: 'b' }. */
const labeled = (classes: string[]) => classes.map((cls, id) => ({ id, cls }));
const ids = (xs: { id: number }[]) => xs.map((x) => x.id);
const byClass = (x: { cls: string }) => x.cls;

const fraction = fc.double({ min: 0, max: 0.95, noNaN: true });
const classList = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 60 });

describe('valCount()', () => {
  it.each([
    [100, 0.1, 10],
    [10, 0.25, 3],
    [5, 0.01, 1],
    [2, 0.9, 1],
    [1, 0.5, 0],
    [50, 0, 0],
  ])('holds out %i * %d -> %i items', (n, f, expected) => {
    expect(valCount(n, f)).toBe(expected);
  });
});

describe('splitTrainVal()', () => {
  it('is disjoint and complete, keeps item order, and is the same for the same seed', () => {
    fc.assert(
      fc.property(classList, fraction, fc.integer(), fc.boolean(), (classes, f, seed, stratify) => {
        const items = labeled(classes);
        const key = stratify ? byClass : undefined;
        const { train, val } = splitTrainVal(items, f, seed, key);
        expect([...ids(train), ...ids(val)].sort((a, b) => a - b)).toEqual(ids(items));
        expect(ids(train)).toEqual(ids(train).slice().sort((a, b) => a - b));
        expect(ids(val)).toEqual(ids(val).slice().sort((a, b) => a - b));
        expect(splitTrainVal(items, f, seed, key)).toEqual({ train, val });
      }),
    );
  });

  it('holds out round(n * fraction) items, at least one when there are two or more', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fraction, fc.integer(), (n, f, seed) => {
        const { val } = splitTrainVal(Array.from({ length: n }, (_, i) => i), f, seed);
        expect(val.length).toBe(valCount(n, f));
        if (f > 0 && n >= 2) expect(val.length).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it('keeps each class within one item of its share, with one in train and one in val for classes of two or more', () => {
    fc.assert(
      fc.property(classList, fraction, fc.integer(), (classes, f, seed) => {
        const { train, val } = splitTrainVal(labeled(classes), f, seed, byClass);
        for (const cls of new Set(classes)) {
          const size = classes.filter((c) => c === cls).length;
          const inVal = val.filter((x) => x.cls === cls).length;
          expect(Math.abs(inVal - size * f)).toBeLessThanOrEqual(1);
          if (size >= 2) {
            expect(train.some((x) => x.cls === cls)).toBe(true);
            if (f > 0) expect(inVal).toBeGreaterThanOrEqual(1);
          }
        }
        if (f > 0 && classes.length >= 2) expect(val.length).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it('holds out about the requested total when stratifying', () => {
    const classes = Array.from({ length: 100 }, (_, i) => (i < 70 ? 'pos' : i < 95 ? 'neg' : 'neutral'));
    const { val } = splitTrainVal(labeled(classes), 0.2, 1, byClass);
    expect(val).toHaveLength(20);
    expect(val.filter((x) => x.cls === 'pos')).toHaveLength(14);
    expect(val.filter((x) => x.cls === 'neg')).toHaveLength(5);
    expect(val.filter((x) => x.cls === 'neutral')).toHaveLength(1);
  });

  it('puts a single-item class in val only when nothing else can go there', () => {
    expect(ids(splitTrainVal(labeled(['a', 'b', 'b', 'b']), 0.25, 3, byClass).val)).not.toContain(0);
    expect(splitTrainVal(labeled(['a', 'b']), 0.1, 3, byClass).val).toHaveLength(1);
  });

  it('differs between seeds', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    expect(splitTrainVal(items, 0.1, 1).val).not.toEqual(splitTrainVal(items, 0.1, 2).val);
  });

  it('keeps everything in train for a zero fraction', () => {
    expect(splitTrainVal([1, 2, 3], 0, 9)).toEqual({ train: [1, 2, 3], val: [] });
  });

  it.each([-0.1, 1, Number.NaN])('rejects a fraction of %d', (f) => {
    expect(() => splitTrainVal([1, 2], f, 0)).toThrow(RangeError);
  });
});

describe('kFolds()', () => {
  it('holds every item out exactly once, balances sizes and classes within one, and is seeded', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 2, maxLength: 60 }), fc.integer({ min: 2, max: 10 }), fc.integer(), (classes, kWanted, seed) => {
        const items = labeled(classes);
        const k = Math.min(kWanted, items.length);
        const folds = kFolds(items, k, seed, byClass);
        expect(folds).toHaveLength(k);
        const heldOut = folds.flatMap((f) => ids(f.val)).sort((a, b) => a - b);
        expect(heldOut).toEqual(ids(items));
        for (const f of folds) {
          expect([...ids(f.train), ...ids(f.val)].sort((a, b) => a - b)).toEqual(ids(items));
          expect(ids(f.val)).toEqual(ids(f.val).slice().sort((a, b) => a - b));
        }
        const sizes = folds.map((f) => f.val.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        for (const c of new Set(classes)) {
          const perFold = folds.map((f) => f.val.filter((x) => x.cls === c).length);
          expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
        }
        expect(kFolds(items, k, seed, byClass)).toEqual(folds);
      }),
    );
  });

  it('deals 10 + 6 items into 4 folds of 4', () => {
    const items = labeled([...'aaaaaaaaaa', ...'bbbbbb']);
    const folds = kFolds(items, 4, 1, byClass);
    expect(folds.map((f) => f.val.length)).toEqual([4, 4, 4, 4]);
    expect(folds.map((f) => f.val.filter((x) => x.cls === 'a').length).sort()).toEqual([2, 2, 3, 3]);
  });

  it('refuses a k it cannot honour', () => {
    expect(() => kFolds(labeled(['a', 'b', 'a']), 1, 0)).toThrow(/k must be an integer from 2 to the number of items \(3\), got 1/);
    expect(() => kFolds(labeled(['a', 'b', 'a']), 4, 0)).toThrow(RangeError);
  });
});
