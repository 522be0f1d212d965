/**
 * Writes a tiny, randomly initialised GPT-2 in Hugging Face layout to e2e/fixtures/tiny-gpt2/,
 * with the byte-level BPE fixture tokenizer. The browser tests train it for a few steps,
 * which takes seconds even on WebGPU-over-SwiftShader.
 *
 *   npx tsx scripts/make-tiny-model.ts [outDir]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../src/core/backend';
import { disposeModel, initModel, saveModel } from '../src/core/io/hf';
import { gpt2, newGpt2Config } from '../src/core/model/gpt2';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tokenizerDir = join(root, 'src/core/tokenize/fixtures/byte-bpe');
const outDir = resolve(process.argv[2] ?? join(root, 'e2e/fixtures/tiny-gpt2'));

async function main(): Promise<void> {
  await initBackend('cpu');
  const tokenizer = {
    'tokenizer.json': new Uint8Array(readFileSync(join(tokenizerDir, 'tokenizer.json'))),
    'tokenizer_config.json': new Uint8Array(readFileSync(join(tokenizerDir, 'tokenizer_config.json'))),
  };
  // 262 byte-level + merge tokens and 3 special tokens (<|endoftext|> = 262, <|im_end|> = 264).
  const config = newGpt2Config({ vocabSize: 265, nPositions: 64, nEmbd: 32, nLayer: 2, nHead: 2, bosTokenId: 262, eosTokenId: 264 });
  config.raw._name_or_path = 'tiny-gpt2';
  const model = initModel(gpt2, config, 7);
  try {
    const files = await saveModel(model, 'lm', tokenizer);
    mkdirSync(outDir, { recursive: true });
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(outDir, name), bytes);
    console.log(`wrote ${Object.keys(files).sort().join(', ')} to ${outDir}`);
  } finally {
    disposeModel(model);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
