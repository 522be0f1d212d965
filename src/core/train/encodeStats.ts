/** What encoding did to a run's rows (encode.ts counts it), and how the page, the run and the CLI say so. */

/**
 * What encoding did to the rows: how many were longer than the maximum length and lost
 * tokens (a classified text its end, a prompt its start or a completion its end), and the
 * longest row in tokens before cutting. Plain text is not cut: a long document becomes
 * consecutive windows.
 */
export interface EncodeStats {
  rows: number;
  cut: number;
  longest: number;
}

const fmt = (x: number) => x.toLocaleString('en-US');

/**
 * "12 of 800 rows were longer than 128 tokens and were cut to fit (the longest has 412); a
 * longer maximum length keeps them whole" after a run, "... are longer ... and will be cut to
 * fit (...)" before one; null when none is.
 */
export function describeCut(d: EncodeStats & { maxLength: number }, when: 'before' | 'after' = 'after'): string | null {
  if (d.cut === 0) return null;
  const one = d.cut === 1;
  const [be, cut] = when === 'after' ? (one ? ['was', 'was cut'] : ['were', 'were cut']) : [one ? 'is' : 'are', 'will be cut'];
  const text = `${fmt(d.cut)} of ${fmt(d.rows)} rows ${be} longer than ${d.maxLength} tokens and ${cut} to fit (the longest has ${fmt(d.longest)})`;
  return when === 'after' ? `${text}; a longer maximum length keeps ${one ? 'it' : 'them'} whole` : text;
}

/** What a maximum length would cut, from every row's length in tokens, longest first (see rowTokenLengths). */
export function cutAt(lengthsLongestFirst: readonly number[], maxLength: number): EncodeStats {
  // Binary search for the first row that fits.
  let lo = 0;
  let hi = lengthsLongestFirst.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lengthsLongestFirst[mid] > maxLength) lo = mid + 1;
    else hi = mid;
  }
  return { rows: lengthsLongestFirst.length, cut: lo, longest: lengthsLongestFirst[0] ?? 0 };
}
