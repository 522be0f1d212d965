import { describe, expect, it } from 'vitest';
import { formatBytes } from './format';

describe('formatBytes()', () => {
  it('writes decimal units, as the Hub and the OS do', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1536)).toBe('2 KB');
    expect(formatBytes(152_000)).toBe('152 KB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('52 MB');
    expect(formatBytes(1e9)).toBe('1 GB');
    expect(formatBytes(2.5e9)).toBe('2.5 GB');
  });
});
