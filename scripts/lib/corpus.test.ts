/**
 * The pretraining corpus: the e-mail source must never contain a message of the spam
 * sample (the classification comparison trains and scores on it), and the held-out
 * split must hold documents of every source.
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { loadCorpus, splitCorpus, SPAM_SAMPLE, weighted, type Doc } from './corpus';

const fold = (s: string) => s.toLowerCase().replace(/\s+/g, ' ');

describe('pretraining corpus', () => {
  const docs = loadCorpus();
  const emails = docs.filter((d) => d.source === 'email');
  const sample = Papa.parse<{ text: string; label: string }>(readFileSync(SPAM_SAMPLE, 'utf8'), { header: true, skipEmptyLines: true }).data;

  it('has all three sources, e-mails cleaned to one readable line each', () => {
    const sources = new Set(docs.map((d) => d.source));
    expect([...sources].sort()).toEqual(['email', 'moby-dick', 'sotu']);
    expect(emails.length).toBeGreaterThan(4000);
    for (const e of emails) {
      expect(e.text).not.toMatch(/\n/);
      expect(e.text.length).toBeLessThanOrEqual(2004);
    }
    expect(new Set(emails.map((e) => e.id)).size).toBe(emails.length);
  });

  it('leaves out every message of the spam sample, and its re-sent copies', () => {
    expect(sample.length).toBe(800);
    const openings = new Set(sample.map((r) => fold(r.text).slice(0, 100)));
    const leaked = emails.filter((e) => openings.has(fold(e.text).slice(0, 100)));
    expect(leaked.map((e) => e.id)).toEqual([]);
    // Stronger than the rule: no sample text appears whole inside any e-mail either.
    const bodies = emails.map((e) => fold(e.text));
    const contained = sample.filter((r) => {
      const t = fold(r.text).replace(/ \.\.\.$/, '');
      return bodies.some((b) => b.includes(t));
    });
    expect(contained.map((r) => r.text.slice(0, 60))).toEqual([]);
  });

  it('holds out about 5% of each source, by document', () => {
    const { train, val } = splitCorpus(docs, 0.05, 42);
    const ids = new Set(train.map((d) => d.id));
    expect(val.some((d) => ids.has(d.id))).toBe(false);
    for (const source of ['sotu', 'moby-dick', 'email'] as const) {
      const n = docs.filter((d) => d.source === source).length;
      const v = val.filter((d) => d.source === source).length;
      expect(v).toBeGreaterThanOrEqual(Math.floor(0.05 * n));
      expect(v).toBeLessThanOrEqual(Math.ceil(0.05 * n));
    }
  });

  it('weights e-mails by repeating them in place and refuses a weight that is not a whole number', () => {
    const few: Doc[] = [
      { id: 'a', source: 'sotu', text: 'a' },
      { id: 'b', source: 'email', text: 'b' },
      { id: 'c', source: 'moby-dick', text: 'c' },
    ];
    expect(weighted(few, 2).map((d) => d.id)).toEqual(['a', 'b', 'b', 'c']);
    expect(weighted(few, 1).map((d) => d.id)).toEqual(['a', 'b', 'c']);
    expect(() => weighted(few, 0)).toThrow(/whole number/);
    expect(() => weighted(few, 1.5)).toThrow(/whole number/);
  });
});
