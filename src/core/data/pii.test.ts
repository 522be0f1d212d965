import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findPii, redactPii } from './pii';

const words = fc.array(fc.stringMatching(/^[A-Za-z0-9,.!?]{1,8}$/), { maxLength: 6 }).map((ws) => ws.join(' '));

describe('redactPii()', () => {
  it('leaves no e-mail address behind, wherever it sits in the text', () => {
    fc.assert(
      fc.property(words, fc.emailAddress(), words, fc.constantFrom(' ', '\n', ' (', ': ', ' <'), (before, address, after, sep) => {
        const text = `${before}${sep}${address} ${after}`;
        const { text: out, counts } = redactPii(text);
        expect(out).not.toContain(address);
        expect(out).not.toContain('@');
        expect(counts.email).toBe(1);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['email', 'write to ann.lee+news@mail.example.org today', 'write to [EMAIL] today'],
    ['url', 'see https://example.com/a?b=1, then www.test.org/x.', 'see [URL], then [URL].'],
    ['ipv4', 'from 192.168.0.12 and 8.8.8.8.', 'from [IP] and [IP].'],
    ['ipv6', 'hosts 2001:db8::ff00:42:8329 and fe80::1', 'hosts [IP] and [IP]'],
    ['phone', 'call +1 (555) 123-4567 or 020 7946 0958', 'call [PHONE] or [PHONE]'],
  ])('replaces %s with its placeholder', (kind, text, expected) => {
    const r = redactPii(text);
    expect(r.text).toBe(expected);
    expect(r.counts[kind as keyof typeof r.counts]).toBe(expected.split('[').length - 1);
  });

  it.each([
    'the meeting is at 10:30 on 2024-01-15',
    'it costs 1,200.50 dollars',
    'pi is 3.14159 and e is 2.718',
    'C++ names like std::vector and a::b',
    'order 12 items, 3 boxes',
  ])('leaves ordinary numbers, dates and times alone: %s', (text) => {
    expect(redactPii(text)).toMatchObject({ text, total: 0 });
  });

  it('redacts only the chosen kinds', () => {
    const text = 'mail a@b.co or see http://x.io';
    expect(redactPii(text, ['url']).text).toBe('mail a@b.co or see [URL]');
  });

  it('does not count an address inside a URL twice', () => {
    expect(redactPii('https://user@example.com/path')).toMatchObject({ text: '[URL]', total: 1 });
  });
});

describe('findPii()', () => {
  it('names the kinds present', () => {
    expect(findPii('ip 10.0.0.1, mail x@y.com')).toEqual(['email', 'ipv4']);
    expect(findPii('nothing here')).toEqual([]);
  });
});
