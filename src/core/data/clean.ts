/**
 * The cleaning pipeline: a recipe of toggleable steps run in a fixed order over rows, returning the
 * cleaned rows, a report of counts, and the changes (rows removed, edited or flagged, with reasons)
 * so the app can preview a recipe before accepting it. Pure: the same rows and recipe always give
 * the same result, which is what lets a dataset version be replayed from its parent.
 *
 * Steps, in order, and the fields they touch (see rows.ts for "content"):
 *   normalize  edits content fields: NFKC, whitespace
 *   labels     edits `label`: trim, case, merge map
 *   pii        edits content fields: e-mail, phone, URL, IP -> placeholders
 *   empty      removes rows without content, or without a label when the dataset has labels
 *   length     removes rows whose content is too short or long (characters or tokens)
 *   noise      removes rows whose content is mostly symbols, has long repeats or control characters
 *   exactDup   removes rows with the same content and label as an earlier row
 *   conflicts  flags (or drops) rows with the same content as another row but a different label
 *   nearDup    removes rows whose content is a near duplicate of an earlier row (MinHash + LSH)
 * Redaction runs before deduplication so rows differing only in an address count as duplicates.
 */
import { findNearDuplicates, resolveNearDup, type NearDupParams } from './minhash';
import { noiseReason, type NoiseParams } from './noise';
import { normalizeText, type NormalizeParams } from './normalize';
import { emptyPiiCounts, PII_KINDS, redactPii, type PiiCounts, type PiiKind } from './pii';
import { ticker, type RunOptions } from './progress';
import { contentKey, contentOf, hasContent, mapContent, rowKind, type DataRow } from './rows';

export type CleanStep = 'normalize' | 'labels' | 'pii' | 'empty' | 'length' | 'noise' | 'exactDup' | 'conflicts' | 'nearDup';

export const CLEAN_STEPS: readonly CleanStep[] = ['normalize', 'labels', 'pii', 'empty', 'length', 'noise', 'exactDup', 'conflicts', 'nearDup'];

/** A step runs when its entry is present and not `enabled: false` (so the app can keep parameters of a switched-off step). */
interface Toggle {
  enabled?: boolean;
}

export interface LabelParams {
  trim?: boolean;
  case?: 'keep' | 'lower' | 'upper';
  /** Label -> label it becomes, matched after trim and case ("pos" -> "positive"). */
  merge?: Record<string, string>;
}

export interface CleanRecipe {
  normalize?: Toggle & NormalizeParams;
  labels?: Toggle & LabelParams;
  pii?: Toggle & { kinds?: PiiKind[] };
  /** requireLabel "auto": text rows need a label when any row of the dataset has one. */
  empty?: Toggle & { requireLabel?: 'auto' | 'always' | 'never' };
  length?: Toggle & { unit?: 'chars' | 'tokens'; min?: number; max?: number };
  noise?: Toggle & NoiseParams;
  exactDup?: Toggle;
  /** flag: report only; drop: remove every row of a conflicting group; majority: keep the most common label's rows (drop all on a tie). */
  conflicts?: Toggle & { action?: 'flag' | 'drop' | 'majority' };
  nearDup?: Toggle & NearDupParams;
}

/** Normalise, drop empty rows, redact personal data, remove exact and near duplicates; conflicting labels are reported. */
export const DEFAULT_CLEAN_RECIPE: CleanRecipe = {
  normalize: {},
  pii: {},
  empty: {},
  exactDup: {},
  conflicts: { action: 'flag' },
  nearDup: {},
};

export interface Change {
  step: CleanStep;
  id: number;
  action: 'removed' | 'edited' | 'flagged';
  reason: string;
  /** The row before and (for edits) after the step. */
  before: DataRow;
  after?: DataRow;
  /** The row this one duplicates or conflicts with. */
  relatedId?: number;
}

export interface ConflictGroup {
  text: string;
  /** Label -> rows with it. */
  labels: Record<string, number>;
  ids: number[];
}

export interface CleanReport {
  rowsIn: number;
  rowsOut: number;
  /** Steps that ran, in order. */
  steps: CleanStep[];
  removedByStep: Partial<Record<CleanStep, number>>;
  editedByStep: Partial<Record<CleanStep, number>>;
  piiRedacted: PiiCounts;
  conflicts: { groups: number; rows: number; dropped: number; samples: ConflictGroup[] };
  nearDup?: { clusters: number; threshold: number; bands: number; rowsPerBand: number; candidatesChecked: number };
  millisByStep: Partial<Record<CleanStep, number>>;
}

export interface CleanResult {
  rows: DataRow[];
  report: CleanReport;
  /** At most `maxChangesPerStep` per step; the report has the full counts. */
  changes: Change[];
}

export interface CleanOptions extends RunOptions {
  /** Needed for length limits in tokens (the app passes its tokenizer's count). */
  countTokens?(text: string): number;
  /** Changes kept per step for the preview (default 1000): a million-row edit list would not fit a worker message. */
  maxChangesPerStep?: number;
}

const on = (t: Toggle | undefined): boolean => t !== undefined && t.enabled !== false;

interface Ctx {
  opts: CleanOptions | undefined;
  report: CleanReport;
  changes: Change[];
  kept: Partial<Record<CleanStep, number>>;
}

function record(ctx: Ctx, change: Change): void {
  const n = ctx.kept[change.step] ?? 0;
  if (n >= (ctx.opts?.maxChangesPerStep ?? 1000)) return;
  ctx.kept[change.step] = n + 1;
  ctx.changes.push(change);
}

/** Runs an editing step: `edit` returns the row itself when unchanged, or a new row and a reason. */
function editStep(ctx: Ctx, step: CleanStep, rows: DataRow[], edit: (r: DataRow) => [DataRow, string] | undefined): DataRow[] {
  const t = ticker(ctx.opts, step, rows.length);
  let edited = 0;
  const out = rows.map((r, i) => {
    t.tick(i);
    const e = edit(r);
    if (!e) return r;
    edited++;
    record(ctx, { step, id: r.id, action: 'edited', reason: e[1], before: r, after: e[0] });
    return e[0];
  });
  t.done();
  ctx.report.editedByStep[step] = edited;
  return out;
}

/** Runs a filtering step: `why` returns a reason to remove the row (and the row it relates to), or undefined to keep it. */
function filterStep(ctx: Ctx, step: CleanStep, rows: DataRow[], why: (r: DataRow, i: number) => string | [string, number] | undefined): DataRow[] {
  const t = ticker(ctx.opts, step, rows.length);
  const out: DataRow[] = [];
  rows.forEach((r, i) => {
    t.tick(i);
    const w = why(r, i);
    if (w === undefined) out.push(r);
    else {
      const [reason, relatedId] = typeof w === 'string' ? [w, undefined] : w;
      record(ctx, { step, id: r.id, action: 'removed', reason, before: r, relatedId });
    }
  });
  t.done();
  ctx.report.removedByStep[step] = rows.length - out.length;
  return out;
}

export function normalizeLabel(label: string, p: LabelParams): string {
  let s = label.normalize('NFKC');
  if (p.trim !== false) s = s.trim().replace(/\s+/g, ' ');
  if (p.case === 'lower') s = s.toLowerCase();
  if (p.case === 'upper') s = s.toUpperCase();
  return p.merge?.[s] ?? s;
}

function emptyReason(r: DataRow, needLabel: boolean): string | undefined {
  const blank = (s: string | undefined) => s === undefined || s.trim() === '';
  switch (rowKind(r)) {
    case 'chat':
      return r.messages!.length === 0 ? 'messages are missing or malformed' : !hasContent(r) ? 'no message has text' : undefined;
    case 'prompt':
      return blank(r.prompt) ? 'prompt is empty' : blank(r.completion) ? 'completion is empty' : undefined;
    case 'text':
      return blank(r.text) ? 'text is empty' : needLabel && blank(r.label) ? 'label is missing' : undefined;
  }
}

function conflictStep(ctx: Ctx, rows: DataRow[], action: 'flag' | 'drop' | 'majority'): DataRow[] {
  const groups = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (r.label === undefined) return;
    const k = contentKey(r);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  const drop = new Map<number, [string, number]>();
  const summary = ctx.report.conflicts;
  for (const idx of groups.values()) {
    if (idx.length < 2) continue;
    const labels: Record<string, number> = {};
    for (const i of idx) labels[rows[i].label!] = (labels[rows[i].label!] ?? 0) + 1;
    const counts = Object.entries(labels).sort((a, b) => b[1] - a[1]);
    if (counts.length < 2) continue;
    summary.groups++;
    summary.rows += idx.length;
    if (summary.samples.length < 20) summary.samples.push({ text: contentOf(rows[idx[0]]), labels, ids: idx.map((i) => rows[i].id) });
    const winner = action === 'majority' && counts[0][1] > counts[1][1] ? counts[0][0] : undefined;
    const shown = counts.map(([l, n]) => `"${l}" x${n}`).join(', ');
    const first = rows[idx[0]];
    const firstOther = rows[idx.find((j) => rows[j].label !== first.label)!];
    for (const i of idx) {
      const r = rows[i];
      const other = (r.label === first.label ? firstOther : first).id;
      const reason = `same text with labels ${shown}`;
      if (action === 'flag' || r.label === winner) record(ctx, { step: 'conflicts', id: r.id, action: 'flagged', reason, before: r, relatedId: other });
      else drop.set(i, [reason, other]);
    }
  }
  if (action === 'flag') {
    ctx.report.removedByStep.conflicts = 0;
    return rows;
  }
  const out = filterStep(ctx, 'conflicts', rows, (_, i) => drop.get(i));
  summary.dropped = rows.length - out.length;
  return out;
}

export function cleanRows(input: DataRow[], recipe: CleanRecipe, opts?: CleanOptions): CleanResult {
  const report: CleanReport = {
    rowsIn: input.length,
    rowsOut: 0,
    steps: [],
    removedByStep: {},
    editedByStep: {},
    piiRedacted: emptyPiiCounts(),
    conflicts: { groups: 0, rows: 0, dropped: 0, samples: [] },
    millisByStep: {},
  };
  const ctx: Ctx = { opts, report, changes: [], kept: {} };
  let rows = input;
  for (const step of CLEAN_STEPS) {
    if (!on(recipe[step])) continue;
    const started = performance.now();
    report.steps.push(step);
    rows = runStep(ctx, step, rows, recipe);
    report.millisByStep[step] = Math.round(performance.now() - started);
  }
  report.rowsOut = rows.length;
  return { rows, report, changes: ctx.changes };
}

function runStep(ctx: Ctx, step: CleanStep, rows: DataRow[], recipe: CleanRecipe): DataRow[] {
  switch (step) {
    case 'normalize': {
      const p = recipe.normalize!;
      return editStep(ctx, step, rows, (r) => {
        const out = mapContent(r, (s) => normalizeText(s, p));
        return out === r ? undefined : [out, 'Unicode or whitespace normalised'];
      });
    }
    case 'labels': {
      const p = recipe.labels!;
      return editStep(ctx, step, rows, (r) => {
        if (r.label === undefined) return undefined;
        const label = normalizeLabel(r.label, p);
        return label === r.label ? undefined : [{ ...r, label }, `label "${r.label}" -> "${label}"`];
      });
    }
    case 'pii': {
      const kinds = recipe.pii!.kinds ?? PII_KINDS;
      const totals = ctx.report.piiRedacted;
      return editStep(ctx, step, rows, (r) => {
        const found: Partial<PiiCounts> = {};
        const out = mapContent(r, (s) => {
          const res = redactPii(s, kinds);
          for (const k of PII_KINDS) if (res.counts[k]) found[k] = (found[k] ?? 0) + res.counts[k];
          return res.text;
        });
        if (out === r) return undefined;
        for (const [k, n] of Object.entries(found)) totals[k as PiiKind] += n;
        return [out, `redacted ${Object.entries(found).map(([k, n]) => `${n} ${k}`).join(', ')}`];
      });
    }
    case 'empty': {
      const mode = recipe.empty!.requireLabel ?? 'auto';
      const needLabel = mode === 'always' || (mode === 'auto' && rows.some((r) => r.label !== undefined && r.label.trim() !== ''));
      return filterStep(ctx, step, rows, (r) => emptyReason(r, needLabel));
    }
    case 'length': {
      const { unit = 'chars', min = 0, max = Infinity } = recipe.length!;
      const count = ctx.opts?.countTokens;
      if (unit === 'tokens' && !count) throw new Error('a length limit in tokens needs a tokenizer (countTokens)');
      const name = unit === 'tokens' ? 'tokens' : 'characters';
      return filterStep(ctx, step, rows, (r) => {
        const s = contentOf(r);
        const n = unit === 'tokens' ? count!(s) : s.length;
        if (n < min) return `${n} ${name}, fewer than the minimum ${min}`;
        if (n > max) return `${n} ${name}, more than the maximum ${max}`;
        return undefined;
      });
    }
    case 'noise':
      return filterStep(ctx, step, rows, (r) => noiseReason(contentOf(r), recipe.noise));
    case 'exactDup': {
      const first = new Map<string, number>();
      return filterStep(ctx, step, rows, (r) => {
        const k = `${contentKey(r)}\u0002${r.label ?? ''}`;
        const seen = first.get(k);
        if (seen !== undefined) return [`exact duplicate of row ${seen}`, seen];
        first.set(k, r.id);
        return undefined;
      });
    }
    case 'conflicts':
      return conflictStep(ctx, rows, recipe.conflicts!.action ?? 'flag');
    case 'nearDup': {
      const params = resolveNearDup(recipe.nearDup);
      const found = findNearDuplicates(rows.map(contentOf), params, ctx.opts);
      ctx.report.nearDup = { clusters: found.clusters, threshold: params.threshold, bands: found.bands, rowsPerBand: found.rowsPerBand, candidatesChecked: found.candidatesChecked };
      return filterStep(ctx, step, rows, (r, i) => {
        const keep = found.rep[i];
        if (keep === i) return undefined;
        // The same text under another label is a conflict: left to the conflicts step (which may only flag it).
        if (r.label !== rows[keep].label && contentKey(r) === contentKey(rows[keep])) return undefined;
        const m = found.match[i];
        const kept = m === keep ? '' : `, in the cluster of row ${rows[keep].id}`;
        return [`near duplicate of row ${rows[m].id} (similarity ${found.similarity[i].toFixed(2)})${kept}`, rows[keep].id];
      });
    }
  }
}
