/** What encoding a run's rows did to them, apart from batches.ts so the page can say it without loading tfjs. */

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

/** "12 of 800 rows were longer than 128 tokens and were cut to fit (the longest has 412); ...", or null when none was. */
export function describeCut(d: EncodeStats & { maxLength: number }): string | null {
  if (d.cut === 0) return null;
  const [rows, were] = d.cut === 1 ? [`1 of ${d.rows} rows`, 'was'] : [`${d.cut} of ${d.rows} rows`, 'were'];
  return `${rows} ${were} longer than ${d.maxLength} tokens and ${were} cut to fit (the longest has ${d.longest}); a longer maximum length keeps ${d.cut === 1 ? 'it' : 'them'} whole`;
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
