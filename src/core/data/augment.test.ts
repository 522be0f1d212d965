import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { augmentRows, wordnetSynonyms, type AugmentRecipe } from './augment';
import { distinctSentences, labeled, textRows } from './row-builders';
import type { DataRow } from './rows';

const EDA: AugmentRecipe = { synonyms: {}, insertion: {}, swap: {}, deletion: {} };
const reviews = (n: number) => textRows(Array.from({ length: n }, (_, i) => `this good movie number ${i} was a great film to watch`), ['pos', 'neg', 'pos']);

describe('augmentRows()', () => {
  it('adds variantsPerRow new rows per row, each marked augmented with its source', () => {
    const rows = reviews(6);
    const { rows: out, report } = augmentRows(rows, { ...EDA, variantsPerRow: 2 }, 1);
    expect(out.slice(0, 6)).toEqual(rows);
    const added = out.slice(6);
    expect(added).toHaveLength(12);
    expect(report).toMatchObject({ rowsIn: 6, rowsOut: 18, added: 12, skipped: 0 });
    for (const r of added) {
      const src = rows.find((s) => s.id === r.sourceId)!;
      expect(r.augmented).toBe(true);
      expect(r.label).toBe(src.label);
      expect(r.text).not.toBe(src.text);
    }
    expect(new Set(out.map((r) => r.id)).size).toBe(18);
    expect(Object.values(report.byOp).reduce((a, b) => a + b!, 0)).toBe(12);
  });

  it('is reproducible: the same rows, recipe and seed give the same rows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer(), fc.integer({ min: 1, max: 3 }), fc.subarray(['synonyms', 'insertion', 'swap', 'deletion', 'typos', 'casing', 'punctuation'] as const, { minLength: 1 }), (n, seed, variantsPerRow, ops) => {
        const recipe: AugmentRecipe = { variantsPerRow, ...Object.fromEntries(ops.map((op) => [op, {}])) };
        const rows = reviews(n);
        expect(augmentRows(rows, recipe, seed)).toEqual(augmentRows(rows, recipe, seed));
      }),
      { numRuns: 40 },
    );
  });

  it('gives other variants for another seed', () => {
    const rows = reviews(5);
    expect(augmentRows(rows, EDA, 1).rows).not.toEqual(augmentRows(rows, EDA, 2).rows);
  });

  it('never draws from validation or test rows, nor from augmented rows', () => {
    const rows: DataRow[] = [
      { id: 0, text: 'a good movie indeed', label: 'x', split: 'train' },
      { id: 1, text: 'a good film indeed', label: 'x', split: 'validation' },
      { id: 2, text: 'a good show indeed', label: 'x', split: 'test' },
      { id: 3, text: 'a good play indeed', label: 'x', augmented: true, sourceId: 0, split: 'train' },
    ];
    const added = augmentRows(rows, { typos: {}, variantsPerRow: 3 }, 7).rows.slice(4);
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((r) => r.sourceId === 0 && r.split === 'train')).toBe(true);
  });

  it('changes prompts, never completions, and uses templates for prompt rows only', () => {
    const rows: DataRow[] = [
      { id: 0, prompt: 'What is a good movie?', completion: 'A good movie is a film you enjoy.' },
      { id: 1, text: 'plain text row here', label: 'x' },
    ];
    const { rows: out } = augmentRows(rows, { templates: {}, variantsPerRow: 3 }, 3);
    const added = out.slice(2);
    expect(added).toHaveLength(3);
    for (const r of added) {
      expect(r.completion).toBe(rows[0].completion);
      expect(r.prompt).toContain('What is a good movie?');
      expect(r.prompt).not.toBe(rows[0].prompt);
    }
  });

  it('changes the last user message of chat rows only', () => {
    const rows: DataRow[] = [{ id: 0, messages: [{ role: 'user', content: 'hello there friend' }, { role: 'assistant', content: 'hi' }, { role: 'user', content: 'tell me more please' }] }];
    const added = augmentRows(rows, { casing: {} }, 1).rows[1];
    expect(added.messages!.slice(0, 2)).toEqual(rows[0].messages!.slice(0, 2));
    expect(added.messages![2].content).not.toBe('tell me more please');
  });

  it('balances classes by oversampling the smaller ones', () => {
    const rows = labeled([['a good day', 'pos'], ['a fine day', 'pos'], ['a great day', 'pos'], ['a sad day', 'neg']]);
    const { rows: out, report } = augmentRows(rows, { balance: {}, variantsPerRow: 0 }, 1);
    expect(out.filter((r) => r.label === 'neg')).toHaveLength(3);
    expect(out.filter((r) => r.label === 'pos')).toHaveLength(3);
    expect(report.balanced).toEqual({ neg: 2 });
    expect(report.byOp).toEqual({ oversample: 2 });
    expect(out.slice(4).every((r) => r.augmented && r.sourceId === 3 && r.text === 'a sad day')).toBe(true);
  });

  it('skips a variant rather than adding a copy when no operation can change the text', () => {
    const { report } = augmentRows(textRows(['xyzzy']), { synonyms: {} }, 1);
    expect(report).toMatchObject({ added: 0, skipped: 1 });
  });

  it('ships a WordNet synonym table of common words', () => {
    expect(wordnetSynonyms('movie')).toContain('film');
    expect(wordnetSynonyms('constructor')).toBeUndefined();
    expect(wordnetSynonyms('the')).toBeUndefined();
  });

  it('rejects a bad variant count', () => {
    expect(() => augmentRows(textRows(distinctSentences(1)), { variantsPerRow: -1 }, 1)).toThrow(/variantsPerRow/);
  });
});
