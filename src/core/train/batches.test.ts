import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { initBackend } from '../backend';
import { loadTokenizerFromFiles } from '../tokenize/tokenizer';
import { readFolder } from '../../testutil/node';
import { FIXTURE_TOKENIZER_DIR } from '../../testutil/tinyModel';
import { chunkIndices, lengthGroupedOrder, makeBatch } from './batches';
import { encodeExamples, encodeTruncated, IGNORE_INDEX, rowTokenLengths } from './encode';
import { cutAt, describeCut } from './encodeStats';

const wordpiece = loadTokenizerFromFiles(readFolder(join(__dirname, '../tokenize/fixtures/wordpiece')));
const byteBpe = loadTokenizerFromFiles(readFolder(FIXTURE_TOKENIZER_DIR));

beforeAll(async () => {
  await initBackend('cpu');
});

describe('encodeTruncated()', () => {
  it('cuts the text but keeps [CLS] and [SEP], as transformers truncation does', () => {
    // [CLS]=2 the=10 film=12 was=13 good=16 . = 7 [SEP]=3
    expect(encodeTruncated(wordpiece, 'the film was good.', 16)).toEqual([2, 10, 12, 13, 16, 7, 3]);
    expect(encodeTruncated(wordpiece, 'the film was good.', 4)).toEqual([2, 10, 12, 3]);
  });

  it('is a plain cut for a tokenizer without special tokens (GPT-2 style)', () => {
    const all = byteBpe.encode('the other day');
    expect(encodeTruncated(byteBpe, 'the other day', 3)).toEqual(all.slice(0, 3));
  });
});

describe('encodeExamples() and makeBatch()', () => {
  it('pads on the right, masks padding, and ignores padding in LM labels', () => {
    const seqs = encodeExamples(
      [
        { kind: 'text', text: 'the' },
        { kind: 'text', text: 'the other' },
      ],
      byteBpe,
      { task: 'lm', maxLength: 32, eosTokenId: 264 },
    );
    const b = makeBatch(seqs, 262);
    const T = b.ids.shape[1];
    const ids = b.ids.arraySync();
    const mask = b.mask.arraySync();
    const labels = b.lmLabels!.arraySync();
    expect(mask[0].slice(0, seqs[0].ids.length).every((m) => m === 1)).toBe(true);
    expect(mask[0].slice(seqs[0].ids.length)).toEqual(new Array(T - seqs[0].ids.length).fill(0));
    expect(ids[0].slice(seqs[0].ids.length).every((id) => id === 262)).toBe(true);
    expect(labels[0].slice(seqs[0].ids.length).every((y) => y === IGNORE_INDEX)).toBe(true);
    expect(b.tokens).toBe(seqs[0].ids.length + seqs[1].ids.length);
    // Each row predicts every token after its first (eos included).
    expect(b.targets).toBe(seqs[0].ids.length - 1 + seqs[1].ids.length - 1);
  });

  it('splits long documents into windows of the maximum length', () => {
    const text = 'the other day the other day the other day';
    const seqs = encodeExamples([{ kind: 'text', text }], byteBpe, { task: 'lm', maxLength: 8, eosTokenId: 264 });
    const all = [...byteBpe.encode(text), 264];
    expect(seqs.map((s) => s.ids).flat()).toEqual(all);
    expect(seqs.every((s) => s.ids.length <= 8)).toBe(true);
  });

  it('counts the rows cut to the maximum length, and the longest before cutting; plain text is windowed, not cut', () => {
    const long = 'the other day the other day the other day';
    const n = byteBpe.encode(long).length;
    const classify = { rows: 0, cut: 0, longest: 0 };
    const seqs = encodeExamples(
      [
        { kind: 'labeled', text: long, label: 'yes' },
        { kind: 'labeled', text: 'the', label: 'no' },
      ],
      byteBpe,
      { task: 'classify', maxLength: 8, labels: ['no', 'yes'], eosTokenId: null },
      classify,
    );
    expect(seqs[0].ids).toHaveLength(8);
    expect(classify).toEqual({ rows: 2, cut: 1, longest: n });
    // A row exactly as long as the maximum is whole.
    const exact = { rows: 0, cut: 0, longest: 0 };
    encodeExamples([{ kind: 'labeled', text: long, label: 'yes' }], byteBpe, { task: 'classify', maxLength: n, labels: ['yes'], eosTokenId: null }, exact);
    expect(exact).toEqual({ rows: 1, cut: 0, longest: n });

    // Prompt + completion + eos: cut when together they pass the maximum.
    const prompts = { rows: 0, cut: 0, longest: 0 };
    const p = byteBpe.encode('the other').length;
    const c = byteBpe.encode(' day', { addSpecialTokens: false }).length + 1;
    encodeExamples(
      [
        { kind: 'prompt', prompt: 'the other', completion: ' day' },
        { kind: 'prompt', prompt: long, completion: ' day' },
      ],
      byteBpe,
      { task: 'lm', maxLength: p + c, eosTokenId: 264 },
      prompts,
    );
    expect(prompts).toEqual({ rows: 2, cut: 1, longest: n + c });

    const text = { rows: 0, cut: 0, longest: 0 };
    encodeExamples([{ kind: 'text', text: long }], byteBpe, { task: 'lm', maxLength: 8, eosTokenId: 264 }, text);
    expect(text).toEqual({ rows: 1, cut: 0, longest: n + 1 });
  });

  it('measures each row before cutting, longest first, and says what a maximum length would cut', () => {
    const long = 'the other day the other day the other day';
    const rows = [
      { kind: 'labeled' as const, text: 'the', label: 'no' },
      { kind: 'labeled' as const, text: long, label: 'yes' },
    ];
    const lengths = rowTokenLengths(rows, byteBpe, 'classify', null);
    expect(lengths).toEqual([byteBpe.encode(long).length, byteBpe.encode('the').length]);
    // The same figures a run reports when it cuts.
    const stats = { rows: 0, cut: 0, longest: 0 };
    encodeExamples(rows, byteBpe, { task: 'classify', maxLength: 4, labels: ['no', 'yes'], eosTokenId: null }, stats);
    expect(cutAt(lengths, 4)).toEqual(stats);
    expect(cutAt(lengths, lengths[0])).toMatchObject({ cut: 0 });
    expect(cutAt(lengths, lengths[1] - 1)).toMatchObject({ cut: 2 });
    expect(cutAt([], 8)).toEqual({ rows: 0, cut: 0, longest: 0 });
  });

  it('says how many rows were cut, or nothing when none was', () => {
    expect(describeCut({ rows: 800, cut: 12, longest: 412, maxLength: 128 })).toBe(
      '12 of 800 rows were longer than 128 tokens and were cut to fit (the longest has 412); a longer maximum length keeps them whole',
    );
    expect(describeCut({ rows: 800, cut: 1, longest: 130, maxLength: 128 })).toBe(
      '1 of 800 rows was longer than 128 tokens and was cut to fit (the longest has 130); a longer maximum length keeps it whole',
    );
    expect(describeCut({ rows: 800, cut: 0, longest: 90, maxLength: 128 })).toBeNull();
  });

  it('names the unknown label of a classification row', () => {
    expect(() =>
      encodeExamples([{ kind: 'labeled', text: 'x', label: 'maybe' }], byteBpe, { task: 'classify', maxLength: 8, labels: ['no', 'yes'], eosTokenId: null }),
    ).toThrow('label "maybe" is not one of the model\'s labels (no, yes)');
  });
});

describe('lengthGroupedOrder()', () => {
  it('keeps every row once, sorts each mega-batch of 50 batches longest first, and opens with the longest row', () => {
    const lengths = Array.from({ length: 230 }, (_, i) => (i * 37) % 101);
    const shuffled = Array.from({ length: 230 }, (_, i) => (i * 53) % 230);
    const longest = shuffled[210]; // in the last mega-batch
    lengths[longest] = 500;
    const order = lengthGroupedOrder(shuffled, lengths, 2);
    expect([...order].sort((a, b) => a - b)).toEqual([...shuffled].sort((a, b) => a - b));
    expect(order[0]).toBe(longest);
    // Mega-batches of 100 rows (50 batches of 2), in the shuffled order's cut, each sorted longest first (but for the swapped opener).
    const megas = [order.slice(0, 100), order.slice(100, 200), order.slice(200)];
    // The opener swapped places with the first mega-batch's longest row.
    const firstLongest = shuffled.slice(0, 100).reduce((a, b) => (lengths[b] > lengths[a] ? b : a));
    const swap = (ids: number[], out: number, into: number) => new Set(ids.map((i) => (i === out ? into : i)));
    expect(new Set(megas[0])).toEqual(swap(shuffled.slice(0, 100), firstLongest, longest));
    expect(new Set(megas[1])).toEqual(new Set(shuffled.slice(100, 200)));
    expect(new Set(megas[2])).toEqual(swap(shuffled.slice(200), longest, firstLongest));
    for (const m of megas) {
      const rest = m.slice(1).map((i) => lengths[i]);
      expect(rest).toEqual([...rest].sort((a, b) => b - a));
    }
    // Batches of rows of about the same length pad far less than the shuffled order's.
    const padding = (o: number[]) => chunkIndices(o, 8).reduce((a, b) => a + Math.max(...b.map((i) => lengths[i])) * b.length - b.reduce((s, i) => s + lengths[i], 0), 0);
    // (Most of what is left is the opening batch: the one 500-token row beside seven shorter ones.)
    expect(padding(lengthGroupedOrder(shuffled, lengths, 8))).toBeLessThan(padding(shuffled) / 3);
  });
});
