import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTokenizer, loadTokenizerFromFiles } from './tokenizer';

const FIXTURE_DIR = fileURLToPath(new URL('./fixtures/sp-bpe', import.meta.url));
const tokenizerJsonText = () => readFileSync(join(FIXTURE_DIR, 'tokenizer.json'), 'utf8');
const tokenizerJson = () => JSON.parse(tokenizerJsonText()) as Record<string, unknown>;
const tokenizerConfig = () => JSON.parse(readFileSync(join(FIXTURE_DIR, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
const vocab = () => (tokenizerJson().model as { vocab: Record<string, number> }).vocab;

/*
 * Golden cases worked out by hand from the vocabulary (see fixtures/make-sp-bpe.ts):
 *   <unk> 0, <s> 1, </s> 2; byte b -> <0xBB> = 3 + b; merges in rank order
 *   ▁t 259, he 260, ▁the 261, in 262, ▁a 263, er 264, at 265, ▁c 266, ▁cat 267, ▁▁ 268,
 *   oo 269, ▁s 270, ▁sat 271; ▁ 272; 'a'..'z' 273..298 (h 280, i 281, t 292, w 295).
 * Encoding: the normalizer prepends "▁" and turns spaces into "▁"; there is no
 * pre-tokenizer, so BPE sees the whole text as one word: split into characters (bytes
 * for characters outside the vocabulary), then repeatedly merge the adjacent pair of
 * lowest rank (leftmost first). Decoding: "▁" -> " ", runs of byte tokens -> UTF-8,
 * join, strip one leading space. `ids` include the <s> the post-processor adds.
 */
interface Case {
  name: string;
  text: string;
  tokens: string[];
  ids: number[];
  /** decode(ids) with special tokens kept; decode with skipSpecialTokens gives `text` back. */
  decoded: string;
}

const CASES: Case[] = [
  // ▁ t h e ▁ c a t ▁ s a t: ▁t(0) he(1) ▁the(2) at,at(6) ▁c(7) ▁cat(8) ▁s(11) ▁sat(12)
  { name: 'merges in rank order', text: 'the cat sat', tokens: ['<s>', '▁the', '▁cat', '▁sat'], ids: [1, 261, 267, 271], decoded: '<s> the cat sat' },
  // ▁ ▁ t h e: "▁ t" (rank 0) beats "▁ ▁" (rank 9), leaving a lone ▁ in front, as LLaMA does
  { name: 'a leading space', text: ' the', tokens: ['<s>', '▁', '▁the'], ids: [1, 272, 261], decoded: '<s>  the' },
  // ▁ a ▁ ▁ c a t: ▁a(4) at(6) ▁c(7) takes the second ▁ before "▁ ▁" (9) can, then ▁cat(8)
  { name: 'a double space', text: 'a  cat', tokens: ['<s>', '▁a', '▁', '▁cat'], ids: [1, 263, 272, 267], decoded: '<s> a  cat' },
  // é (U+00E9) is not in the vocabulary: UTF-8 C3 A9 -> <0xC3> 198, <0xA9> 172
  { name: 'an accent outside the vocabulary (byte fallback)', text: 'café', tokens: ['<s>', '▁c', 'a', 'f', '<0xC3>', '<0xA9>'], ids: [1, 266, 273, 278, 198, 172], decoded: '<s> café' },
  // T (0x54) falls back to <0x54> 87, so "▁ T" cannot merge; h e still does
  { name: 'a capital letter (byte fallback)', text: 'The cat', tokens: ['<s>', '▁', '<0x54>', 'he', '▁cat'], ids: [1, 272, 87, 260, 267], decoded: '<s> The cat' },
  // 🙂 U+1F642 = F0 9F 99 82 -> 243, 162, 156, 133; no merge touches h, i or bytes
  { name: 'an emoji (four byte tokens)', text: 'hi 🙂', tokens: ['<s>', '▁', 'h', 'i', '▁', '<0xF0>', '<0x9F>', '<0x99>', '<0x82>'], ids: [1, 272, 280, 281, 272, 243, 162, 156, 133], decoded: '<s> hi 🙂' },
  // \n is a byte token (<0x0A> 13) and is not a word boundary: "t he" has no merge, only "▁t he"
  { name: 'a newline', text: 'in\nthe', tokens: ['<s>', '▁', 'in', '<0x0A>', 't', 'he'], ids: [1, 272, 262, 13, 292, 260], decoded: '<s> in\nthe' },
  // ▁ w i n t e r: in(3) er(5)
  { name: 'merges inside a word', text: 'winter', tokens: ['<s>', '▁', 'w', 'in', 't', 'er'], ids: [1, 272, 295, 262, 292, 264], decoded: '<s> winter' },
  // Prepend leaves an empty string empty
  { name: 'empty text', text: '', tokens: ['<s>'], ids: [1], decoded: '<s>' },
  // special tokens are split out before normalisation; the text after </s> ... is its own segment
  { name: 'a special token in the text', text: 'hi</s>', tokens: ['<s>', '▁', 'h', 'i', '</s>'], ids: [1, 272, 280, 281, 2], decoded: '<s> hi</s>' },
  // the legacy (Prepend) normaliser prepends ▁ to every segment, also the one after <s>
  { name: 'text after a special token', text: '<s>the', tokens: ['<s>', '<s>', '▁the'], ids: [1, 1, 261], decoded: '<s><s> the' },
];

/**
 * The Metaspace pre-tokenizer (legacy: false) prepends "▁" only to the first segment and
 * only when the text does not already start with one, so one leading space is absorbed,
 * and text after a special token gets no "▁".
 */
const metaspaceForm = () => {
  const metaspace = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false };
  // transformers' LlamaConverter keeps the Replace/ByteFallback/Fuse/Strip decoder in this form.
  return { ...tokenizerJson(), normalizer: null, pre_tokenizer: metaspace };
};
const METASPACE_DIFFERENCES = [
  { text: ' the', ids: [261], decoded: 'the' }, // "▁the"
  { text: '  a', ids: [272, 263], decoded: ' a' }, // "▁▁a": ▁a (4) before ▁▁ (9)
  { text: '<s>the', ids: [1, 292, 260], decoded: '<s>the' }, // <s>, "the" -> t he
];

const CHAT = [
  { role: 'user', content: 'hi' },
  { role: 'assistant', content: 'the cat' },
];

describe('the SentencePiece-style BPE fixture (LLaMA / TinyLlama layout)', () => {
  it('lays out the vocabulary as documented', () => {
    const v = vocab();
    expect([v['<unk>'], v['<s>'], v['</s>']]).toEqual([0, 1, 2]);
    expect([v['<0x00>'], v['<0x0A>'], v['<0xFF>']]).toEqual([3, 13, 258]);
    expect([v['▁t'], v['▁sat'], v['▁'], v.a, v.z, v[':']]).toEqual([259, 271, 272, 273, 298, 304]);
    expect(Object.keys(v)).toHaveLength(305);
  });

  it.each(CASES)('lists tokens that are the vocabulary entries of its ids: $name', ({ tokens, ids }) => {
    const v = vocab();
    expect(tokens.map((t) => v[t])).toEqual(ids);
  });
});

describe('loadTokenizer() on the SentencePiece-style BPE fixture', () => {
  const tok = loadTokenizer(tokenizerJson(), tokenizerConfig());

  it('reads the LLaMA special tokens', () => {
    expect(tok.vocabSize).toBe(305);
    expect([tok.bosTokenId, tok.eosTokenId, tok.padTokenId]).toEqual([1, 2, 2]);
  });

  it.each(CASES)('encodes $name', ({ text, ids }) => {
    expect(tok.encode(text)).toEqual(ids);
    expect(tok.encode(text, { addSpecialTokens: false })).toEqual(ids.slice(1));
  });

  it.each(CASES)('decodes $name', ({ text, ids, decoded }) => {
    expect(tok.decode(ids)).toBe(decoded);
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe(text.replace(/<\/?s>/g, ''));
  });

  it('decodes a byte token that is not valid UTF-8 on its own to U+FFFD', () => {
    expect(tok.decode([272, 198])).toBe('\uFFFD'); // "▁" + <0xC3>: the strip eats the space
    expect(tok.decode([266, 198, 172, 198])).toBe('cé\uFFFD');
  });

  it('gives the same ids with the Metaspace pre-tokenizer form newer LLaMA tokenizers use, but for a leading space', () => {
    const modern = loadTokenizer(metaspaceForm(), tokenizerConfig());
    for (const { text, ids, decoded } of CASES.filter((c) => !c.text.startsWith(' ') && !c.text.includes('<s>'))) {
      expect(modern.encode(text), text).toEqual(ids);
      expect(modern.decode(ids), text).toBe(decoded);
    }
    for (const { text, ids, decoded } of METASPACE_DIFFERENCES) {
      expect(modern.encode(text, { addSpecialTokens: false })).toEqual(ids);
      expect(modern.decode(ids)).toBe(decoded);
    }
  });

  it('renders the chat template with the eos token', () => {
    expect(tok.hasChatTemplate).toBe(true);
    expect(tok.applyChatTemplate(CHAT)).toBe('<|user|>\nhi</s>\n<|assistant|>\nthe cat</s>\n');
    expect(tok.applyChatTemplate(CHAT.slice(0, 1), { addGenerationPrompt: true })).toBe('<|user|>\nhi</s>\n<|assistant|>\n');
  });

  it('loads from a model folder', () => {
    const enc = new TextEncoder();
    const files = { 'tokenizer.json': enc.encode(tokenizerJsonText()), 'tokenizer_config.json': enc.encode(JSON.stringify(tokenizerConfig())) };
    expect(loadTokenizerFromFiles(files).encode('the cat sat')).toEqual([1, 261, 267, 271]);
  });
});

describe('the Rust reference (npm "tokenizers", the HF tokenizers crate)', () => {
  const require = createRequire(import.meta.url);
  type RustEncoding = { getIds(): number[]; getTokens(): string[] };
  type RustTokenizer = { encode(text: string, pair?: null, opts?: { addSpecialTokens: boolean }): Promise<RustEncoding>; decode(ids: number[], skip: boolean): Promise<string> };
  const { Tokenizer } = require('tokenizers') as { Tokenizer: { fromString(json: string): RustTokenizer } };
  const rust = Tokenizer.fromString(tokenizerJsonText());

  it.each(CASES)('agrees with the hand-derived tokens, ids and decoding: $name', async ({ text, tokens, ids, decoded }) => {
    const enc = await rust.encode(text);
    expect(enc.getTokens()).toEqual(tokens);
    expect(enc.getIds()).toEqual(ids);
    expect(await rust.decode(ids, false)).toBe(decoded);
  });

  it('agrees where the Metaspace form differs', async () => {
    const modern = Tokenizer.fromString(JSON.stringify(metaspaceForm()));
    for (const { text, ids, decoded } of METASPACE_DIFFERENCES) {
      expect((await modern.encode(text, null, { addSpecialTokens: false })).getIds(), text).toEqual(ids);
      expect(await modern.decode(ids, false), text).toBe(decoded);
    }
  });
});
