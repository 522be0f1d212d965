import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTokenizer, loadTokenizerFromFiles } from './tokenizer';

const FIXTURE_DIR = fileURLToPath(new URL('./fixtures/byte-bpe', import.meta.url));
const readFixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(FIXTURE_DIR, name), 'utf8'));

/** Fresh deep copies, so each test may mutate its own. */
const tokenizerJson = () => readFixture('tokenizer.json');
const tokenizerConfig = () => readFixture('tokenizer_config.json');
const model = (json: Record<string, unknown>) => json.model as Record<string, unknown>;
const fixtureTokenizer = () => loadTokenizer(tokenizerJson(), tokenizerConfig());

/*
 * Ids worked out by hand from the vocabulary layout (see fixtures/make-byte-bpe.ts), not from the library:
 *   printable ASCII '!'..'~'  -> code - 33          ('a' = 64, 'e' = 68, 't' = 83)
 *   '¡'..'¬' (161..172)       -> 94 + (code - 161)
 *   '®'..'ÿ' (174..255)       -> 106 + (code - 174)
 *   bytes 0..32               -> 188 + byte          ('\n' = 198, ' ' = 'Ġ' = 220)
 *   merges                    -> Ġt 256, he 257, Ġthe 258, in 259, Ġa 260, er 261
 *   added                     -> <|endoftext|> 262, <|im_start|> 263, <|im_end|> 264
 */
const ascii = (ch: string) => ch.charCodeAt(0) - 33;
const ID = { space: 220, newline: 198, Gt: 256, he: 257, Gthe: 258, in: 259, Ga: 260, er: 261, eot: 262, imStart: 263, imEnd: 264 };

const utf8Bytes = (s: string) => new TextEncoder().encode(s);
const files = (entries: Record<string, unknown>): Record<string, Uint8Array> =>
  Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, utf8Bytes(typeof v === 'string' ? v : JSON.stringify(v))]));

describe('loadTokenizer() on the byte-level BPE fixture', () => {
  it('gives GPT-2 ids to the byte symbols', () => {
    const vocab = model(tokenizerJson()).vocab as Record<string, number>;
    expect(vocab['!']).toBe(0);
    expect(vocab['Ā']).toBe(188);
    expect(vocab['Ċ']).toBe(ID.newline);
    expect(vocab['Ġ']).toBe(ID.space);
    expect(Object.keys(vocab)).toHaveLength(256 + 6);
  });

  it('counts added tokens in vocabSize', () => {
    expect(fixtureTokenizer().vocabSize).toBe(265);
  });

  it('reads bos, eos and pad ids from tokenizer_config.json', () => {
    const tok = fixtureTokenizer();
    expect(tok.bosTokenId).toBe(ID.eot);
    expect(tok.eosTokenId).toBe(ID.imEnd);
    expect(tok.padTokenId).toBe(ID.eot);
  });

  it('falls back to eos for pad when the config names none', () => {
    const config = tokenizerConfig();
    delete config.pad_token;
    expect(loadTokenizer(tokenizerJson(), config).padTokenId).toBe(ID.imEnd);
  });

  it('accepts special tokens written as AddedToken objects', () => {
    const config = { ...tokenizerConfig(), eos_token: { __type: 'AddedToken', content: '<|endoftext|>' } };
    expect(loadTokenizer(tokenizerJson(), config).eosTokenId).toBe(ID.eot);
  });

  it('guesses special tokens from added tokens when there is no tokenizer_config.json', () => {
    const tok = loadTokenizer(tokenizerJson());
    expect([tok.bosTokenId, tok.eosTokenId, tok.padTokenId]).toEqual([ID.eot, ID.eot, ID.eot]);
    expect(tok.hasChatTemplate).toBe(false);
  });
});

describe('encode()', () => {
  const tok = fixtureTokenizer();

  it.each([
    [' the', [ID.Gthe]],
    ['the', [ascii('t'), ID.he]],
    [' then', [ID.Gthe, ascii('n')]],
    // "h e" (rank 1) wins over "e r" (rank 5), and there is no "he r" merge.
    [' other', [ID.space, ascii('o'), ascii('t'), ID.he, ascii('r')]],
    ['winter', [ascii('w'), ID.in, ascii('t'), ID.er]],
    [' at', [ID.Ga, ascii('t')]],
    ['a\nb', [ascii('a'), ID.newline, ascii('b')]],
    // é is UTF-8 C3 A9: 0xC3 = 195 -> 106 + 21, 0xA9 = 169 -> 94 + 8
    ['é', [127, 102]],
  ])('encodes %j by applying the merges in rank order', (text, ids) => {
    expect(tok.encode(text)).toEqual(ids);
  });

  it('maps special tokens in the text to their single ids', () => {
    expect(tok.encode('hi<|im_end|>')).toEqual([ascii('h'), ascii('i'), ID.imEnd]);
    expect(tok.encode('<|endoftext|>')).toEqual([ID.eot]);
  });

  it('adds template special tokens only when addSpecialTokens is not false', () => {
    const json = tokenizerJson();
    json.post_processor = {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<|endoftext|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: {},
    };
    const withBos = loadTokenizer(json, tokenizerConfig());
    expect(withBos.encode(' the')).toEqual([ID.eot, ID.Gthe]);
    expect(withBos.encode(' the', { addSpecialTokens: false })).toEqual([ID.Gthe]);
  });
});

describe('decode()', () => {
  const tok = fixtureTokenizer();

  it.each([
    ['ascii', 'Hello, world! the other winter.'],
    ['accents', 'Crème brûlée à la façon de Zoë'],
    ['emoji', 'ship it 🚀🔥 👩🏽‍💻'],
    ['newlines', 'line one\n\nline two\r\n\tindented  '],
    ['punctuation spacing', 'a , b . c ? don\'t'],
  ])('round-trips %s', (_name, text) => {
    expect(tok.decode(tok.encode(text))).toBe(text);
  });

  it('round-trips arbitrary unicode strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        expect(tok.decode(tok.encode(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('drops special tokens when skipSpecialTokens is set', () => {
    const ids = [ID.imStart, ...tok.encode('hi'), ID.imEnd];
    expect(tok.decode(ids)).toBe('<|im_start|>hi<|im_end|>');
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('hi');
  });

  it('decodes an empty list to an empty string', () => {
    expect(tok.decode([])).toBe('');
  });

  it('rejects ids outside the vocabulary', () => {
    expect(() => tok.decode([5, 265])).toThrow(/token id 265 is outside the vocabulary \(0\.\.264\)/);
  });
});

describe('applyChatTemplate()', () => {
  const tok = fixtureTokenizer();
  const conversation = [
    { role: 'user', content: 'Hi there' },
    { role: 'assistant', content: 'Hello!' },
  ];
  const rendered = '<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n';

  it('renders a two-message conversation', () => {
    expect(tok.hasChatTemplate).toBe(true);
    expect(tok.applyChatTemplate(conversation)).toBe(rendered);
  });

  it('appends the assistant header when a generation prompt is asked for', () => {
    expect(tok.applyChatTemplate(conversation, { addGenerationPrompt: true })).toBe(rendered + '<|im_start|>assistant\n');
  });

  it('passes bos_token and eos_token to the template', () => {
    const config = { ...tokenizerConfig(), chat_template: '{{ bos_token }}{{ messages[0].content }}{{ eos_token }}' };
    expect(loadTokenizer(tokenizerJson(), config).applyChatTemplate(conversation)).toBe('<|endoftext|>Hi there<|im_end|>');
  });

  it('picks the default template from a named list', () => {
    const config = { ...tokenizerConfig(), chat_template: [{ name: 'tool_use', template: 'T' }, { name: 'default', template: 'D' }] };
    expect(loadTokenizer(tokenizerJson(), config).applyChatTemplate(conversation)).toBe('D');
  });

  it('throws a clear error when the config has no template', () => {
    const config = tokenizerConfig();
    delete config.chat_template;
    const noTemplate = loadTokenizer(tokenizerJson(), config);
    expect(noTemplate.hasChatTemplate).toBe(false);
    expect(() => noTemplate.applyChatTemplate(conversation)).toThrow(/tokenizer_config\.json: this model has no chat_template/);
  });

  it('reports a template that does not parse', () => {
    const config = { ...tokenizerConfig(), chat_template: '{% for m in messages %}' };
    expect(() => loadTokenizer(tokenizerJson(), config).applyChatTemplate(conversation)).toThrow(/chat_template/);
  });
});

describe('loadTokenizer() errors', () => {
  const withModel = (patch: Record<string, unknown>) => {
    const json = tokenizerJson();
    json.model = { ...model(json), ...patch };
    return json;
  };

  it.each<[string, () => unknown, RegExp]>([
    ['a non-object', () => [], /^tokenizer\.json: expected a JSON object, got an array$/],
    ['no model', () => ({ ...tokenizerJson(), model: undefined }), /^tokenizer\.json: model is missing$/],
    ['no vocab', () => withModel({ vocab: undefined }), /^tokenizer\.json: model\.vocab is missing$/],
    ['a vocab array for BPE', () => withModel({ vocab: ['a'] }), /model\.vocab should be an object/],
    ['a non-integer id', () => withModel({ vocab: { a: 1.5 } }), /model\.vocab\["a"\] should be a non-negative integer id/],
    ['no merges', () => withModel({ merges: undefined }), /^tokenizer\.json: model\.merges is missing$/],
    ['a malformed merge', () => withModel({ merges: ['Ġ t', 'abc'] }), /model\.merges\[1\] should be "left right"/],
    ['an unknown model type', () => withModel({ type: 'Magic' }), /model\.type "Magic" is not supported/],
    ['bad added_tokens', () => ({ ...tokenizerJson(), added_tokens: [{ content: 'x' }] }), /added_tokens\[0\] should be/],
  ])('names the field for %s', (_name, build, message) => {
    expect(() => loadTokenizer(build(), tokenizerConfig())).toThrow(message);
  });

  it('rejects a config that is not an object', () => {
    expect(() => loadTokenizer(tokenizerJson(), 'nope')).toThrow(/^tokenizer_config\.json: expected a JSON object, got a string$/);
  });

  it('rejects a special token that is not in the vocabulary', () => {
    const config = { ...tokenizerConfig(), eos_token: '</s>' };
    expect(() => loadTokenizer(tokenizerJson(), config)).toThrow(/tokenizer_config\.json: eos_token "<\/s>" is not in the vocabulary/);
  });

  it('rejects a chat_template of the wrong type', () => {
    const config = { ...tokenizerConfig(), chat_template: 42 };
    expect(() => loadTokenizer(tokenizerJson(), config)).toThrow(/tokenizer_config\.json: chat_template should be a string/);
  });
});

describe('loadTokenizerFromFiles()', () => {
  it('reads tokenizer.json and tokenizer_config.json', () => {
    const tok = loadTokenizerFromFiles(files({ 'tokenizer.json': tokenizerJson(), 'tokenizer_config.json': tokenizerConfig(), 'config.json': {} }));
    expect(tok.encode(' the')).toEqual([ID.Gthe]);
    expect(tok.eosTokenId).toBe(ID.imEnd);
  });

  it('works without tokenizer_config.json', () => {
    expect(loadTokenizerFromFiles(files({ 'tokenizer.json': tokenizerJson() })).hasChatTemplate).toBe(false);
  });

  it('lists the files found when tokenizer.json is missing', () => {
    expect(() => loadTokenizerFromFiles(files({ 'vocab.json': {}, 'config.json': {} }))).toThrow(
      'tokenizer.json is missing from the model folder (found: config.json, vocab.json)',
    );
  });

  it('reports invalid JSON with the file name', () => {
    expect(() => loadTokenizerFromFiles(files({ 'tokenizer.json': tokenizerJson(), 'tokenizer_config.json': '{ nope' }))).toThrow(
      /^tokenizer_config\.json: not valid JSON/,
    );
  });

  it('reports bytes that are not UTF-8', () => {
    expect(() => loadTokenizerFromFiles({ 'tokenizer.json': new Uint8Array([0x7b, 0xff, 0x7d]) })).toThrow(
      'tokenizer.json: not valid UTF-8 text',
    );
  });
});
