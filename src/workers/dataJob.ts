/**
 * The data studio's engine side: holds one dataset version's rows (the imported rows, or a stored
 * version), answers the explorer (filters, windows of rows, charts) and runs clean / augment / split
 * previews and applies them as new versions. data.worker.ts exposes it in a worker; dataClient.ts
 * also runs it in-process for Node tests. Every long call polls a cancel flag (an Int32Array the page
 * shares with the worker) and reports progress through a callback.
 */
import type { AugmentRecipe, AugmentReport } from '../core/data/augment';
import type { Change, CleanRecipe, CleanReport } from '../core/data/clean';
import { buildSearchIndex, filterRows, labelDistribution, lengthHistogram, piiKindsOf, rowFlags, type Histogram, type RowFilter, type RowFlags, type SearchIndex } from '../core/data/explore';
import type { PiiKind } from '../core/data/pii';
import { CancelledError } from '../core/data/progress';
import { contentOf, rowKind, rowsFromRecords, type DataRow, type RowKind, type SplitName } from '../core/data/rows';
import type { SplitParams, SplitReport } from '../core/data/splits';
import { applyRecipe, datasetStats, diffVersions, type ApplyResult, type DataRecipe, type VersionDiff } from '../core/data/versions';
import type { Schema } from '../core/data/detect';
import { getDataset, loadRows } from '../storage/datasets';
import type { StudioDb, VersionRecord } from '../storage/db';
import { getVersion, loadVersionRows, saveVersion } from '../storage/versions';
import { augmentPlan, cleanPlan, OPEN_PLAN, planOptions, splitPlan, stageLabel, type JobProgress } from './dataProgress';
import { toTravellingError, type Outcome } from './errors';

export type { JobProgress } from './dataProgress';

/** Changes per step sent to the page for a preview: enough to read, small enough to send. */
export const PREVIEW_CHANGES_PER_STEP = 200;
/** Characters of a row's content shown in the explorer table. */
const VIEW_CHARS = 300;
export const AUGMENT_SAMPLES = 60;

export interface ExplorerView {
  /** Rows matching the filter. */
  total: number;
  labels: { label: string; count: number }[];
  unlabeled: number;
  histogram: Histogram;
}

export interface OpenResult {
  datasetId: number;
  versionId: number | null;
  rowCount: number;
  kinds: Partial<Record<RowKind, number>>;
  labels: string[];
  splits: Partial<Record<SplitName, number>>;
  counts: { duplicates: number; pii: number; conflicts: number; augmented: number };
  view: ExplorerView;
}

/** One row as the explorer table shows it. */
export interface ViewRow {
  /** Position in the version's rows. */
  index: number;
  id: number;
  kind: RowKind;
  text: string;
  label?: string;
  split?: SplitName;
  augmented?: boolean;
  sourceId?: number;
  /** Id of the first row of the row's near-duplicate group, when this row is a later member. */
  duplicateOf?: number;
  /** The first row of a group that has near duplicates. */
  hasDuplicates?: boolean;
  pii: PiiKind[];
  conflict: boolean;
}

export interface CleanPreview {
  report: CleanReport;
  changes: Change[];
}

export interface AugmentSample {
  id: number;
  sourceId: number;
  label?: string;
  source: string;
  variant: string;
}

export interface AugmentPreview {
  report: AugmentReport;
  samples: AugmentSample[];
}

export interface SplitPreview {
  report: SplitReport;
}

export interface ReproduceResult {
  versionId: number;
  rowCount: number;
  /** The recipe rebuilt exactly the stored rows (same ids, content, labels, splits and order). */
  identical: boolean;
  diff: Pick<VersionDiff, 'added' | 'removed' | 'edited' | 'moved'>;
}

type OnProgress = ((p: JobProgress) => void) | undefined;

interface Opened {
  datasetId: number;
  versionId: number | null;
  rows: DataRow[];
  index: SearchIndex;
  flags: RowFlags;
  matches: Int32Array;
}

const trim = (s: string) => (s.length > VIEW_CHARS ? `${s.slice(0, VIEW_CHARS)}…` : s);

/** Rows of a dataset as imported (mapped with `schema`), or of a stored version. */
async function rowsOf(db: StudioDb, datasetId: number, versionId: number | null, schema?: Schema): Promise<{ rows: DataRow[]; schema: Schema }> {
  const dataset = await getDataset(db, datasetId);
  if (!dataset) throw Object.assign(new Error('The dataset no longer exists.'), { name: 'no-dataset' });
  if (versionId !== null) return { rows: await loadVersionRows(db, versionId), schema: dataset.schema };
  const stored = await loadRows(db, datasetId);
  const s = schema ?? dataset.schema;
  return { rows: rowsFromRecords(stored.rows, s, stored.rowNumbers), schema: s };
}

/** Rows of a version's parent, mapped as they were when the version was made. */
async function parentRows(db: StudioDb, v: VersionRecord): Promise<DataRow[]> {
  return (await rowsOf(db, v.datasetId, v.parentId, v.schema)).rows;
}

function view(o: Opened): ExplorerView {
  const rows = Array.from(o.matches, (i) => o.rows[i]);
  const { labels, unlabeled } = labelDistribution(rows);
  return { total: rows.length, labels: labels.map(({ label, count }) => ({ label, count })), unlabeled, histogram: lengthHistogram(rows, { bins: 24 }) };
}

export function createDataApi(getDb: () => StudioDb) {
  let cancelFlag: Int32Array<ArrayBufferLike> = new Int32Array(1);
  let opened: Opened | null = null;
  // The last preview's result, so "Apply" right after "Preview" does not compute it again.
  let cached: { key: string; result: ApplyResult } | null = null;
  // The rows of the version applied last, so opening it does not read them back.
  let applied: { versionId: number; rows: DataRow[] } | null = null;

  const cancelled = () => Atomics.load(cancelFlag, 0) === 1;

  /** Runs a job: clears the cancel flag first, and turns any error into a travelling one. */
  async function job<T>(run: () => Promise<T> | T): Promise<Outcome<T>> {
    Atomics.store(cancelFlag, 0, 0);
    try {
      return { ok: true, value: await run() };
    } catch (e) {
      if (e instanceof CancelledError) return { ok: false, error: { code: 'cancelled', message: 'Cancelled. Nothing was changed.' } };
      return { ok: false, error: toTravellingError(e) };
    }
  }

  function need(): Opened {
    if (!opened) throw new Error('No dataset is open in the data studio.');
    return opened;
  }

  const keyOf = (o: Opened, recipe: DataRecipe) => JSON.stringify([o.datasetId, o.versionId, o.rows.length, recipe]);

  function run(recipe: DataRecipe, plan: ReturnType<typeof cleanPlan>, onProgress: OnProgress, maxChangesPerStep?: number): ApplyResult {
    const o = need();
    const key = keyOf(o, recipe);
    if (cached?.key === key) return cached.result;
    const opts = planOptions(plan, onProgress, cancelled);
    const result = applyRecipe(o.rows, recipe, { ...opts, maxChangesPerStep });
    opts.report(plan[plan.length - 1][0], 1);
    cached = { key, result };
    return result;
  }

  return {
    /** The page's side of the cancel flag (a SharedArrayBuffer when the page is cross-origin isolated). */
    setCancelFlag(flag: Int32Array<ArrayBufferLike>): void {
      cancelFlag = flag;
    },

    open(datasetId: number, versionId: number | null, onProgress?: OnProgress): Promise<Outcome<OpenResult>> {
      return job(async () => {
        const opts = planOptions(OPEN_PLAN, onProgress, cancelled);
        opts.report('loading', 0);
        const rows = applied && applied.versionId === versionId ? applied.rows : (await rowsOf(getDb(), datasetId, versionId)).rows;
        opts.report('loading', 1);
        const index = buildSearchIndex(rows, opts);
        const flags = rowFlags(rows, opts);
        opened = { datasetId, versionId, rows, index, flags, matches: Int32Array.from(rows, (_, i) => i) };
        cached = null;
        const stats = datasetStats(rows);
        let duplicates = 0;
        let pii = 0;
        let conflicts = 0;
        for (let i = 0; i < rows.length; i++) {
          if (flags.cluster[i] >= 0 && flags.cluster[i] !== i) duplicates++;
          if (flags.pii[i]) pii++;
          if (flags.conflict[i]) conflicts++;
        }
        return {
          datasetId,
          versionId,
          rowCount: rows.length,
          kinds: stats.kinds,
          labels: Object.keys(stats.labels).sort(),
          splits: stats.splits,
          counts: { duplicates, pii, conflicts, augmented: stats.augmented },
          view: view(opened),
        };
      });
    },

    query(filter: RowFilter): Promise<Outcome<ExplorerView>> {
      return job(() => {
        const o = need();
        o.matches = filterRows(o.index, filter, o.flags);
        return view(o);
      });
    },

    /** Rows `start`..`start + count` of the current filter's matches. */
    window(start: number, count: number): Promise<Outcome<ViewRow[]>> {
      return job(() => {
        const o = need();
        const out: ViewRow[] = [];
        for (let k = Math.max(0, start); k < Math.min(o.matches.length, start + count); k++) {
          const i = o.matches[k];
          const r = o.rows[i];
          const c = o.flags.cluster[i];
          out.push({
            index: i,
            id: r.id,
            kind: rowKind(r),
            text: trim(rowKind(r) === 'prompt' ? `${r.prompt ?? ''} → ${r.completion ?? ''}` : contentOf(r)),
            label: r.label,
            split: r.split,
            augmented: r.augmented,
            sourceId: r.sourceId,
            duplicateOf: c >= 0 && c !== i ? o.rows[c].id : undefined,
            hasDuplicates: c === i || undefined,
            pii: piiKindsOf(o.flags.pii[i]),
            conflict: o.flags.conflict[i] === 1,
          });
        }
        return out;
      });
    },

    previewClean(recipe: CleanRecipe, onProgress?: OnProgress): Promise<Outcome<CleanPreview>> {
      return job(() => {
        const r = run({ clean: recipe }, cleanPlan(recipe), onProgress, PREVIEW_CHANGES_PER_STEP);
        return { report: r.reports.clean!, changes: r.changes };
      });
    },

    previewAugment(recipe: AugmentRecipe, seed: number, onProgress?: OnProgress): Promise<Outcome<AugmentPreview>> {
      return job(() => {
        const r = run({ augment: { recipe, seed } }, augmentPlan(recipe), onProgress);
        const byId = new Map(need().rows.map((row) => [row.id, row]));
        const samples: AugmentSample[] = [];
        for (const row of r.rows) {
          if (samples.length >= AUGMENT_SAMPLES) break;
          if (!row.augmented || row.sourceId === undefined || byId.get(row.id) === row) continue;
          const source = byId.get(row.sourceId);
          if (source) samples.push({ id: row.id, sourceId: row.sourceId, label: row.label, source: contentOf(source), variant: contentOf(row) });
        }
        return { report: r.reports.augment!, samples };
      });
    },

    previewSplit(params: SplitParams, onProgress?: OnProgress): Promise<Outcome<SplitPreview>> {
      return job(() => ({ report: run({ split: params }, splitPlan(params), onProgress).reports.split! }));
    },

    /** Applies the recipe to the open version's rows and stores the result as its child. */
    apply(recipe: DataRecipe, onProgress?: OnProgress): Promise<Outcome<VersionRecord>> {
      return job(async () => {
        const o = need();
        const plan = recipe.clean ? cleanPlan(recipe.clean) : recipe.split ? splitPlan(recipe.split) : augmentPlan(recipe.augment?.recipe ?? {});
        // Computing is the first 90% of the bar, saving the rest.
        const result = run(recipe, plan, onProgress && ((p) => onProgress({ ...p, fraction: p.fraction * 0.9 })), 0);
        const db = getDb();
        const dataset = await getDataset(db, o.datasetId);
        const parent = o.versionId === null ? null : await getVersion(db, o.versionId);
        const schema = parent?.schema ?? dataset?.schema;
        if (!schema) throw new Error('The dataset no longer exists.');
        const version = await saveVersion(
          db,
          { datasetId: o.datasetId, parentId: o.versionId, recipe, schema, createdAt: Date.now(), stats: datasetStats(result.rows) },
          result.rows,
          (f) => onProgress?.({ fraction: 0.9 + 0.1 * f, label: stageLabel('storing') }),
        );
        applied = { versionId: version.id, rows: result.rows };
        return version;
      });
    },

    /** What changed from a version's parent to the version. */
    diff(versionId: number, samples = 6): Promise<Outcome<VersionDiff>> {
      return job(async () => {
        const db = getDb();
        const v = await getVersion(db, versionId);
        if (!v) throw new Error('That version no longer exists.');
        return diffVersions(await parentRows(db, v), await loadVersionRows(db, versionId), { samples });
      });
    },

    /** Rebuilds a version from its parent and its recipe, and checks the result against the stored rows. */
    reproduce(versionId: number, onProgress?: OnProgress): Promise<Outcome<ReproduceResult>> {
      return job(async () => {
        const db = getDb();
        const v = await getVersion(db, versionId);
        if (!v) throw new Error('That version no longer exists.');
        const plan = [...(v.recipe.clean ? cleanPlan(v.recipe.clean) : []), ...(v.recipe.split ? splitPlan(v.recipe.split) : []), ...(v.recipe.augment ? augmentPlan(v.recipe.augment.recipe) : [])];
        const opts = planOptions(plan.length ? plan : [['augment', 1]], onProgress, cancelled);
        const rebuilt = applyRecipe(await parentRows(db, v), v.recipe, { ...opts, maxChangesPerStep: 0 }).rows;
        const stored = await loadVersionRows(db, versionId);
        const d = diffVersions(stored, rebuilt, { samples: 0 });
        const sameOrder = rebuilt.length === stored.length && rebuilt.every((r, i) => r.id === stored[i].id);
        const identical = sameOrder && d.added + d.removed + d.edited + d.moved === 0;
        return { versionId, rowCount: rebuilt.length, identical, diff: { added: d.added, removed: d.removed, edited: d.edited, moved: d.moved } };
      });
    },
  };
}

export type DataApi = ReturnType<typeof createDataApi>;
