import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeText } from './normalize';

// Text with the characters normalisation cares about: odd spaces, line breaks, compatibility forms, combining marks.
const messyChar = fc.constantFrom(' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u200b', '\u00ad', '\ufeff', 'Ａ', 'ﬁ', '①', 'e', '\u0301', 'é', 'x', '😀', '\u2028');
const messyText = fc.oneof(fc.string({ unit: 'grapheme' }), fc.array(messyChar).map((cs) => cs.join('')), fc.string({ unit: 'binary' }));

describe('normalizeText()', () => {
  it('is idempotent: normalising twice changes nothing', () => {
    fc.assert(
      fc.property(messyText, fc.boolean(), fc.boolean(), (text, nfkc, whitespace) => {
        const once = normalizeText(text, { nfkc, whitespace });
        expect(normalizeText(once, { nfkc, whitespace })).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('maps compatibility characters to their plain forms (NFKC)', () => {
    expect(normalizeText('Ｆｕｌｌ ﬁle ①')).toBe('Full file 1');
    expect(normalizeText('cafe\u0301')).toBe('café');
  });

  it('collapses spaces, trims lines and keeps at most one blank line', () => {
    expect(normalizeText('  a\u00a0\t b  \r\n\r\n\r\n\n  c  ')).toBe('a b\n\nc');
  });

  it('drops invisible characters that split words', () => {
    expect(normalizeText('zero\u200bwidth soft\u00adhyphen')).toBe('zerowidth softhyphen');
  });

  it('leaves each half alone when switched off', () => {
    expect(normalizeText('Ｆ  x', { nfkc: false })).toBe('Ｆ x');
    expect(normalizeText('Ｆ  x', { whitespace: false })).toBe('F  x');
  });
});
