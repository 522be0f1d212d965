import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { initBackend } from '../backend';
import { loadTokenizerFromFiles } from '../tokenize/tokenizer';
import { readFolder } from '../../testutil/node';
import { FIXTURE_TOKENIZER_DIR } from '../../testutil/tinyModel';
import { encodeExamples, encodeTruncated, makeBatch } from './batches';
import { IGNORE_INDEX } from './losses';

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

  it('names the unknown label of a classification row', () => {
    expect(() =>
      encodeExamples([{ kind: 'labeled', text: 'x', label: 'maybe' }], byteBpe, { task: 'classify', maxLength: 8, labels: ['no', 'yes'], eosTokenId: null }),
    ).toThrow('label "maybe" is not one of the model\'s labels (no, yes)');
  });
});
