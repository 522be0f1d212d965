/**
 * Dataset versions: a version is its parent plus a recipe (clean, then split, then augment the train
 * rows), so it can be rebuilt from the parent at any time and only the recipe needs keeping.
 * `applyRecipe` is deterministic (every random choice is seeded from the recipe), which is what
 * makes that true. Storing versions (Dexie) is the app's job; this file stays pure.
 */
import { augmentRows, type AugmentOptions, type AugmentRecipe, type AugmentReport } from './augment';
import { cleanRows, type Change, type CleanOptions, type CleanRecipe, type CleanReport } from './clean';
import { contentKey, contentOf, rowKind, type DataRow, type RowKind, type SplitName } from './rows';
import { splitRows, type SplitParams, type SplitReport } from './splits';

export interface DataRecipe {
  clean?: CleanRecipe;
  split?: SplitParams;
  /** Applied after the split, to train rows only. */
  augment?: { recipe: AugmentRecipe; seed: number };
}

export interface DatasetStats {
  rows: number;
  augmented: number;
  kinds: Partial<Record<RowKind, number>>;
  labels: Record<string, number>;
  splits: Partial<Record<SplitName, number>>;
  meanChars: number;
}

export interface DatasetVersion {
  id: string;
  parentId: string | null;
  recipe: DataRecipe;
  createdAt: number;
  rowCount: number;
  stats: DatasetStats;
}

export interface ApplyResult {
  rows: DataRow[];
  reports: { clean?: CleanReport; split?: SplitReport; augment?: AugmentReport };
  /** The cleaning preview (see cleanRows). */
  changes: Change[];
}

export type ApplyOptions = CleanOptions & Pick<AugmentOptions, 'synonyms'>;

/** Rebuilds a version's rows from its parent's rows. */
export function applyRecipe(parentRows: DataRow[], recipe: DataRecipe, opts?: ApplyOptions): ApplyResult {
  let rows = parentRows;
  const reports: ApplyResult['reports'] = {};
  let changes: Change[] = [];
  if (recipe.clean) {
    const c = cleanRows(rows, recipe.clean, opts);
    rows = c.rows;
    reports.clean = c.report;
    changes = c.changes;
  }
  if (recipe.split) {
    const s = splitRows(rows, recipe.split, opts);
    rows = [...s.train, ...s.validation, ...s.test];
    reports.split = s.report;
  }
  if (recipe.augment) {
    // augmentRows only draws from train (or unsplit) rows, so held-out rows never get variants.
    const a = augmentRows(rows, recipe.augment.recipe, recipe.augment.seed, opts);
    rows = a.rows;
    reports.augment = a.report;
  }
  return { rows, reports, changes };
}

export function datasetStats(rows: DataRow[]): DatasetStats {
  const stats: DatasetStats = { rows: rows.length, augmented: 0, kinds: {}, labels: {}, splits: {}, meanChars: 0 };
  let chars = 0;
  for (const r of rows) {
    if (r.augmented) stats.augmented++;
    const kind = rowKind(r);
    stats.kinds[kind] = (stats.kinds[kind] ?? 0) + 1;
    if (r.label !== undefined) stats.labels[r.label] = (stats.labels[r.label] ?? 0) + 1;
    if (r.split !== undefined) stats.splits[r.split] = (stats.splits[r.split] ?? 0) + 1;
    chars += contentOf(r).length;
  }
  stats.meanChars = rows.length ? chars / rows.length : 0;
  return stats;
}

/**
 * A child version of `parent` (null for the first version, whose rows are the import): applies the
 * recipe and describes the result. The caller supplies the id and time, keeping this function pure.
 */
export function createVersion(
  parent: Pick<DatasetVersion, 'id'> | null,
  parentRows: DataRow[],
  recipe: DataRecipe,
  meta: { id: string; createdAt: number },
  opts?: ApplyOptions,
): { version: DatasetVersion } & ApplyResult {
  const applied = applyRecipe(parentRows, recipe, opts);
  const version: DatasetVersion = { id: meta.id, parentId: parent?.id ?? null, recipe, createdAt: meta.createdAt, rowCount: applied.rows.length, stats: datasetStats(applied.rows) };
  return { version, ...applied };
}

export interface VersionDiff {
  added: number;
  removed: number;
  /** Same id, different content or label. */
  edited: number;
  /** Same id and content, another split. */
  moved: number;
  unchanged: number;
  samples: { added: DataRow[]; removed: DataRow[]; edited: { before: DataRow; after: DataRow }[] };
}

/** What changed from parent to child, by row id, with a few samples of each kind of change. */
export function diffVersions(parentRows: DataRow[], childRows: DataRow[], opts: { samples?: number } = {}): VersionDiff {
  const max = opts.samples ?? 5;
  const before = new Map(parentRows.map((r) => [r.id, r]));
  const diff: VersionDiff = { added: 0, removed: 0, edited: 0, moved: 0, unchanged: 0, samples: { added: [], removed: [], edited: [] } };
  const seen = new Set<number>();
  for (const r of childRows) {
    seen.add(r.id);
    const old = before.get(r.id);
    if (!old) {
      diff.added++;
      if (diff.samples.added.length < max) diff.samples.added.push(r);
    } else if (contentKey(old) !== contentKey(r) || old.label !== r.label) {
      diff.edited++;
      if (diff.samples.edited.length < max) diff.samples.edited.push({ before: old, after: r });
    } else if (old.split !== r.split) diff.moved++;
    else diff.unchanged++;
  }
  for (const r of parentRows) {
    if (seen.has(r.id)) continue;
    diff.removed++;
    if (diff.samples.removed.length < max) diff.samples.removed.push(r);
  }
  return diff;
}
