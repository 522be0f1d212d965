import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseBands, estimateJaccard, findNearDuplicates, jaccard, MinHasher, shingleSet } from './minhash';
import { distinctSentences, nearCopy } from './row-builders';

/** Two sets with `shared` common members and `onlyA` / `onlyB` of their own: Jaccard = shared / (shared + onlyA + onlyB). */
function setPair(shared: number, onlyA: number, onlyB: number, seed: number): [Int32Array, Int32Array] {
  const values = Array.from({ length: shared + onlyA + onlyB }, (_, i) => Math.imul(i + 1 + seed * 7919, 0x9e3779b1));
  return [Int32Array.from(values.slice(0, shared + onlyA)), Int32Array.from([...values.slice(0, shared), ...values.slice(shared + onlyA)])];
}

describe('MinHasher', () => {
  it('estimates the Jaccard similarity of constructed pairs within a few standard errors', () => {
    const hasher = new MinHasher(256, 11);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 }), fc.nat(), (shared, onlyA, onlyB, seed) => {
        const [a, b] = setPair(shared, onlyA, onlyB, seed);
        const truth = shared / (shared + onlyA + onlyB);
        const sd = Math.sqrt((truth * (1 - truth)) / 256);
        expect(Math.abs(estimateJaccard(hasher.signature(a), hasher.signature(b)) - truth)).toBeLessThanOrEqual(4.5 * sd + 0.01);
      }),
      // A statistical bound: a fixed seed keeps it from failing once in a thousand runs by chance.
      { numRuns: 200, seed: 42 },
    );
  });

  it('gives identical sets identical signatures, and the same seed the same signature', () => {
    const [a] = setPair(50, 10, 0, 3);
    expect(new MinHasher(64, 5).signature(a)).toEqual(new MinHasher(64, 5).signature(a.slice().reverse()));
    expect(new MinHasher(64, 5).signature(a)).not.toEqual(new MinHasher(64, 6).signature(a));
  });
});

describe('shingleSet() and jaccard()', () => {
  it('ignores case and runs of whitespace', () => {
    expect(jaccard(shingleSet('Hello   World', 'char', 5), shingleSet('hello world', 'char', 5))).toBe(1);
  });

  it('treats a text shorter than one shingle as a single shingle', () => {
    expect(shingleSet('hi', 'char', 5)).toHaveLength(1);
    expect(shingleSet('', 'char', 5)).toHaveLength(0);
  });

  it('makes word shingles from runs of letters and digits', () => {
    expect(shingleSet('one two three four', 'word', 3)).toHaveLength(2);
    expect(jaccard(shingleSet('one, two; three', 'word', 2), shingleSet('one two three', 'word', 2))).toBe(1);
  });
});

describe('chooseBands()', () => {
  it('uses at most the hashes available and moves the S-curve with the threshold', () => {
    for (const t of [0.5, 0.7, 0.8, 0.9]) {
      const { bands, rows } = chooseBands(t, 128);
      expect(bands * rows).toBeLessThanOrEqual(128);
    }
    // A higher threshold needs longer bands (more rows must agree).
    expect(chooseBands(0.9, 128).rows).toBeGreaterThan(chooseBands(0.5, 128).rows);
  });
});

describe('findNearDuplicates()', () => {
  it('clusters edited copies with their original and keeps the first row of each cluster', () => {
    const texts = distinctSentences(30, 4, 14);
    texts.push(nearCopy(texts[3], 1), texts[7], nearCopy(texts[3], 2));
    const found = findNearDuplicates(texts);
    expect(found.rep[30]).toBe(3);
    expect(found.rep[31]).toBe(7);
    expect(found.rep[32]).toBe(3);
    expect(found.duplicates).toBe(3);
    expect(found.clusters).toBe(2);
    expect(found.similarity[31]).toBe(1);
    for (let i = 0; i < 30; i++) expect(found.rep[i]).toBe(i);
  });

  it('leaves empty texts alone instead of grouping them', () => {
    expect(Array.from(findNearDuplicates(['', '', 'x']).rep)).toEqual([0, 1, 2]);
  });

  it('respects the threshold: looser finds more', () => {
    const texts = ['the cat sat on the mat today', 'the cat sat on the hat today'];
    expect(jaccard(shingleSet(texts[0], 'char', 5), shingleSet(texts[1], 'char', 5))).toBeLessThan(0.8);
    expect(findNearDuplicates(texts, { threshold: 0.9 }).duplicates).toBe(0);
    expect(findNearDuplicates(texts, { threshold: 0.5 }).duplicates).toBe(1);
  });

  it('puts a row in a cluster only with a verified neighbour at or above the threshold, behind the first row', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.nat(), fc.array(fc.nat(), { maxLength: 10 }), (n, seed, copies) => {
        const texts = distinctSentences(n, seed, 12);
        copies.forEach((c, k) => texts.push(nearCopy(texts[c % n], k)));
        const found = findNearDuplicates(texts, { threshold: 0.7 });
        texts.forEach((t, i) => {
          if (found.rep[i] === i) return;
          expect(found.rep[i]).toBeLessThan(i);
          expect(found.similarity[i]).toBeGreaterThanOrEqual(0.7);
          expect(jaccard(shingleSet(t, 'char', 5), shingleSet(texts[found.match[i]], 'char', 5))).toBeCloseTo(found.similarity[i], 5);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('reports progress and stops when cancelled', () => {
    const texts = distinctSentences(5000, 2);
    const steps = new Set<string>();
    findNearDuplicates(texts, {}, { onProgress: (_d, _t, step) => steps.add(step) });
    expect([...steps]).toEqual(['near duplicates: signatures', 'near duplicates: buckets']);
    let polls = 0;
    expect(() => findNearDuplicates(texts, {}, { shouldCancel: () => ++polls > 1 })).toThrow(/cancelled/);
  });
});
