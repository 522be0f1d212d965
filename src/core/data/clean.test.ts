import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanRows, DEFAULT_CLEAN_RECIPE, type CleanRecipe } from './clean';
import { distinctSentences, ids, labeled, nearCopy, textRows } from './row-builders';
import type { DataRow } from './rows';

const only = (step: keyof CleanRecipe, params: object = {}): CleanRecipe => ({ [step]: params });

describe('cleanRows()', () => {
  it('runs the default recipe: normalise, redact, drop empty, exact and near duplicates', () => {
    const [a, b, c] = distinctSentences(3, 9, 12);
    const rows = labeled([
      [a, 'pos'],
      [`  ${a.replaceAll(' ', '   ')} `, 'pos'], // the same text once whitespace is normalised
      ['', 'neg'],
      [`${b} mail me at someone@example.com`, 'neg'],
      [nearCopy(c), 'pos'],
      [c, 'pos'],
    ]);
    const { rows: out, report } = cleanRows(rows, DEFAULT_CLEAN_RECIPE);
    expect(ids(out)).toEqual([0, 3, 4]);
    expect(out[1].text).toBe(`${b} mail me at [EMAIL]`);
    expect(report).toMatchObject({
      rowsIn: 6,
      rowsOut: 3,
      steps: ['normalize', 'pii', 'empty', 'exactDup', 'conflicts', 'nearDup'],
      removedByStep: { empty: 1, exactDup: 1, nearDup: 1, conflicts: 0 },
      editedByStep: { normalize: 1, pii: 1 },
      piiRedacted: { email: 1, phone: 0, url: 0, ipv4: 0, ipv6: 0 },
    });
  });

  it('previews every change with its step, row and reason', () => {
    const rows = labeled([
      ['same', 'x'],
      ['same', 'x'],
      ['  spaced  ', 'x'],
    ]);
    const { changes } = cleanRows(rows, { normalize: {}, exactDup: {} });
    expect(changes).toEqual([
      { step: 'normalize', id: 2, action: 'edited', reason: 'Unicode or whitespace normalised', before: rows[2], after: { ...rows[2], text: 'spaced' } },
      { step: 'exactDup', id: 1, action: 'removed', reason: 'exact duplicate of row 0', before: rows[1], relatedId: 0 },
    ]);
  });

  it('does not change its input rows', () => {
    const rows = labeled([[' a ', 'x']]);
    cleanRows(rows, DEFAULT_CLEAN_RECIPE);
    expect(rows[0].text).toBe(' a ');
  });

  it('skips steps that are absent or switched off', () => {
    const rows = textRows(['dup', 'dup']);
    expect(cleanRows(rows, { exactDup: { enabled: false } }).rows).toHaveLength(2);
    expect(cleanRows(rows, {}).report.steps).toEqual([]);
  });

  it('never adds rows, and keeps the order of the rows it keeps (dedupe)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'a ', 'c', ''), { maxLength: 40 }), fc.array(fc.constantFrom('x', 'y')), (texts, labels) => {
        const rows = textRows(texts, labels.length ? labels : undefined);
        const { rows: out, report } = cleanRows(rows, { normalize: {}, exactDup: {}, nearDup: {} });
        expect(out.length).toBeLessThanOrEqual(rows.length);
        expect(report.rowsIn - report.rowsOut).toBe((report.removedByStep.exactDup ?? 0) + (report.removedByStep.nearDup ?? 0));
        const kept = ids(out);
        expect(kept).toEqual([...kept].sort((p, q) => p - q));
        // No two kept rows are exact duplicates.
        expect(new Set(out.map((r) => `${r.text}|${r.label}`)).size).toBe(out.length);
      }),
    );
  });

  it('drops rows without text, and rows without a label when the dataset has labels', () => {
    const rows: DataRow[] = [{ id: 0, text: 'a', label: 'x' }, { id: 1, text: ' ', label: 'x' }, { id: 2, text: 'b' }];
    const { rows: out, changes } = cleanRows(rows, only('empty'));
    expect(ids(out)).toEqual([0]);
    expect(changes.map((c) => c.reason)).toEqual(['text is empty', 'label is missing']);
    expect(ids(cleanRows(rows, only('empty', { requireLabel: 'never' })).rows)).toEqual([0, 2]);
  });

  it('drops prompt rows with an empty prompt or completion and chat rows without messages', () => {
    const rows: DataRow[] = [
      { id: 0, prompt: 'q', completion: 'a' },
      { id: 1, prompt: 'q', completion: '' },
      { id: 2, messages: [] },
      { id: 3, messages: [{ role: 'user', content: 'hi' }] },
    ];
    const { rows: out, changes } = cleanRows(rows, only('empty'));
    expect(ids(out)).toEqual([0, 3]);
    expect(changes.map((c) => c.reason)).toEqual(['completion is empty', 'messages are missing or malformed']);
  });

  it('normalises and redacts every content field of prompt and chat rows, never the label', () => {
    const rows: DataRow[] = [
      { id: 0, prompt: 'ask  ann@x.org', completion: 'call 555-123-4567 now ', label: ' A@b.co ' },
      { id: 1, messages: [{ role: 'user', content: 'ｈｉ  from 10.0.0.1' }] },
    ];
    const { rows: out, report } = cleanRows(rows, { normalize: {}, pii: {} });
    expect(out[0]).toEqual({ id: 0, prompt: 'ask [EMAIL]', completion: 'call [PHONE] now', label: ' A@b.co ' });
    expect(out[1].messages).toEqual([{ role: 'user', content: 'hi from [IP]' }]);
    expect(report.piiRedacted).toMatchObject({ email: 1, phone: 1, ipv4: 1 });
  });

  it('normalises labels: trim, case and a merge map', () => {
    const rows = labeled([['a', ' Positive '], ['b', 'POS'], ['c', 'neg']]);
    const { rows: out, report } = cleanRows(rows, only('labels', { case: 'lower', merge: { pos: 'positive' } }));
    expect(out.map((r) => r.label)).toEqual(['positive', 'positive', 'neg']);
    expect(report.editedByStep.labels).toBe(2);
  });

  it('filters by length in characters, or in tokens with a counter', () => {
    const rows = textRows(['a', 'abcdef', 'one two three four']);
    expect(ids(cleanRows(rows, only('length', { min: 2, max: 10 })).rows)).toEqual([1]);
    const countTokens = (s: string) => s.split(' ').length;
    expect(ids(cleanRows(rows, only('length', { unit: 'tokens', max: 2 }), { countTokens }).rows)).toEqual([0, 1]);
    expect(() => cleanRows(rows, only('length', { unit: 'tokens', max: 2 }))).toThrow(/countTokens/);
  });

  it('filters noise', () => {
    const rows = textRows(['fine text', '#$%^&*', `no${'o'.repeat(30)}`, 'nul\u0000']);
    const { rows: out, report } = cleanRows(rows, only('noise'));
    expect(ids(out)).toEqual([0]);
    expect(report.removedByStep.noise).toBe(3);
  });

  describe('conflicting labels', () => {
    const rows = labeled([['same text', 'a'], ['same text', 'b'], ['same text', 'a'], ['other', 'b']]);

    it('flags them by default and keeps every row, even through near-duplicate removal', () => {
      const { rows: out, report, changes } = cleanRows(rows, DEFAULT_CLEAN_RECIPE);
      expect(ids(out)).toEqual([0, 1, 3]); // row 2 is an exact duplicate of row 0
      expect(report.conflicts).toMatchObject({ groups: 1, rows: 2, dropped: 0, samples: [{ text: 'same text', labels: { a: 1, b: 1 }, ids: [0, 1] }] });
      expect(changes.filter((c) => c.step === 'conflicts').map((c) => [c.id, c.action])).toEqual([[0, 'flagged'], [1, 'flagged']]);
    });

    it('drops every row of a conflicting group', () => {
      const { rows: out, report } = cleanRows(rows, only('conflicts', { action: 'drop' }));
      expect(ids(out)).toEqual([3]);
      expect(report.conflicts.dropped).toBe(3);
    });

    it('keeps the majority label', () => {
      expect(ids(cleanRows(rows, only('conflicts', { action: 'majority' })).rows)).toEqual([0, 2, 3]);
    });
  });

  it('reports near-duplicate clusters and why each row went', () => {
    const texts = distinctSentences(10, 3, 14);
    texts.push(nearCopy(texts[2]));
    const { report, changes } = cleanRows(textRows(texts), only('nearDup', { threshold: 0.8 }));
    expect(report.nearDup).toMatchObject({ clusters: 1, threshold: 0.8 });
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ step: 'nearDup', id: 10, relatedId: 2, reason: expect.stringMatching(/^near duplicate of row 2 \(similarity 0\.\d\d\)$/) });
  });

  it('keeps at most maxChangesPerStep changes but counts them all', () => {
    const rows = textRows(Array.from({ length: 50 }, () => ' x '));
    const { changes, report } = cleanRows(rows, { normalize: {}, exactDup: {} }, { maxChangesPerStep: 5 });
    expect(changes).toHaveLength(10);
    expect(report.editedByStep.normalize).toBe(50);
    expect(report.removedByStep.exactDup).toBe(49);
  });

  it('reports progress per step and can be cancelled', () => {
    const rows = textRows(distinctSentences(10_000, 5));
    const seen = new Map<string, number>();
    cleanRows(rows, { normalize: {}, exactDup: {} }, { onProgress: (done, total, step) => seen.set(step, Math.max(seen.get(step) ?? 0, done / total)) });
    expect(Object.fromEntries(seen)).toEqual({ normalize: 1, exactDup: 1 });
    let polls = 0;
    expect(() => cleanRows(rows, DEFAULT_CLEAN_RECIPE, { shouldCancel: () => ++polls > 3 })).toThrow(expect.objectContaining({ name: 'CancelledError', code: 'cancelled' }));
  });
});
