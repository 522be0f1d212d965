import { describe, expect, it } from 'vitest';
import { buildSearchIndex, filterRows, labelDistribution, lengthHistogram, piiKindsOf, rowFlags } from './explore';
import { distinctSentences, labeled, nearCopy, textRows } from './row-builders';
import type { DataRow } from './rows';

describe('labelDistribution()', () => {
  it('counts labels, most common first, and unlabeled rows apart', () => {
    const rows: DataRow[] = [...labeled([['a', 'x'], ['b', 'y'], ['c', 'y']]), { id: 9, text: 'd' }];
    expect(labelDistribution(rows)).toEqual({
      labels: [
        { label: 'y', count: 2, fraction: 2 / 3 },
        { label: 'x', count: 1, fraction: 1 / 3 },
      ],
      unlabeled: 1,
    });
  });
});

describe('lengthHistogram()', () => {
  it('bins lengths in characters and sums to the row count', () => {
    const rows = textRows(['a', 'ab', 'abc', 'abcdefghij']);
    const h = lengthHistogram(rows, { bins: 5 });
    expect(h).toMatchObject({ unit: 'chars', min: 1, max: 10, mean: 4, median: 3 });
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(h.edges).toHaveLength(6);
    expect(h.counts[0]).toBe(2);
  });

  it('counts tokens with a counter', () => {
    const h = lengthHistogram(textRows(['one two', 'one two three']), { countTokens: (s) => s.split(' ').length });
    expect(h).toMatchObject({ unit: 'tokens', min: 2, max: 3 });
  });
});

describe('rowFlags()', () => {
  it('marks near-duplicate clusters, personal data and conflicting labels', () => {
    const [a, b] = distinctSentences(2, 6, 12);
    const rows = labeled([[a, 'x'], [nearCopy(a), 'x'], [b, 'x'], ['mail me: z@q.io', 'x'], ['mail me: z@q.io', 'y']]);
    const flags = rowFlags(rows);
    expect(Array.from(flags.cluster)).toEqual([0, 0, -1, 3, 3]);
    expect(piiKindsOf(flags.pii[3])).toEqual(['email']);
    expect(flags.pii[0]).toBe(0);
    expect(Array.from(flags.conflict)).toEqual([0, 0, 0, 1, 1]);
  });
});

describe('filterRows()', () => {
  const rows: DataRow[] = [
    { id: 0, text: 'The Quick brown fox', label: 'animal', split: 'train' },
    { id: 1, text: 'a slow green turtle', label: 'animal', split: 'test' },
    { id: 2, text: 'quick maths', label: 'school', split: 'train', augmented: true, sourceId: 9 },
  ];
  const index = buildSearchIndex(rows);

  it('finds rows holding every query word, whatever the case', () => {
    expect(Array.from(filterRows(index, { query: 'QUICK' }))).toEqual([0, 2]);
    expect(Array.from(filterRows(index, { query: 'quick fox' }))).toEqual([0]);
    expect(Array.from(filterRows(index, {}))).toEqual([0, 1, 2]);
  });

  it('filters by label, split, augmentation, length and flags', () => {
    expect(Array.from(filterRows(index, { labels: ['animal'], split: 'train' }))).toEqual([0]);
    expect(Array.from(filterRows(index, { augmented: false, maxChars: 19 }))).toEqual([0, 1]);
    const flags = { cluster: Int32Array.from([-1, -1, -1]), pii: Uint8Array.from([0, 1, 0]), conflict: new Uint8Array(3) };
    expect(Array.from(filterRows(index, { pii: true }, flags))).toEqual([1]);
  });
});
