import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTokenizer, loadTokenizerFromFiles } from './tokenizer';

const FIXTURE_DIR = fileURLToPath(new URL('./fixtures/wordpiece', import.meta.url));
const readFixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURE_DIR, name), 'utf8'));
const tokenizerJson = () => readFixture('tokenizer.json');
const vocab = (tokenizerJson().model as { vocab: Record<string, number> }).vocab;
const tok = loadTokenizer(tokenizerJson(), readFixture('tokenizer_config.json'));

/*
 * Golden cases derived by hand from the fixture's 40-token vocabulary (ids in brackets):
 *   [PAD]0 [UNK]1 [CLS]2 [SEP]3 [MASK]4  !5 ,6 .7 ?8 '9
 *   the10 a11 film12 was13 is14 not15 good16 great17 bad18 awful19
 *   day20 food21 cafe22 naive23 play24 ##ing25 ##ed26 ##s27 un28 ##believ29
 *   ##able30 very31 movie32 it33 s34 i35 love36 this37 fun38 ##er39
 * Pipeline, as HF tokenizers runs it: BertNormalizer (control chars dropped, whitespace
 * -> ' ', spaces around CJK ideographs, lowercase, and accents stripped because
 * strip_accents is null and lowercase is on) -> BertPreTokenizer (split on whitespace,
 * every punctuation char its own word) -> WordPiece (greedy longest match from the
 * left, "##" on non-initial pieces; a word with any unmatched rest is one [UNK]) ->
 * TemplateProcessing "[CLS] $A [SEP]".
 * Decoding: the WordPiece decoder glues "##" pieces, puts a space before every other
 * token and, with cleanup, drops the space before . ? ! , per token; then
 * clean_up_tokenization_spaces (true in tokenizer_config.json, as in bert-base-uncased)
 * turns " ' " into "'" over the whole text.
 */
interface Case {
  why: string;
  text: string;
  tokens: string[];
  ids: number[];
  decoded: string;
}

const CASES: Case[] = [
  {
    why: 'lowercases and splits punctuation off the word',
    text: 'The film was great!',
    tokens: ['[CLS]', 'the', 'film', 'was', 'great', '!', '[SEP]'],
    ids: [2, 10, 12, 13, 17, 5, 3],
    decoded: '[CLS] the film was great! [SEP]',
  },
  {
    // playing: "play" is the longest vocab prefix, the rest "##ing" matches whole;
    // unbelievable: "un", then the longest "##" prefix of "believable" is "##believ", then "##able".
    why: 'splits words into ## pieces and glues them back when decoding',
    text: 'Playing, unbelievable.',
    tokens: ['[CLS]', 'play', '##ing', ',', 'un', '##believ', '##able', '.', '[SEP]'],
    ids: [2, 24, 25, 6, 28, 29, 30, 7, 3],
    decoded: '[CLS] playing, unbelievable. [SEP]',
  },
  {
    why: 'maps a word with no matching prefix to [UNK]',
    text: 'I love xyz',
    tokens: ['[CLS]', 'i', 'love', '[UNK]', '[SEP]'],
    ids: [2, 35, 36, 1, 3],
    decoded: '[CLS] i love [UNK] [SEP]',
  },
  {
    // "playz": "play" matches, but no "##z" exists, so the WHOLE word becomes [UNK] (not "play [UNK]").
    why: 'turns the whole word into [UNK] when only its tail fails to match',
    text: 'Plays playz',
    tokens: ['[CLS]', 'play', '##s', '[UNK]', '[SEP]'],
    ids: [2, 24, 27, 1, 3],
    decoded: '[CLS] plays [UNK] [SEP]',
  },
  {
    // "ing": the longest prefix in the vocab is "i", and "##ng"/"##n" do not exist.
    // "player": "play" + "##er".
    why: 'never starts a word with a ## piece',
    text: 'ing player',
    tokens: ['[CLS]', '[UNK]', 'play', '##er', '[SEP]'],
    ids: [2, 1, 24, 39, 3],
    decoded: '[CLS] [UNK] player [SEP]',
  },
  {
    why: 'strips accents as part of lowercasing (é -> e, Ï -> ï -> i)',
    text: 'Café NAÏVE',
    tokens: ['[CLS]', 'cafe', 'naive', '[SEP]'],
    ids: [2, 22, 23, 3],
    decoded: '[CLS] cafe naive [SEP]',
  },
  {
    // The apostrophe is punctuation: it ' s. The decoder gives "it ' s", and the
    // clean-up of " ' " restores "it's".
    why: 'splits an apostrophe off and restores it when decoding',
    text: "It's fun",
    tokens: ['[CLS]', 'it', "'", 's', 'fun', '[SEP]'],
    ids: [2, 33, 9, 34, 38, 3],
    decoded: "[CLS] it's fun [SEP]",
  },
  {
    // Tab and newline become spaces; 好 is a CJK ideograph, so it is its own word (and unknown).
    why: 'treats tabs, newlines and CJK ideographs as word boundaries',
    text: '  good\tday 好\n',
    tokens: ['[CLS]', 'good', 'day', '[UNK]', '[SEP]'],
    ids: [2, 16, 20, 1, 3],
    decoded: '[CLS] good day [UNK] [SEP]',
  },
];

describe('loadTokenizer() on the WordPiece (BERT) fixture', () => {
  it('lists every golden token under the golden id in the vocabulary', () => {
    for (const c of CASES) expect(c.tokens.map((t) => vocab[t]), c.text).toEqual(c.ids);
  });

  it.each(CASES)('encode $why', ({ text, ids }) => {
    expect(tok.encode(text)).toEqual(ids);
  });

  it.each(CASES)('decode $why', ({ ids, decoded }) => {
    expect(tok.decode(ids)).toBe(decoded);
  });

  it('adds [CLS] ... [SEP] through the post-processor only when asked', () => {
    expect(tok.encode('A very good movie.', { addSpecialTokens: false })).toEqual([11, 31, 16, 32, 7]);
    expect(tok.encode('A very good movie.')).toEqual([2, 11, 31, 16, 32, 7, 3]);
    expect(tok.decode([11, 31, 16, 32, 7])).toBe('a very good movie.');
  });

  it('drops special tokens, [UNK] included, when decoding with skipSpecialTokens', () => {
    expect(tok.decode([2, 10, 12, 13, 17, 5, 3], { skipSpecialTokens: true })).toBe('the film was great!');
    expect(tok.decode([2, 35, 36, 1, 3], { skipSpecialTokens: true })).toBe('i love');
    expect(tok.decode([2, 33, 9, 34, 38, 3], { skipSpecialTokens: true })).toBe("it's fun");
  });

  it('reads the pad token from tokenizer_config.json and has no bos/eos (BERT has none)', () => {
    expect(tok.vocabSize).toBe(40);
    expect(tok.padTokenId).toBe(0);
    expect(tok.bosTokenId).toBeNull();
    expect(tok.eosTokenId).toBeNull();
  });

  it('loads the same from a model folder', () => {
    const files = Object.fromEntries(['tokenizer.json', 'tokenizer_config.json'].map((n) => [n, new Uint8Array(readFileSync(join(FIXTURE_DIR, n)))]));
    expect(loadTokenizerFromFiles(files).encode('Playing, unbelievable.')).toEqual(CASES[1].ids);
  });
});
