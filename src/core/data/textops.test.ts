import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random';
import { caseVariant, KEY_NEIGHBOURS, keyboardTypos, matchCase, punctuationVariant, randomDelete, randomInsert, randomSwap, synonymReplace, type SynonymLookup } from './textops';

const table: Record<string, string[]> = { good: ['fine'], movie: ['film'] };
const synonyms: SynonymLookup = (w) => table[w];
const rng = () => mulberry32(1);
const sortedWords = (s: string) => s.split(' ').sort();

describe('synonymReplace()', () => {
  it('replaces words that have synonyms, keeping case, spacing and punctuation', () => {
    expect(synonymReplace('A Good  movie, GOOD!', 3, rng(), synonyms)).toBe('A Fine  film, FINE!');
  });

  it('leaves stop words and unknown words alone', () => {
    expect(synonymReplace('the and of xyzzy', 2, rng(), synonyms)).toBe('the and of xyzzy');
  });
});

describe('randomInsert() / randomSwap() / randomDelete()', () => {
  it('inserts a synonym of a word of the text', () => {
    const out = randomInsert('a good day', 1, rng(), synonyms).split(' ');
    expect(out).toHaveLength(4);
    expect(out).toContain('fine');
  });

  it('swaps words without losing any', () => {
    const text = 'one two three four five';
    const out = randomSwap(text, 2, rng());
    expect(sortedWords(out)).toEqual(sortedWords(text));
  });

  it('deletes words but always keeps one', () => {
    expect(randomDelete('one two three', 1, rng()).split(' ')).toHaveLength(1);
    expect(randomDelete('one two three', 0, rng())).toBe('one two three');
  });
});

describe('keyboardTypos()', () => {
  it('knows QWERTY neighbours', () => {
    expect([...KEY_NEIGHBOURS.g].sort().join('')).toBe('bfhtvy');
    expect([...KEY_NEIGHBOURS.q].sort().join('')).toBe('aw');
  });

  it('changes letters inside words only, keeping the length within one', () => {
    for (let seed = 0; seed < 20; seed++) {
      const out = keyboardTypos('hello there, world', 1, mulberry32(seed));
      expect(out).not.toBe('hello there, world');
      expect(Math.abs(out.length - 18)).toBeLessThanOrEqual(1);
      expect(out).toMatch(/^h.*o t.*e, w.*d$/);
    }
  });
});

describe('case and punctuation variants', () => {
  it('changes case', () => {
    expect(['hello world', 'HELLO WORLD']).toContain(caseVariant('Hello world', rng()));
    expect(matchCase('Word', 'other')).toBe('Other');
  });

  it('changes punctuation', () => {
    const out = punctuationVariant('Well, hello there!', rng());
    expect(out).not.toBe('Well, hello there!');
    expect(out.replace(/[^a-z ]/gi, '').replace(/\s+/g, ' ')).toBe('Well hello there');
  });
});
