/**
 * The data studio's CLI commands, `clean` and `augment`: read a dataset file, run the same core
 * functions the app runs in its worker, write the result in the format of --out's extension and
 * print the report as JSON. cli.ts owns argument parsing and error printing; this file owns the
 * data options and their mapping to recipes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { augmentRows, type AugmentRecipe } from './core/data/augment';
import { cleanRows, type CleanRecipe } from './core/data/clean';
import { detectSchema, overrideSchema } from './core/data/detect';
import { labelDistribution } from './core/data/explore';
import { readDataset } from './core/data/parquet';
import { formatRows, rowsFromRecords, type DataRow, type OutputFormat } from './core/data/rows';

export const DATA_OPTIONS = {
  'no-normalize': { type: 'boolean' },
  'no-empty': { type: 'boolean' },
  'no-dedupe': { type: 'boolean' },
  'no-near-dedupe': { type: 'boolean' },
  'near-dup-threshold': { type: 'string' },
  shingle: { type: 'string' },
  'min-chars': { type: 'string' },
  'max-chars': { type: 'string' },
  noise: { type: 'boolean' },
  'no-pii': { type: 'boolean' },
  'drop-conflicts': { type: 'boolean' },
  'label-case': { type: 'string' },
  'merge-labels': { type: 'string' },
  changes: { type: 'string' },
  variants: { type: 'string' },
  synonyms: { type: 'boolean' },
  eda: { type: 'boolean' },
  typos: { type: 'boolean' },
  case: { type: 'boolean' },
  punctuation: { type: 'boolean' },
  templates: { type: 'boolean' },
  balance: { type: 'boolean' },
} as const;

export const DATA_USAGE = `  clean    --data FILE --out FILE(.csv|.tsv|.jsonl|.json) [--no-normalize] [--no-empty] [--no-pii] [--no-dedupe]
           [--no-near-dedupe] [--near-dup-threshold 0.8] [--shingle char|word] [--min-chars N] [--max-chars N] [--noise]
           [--drop-conflicts] [--label-case lower|upper] [--merge-labels from=to,...] [--changes FILE.jsonl]
           [--text-column C] [--label-column C]
  augment  --data FILE --out FILE [--variants N] [--seed N] [--synonyms] [--eda] [--typos] [--case] [--punctuation]
           [--templates] [--balance]   (no operation named: --eda; augment the training file only)`;

/** Parsed CLI values (cli.ts owns the full typed set). */
type Values = Record<string, string | boolean | string[] | undefined>;

class DataCliError extends Error {}

function num(v: Values, key: string, fallback: number, ok: (n: number) => boolean): number {
  const x = v[key];
  if (x === undefined) return fallback;
  const n = Number(x);
  if (!Number.isFinite(n) || !ok(n)) throw new DataCliError(`--${key} must be a valid number, got "${String(x)}"`);
  return n;
}

const OUT_FORMATS: Record<string, OutputFormat> = { '.csv': 'csv', '.tsv': 'tsv', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'json' };

function outFormat(v: Values): { out: string; format: OutputFormat } {
  const out = v.out;
  if (typeof out !== 'string' || out === '') throw new DataCliError('--out is required');
  const format = OUT_FORMATS[extname(out).toLowerCase()];
  if (!format) throw new DataCliError(`--out ${out}: the extension must be .csv, .tsv, .jsonl or .json`);
  return { out, format };
}

async function readRows(v: Values): Promise<{ rows: DataRow[]; kind: string }> {
  const file = v.data;
  if (typeof file !== 'string' || file === '') throw new DataCliError('--data is required');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch {
    throw new DataCliError(`--data ${file} cannot be read`);
  }
  const name = basename(file);
  const parsed = await readDataset(bytes, name);
  const choice = { text: v['text-column'] as string | undefined, label: v['label-column'] as string | undefined };
  const schema = overrideSchema(detectSchema(parsed.columns, parsed.rows, { file: name }), parsed.columns, choice, { file: name });
  return { rows: rowsFromRecords(parsed.rows, schema, parsed.rowNumbers), kind: schema.kind };
}

function mergeMap(spec: string | undefined): Record<string, string> | undefined {
  if (spec === undefined) return undefined;
  return Object.fromEntries(
    spec.split(',').filter(Boolean).map((pair) => {
      const [from, to] = pair.split('=');
      if (!from || to === undefined) throw new DataCliError(`--merge-labels takes from=to pairs separated by commas, got "${pair}"`);
      return [from.trim(), to.trim()];
    }),
  );
}

/** CLI flags -> recipe; with no flags this is DEFAULT_CLEAN_RECIPE. */
export function cleanRecipeFrom(v: Values): CleanRecipe {
  const recipe: CleanRecipe = {};
  if (!v['no-normalize']) recipe.normalize = {};
  const labelCase = v['label-case'];
  if (labelCase !== undefined && labelCase !== 'lower' && labelCase !== 'upper') throw new DataCliError(`--label-case must be lower or upper, got "${String(labelCase)}"`);
  const merge = mergeMap(v['merge-labels'] as string | undefined);
  if (labelCase !== undefined || merge) recipe.labels = { case: labelCase, merge };
  if (!v['no-pii']) recipe.pii = {};
  if (!v['no-empty']) recipe.empty = {};
  if (v['min-chars'] !== undefined || v['max-chars'] !== undefined) {
    recipe.length = { min: num(v, 'min-chars', 0, (n) => n >= 0), max: num(v, 'max-chars', Infinity, (n) => n > 0) };
  }
  if (v.noise) recipe.noise = {};
  if (!v['no-dedupe']) recipe.exactDup = {};
  recipe.conflicts = { action: v['drop-conflicts'] ? 'drop' : 'flag' };
  if (!v['no-near-dedupe']) {
    const shingle = v.shingle ?? 'char';
    if (shingle !== 'char' && shingle !== 'word') throw new DataCliError(`--shingle must be char or word, got "${String(shingle)}"`);
    recipe.nearDup = { threshold: num(v, 'near-dup-threshold', 0.8, (n) => n > 0 && n <= 1), shingle };
  }
  return recipe;
}

async function cmdClean(v: Values): Promise<void> {
  const { out, format } = outFormat(v);
  const { rows, kind } = await readRows(v);
  const { rows: cleaned, report, changes } = cleanRows(rows, cleanRecipeFrom(v), { maxChangesPerStep: typeof v.changes === 'string' ? Infinity : 1000 });
  writeFileSync(out, formatRows(cleaned, format));
  if (typeof v.changes === 'string') writeFileSync(v.changes, changes.map((c) => JSON.stringify(c)).join('\n') + (changes.length ? '\n' : ''));
  const { millisByStep: _timing, ...rest } = report;
  print({ data: v.data, out, kind, ...rest, conflicts: { ...report.conflicts, samples: report.conflicts.samples.slice(0, 5) } });
}

/** CLI flags -> recipe; with no operation named, EDA's four word operations. */
export function augmentRecipeFrom(v: Values): AugmentRecipe {
  const recipe: AugmentRecipe = { variantsPerRow: num(v, 'variants', 1, (n) => Number.isInteger(n) && n >= 0) };
  if (v.synonyms || v.eda) recipe.synonyms = {};
  if (v.eda) Object.assign(recipe, { insertion: {}, swap: {}, deletion: {} });
  if (v.typos) recipe.typos = {};
  if (v.case) recipe.casing = {};
  if (v.punctuation) recipe.punctuation = {};
  if (v.templates) recipe.templates = {};
  const anyOp = ['synonyms', 'eda', 'typos', 'case', 'punctuation', 'templates'].some((k) => v[k]);
  if (!anyOp && !v.balance) Object.assign(recipe, { synonyms: {}, insertion: {}, swap: {}, deletion: {} });
  if (v.balance) recipe.balance = {};
  return recipe;
}

async function cmdAugment(v: Values): Promise<void> {
  const { out, format } = outFormat(v);
  const { rows, kind } = await readRows(v);
  const seed = num(v, 'seed', 42, Number.isInteger);
  const { rows: augmented, report } = augmentRows(rows, augmentRecipeFrom(v), seed);
  writeFileSync(out, formatRows(augmented, format));
  const labels = (rs: DataRow[]) => Object.fromEntries(labelDistribution(rs).labels.map((l) => [l.label, l.count]));
  print({ data: v.data, out, kind, seed, ...report, labelsBefore: labels(rows), labelsAfter: labels(augmented) });
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export const DATA_COMMANDS: Record<string, (v: Values) => Promise<void>> = {
  clean: cmdClean,
  augment: cmdAugment,
};
