/**
 * Train / validation / test splits over rows: seeded, stratified by label for classification, and
 * group-aware: near duplicates (one MinHash cluster) always land in the same split, or a model would
 * be scored on rows it has all but seen. Augmented rows follow their source into train, and are
 * dropped when the source is held out: a variant of a test row in train is a leak.
 *
 * Built on splitTrainVal (split.ts), applied to clusters instead of rows: first the test share is held
 * out, then the validation share of what remains. Fractions therefore count clusters, which equal rows
 * when there are no near duplicates.
 */
import { findNearDuplicates, type NearDupParams } from './minhash';
import type { RunOptions } from './progress';
import { contentOf, type DataRow, type SplitName } from './rows';
import { splitTrainVal } from './split';

export interface SplitParams {
  validation?: number;
  test?: number;
  seed?: number;
  /** Keep each label's share in every split (default: when rows have labels). */
  stratify?: boolean;
  /** Keep near duplicates in one split (default true); parameters for the search, or false to split rows independently. */
  groupNearDuplicates?: boolean | NearDupParams;
}

export const DEFAULT_SPLIT: Required<Omit<SplitParams, 'stratify'>> = { validation: 0.1, test: 0.1, seed: 42, groupNearDuplicates: true };

export interface SplitReport {
  rows: Record<SplitName, number>;
  /** Clusters of two or more near duplicates that were kept together. */
  groupsKeptTogether: number;
  /** Augmented rows whose source is in validation or test. */
  augmentedDropped: number;
  /** Rows per label per split, when stratified. */
  byLabel?: Record<string, Record<SplitName, number>>;
}

export interface SplitResult {
  train: DataRow[];
  validation: DataRow[];
  test: DataRow[];
  report: SplitReport;
}

export function splitRows(rows: DataRow[], params: SplitParams = {}, opts?: RunOptions): SplitResult {
  const { validation, test, seed, groupNearDuplicates } = { ...DEFAULT_SPLIT, ...params };
  if (!(validation >= 0 && test >= 0 && validation + test < 1)) throw new RangeError(`validation (${validation}) and test (${test}) must be >= 0 and add up to less than 1`);
  const originals = rows.filter((r) => !r.augmented);
  const stratify = params.stratify ?? originals.some((r) => r.label !== undefined);

  // Groups of row indices into `originals`, in order of their first row.
  let groups: number[][];
  if (groupNearDuplicates === false) groups = originals.map((_, i) => [i]);
  else {
    const found = findNearDuplicates(originals.map(contentOf), groupNearDuplicates === true ? {} : groupNearDuplicates, opts);
    const members = new Map<number, number[]>();
    found.rep.forEach((rep, i) => {
      const g = members.get(rep);
      if (g) g.push(i);
      else members.set(rep, [i]);
    });
    groups = [...members.values()];
  }
  const key = stratify ? (g: number[]) => originals[g[0]].label ?? '' : undefined;
  const held = splitTrainVal(groups, test, seed, key);
  const rest = splitTrainVal(held.train, validation / (1 - test), seed + 1, key);

  const where = new Array<SplitName>(originals.length);
  const mark = (gs: number[][], name: SplitName) => gs.forEach((g) => g.forEach((i) => (where[i] = name)));
  mark(rest.train, 'train');
  mark(rest.val, 'validation');
  mark(held.val, 'test');

  const out: SplitResult = { train: [], validation: [], test: [], report: { rows: { train: 0, validation: 0, test: 0 }, groupsKeptTogether: groups.filter((g) => g.length > 1).length, augmentedDropped: 0 } };
  const splitOf = new Map<number, SplitName>();
  originals.forEach((r, i) => {
    splitOf.set(r.id, where[i]);
    out[where[i]].push({ ...r, split: where[i] });
  });
  for (const r of rows) {
    if (!r.augmented) continue;
    // A source missing from these rows cannot be held out here, so its variants may train.
    const s = r.sourceId === undefined ? 'train' : (splitOf.get(r.sourceId) ?? 'train');
    if (s === 'train') out.train.push({ ...r, split: 'train' });
    else out.report.augmentedDropped++;
  }
  for (const name of ['train', 'validation', 'test'] as const) out.report.rows[name] = out[name].length;
  if (stratify) {
    const byLabel: Record<string, Record<SplitName, number>> = {};
    for (const name of ['train', 'validation', 'test'] as const)
      for (const r of out[name]) (byLabel[r.label ?? ''] ??= { train: 0, validation: 0, test: 0 })[name]++;
    out.report.byLabel = byLabel;
  }
  return out;
}
