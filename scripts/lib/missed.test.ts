import { describe, expect, it } from 'vitest';
import { missedOverlap, missedRows, missedUnion } from './missed';

describe('missed rows', () => {
  const rows = ['spam', 'ham', 'spam', 'ham', 'spam', 'ham'].map((label) => ({ label }));

  it('finds the rows whose prediction differs from the label', () => {
    expect([...missedRows(rows, ['spam', 'spam', 'ham', 'ham', 'spam', 'ham'])]).toEqual([1, 2]);
    expect(missedRows(rows, rows.map((r) => r.label)).size).toBe(0);
    expect(() => missedRows(rows, ['spam'])).toThrow('1 predictions for 6 rows');
  });

  it('sorts out which mistakes the classifiers share', () => {
    // Row 1: bag-of-words and both seeds. Row 2: both seeds only. Row 3: bag-of-words only.
    // Row 5: seed 2 only.
    const bow = new Set([1, 3]);
    const runs = [
      { seed: 1, missed: new Set([2, 1]) },
      { seed: 2, missed: new Set([1, 2, 5]) },
    ];
    expect(missedUnion(bow, runs)).toEqual([1, 2, 3, 5]);
    expect(missedOverlap(bow, runs)).toBe(
      'Test rows missed: bag-of-words 2; fine-tuned 2 (seed 1), 3 (seed 2). Missed by bag-of-words and every seed: 1; ' +
        'by every seed but not bag-of-words: 1; by bag-of-words but by no seed: 1; by some seeds but not all: 1.',
    );
  });
});
