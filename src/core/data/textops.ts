/**
 * Text operations for augmentation, each a pure function of (text, rng): EDA's four word operations
 * (synonym replacement, random insertion, swap, deletion; Wei & Zou 2019), keyboard typos, and case
 * and punctuation variants. Augment.ts decides which to apply to which rows.
 */

/** Words never replaced, inserted or counted as content: changing them rarely changes the sentence but often breaks it. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  ('a about above after again against all am an and any are as at be because been before being below between both but by can ' +
    'could did do does doing down during each few for from further had has have having he her here hers herself him himself his how ' +
    'i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over ' +
    'own same she should so some such than that the their theirs them themselves then there these they this those through to too under ' +
    'until up very was we were what when where which while who whom why will with would you your yours yourself yourselves ' +
    'get got make made say said go went one two also may might must shall us let well even back still way').split(' '),
);

export type Rng = () => number;
export type SynonymLookup = (word: string) => readonly string[] | undefined;

const pick = <T>(xs: readonly T[], rng: Rng): T => xs[Math.floor(rng() * xs.length)];

/** Words and what lies between them, so a word can change without touching spacing or punctuation. */
const TOKEN = /[\p{L}\p{M}\p{N}']+|[^\p{L}\p{M}\p{N}']+/gu;
const IS_WORD = /^[\p{L}\p{M}\p{N}']+$/u;

/** Gives a replacement the case pattern of the word it replaces (Good -> Fine, GOOD -> FINE). */
export function matchCase(model: string, word: string): string {
  if (model.length > 1 && model === model.toUpperCase() && model !== model.toLowerCase()) return word.toUpperCase();
  if (model[0] !== model[0].toLowerCase()) return word[0].toUpperCase() + word.slice(1);
  return word;
}

const candidates = (tokens: string[], synonyms: SynonymLookup) =>
  tokens.flatMap((t, i) => (IS_WORD.test(t) && !STOPWORDS.has(t.toLowerCase()) && synonyms(t.toLowerCase()) ? [i] : []));

/** Replaces up to `n` distinct content words that have synonyms with one of their synonyms. */
export function synonymReplace(text: string, n: number, rng: Rng, synonyms: SynonymLookup): string {
  const tokens = text.match(TOKEN) ?? [];
  const slots = candidates(tokens, synonyms);
  for (let k = 0; k < n && slots.length > 0; k++) {
    const i = slots.splice(Math.floor(rng() * slots.length), 1)[0];
    tokens[i] = matchCase(tokens[i], pick(synonyms(tokens[i].toLowerCase())!, rng));
  }
  return tokens.join('');
}

/** Inserts `n` times a synonym of a random content word at a random word boundary. */
export function randomInsert(text: string, n: number, rng: Rng, synonyms: SynonymLookup): string {
  const words = text.split(/\s+/).filter(Boolean);
  for (let k = 0; k < n; k++) {
    const slots = words.flatMap((w, i) => {
      const core = w.toLowerCase().replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
      return !STOPWORDS.has(core) && synonyms(core) ? [core] : [];
    });
    if (slots.length === 0) break;
    words.splice(Math.floor(rng() * (words.length + 1)), 0, pick(synonyms(pick(slots, rng))!, rng));
  }
  return words.join(' ');
}

/** Swaps two random words, `n` times. */
export function randomSwap(text: string, n: number, rng: Rng): string {
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length < 2) return words.join(' ');
  for (let k = 0; k < n; k++) {
    const i = Math.floor(rng() * words.length);
    let j = Math.floor(rng() * (words.length - 1));
    if (j >= i) j++;
    [words[i], words[j]] = [words[j], words[i]];
  }
  return words.join(' ');
}

/** Deletes each word with probability p, always keeping at least one. */
export function randomDelete(text: string, p: number, rng: Rng): string {
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length <= 1) return words.join(' ');
  const kept = words.filter(() => rng() >= p);
  return (kept.length > 0 ? kept : [pick(words, rng)]).join(' ');
}

// Neighbours on a QWERTY keyboard, from key positions with the rows' stagger.
const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const STAGGER = [0, 0.25, 0.75];
export const KEY_NEIGHBOURS: Record<string, string> = (() => {
  const keys = ROWS.flatMap((r, y) => [...r].map((ch, x) => ({ ch, x: x + STAGGER[y], y })));
  return Object.fromEntries(
    keys.map((k) => [k.ch, keys.filter((o) => o !== k && Math.abs(o.y - k.y) <= 1 && Math.abs(o.x - k.x) <= (o.y === k.y ? 1 : 0.75)).map((o) => o.ch).join('')]),
  );
})();

/** Makes `n` typos in random letters of words of three or more letters: a neighbouring key, a dropped letter, or two letters swapped. */
export function keyboardTypos(text: string, n: number, rng: Rng): string {
  const chars = [...text];
  const spots = chars.flatMap((c, i) => (KEY_NEIGHBOURS[c.toLowerCase()] && /\p{L}/u.test(chars[i - 1] ?? '') && /\p{L}/u.test(chars[i + 1] ?? '') ? [i] : []));
  const out = chars;
  for (let k = 0; k < n && spots.length > 0; k++) {
    const i = spots.splice(Math.floor(rng() * spots.length), 1)[0];
    const c = out[i];
    const kind = rng();
    // Swapping two equal letters would change nothing: substitute instead.
    if (kind < 0.7 || (kind >= 0.85 && out[i + 1] === c)) {
      const near = pick([...KEY_NEIGHBOURS[c.toLowerCase()]], rng);
      out[i] = c === c.toLowerCase() ? near : near.toUpperCase();
    } else if (kind < 0.85) out[i] = '';
    else [out[i], out[i + 1]] = [out[i + 1], out[i]];
  }
  return out.join('');
}

/** All lower case, all upper case, or a capital first letter only. */
export function caseVariant(text: string, rng: Rng): string {
  const variants = [text.toLowerCase(), text.toUpperCase(), text.charAt(0).toUpperCase() + text.slice(1).toLowerCase()].filter((v) => v !== text);
  return variants.length ? pick(variants, rng) : text;
}

/** Without punctuation, with a different sentence end, or without the final mark. */
export function punctuationVariant(text: string, rng: Rng): string {
  const bare = text.replace(/[^\p{L}\p{M}\p{N}\s']+/gu, ' ').replace(/ {2,}/g, ' ').trim();
  const end = /[.!?]+$/.exec(text);
  const stem = end ? text.slice(0, end.index) : text;
  const variants = [bare, `${stem}.`, `${stem}!`, stem].filter((v) => v !== text && v.trim() !== '');
  return variants.length ? pick(variants, rng) : text;
}
