/**
 * The data studio's recipes as the panels edit them, and the pure helpers around them: every step
 * keeps its parameters when switched off (`enabled: false`), `active*` strips what is off before a
 * recipe is run or stored, and `describeRecipe` says in a line what a version did.
 */
import type { AugmentOp, AugmentRecipe } from '../core/data/augment';
import type { CleanRecipe, CleanReport, CleanStep } from '../core/data/clean';
import type { RowFilter } from '../core/data/explore';
import { DEFAULT_NOISE } from '../core/data/noise';
import { PII_KINDS } from '../core/data/pii';
import type { SplitName } from '../core/data/rows';
import type { SplitParams } from '../core/data/splits';
import type { DataRecipe } from '../core/data/versions';
import type { VersionRecord } from '../storage/db';

interface Toggle {
  enabled?: boolean;
}

export const isOn = (t: Toggle | undefined): boolean => t !== undefined && t.enabled !== false;

/** Every step present with its parameters; the default pipeline (see DEFAULT_CLEAN_RECIPE) switched on. */
export const UI_CLEAN_DEFAULT: CleanRecipe = {
  normalize: { nfkc: true, whitespace: true },
  labels: { enabled: false, trim: true, case: 'keep', merge: {} },
  pii: { kinds: [...PII_KINDS] },
  empty: { requireLabel: 'auto' },
  length: { enabled: false, unit: 'chars', min: 0, max: 0 },
  noise: { enabled: false, ...DEFAULT_NOISE },
  exactDup: {},
  conflicts: { action: 'flag' },
  nearDup: { threshold: 0.8, shingle: 'char' },
};

/** The cleaning steps in the order the panel lists them, with what a person needs to know. */
export const CLEAN_STEP_INFO: { step: CleanStep; title: string; description: string }[] = [
  { step: 'normalize', title: 'Normalise text', description: 'Unicode NFKC, invisible characters, line endings and runs of spaces.' },
  { step: 'empty', title: 'Drop empty rows', description: 'Rows with no text (or no label, when the dataset has labels).' },
  { step: 'exactDup', title: 'Exact duplicates', description: 'Later copies of a row with the same text and label.' },
  { step: 'nearDup', title: 'Near duplicates', description: 'Rows whose text is nearly the same as an earlier row (MinHash over shingles).' },
  { step: 'length', title: 'Length filter', description: 'Rows shorter or longer than the limits, in characters.' },
  { step: 'noise', title: 'Noise filter', description: 'Rows that are mostly symbols, repeat one character or hold control characters.' },
  { step: 'labels', title: 'Labels', description: 'Trim and change the case of labels, and merge labels into one.' },
  { step: 'pii', title: 'Redact personal data', description: 'E-mail addresses, phone numbers, URLs and IP addresses become placeholders.' },
  { step: 'conflicts', title: 'Conflicting labels', description: 'The same text with different labels: flag the rows, drop them, or keep the majority label.' },
];

export const stepTitle = (step: CleanStep): string => CLEAN_STEP_INFO.find((s) => s.step === step)?.title ?? step;

export function setStepEnabled(recipe: CleanRecipe, step: CleanStep, enabled: boolean): CleanRecipe {
  return { ...recipe, [step]: { ...(recipe[step] ?? {}), enabled } };
}

export function patchStep<S extends CleanStep>(recipe: CleanRecipe, step: S, patch: Partial<NonNullable<CleanRecipe[S]>>): CleanRecipe {
  return { ...recipe, [step]: { ...(recipe[step] ?? {}), ...patch } };
}

function strip<T extends Toggle>(t: T): Omit<T, 'enabled'> {
  const { enabled: _enabled, ...rest } = t;
  return rest;
}

/** The recipe to run and store: steps that are on, without the switches, limits of 0 meaning none. */
export function activeCleanRecipe(recipe: CleanRecipe): CleanRecipe {
  const out: CleanRecipe = {};
  for (const { step } of CLEAN_STEP_INFO) {
    const t = recipe[step];
    if (!isOn(t)) continue;
    (out as Record<string, unknown>)[step] = strip(t!);
  }
  if (out.length) {
    const { min, max, unit } = out.length;
    out.length = { unit: unit ?? 'chars', ...(min ? { min } : {}), ...(max ? { max } : {}) };
  }
  if (out.labels?.merge && Object.keys(out.labels.merge).length === 0) delete out.labels.merge;
  return out;
}

/** "pos=positive, neg = negative" -> { pos: "positive", neg: "negative" }; an error names the bad pair. */
export function parseMerge(text: string): { merge: Record<string, string> } | { error: string } {
  const merge: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    const from = at < 0 ? '' : pair.slice(0, at).trim();
    const to = at < 0 ? '' : pair.slice(at + 1).trim();
    if (!from || !to) return { error: `"${pair.trim()}" is not a from=to pair` };
    merge[from] = to;
  }
  return { merge };
}

export const formatMerge = (merge: Record<string, string> | undefined): string =>
  Object.entries(merge ?? {})
    .map(([from, to]) => `${from}=${to}`)
    .join(', ');

export interface StepCounts {
  removed: number;
  edited: number;
  flagged: number;
  ran: boolean;
}

export function stepCounts(report: CleanReport, step: CleanStep): StepCounts {
  return {
    ran: report.steps.includes(step),
    removed: report.removedByStep[step] ?? 0,
    edited: report.editedByStep[step] ?? 0,
    flagged: step === 'conflicts' ? report.conflicts.rows - report.conflicts.dropped : 0,
  };
}

/**
 * augment.ts's DEFAULT_RATES, repeated so the page's bundle does not carry the synonym table
 * (augment.ts imports it); a test keeps the two equal.
 */
export const AUGMENT_RATES = { synonyms: 0.1, insertion: 0.1, swap: 0.1, deletion: 0.1, typos: 0.05 } as const;

/** The augmentation operations the panel offers, in order; rates where the operation takes one. */
export const AUGMENT_OPS: { op: AugmentOp; title: string; description: string; rate?: keyof typeof AUGMENT_RATES }[] = [
  { op: 'synonyms', title: 'Synonyms', description: 'Replace words with WordNet synonyms.', rate: 'synonyms' },
  { op: 'insertion', title: 'Random insertion', description: 'Insert synonyms of words at random places (EDA).', rate: 'insertion' },
  { op: 'swap', title: 'Random swap', description: 'Swap the places of two words (EDA).', rate: 'swap' },
  { op: 'deletion', title: 'Random deletion', description: 'Drop each word with this probability (EDA).', rate: 'deletion' },
  { op: 'typos', title: 'Typos', description: 'Keyboard-neighbour typos, per word.', rate: 'typos' },
  { op: 'casing', title: 'Case', description: 'Lower, upper or title case.' },
  { op: 'punctuation', title: 'Punctuation', description: 'Remove the punctuation, or change or drop the final mark.' },
  { op: 'templates', title: 'Prompt templates', description: 'Wrap prompts in other instruction formats (prompt rows only).' },
];

export const UI_AUGMENT_DEFAULT: AugmentRecipe = {
  variantsPerRow: 1,
  synonyms: { rate: AUGMENT_RATES.synonyms },
  insertion: { enabled: false, rate: AUGMENT_RATES.insertion },
  swap: { rate: AUGMENT_RATES.swap },
  deletion: { enabled: false, rate: AUGMENT_RATES.deletion },
  typos: { enabled: false, rate: AUGMENT_RATES.typos },
  casing: { enabled: false },
  punctuation: { enabled: false },
  templates: { enabled: false },
  balance: { enabled: false },
};

/** The panel's recipe with one operation on and every other off (balancing too). */
export function augmentOnly(op: AugmentOp): AugmentRecipe {
  const out: AugmentRecipe = { ...UI_AUGMENT_DEFAULT, balance: { enabled: false } };
  for (const o of AUGMENT_OPS) (out as Record<string, unknown>)[o.op] = { ...UI_AUGMENT_DEFAULT[o.op], enabled: o.op === op };
  return out;
}

export function activeAugmentRecipe(recipe: AugmentRecipe): AugmentRecipe {
  const out: AugmentRecipe = { variantsPerRow: recipe.variantsPerRow ?? 1 };
  for (const { op } of AUGMENT_OPS) if (isOn(recipe[op])) (out as Record<string, unknown>)[op] = strip(recipe[op]!);
  if (isOn(recipe.balance)) out.balance = strip(recipe.balance!);
  return out;
}

/** True when the recipe would add rows: an operation and at least one variant, or balancing. */
export function augmentAllowed(recipe: AugmentRecipe): boolean {
  return ((recipe.variantsPerRow ?? 1) > 0 && AUGMENT_OPS.some(({ op }) => isOn(recipe[op]))) || isOn(recipe.balance);
}

export const UI_SPLIT_DEFAULT: SplitParams = { validation: 0.1, test: 0.1, seed: 42, stratify: true, groupNearDuplicates: true };

const pct = (f: number | undefined) => `${Math.round((f ?? 0) * 100)}`;

/** One line saying what a version's recipe did. */
export function describeRecipe(recipe: DataRecipe): string {
  const parts: string[] = [];
  if (recipe.clean) {
    const steps = CLEAN_STEP_INFO.filter(({ step }) => recipe.clean![step]).map(({ step, title }) =>
      step === 'nearDup' ? `near duplicates ≥ ${(recipe.clean!.nearDup!.threshold ?? 0.8).toFixed(2)}` : title.toLowerCase(),
    );
    parts.push(`Cleaned: ${steps.join(', ') || 'no steps'}`);
  }
  if (recipe.split) {
    const { validation = 0.1, test = 0.1, seed = 42, stratify } = recipe.split;
    parts.push(`Split ${pct(1 - validation - test)}/${pct(validation)}/${pct(test)}${stratify === false ? '' : ', stratified'}, seed ${seed}`);
  }
  if (recipe.augment) {
    const r = recipe.augment.recipe;
    const ops = AUGMENT_OPS.filter(({ op }) => r[op]).map(({ title }) => title.toLowerCase());
    if (r.balance) ops.push('balance classes');
    parts.push(`Augmented ×${r.variantsPerRow ?? 1}: ${ops.join(', ') || 'none'}, seed ${recipe.augment.seed}`);
  }
  return parts.join(' · ') || 'No changes';
}

/** Versions in tree order (each after its parent), with their depth below the imported rows. */
export function versionTree(versions: readonly VersionRecord[]): { version: VersionRecord; depth: number }[] {
  const ids = new Set(versions.map((v) => v.id));
  const out: { version: VersionRecord; depth: number }[] = [];
  const visit = (parentId: number | null, depth: number) => {
    for (const v of versions) {
      const parentKnown = v.parentId !== null && ids.has(v.parentId);
      if ((parentId === null && !parentKnown) || (parentId !== null && v.parentId === parentId)) {
        out.push({ version: v, depth });
        visit(v.id, depth + 1);
      }
    }
  };
  visit(null, 1);
  return out;
}

export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

/** The explorer's filter controls. */
export interface ExplorerFilter {
  query: string;
  label: string;
  split: SplitName | '';
  pii: boolean;
  duplicate: boolean;
  conflict: boolean;
  augmented: boolean;
}

export const EMPTY_FILTER: ExplorerFilter = { query: '', label: '', split: '', pii: false, duplicate: false, conflict: false, augmented: false };

/** Checked boxes narrow to rows with the flag; unchecked ones do not filter. */
export function toRowFilter(f: ExplorerFilter): RowFilter {
  return {
    ...(f.query.trim() && { query: f.query }),
    ...(f.label && { labels: [f.label] }),
    ...(f.split && { split: f.split }),
    ...(f.pii && { pii: true }),
    ...(f.duplicate && { nearDuplicate: true }),
    ...(f.conflict && { conflict: true }),
    ...(f.augmented && { augmented: true }),
  };
}
