/** Which held-out rows classifiers get wrong, and how far their mistakes are the same rows. */

/** Indices of the rows whose predicted label is not their label. */
export function missedRows(rows: { label: string }[], predicted: string[]): Set<number> {
  if (predicted.length !== rows.length) throw new Error(`${predicted.length} predictions for ${rows.length} rows`);
  return new Set(rows.flatMap((r, i) => (predicted[i] === r.label ? [] : [i])));
}

/** Every row missed by the baseline or by any run, in row order. */
export function missedUnion(baseline: Set<number>, runs: { missed: Set<number> }[]): number[] {
  return [...new Set([...baseline, ...runs.flatMap((r) => [...r.missed])])].sort((a, b) => a - b);
}

/** One sentence: how many rows each classifier misses and how their mistakes overlap. */
export function missedOverlap(bow: Set<number>, runs: { seed: number; missed: Set<number> }[]): string {
  const everySeed = (i: number) => runs.every((r) => r.missed.has(i));
  const anySeed = (i: number) => runs.some((r) => r.missed.has(i));
  const all = missedUnion(bow, runs);
  const count = (keep: (i: number) => boolean) => all.filter(keep).length;
  return (
    `Test rows missed: bag-of-words ${bow.size}; fine-tuned ${runs.map((r) => `${r.missed.size} (seed ${r.seed})`).join(', ')}. ` +
    `Missed by bag-of-words and every seed: ${count((i) => bow.has(i) && everySeed(i))}; ` +
    `by every seed but not bag-of-words: ${count((i) => !bow.has(i) && everySeed(i))}; ` +
    `by bag-of-words but by no seed: ${count((i) => bow.has(i) && !anySeed(i))}; ` +
    `by some seeds but not all: ${count((i) => anySeed(i) && !everySeed(i))}.`
  );
}
