/**
 * Text tokenizer for Hugging Face model folders: wraps @huggingface/tokenizers (tokenizer.json)
 * and @huggingface/jinja (tokenizer_config.json chat_template).
 *
 * Runs anywhere (Node, workers, main thread): no DOM or Worker globals.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { Template } from '@huggingface/jinja';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface TextTokenizer {
  /** Number of ids, including added tokens (max id + 1). */
  vocabSize: number;
  bosTokenId: number | null;
  eosTokenId: number | null;
  /** Falls back to the eos token when the config names no pad token. */
  padTokenId: number | null;
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  decode(ids: number[], opts?: { skipSpecialTokens?: boolean }): string;
  /**
   * Renders tokenizer_config.chat_template with @huggingface/jinja (bos_token, eos_token,
   * add_generation_prompt, messages). Throws a clear Error when the config has no template.
   */
  applyChatTemplate(messages: ChatMessage[], opts?: { addGenerationPrompt?: boolean }): string;
  hasChatTemplate: boolean;
}

import { TOKENIZER_CONFIG_FILE as CONFIG_FILE, TOKENIZER_FILE } from './files';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

function fail(file: string, message: string): never {
  throw new Error(`${file}: ${message}`);
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** Checks the parts of tokenizer.json the library would otherwise trip over with an obscure TypeError. */
function validateTokenizerJson(json: unknown): Json {
  if (!isObject(json)) fail(TOKENIZER_FILE, `expected a JSON object, got ${describe(json)}`);
  const model = json.model;
  if (model === undefined) fail(TOKENIZER_FILE, 'model is missing');
  if (!isObject(model)) fail(TOKENIZER_FILE, `model should be an object, got ${describe(model)}`);
  if (model.vocab === undefined) fail(TOKENIZER_FILE, 'model.vocab is missing');
  const type = model.type ?? (Array.isArray(model.vocab) ? 'Unigram' : undefined);
  if (type === 'Unigram') {
    if (!Array.isArray(model.vocab)) fail(TOKENIZER_FILE, `model.vocab should be an array of [piece, score] for Unigram, got ${describe(model.vocab)}`);
    model.vocab.forEach((entry, i) => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'number')
        fail(TOKENIZER_FILE, `model.vocab[${i}] should be [piece, score]`);
    });
  } else {
    if (!isObject(model.vocab)) fail(TOKENIZER_FILE, `model.vocab should be an object of token -> id, got ${describe(model.vocab)}`);
    for (const [token, id] of Object.entries(model.vocab)) {
      if (!isIndex(id)) fail(TOKENIZER_FILE, `model.vocab["${token}"] should be a non-negative integer id, got ${JSON.stringify(id)}`);
    }
    if (type === 'BPE' || (type === undefined && 'merges' in model)) {
      if (model.merges === undefined) fail(TOKENIZER_FILE, 'model.merges is missing');
      if (!Array.isArray(model.merges)) fail(TOKENIZER_FILE, `model.merges should be an array, got ${describe(model.merges)}`);
      model.merges.forEach((m, i) => {
        const ok =
          (typeof m === 'string' && m.split(' ').length === 2) ||
          (Array.isArray(m) && m.length === 2 && m.every((p) => typeof p === 'string'));
        if (!ok) fail(TOKENIZER_FILE, `model.merges[${i}] should be "left right" or ["left", "right"], got ${JSON.stringify(m)}`);
      });
    } else if (type !== 'WordPiece' && type !== undefined) {
      fail(TOKENIZER_FILE, `model.type "${String(type)}" is not supported (expected BPE, WordPiece or Unigram)`);
    }
  }
  const added = json.added_tokens ?? [];
  if (!Array.isArray(added)) fail(TOKENIZER_FILE, `added_tokens should be an array, got ${describe(added)}`);
  added.forEach((t, i) => {
    if (!isObject(t) || typeof t.content !== 'string' || !isIndex(t.id))
      fail(TOKENIZER_FILE, `added_tokens[${i}] should be {"id": number, "content": string, ...}`);
  });
  // The library requires these keys to exist (null means "none").
  return {
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: null,
    ...json,
    added_tokens: added,
  };
}

/** A special token in tokenizer_config.json is either a string or an AddedToken object {content: ...}. */
function tokenText(config: Json, field: string): string | null {
  const v = config[field];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  fail(CONFIG_FILE, `${field} should be a string or {"content": string}, got ${describe(v)}`);
}

function pickChatTemplate(config: Json): string | null {
  const t = config.chat_template;
  if (t === undefined || t === null) return null;
  if (typeof t === 'string') return t;
  // Newer configs: [{name: 'default', template: '...'}, {name: 'tool_use', ...}]
  if (Array.isArray(t)) {
    const named = t.filter((x): x is { name: string; template: string } => isObject(x) && typeof x.template === 'string');
    const chosen = named.find((x) => x.name === 'default') ?? named[0];
    if (chosen) return chosen.template;
  }
  fail(CONFIG_FILE, `chat_template should be a string or a list of {name, template}, got ${describe(t)}`);
}

/** When there is no tokenizer_config.json, guess special tokens from conventional added-token names. */
const FALLBACK_NAMES: Record<'bos_token' | 'eos_token' | 'pad_token', string[]> = {
  bos_token: ['<s>', '<|begin_of_text|>', '<bos>', '<|endoftext|>'],
  eos_token: ['</s>', '<|end_of_text|>', '<eos>', '<|endoftext|>'],
  pad_token: ['<pad>', '[PAD]', '<|pad|>'],
};

export function loadTokenizer(tokenizerJson: unknown, tokenizerConfig?: unknown): TextTokenizer {
  const json = validateTokenizerJson(tokenizerJson);
  if (tokenizerConfig !== undefined && tokenizerConfig !== null && !isObject(tokenizerConfig))
    fail(CONFIG_FILE, `expected a JSON object, got ${describe(tokenizerConfig)}`);
  const hasConfig = isObject(tokenizerConfig);
  const config: Json = { ...(hasConfig ? tokenizerConfig : {}) };
  // Keep decode(encode(s)) === s unless the config explicitly asks for transformers' old clean-up.
  config.clean_up_tokenization_spaces = config.clean_up_tokenization_spaces === true;
  // The library expects plain strings for these; configs may hold AddedToken objects.
  for (const f of ['bos_token', 'eos_token', 'pad_token', 'unk_token']) config[f] = tokenText(config, f) ?? undefined;
  const chatTemplate = pickChatTemplate(config);

  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (e) {
    throw new Error(`${TOKENIZER_FILE}: could not be loaded (${(e as Error).message})`);
  }

  const addedTokens = json.added_tokens as { id: number; content: string; special?: boolean }[];
  let maxId = -1;
  for (const id of tok.get_vocab(true).values()) maxId = Math.max(maxId, id);
  for (const t of addedTokens) maxId = Math.max(maxId, t.id);
  const vocabSize = maxId + 1;

  const idOf = (field: 'bos_token' | 'eos_token' | 'pad_token'): number | null => {
    const text = config[field] as string | undefined;
    if (text !== undefined) {
      const id = tok.token_to_id(text);
      if (id === undefined) fail(CONFIG_FILE, `${field} "${text}" is not in the vocabulary of tokenizer.json`);
      return id;
    }
    if (hasConfig) return null;
    for (const name of FALLBACK_NAMES[field]) {
      const t = addedTokens.find((a) => a.content === name);
      if (t) return t.id;
    }
    return null;
  };
  const bosTokenId = idOf('bos_token');
  const eosTokenId = idOf('eos_token');
  const padTokenId = idOf('pad_token') ?? eosTokenId;
  const tokenString = (id: number | null) => (id === null ? '' : (tok.id_to_token(id) ?? ''));

  let compiled: Template | null = null;

  return {
    vocabSize,
    bosTokenId,
    eosTokenId,
    padTokenId,
    hasChatTemplate: chatTemplate !== null,
    encode(text, opts) {
      return tok.encode(text, { add_special_tokens: opts?.addSpecialTokens ?? true }).ids;
    },
    decode(ids, opts) {
      if (ids.length === 0) return '';
      for (const id of ids) {
        if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
          throw new RangeError(`decode: token id ${id} is outside the vocabulary (0..${vocabSize - 1})`);
      }
      return tok.decode(ids, { skip_special_tokens: opts?.skipSpecialTokens ?? false });
    },
    applyChatTemplate(messages, opts) {
      if (chatTemplate === null)
        throw new Error(`${CONFIG_FILE}: this model has no chat_template, so chat data cannot be formatted for it; use prompt/completion or plain text data instead`);
      if (compiled === null) {
        try {
          compiled = new Template(chatTemplate);
        } catch (e) {
          throw new Error(`${CONFIG_FILE}: chat_template is not a valid Jinja template (${(e as Error).message})`);
        }
      }
      try {
        return compiled.render({
          messages,
          add_generation_prompt: opts?.addGenerationPrompt ?? false,
          bos_token: config.bos_token ?? tokenString(bosTokenId),
          eos_token: config.eos_token ?? tokenString(eosTokenId),
          pad_token: config.pad_token ?? tokenString(padTokenId),
          unk_token: config.unk_token ?? '',
        });
      } catch (e) {
        throw new Error(`${CONFIG_FILE}: chat_template failed to render (${(e as Error).message})`);
      }
    },
  };
}

function parseJsonFile(bytes: Uint8Array, file: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail(file, 'not valid UTF-8 text');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    fail(file, `not valid JSON (${(e as Error).message})`);
  }
}

/** Reads 'tokenizer.json' and the optional 'tokenizer_config.json' from a model folder (file name -> bytes). */
export function loadTokenizerFromFiles(files: Record<string, Uint8Array>): TextTokenizer {
  const tj = files[TOKENIZER_FILE];
  if (!tj) {
    const found = Object.keys(files).sort().join(', ') || 'no files';
    throw new Error(`${TOKENIZER_FILE} is missing from the model folder (found: ${found})`);
  }
  const tc = files[CONFIG_FILE];
  return loadTokenizer(parseJsonFile(tj, TOKENIZER_FILE), tc ? parseJsonFile(tc, CONFIG_FILE) : undefined);
}
