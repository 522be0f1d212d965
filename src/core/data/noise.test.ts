import { describe, expect, it } from 'vitest';
import { longestRun, noiseReason, symbolRatio } from './noise';

describe('noiseReason()', () => {
  it('passes ordinary text, accents and emoji in moderation', () => {
    expect(noiseReason('Soooo good, really! Café au lait 😀')).toBeUndefined();
  });

  it('flags text that is mostly symbols', () => {
    expect(noiseReason('$$ %% ^^ && ** a')).toMatch(/symbols/);
    expect(symbolRatio('ab!!')).toBe(0.5);
  });

  it('flags long runs of one character', () => {
    expect(noiseReason(`wait${'!'.repeat(20)} what`)).toMatch(/repeats 20 times/);
    expect(longestRun('aab   bbb')).toBe(3);
    expect(noiseReason('aaaaa', { maxRepeatRun: 4 })).toMatch(/limit 4/);
  });

  it('flags control characters and the replacement character of a bad decode', () => {
    expect(noiseReason('bad\u0000byte')).toMatch(/control/);
    expect(noiseReason('caf\ufffd')).toMatch(/control/);
    expect(noiseReason('tab\tand\nnewline are fine')).toBeUndefined();
    expect(noiseReason('bad\u0007', { controlChars: false })).toBeUndefined();
  });
});
