/**
 * Text normalisation: Unicode NFKC and whitespace. Idempotent (normalising twice changes nothing),
 * which a property test checks, so a cleaned dataset cleans to itself.
 */

export interface NormalizeParams {
  /** NFKC: full-width letters, ligatures, non-breaking spaces and the like become their plain forms. */
  nfkc?: boolean;
  /** Unify line endings, collapse runs of spaces and tabs, trim lines, at most one blank line in a row, trim. */
  whitespace?: boolean;
}

// Invisible characters that split words for a tokenizer but not for a reader: zero-width space,
// word joiner, BOM, soft hyphen. (Zero-width joiners stay: emoji sequences need them.)
const INVISIBLE = /[\u200b\u2060\ufeff\u00ad]/g;
const HAS_INVISIBLE = /[\u200b\u2060\ufeff\u00ad]/;
// Any whitespace but a line break: tabs, and the odd spaces NFKC leaves alone.
const HSPACE = /[^\S\n]+/g;

export function normalizeText(text: string, params: NormalizeParams = {}): string {
  const { nfkc = true, whitespace = true } = params;
  let s = text;
  // Invisible characters go first: removing one can bring a base letter next to a combining mark,
  // which NFKC must then compose, or a second pass would change the text again.
  if (HAS_INVISIBLE.test(s)) s = s.replace(INVISIBLE, '');
  if (nfkc) s = s.normalize('NFKC');
  if (whitespace) {
    s = s.replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n');
    // Runs of spaces become one space; lines are trimmed; three or more line breaks become two.
    s = s.replace(HSPACE, ' ').replace(/ ?\n ?/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  }
  return s;
}
