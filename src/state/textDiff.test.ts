import { describe, expect, it } from 'vitest';
import { wordDiff } from './textDiff';

const marked = (from: string, to: string) =>
  wordDiff(from, to)
    .map((s) => (s.changed ? `[${s.text}]` : s.text))
    .join('');

describe('wordDiff()', () => {
  it('marks the words of the new text that the old one lacks', () => {
    expect(marked('call me at 555 1234 today', 'call me at [PHONE] today')).toBe('call me at [[PHONE] ]today');
    expect(marked('the quick brown fox', 'the fast brown fox jumps')).toBe('the [fast ]brown fox [jumps]');
  });

  it('leaves an unchanged text unmarked and rebuilds it exactly', () => {
    const text = 'a  b\nc';
    expect(wordDiff(text, text)).toEqual([{ text, changed: false }]);
    expect(wordDiff('x y', 'y x z').map((s) => s.text).join('')).toBe('y x z');
  });

  it('gives up on word marks for very long texts', () => {
    const long = Array.from({ length: 500 }, (_, i) => `w${i}`).join(' ');
    expect(wordDiff(long, `${long} more`)).toEqual([{ text: `${long} more`, changed: true }]);
    expect(wordDiff('gone', '')).toEqual([]);
  });
});
