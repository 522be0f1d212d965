/**
 * Helpers for the data explorer, a virtualised table over possibly a million rows: distributions for
 * charts, per-row flags as typed arrays (one byte or int a row, cheap to send from a worker), and a
 * search index that answers a query by scanning precomputed lower-case strings, no per-query work
 * on the rows themselves.
 */
import { findNearDuplicates, type NearDupParams } from './minhash';
import { PII_KINDS, findPii, type PiiKind } from './pii';
import { ticker, type RunOptions } from './progress';
import { contentKey, contentOf, type DataRow, type SplitName } from './rows';

export function labelDistribution(rows: DataRow[]): { labels: { label: string; count: number; fraction: number }[]; unlabeled: number } {
  const counts = new Map<string, number>();
  let unlabeled = 0;
  for (const r of rows) {
    if (r.label === undefined) unlabeled++;
    else counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  }
  const labelled = rows.length - unlabeled;
  const labels = [...counts].map(([label, count]) => ({ label, count, fraction: labelled ? count / labelled : 0 }));
  labels.sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1));
  return { labels, unlabeled };
}

export interface Histogram {
  unit: 'chars' | 'tokens';
  /** bins + 1 edges; bin k counts lengths in [edges[k], edges[k + 1]) (the last bin includes its upper edge). */
  edges: number[];
  counts: number[];
  min: number;
  max: number;
  mean: number;
  median: number;
  p95: number;
}

/** Content lengths in characters, or in tokens given `countTokens`. */
export function lengthHistogram(rows: DataRow[], opts: { bins?: number; countTokens?(text: string): number } = {}): Histogram {
  const bins = opts.bins ?? 20;
  const lengths = Float64Array.from(rows, (r) => (opts.countTokens ? opts.countTokens(contentOf(r)) : contentOf(r).length)).sort();
  const unit = opts.countTokens ? 'tokens' : 'chars';
  if (lengths.length === 0) return { unit, edges: [0, 0], counts: [0], min: 0, max: 0, mean: 0, median: 0, p95: 0 };
  const min = lengths[0];
  const max = lengths[lengths.length - 1];
  const width = Math.max(1, Math.ceil((max - min + 1) / bins));
  const edges = Array.from({ length: bins + 1 }, (_, k) => min + k * width);
  const counts = new Array<number>(bins).fill(0);
  let sum = 0;
  for (const n of lengths) {
    counts[Math.min(bins - 1, Math.floor((n - min) / width))]++;
    sum += n;
  }
  const at = (q: number) => lengths[Math.min(lengths.length - 1, Math.floor(q * lengths.length))];
  return { unit, edges, counts, min, max, mean: sum / lengths.length, median: at(0.5), p95: at(0.95) };
}

export interface RowFlags {
  /** Index (into rows) of the first row of the row's near-duplicate cluster, or -1 when it has none. */
  cluster: Int32Array;
  /** Bit k set: PII_KINDS[k] is present. */
  pii: Uint8Array;
  /** 1 when another row has the same content and a different label. */
  conflict: Uint8Array;
}

export const piiKindsOf = (mask: number): PiiKind[] => PII_KINDS.filter((_, k) => mask & (1 << k));

export function rowFlags(rows: DataRow[], opts: RunOptions & { nearDup?: NearDupParams | false } = {}): RowFlags {
  const n = rows.length;
  const cluster = new Int32Array(n).fill(-1);
  if (opts.nearDup !== false) {
    const found = findNearDuplicates(rows.map(contentOf), opts.nearDup ?? {}, opts);
    for (let i = 0; i < n; i++) if (found.rep[i] !== i) cluster[i] = cluster[found.rep[i]] = found.rep[i];
  }
  const pii = new Uint8Array(n);
  const t = ticker(opts, 'flags', n);
  // First label seen per content, and the contents seen with a second label: no Set per row.
  const firstLabel = new Map<string, string>();
  const conflicting = new Set<string>();
  for (let i = 0; i < n; i++) {
    t.tick(i);
    for (const kind of findPii(contentOf(rows[i]))) pii[i] |= 1 << PII_KINDS.indexOf(kind);
    const r = rows[i];
    if (r.label === undefined) continue;
    const k = contentKey(r);
    const seen = firstLabel.get(k);
    if (seen === undefined) firstLabel.set(k, r.label);
    else if (seen !== r.label) conflicting.add(k);
  }
  t.done();
  const conflict = Uint8Array.from(rows, (r) => (r.label !== undefined && conflicting.has(contentKey(r)) ? 1 : 0));
  return { cluster, pii, conflict };
}

export interface RowFilter {
  /** Words that must all appear in the content (case-insensitive substrings). */
  query?: string;
  labels?: string[];
  split?: SplitName;
  augmented?: boolean;
  minChars?: number;
  maxChars?: number;
  /** Only rows with these flags (needs `flags`). */
  nearDuplicate?: boolean;
  pii?: boolean;
  conflict?: boolean;
}

export interface SearchIndex {
  rows: DataRow[];
  lower: string[];
  lengths: Int32Array;
}

/** Lower-cased content of every row, built once (in the worker) and reused for every keystroke. */
export function buildSearchIndex(rows: DataRow[], opts?: RunOptions): SearchIndex {
  const t = ticker(opts, 'index', rows.length);
  const lower = rows.map((r, i) => {
    t.tick(i);
    return contentOf(r).toLowerCase();
  });
  t.done();
  return { rows, lower, lengths: Int32Array.from(rows, (r) => contentOf(r).length) };
}

/** Indices of the rows matching every given condition, in row order. */
export function filterRows(index: SearchIndex, filter: RowFilter, flags?: RowFlags): Int32Array {
  const words = (filter.query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const labels = filter.labels ? new Set(filter.labels) : undefined;
  const { rows, lower, lengths } = index;
  const out = new Int32Array(rows.length);
  let k = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (labels && (r.label === undefined || !labels.has(r.label))) continue;
    if (filter.split !== undefined && r.split !== filter.split) continue;
    if (filter.augmented !== undefined && (r.augmented === true) !== filter.augmented) continue;
    if (filter.minChars !== undefined && lengths[i] < filter.minChars) continue;
    if (filter.maxChars !== undefined && lengths[i] > filter.maxChars) continue;
    if (flags && filter.nearDuplicate !== undefined && (flags.cluster[i] >= 0) !== filter.nearDuplicate) continue;
    if (flags && filter.pii !== undefined && (flags.pii[i] !== 0) !== filter.pii) continue;
    if (flags && filter.conflict !== undefined && (flags.conflict[i] === 1) !== filter.conflict) continue;
    if (words.every((w) => lower[i].includes(w))) out[k++] = i;
  }
  return out.slice(0, k);
}
