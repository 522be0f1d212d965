/** Seeded train/validation split, optionally stratified by class. */
import { mulberry32, shuffleInPlace } from './random';
import type { Example, TrainRequest } from '../types';

/** Number of validation items for `n` items: round(n * f), but at least 1 and at most n - 1 when f > 0 and n >= 2. */
export function valCount(n: number, valFraction: number): number {
  if (valFraction <= 0 || n < 2) return 0;
  return Math.min(n - 1, Math.max(1, Math.round(n * valFraction)));
}

/**
 * Splits `items` into train and val. The same seed always gives the same split; both parts keep the
 * original order of the items.
 *
 * With `stratifyBy`, each class gets floor or ceil of its share of val items (so within one item of
 * size * valFraction), every class with >= 2 items keeps at least one item in train and, when
 * valFraction > 0, puts at least one in val. Single-item classes stay in train unless the val set
 * would otherwise be empty.
 */
export function splitTrainVal<T>(
  items: T[],
  valFraction: number,
  seed: number,
  stratifyBy?: (t: T) => string,
): { train: T[]; val: T[] } {
  if (!(valFraction >= 0 && valFraction < 1)) throw new RangeError(`valFraction must be in [0, 1), got ${valFraction}`);
  const rng = mulberry32(seed);
  const inVal = new Array<boolean>(items.length).fill(false);

  if (stratifyBy === undefined) {
    const order = shuffleInPlace(items.map((_, i) => i), rng);
    for (const i of order.slice(0, valCount(items.length, valFraction))) inVal[i] = true;
  } else {
    const groups = indicesByKey(items, stratifyBy);
    const take = allocate(
      groups.map((g) => g.length),
      valFraction,
      valCount(items.length, valFraction),
      rng,
    );
    groups.forEach((g, c) => {
      for (const i of shuffleInPlace(g.slice(), rng).slice(0, take[c])) inVal[i] = true;
    });
  }

  return partition(items, (i) => inVal[i]);
}

/** Item indices grouped by key, groups in order of first appearance. */
function indicesByKey<T>(items: T[], key: (t: T) => string): number[][] {
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const k = key(item);
    const members = groups.get(k);
    if (members) members.push(i);
    else groups.set(k, [i]);
  });
  return [...groups.values()];
}

/** Items split by index into train and val, each keeping input order. */
function partition<T>(items: T[], isVal: (i: number) => boolean): { train: T[]; val: T[] } {
  const train: T[] = [];
  const val: T[] = [];
  items.forEach((item, i) => (isVal(i) ? val : train).push(item));
  return { train, val };
}

/** Val items per class: floor(size * f) or its ceil, within [lo, hi], summing to `total` as closely as those bounds allow. */
function allocate(sizes: number[], f: number, total: number, rng: () => number): number[] {
  if (f <= 0) return sizes.map(() => 0);
  const lo = sizes.map((m) => (m >= 2 ? 1 : 0));
  const hi = sizes.map((m) => (m >= 2 ? m - 1 : m));
  const take = sizes.map((m, c) => Math.min(hi[c], Math.max(lo[c], Math.floor(m * f))));
  const canGrow = (c: number) => take[c] < Math.min(hi[c], Math.ceil(sizes[c] * f));
  // Largest remainder first; random order among equal remainders so no class is favoured by position.
  const order = shuffleInPlace(sizes.map((_, c) => c), rng).sort((a, b) => sizes[b] * f - take[b] - (sizes[a] * f - take[a]));
  let sum = take.reduce((a, b) => a + b, 0);
  for (const c of order) {
    if (sum >= total) break;
    if (canGrow(c)) {
      take[c]++;
      sum++;
    }
  }
  return take;
}

/**
 * Stratified k-fold cross-validation: every item is held out in exactly one of the k
 * folds. Each class is shuffled (seeded) and dealt round-robin, the deal continuing
 * from class to class, so every fold gets its share of every class (within one) and
 * fold sizes differ by at most one. Items keep their input order within train and val.
 */
export function kFolds<T>(items: T[], k: number, seed: number, stratifyBy: (t: T) => string = () => ''): { train: T[]; val: T[] }[] {
  if (!Number.isInteger(k) || k < 2 || k > items.length) throw new RangeError(`k must be an integer from 2 to the number of items (${items.length}), got ${k}`);
  const rng = mulberry32(seed);
  const foldOf = new Array<number>(items.length);
  let next = 0;
  for (const members of indicesByKey(items, stratifyBy)) {
    for (const i of shuffleInPlace(members.slice(), rng)) {
      foldOf[i] = next;
      next = (next + 1) % k;
    }
  }
  return Array.from({ length: k }, (_, f) => partition(items, (i) => foldOf[i] === f));
}

/** The rows a run trains and validates on: its own validation rows, or `valSplit` of its rows held out (stratified by label for a classifier). */
export function trainValRows(req: Pick<TrainRequest, 'task' | 'train' | 'val' | 'hyperparams'>): { train: Example[]; val: Example[] } {
  const hp = req.hyperparams;
  const stratify = req.task === 'classify' ? (e: Example) => (e.kind === 'labeled' ? e.label : '') : undefined;
  return req.val ? { train: req.train, val: req.val } : splitTrainVal(req.train, hp.valSplit, hp.seed, stratify);
}
