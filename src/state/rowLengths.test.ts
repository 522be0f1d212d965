/** What the training panel says about the rows' lengths in tokens, and the length a step is estimated at. */
import { describe, expect, it } from 'vitest';
import { describeRowLengths, effectiveSeqLen, type MeasuredRows } from './rowLengths';

const rows = (lengths: number[], windowed = false): MeasuredRows => ({ key: 'k', lengths, windowed });

describe('describeRowLengths', () => {
  it('warns with the count when the maximum cuts rows', () => {
    expect(describeRowLengths(rows([30, 20, 17, 12]), 16)).toEqual({ text: '3 of 4 rows are longer than 16 tokens and will be cut to fit (the longest has 30).', warn: true });
    expect(describeRowLengths(rows([30, 12]), 29)).toEqual({ text: '1 of 2 rows is longer than 29 tokens and will be cut to fit (the longest has 30).', warn: true });
  });

  it('says the longest row fits when none is cut', () => {
    expect(describeRowLengths(rows([30, 12]), 30)).toEqual({ text: 'The longest of the 2 rows has 30 tokens: none is cut at 30.', warn: false });
  });

  it('speaks of windows, not cuts, for plain text', () => {
    expect(describeRowLengths(rows([5000, 40], true), 256)).toEqual({ text: 'The longest of the 2 documents has 5,000 tokens: longer ones are read in windows of 256.', warn: false });
    expect(describeRowLengths(rows([40], true), 256).warn).toBe(false);
  });

  it('gives a share, not a count, when only a sample was measured, and keeps the maximum for the memory estimate', () => {
    const sample: MeasuredRows = { key: 'k', lengths: [412, 200, 90, 40], windowed: false, sampledFrom: 500_000 };
    expect(describeRowLengths(sample, 128)).toEqual({ text: 'Measured on 4 of the 500,000 rows: the longest has 412 tokens; about 50% will be cut at 128.', warn: true });
    expect(describeRowLengths(sample, 512).text).toBe('Measured on 4 of the 500,000 rows: the longest has 412 tokens; none will be cut at 512.');
    expect(effectiveSeqLen(512, sample)).toBe(512);
  });

  it('warns when no row gives a token', () => {
    expect(describeRowLengths(rows([]), 16).warn).toBe(true);
  });
});

describe('effectiveSeqLen', () => {
  it('is the longest row when every row is shorter than the maximum, else the maximum', () => {
    expect(effectiveSeqLen(256, rows([31, 9]))).toBe(31);
    expect(effectiveSeqLen(16, rows([31, 9]))).toBe(16);
    expect(effectiveSeqLen(256, null)).toBe(256);
  });
});
