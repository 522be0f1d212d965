/**
 * Trains a GPT-2 style byte-level BPE tokenizer with Hugging Face `tokenizers` (the
 * maintained Rust library, through its Node bindings) and writes it as tokenizer.json.
 *
 * The Node bindings expose `Tokenizer.train(files)` but not the trainer's options: it
 * always runs BpeTrainer's defaults (30,000 tokens, no special tokens, alphabet = the
 * characters seen). So we let it learn its merges, then shape the result:
 *  - BPE training is greedy, so the first K merges of a long run are exactly the merges
 *    a run stopped at K would learn: we keep the first `vocabSize - 256 - specials`.
 *  - The vocabulary starts with all 256 byte symbols in GPT-2's order, so any input
 *    (emoji, control bytes, unseen accents) encodes and decodes losslessly.
 *  - <|endoftext|> is added as a special token after the merges, as GPT-2 has it.
 * The merges themselves are the library's, untouched.
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BPE, Tokenizer as HfTrainer, byteLevelPreTokenizer } from 'tokenizers';
import { byteLevelSymbols } from '../../src/core/tokenize/fixtures/make-byte-bpe';

export const EOT = '<|endoftext|>';

export interface TrainedTokenizer {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

export function trainByteLevelBpe(texts: string[], vocabSize: number, modelMaxLength: number): TrainedTokenizer {
  const specials = [EOT];
  const nMerges = vocabSize - 256 - specials.length;
  if (nMerges < 0) throw new Error(`vocabSize ${vocabSize} is smaller than the 256 byte symbols`);

  const dir = mkdtempSync(join(tmpdir(), 'bpe-'));
  try {
    // The library trains from files; one file per document keeps documents apart.
    const files = texts.map((t, i) => {
      const p = join(dir, `${i}.txt`);
      writeFileSync(p, t);
      return p;
    });
    const trainer = new HfTrainer(BPE.empty());
    // add_prefix_space=false, use_regex=true: GPT-2's pre-tokenizer.
    trainer.setPreTokenizer(byteLevelPreTokenizer(false, true));
    trainer.train(files);
    const out = join(dir, 'trained.json');
    trainer.save(out, false);
    const trained = JSON.parse(readFileSync(out, 'utf8')) as { model: { merges: (string | [string, string])[] } };
    const merges = trained.model.merges.map((m) => (typeof m === 'string' ? m.split(' ') : m) as [string, string]);
    if (merges.length < nMerges) throw new Error(`the corpus gave only ${merges.length} merges, fewer than the ${nMerges} wanted`);
    return buildTokenizer(merges.slice(0, nMerges), specials, modelMaxLength);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function buildTokenizer(merges: [string, string][], specials: string[], modelMaxLength: number): TrainedTokenizer {
  const vocab: Record<string, number> = {};
  let next = 0;
  for (const { symbol } of byteLevelSymbols()) vocab[symbol] = next++;
  for (const [a, b] of merges) {
    if (!(a in vocab) || !(b in vocab)) throw new Error(`merge "${a} ${b}" uses a token that is not in the vocabulary`);
    vocab[a + b] = next++;
  }
  const added_tokens = specials.map((content) => ({
    id: next++,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: merges.map(([a, b]) => [a, b]),
    },
  };
  const tokenizerConfig = {
    tokenizer_class: 'GPT2Tokenizer',
    model_max_length: modelMaxLength,
    add_prefix_space: false,
    add_bos_token: false,
    clean_up_tokenization_spaces: false,
    bos_token: EOT,
    eos_token: EOT,
    pad_token: EOT,
    unk_token: EOT,
  };
  return { tokenizerJson, tokenizerConfig };
}
