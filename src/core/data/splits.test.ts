import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findNearDuplicates } from './minhash';
import { distinctSentences, ids, nearCopy, rowsWithNearDuplicates, textRows } from './row-builders';
import type { DataRow, SplitName } from './rows';
import { splitRows } from './splits';

const SPLITS: SplitName[] = ['train', 'validation', 'test'];
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const fractions = fc.tuple(fc.double({ min: 0, max: 0.45, noNaN: true }), fc.double({ min: 0, max: 0.45, noNaN: true }));

describe('splitRows()', () => {
  it('is disjoint, complete, marked, seeded and stratified', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 80 }), fractions, fc.integer(), (labels, [validation, test], seed) => {
        const rows = textRows(distinctSentences(labels.length, 5), labels);
        const out = splitRows(rows, { validation, test, seed });
        const all = SPLITS.flatMap((s) => ids(out[s]));
        expect(sorted(all)).toEqual(ids(rows));
        for (const s of SPLITS) expect(out[s].every((r) => r.split === s)).toBe(true);
        expect(splitRows(rows, { validation, test, seed })).toEqual(out);
        // Each label keeps its share in every split, within two rows (two rounding steps).
        for (const label of new Set(labels)) {
          const n = labels.filter((l) => l === label).length;
          const count = (s: SplitName) => out[s].filter((r) => r.label === label).length;
          expect(Math.abs(count('test') - n * test)).toBeLessThanOrEqual(1);
          expect(Math.abs(count('validation') - n * validation)).toBeLessThanOrEqual(2);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('never lets a cluster of near duplicates straddle two splits', () => {
    fc.assert(
      fc.property(rowsWithNearDuplicates, fc.integer(), (rows, seed) => {
        const out = splitRows(rows, { validation: 0.3, test: 0.3, seed });
        const where = new Map<number, SplitName>();
        for (const s of SPLITS) for (const r of out[s]) where.set(r.id, s);
        const found = findNearDuplicates(rows.map((r) => r.text!));
        rows.forEach((r, i) => expect(where.get(r.id)).toBe(where.get(rows[found.rep[i]].id)));
      }),
      { numRuns: 40 },
    );
  });

  it('keeps a near copy with its original when grouping, and reports the groups', () => {
    const texts = distinctSentences(40, 8, 12);
    texts.push(...texts.slice(0, 10).map((t, k) => nearCopy(t, k)));
    const out = splitRows(textRows(texts), { validation: 0.2, test: 0.2, seed: 3 });
    expect(out.report.groupsKeptTogether).toBe(10);
    const splitOf = (id: number) => SPLITS.find((s) => out[s].some((r) => r.id === id));
    for (let k = 0; k < 10; k++) expect(splitOf(40 + k)).toBe(splitOf(k));
  });

  it('puts augmented rows in train only, dropping those whose source is held out', () => {
    const originals = textRows(distinctSentences(20, 2), ['x', 'y']);
    const augmented: DataRow[] = originals.map((r) => ({ ...r, id: r.id + 100, text: `${r.text} again`, augmented: true, sourceId: r.id }));
    const out = splitRows([...originals, ...augmented], { validation: 0.25, test: 0.25, seed: 1 });
    const trainIds = new Set(ids(out.train));
    expect(out.validation.concat(out.test).some((r) => r.augmented)).toBe(false);
    const kept = out.train.filter((r) => r.augmented);
    expect(kept.every((r) => trainIds.has(r.sourceId!))).toBe(true);
    expect(kept.length + out.report.augmentedDropped).toBe(20);
    expect(out.report.augmentedDropped).toBe(out.validation.length + out.test.length);
  });

  it('can split rows independently and without stratifying', () => {
    const rows = textRows(['same', 'same', 'same', 'same'], ['a', 'b']);
    const out = splitRows(rows, { validation: 0.5, test: 0, groupNearDuplicates: false, stratify: false, seed: 1 });
    expect(out.report.rows).toEqual({ train: 2, validation: 2, test: 0 });
    expect(out.report.byLabel).toBeUndefined();
  });

  it('rejects fractions that leave no training rows', () => {
    expect(() => splitRows(textRows(['a']), { validation: 0.5, test: 0.5 })).toThrow(/add up to less than 1/);
  });
});
