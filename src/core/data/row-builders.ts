/** Builders for rows in data-studio tests: describe the data a test needs instead of pasting it. */
import fc from 'fast-check';
import { mulberry32 } from './random';
import type { DataRow } from './rows';

/** Rows from texts, ids 0..n-1, with labels cycling through `labels` when given. */
export function textRows(texts: string[], labels?: string[]): DataRow[] {
  return texts.map((text, id) => (labels ? { id, text, label: labels[id % labels.length] } : { id, text }));
}

export const labeled = (pairs: [string, string][]): DataRow[] => pairs.map(([text, label], id) => ({ id, text, label }));

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'zi', 'pe', 'su', 'do', 'fa', 'gu', 'hi', 'ja', 'we'];

/** n sentences of pseudo-words that share few shingles with each other (seeded). */
export function distinctSentences(n: number, seed = 1, words = 10): string[] {
  const rng = mulberry32(seed);
  const word = () => Array.from({ length: 2 + Math.floor(rng() * 3) }, () => SYLLABLES[Math.floor(rng() * SYLLABLES.length)]).join('');
  return Array.from({ length: n }, () => Array.from({ length: words }, word).join(' '));
}

/** The text with one letter changed (a typo): a near duplicate (Jaccard ~0.9 on 5-character shingles) of sentences of ten or more words. */
export function nearCopy(text: string, seed = 1): string {
  const letters = [...text.matchAll(/[a-z]/g)].map((m) => m.index!);
  const at = letters[Math.floor(mulberry32(seed)() * letters.length)];
  return `${text.slice(0, at)}#${text.slice(at + 1)}`;
}

/** Labeled rows where some rows are near copies of earlier ones (same label or not). */
export const rowsWithNearDuplicates = fc
  .record({
    n: fc.integer({ min: 2, max: 40 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
    copies: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 15 }),
    labels: fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 60, maxLength: 60 }),
  })
  .map(({ n, seed, copies, labels }) => {
    const texts = distinctSentences(n, seed, 12);
    for (const [from, k] of copies) texts.push(nearCopy(texts[from % texts.length], k));
    return textRows(texts, labels);
  });

export const ids = (rows: DataRow[]) => rows.map((r) => r.id);
