/**
 * Seeded data augmentation. Every new row is marked `augmented: true` with the `sourceId` of the row it
 * came from, and only rows meant for training are used as sources (rows already split into validation
 * or test are left alone), so an augmented copy never lets a held-out row leak into training.
 *
 * What changes: `text` of text rows, `prompt` of prompt rows, the last user message of chat rows.
 * Completions and assistant turns are never touched: a typo there would be taught as the answer.
 */
import synonymsJson from './synonyms.json';
import { mulberry32, shuffleInPlace } from './random';
import { ticker, type RunOptions } from './progress';
import { rowKind, type DataRow } from './rows';
import { caseVariant, keyboardTypos, punctuationVariant, randomDelete, randomInsert, randomSwap, synonymReplace, type Rng, type SynonymLookup } from './textops';

const TABLE = (synonymsJson as { words: Record<string, string[]> }).words;
/** The built-in WordNet table (see scripts/build-synonyms.ts). */
export const wordnetSynonyms: SynonymLookup = (w) => (Object.hasOwn(TABLE, w) ? TABLE[w] : undefined);

interface Toggle {
  enabled?: boolean;
}
interface Rate extends Toggle {
  /** Share of the words changed (at least one). */
  rate?: number;
}

export type AugmentOp = 'synonyms' | 'insertion' | 'swap' | 'deletion' | 'typos' | 'casing' | 'punctuation' | 'templates';
const TEXT_OPS: readonly AugmentOp[] = ['synonyms', 'insertion', 'swap', 'deletion', 'typos', 'casing', 'punctuation', 'templates'];

export interface AugmentRecipe {
  /** New rows made from each source row (each by one randomly chosen operation). */
  variantsPerRow?: number;
  synonyms?: Rate;
  insertion?: Rate;
  swap?: Rate;
  deletion?: Rate;
  /** rate: typos per word. */
  typos?: Rate;
  casing?: Toggle;
  punctuation?: Toggle;
  /** Prompt rows only: the prompt wrapped in another instruction format; each template holds "{prompt}". */
  templates?: Toggle & { templates?: string[] };
  /** Copies (through the enabled operations, if any) of rows of smaller classes until each has `target` rows (default: the largest class). */
  balance?: Toggle & { target?: number };
}

export const DEFAULT_TEMPLATES = [
  'Question: {prompt}\nAnswer:',
  'Q: {prompt}\nA:',
  'Instruction: {prompt}\nResponse:',
  '### Instruction:\n{prompt}\n\n### Response:\n',
  'Please answer the following.\n{prompt}',
];

export const DEFAULT_RATES: Record<'synonyms' | 'insertion' | 'swap' | 'deletion' | 'typos', number> = { synonyms: 0.1, insertion: 0.1, swap: 0.1, deletion: 0.1, typos: 0.05 };

export interface AugmentReport {
  rowsIn: number;
  rowsOut: number;
  added: number;
  /** New rows per operation ("oversample" for balancing copies that no operation changed). */
  byOp: Partial<Record<AugmentOp | 'oversample', number>>;
  /** Rows added per label by balancing. */
  balanced: Record<string, number>;
  /** Variants given up because every try reproduced a text already there. */
  skipped: number;
}

export interface AugmentOptions extends RunOptions {
  synonyms?: SynonymLookup;
}

const on = (t: Toggle | undefined) => t !== undefined && t.enabled !== false;

/** A seed per (seed, row id, purpose), so a row's variants do not change when other rows do. */
function rowRng(seed: number, id: number, salt: number): Rng {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(id + 1, 0xc2b2ae35) ^ Math.imul(salt + 1, 0x27d4eb2f);
  h ^= h >>> 15;
  return mulberry32(h);
}

/** The text an operation edits, and how to put an edited text back. */
function target(row: DataRow): { text: string; put: (s: string) => DataRow } | undefined {
  switch (rowKind(row)) {
    case 'text':
      return row.text ? { text: row.text, put: (text) => ({ ...row, text }) } : undefined;
    case 'prompt':
      return row.prompt ? { text: row.prompt, put: (prompt) => ({ ...row, prompt }) } : undefined;
    case 'chat': {
      const k = row.messages!.map((m) => m.role).lastIndexOf('user');
      if (k < 0) return undefined;
      return { text: row.messages![k].content, put: (content) => ({ ...row, messages: row.messages!.map((m, i) => (i === k ? { ...m, content } : m)) }) };
    }
  }
}

function applyOp(op: AugmentOp, text: string, recipe: AugmentRecipe, rng: Rng, synonyms: SynonymLookup): string {
  const words = text.split(/\s+/).filter(Boolean).length;
  const count = (key: keyof typeof DEFAULT_RATES) => Math.max(1, Math.round(((recipe[key] as Rate).rate ?? DEFAULT_RATES[key]) * words));
  switch (op) {
    case 'synonyms':
      return synonymReplace(text, count('synonyms'), rng, synonyms);
    case 'insertion':
      return randomInsert(text, count('insertion'), rng, synonyms);
    case 'swap':
      return randomSwap(text, count('swap'), rng);
    case 'deletion':
      return randomDelete(text, recipe.deletion!.rate ?? DEFAULT_RATES.deletion, rng);
    case 'typos':
      return keyboardTypos(text, count('typos'), rng);
    case 'casing':
      return caseVariant(text, rng);
    case 'punctuation':
      return punctuationVariant(text, rng);
    case 'templates': {
      const templates = recipe.templates!.templates ?? DEFAULT_TEMPLATES;
      return templates.length ? templates[Math.floor(rng() * templates.length)].replaceAll('{prompt}', text) : text;
    }
  }
}

/** Tries up to `tries` random operations for one new text not in `seen`. */
function variant(text: string, ops: AugmentOp[], recipe: AugmentRecipe, rng: Rng, synonyms: SynonymLookup, seen: Set<string>, tries = 4): [string, AugmentOp] | undefined {
  for (let t = 0; t < tries && ops.length > 0; t++) {
    const op = ops[Math.floor(rng() * ops.length)];
    const out = applyOp(op, text, recipe, rng, synonyms);
    if (out.trim() !== '' && !seen.has(out)) return [out, op];
  }
  return undefined;
}

const isSource = (r: DataRow) => !r.augmented && (r.split === undefined || r.split === 'train');

export function augmentRows(rows: DataRow[], recipe: AugmentRecipe, seed: number, opts?: AugmentOptions): { rows: DataRow[]; report: AugmentReport } {
  const synonyms = opts?.synonyms ?? wordnetSynonyms;
  const variants = recipe.variantsPerRow ?? 1;
  if (!(Number.isInteger(variants) && variants >= 0)) throw new RangeError(`variantsPerRow must be a whole number >= 0, got ${variants}`);
  const enabled = TEXT_OPS.filter((op) => on(recipe[op]));
  const opsFor = (r: DataRow) => enabled.filter((op) => op !== 'templates' || rowKind(r) === 'prompt');
  const report: AugmentReport = { rowsIn: rows.length, rowsOut: 0, added: 0, byOp: {}, balanced: {}, skipped: 0 };
  let nextId = rows.reduce((m, r) => Math.max(m, r.id), -1) + 1;
  const added: DataRow[] = [];
  const make = (source: DataRow, row: DataRow, op: AugmentOp | 'oversample') => {
    added.push({ ...row, id: nextId++, augmented: true, sourceId: source.id });
    report.byOp[op] = (report.byOp[op] ?? 0) + 1;
  };

  const t = ticker(opts, 'augment', rows.length);
  rows.forEach((r, i) => {
    t.tick(i);
    const ops = opsFor(r);
    const spot = target(r);
    if (!isSource(r) || ops.length === 0 || spot === undefined) return;
    const rng = rowRng(seed, r.id, 0);
    const seen = new Set([spot.text]);
    for (let v = 0; v < variants; v++) {
      const got = variant(spot.text, ops, recipe, rng, synonyms, seen);
      if (!got) {
        report.skipped++;
        continue;
      }
      seen.add(got[0]);
      make(r, spot.put(got[0]), got[1]);
    }
  });
  t.done();

  if (on(recipe.balance)) balance(rows.filter(isSource), added, recipe, seed, (src, row, op, label) => {
    make(src, row, op);
    report.balanced[label] = (report.balanced[label] ?? 0) + 1;
  }, opsFor, synonyms);

  report.added = added.length;
  report.rowsOut = rows.length + added.length;
  return { rows: [...rows, ...added], report };
}

/** Oversamples smaller classes, cycling through each class's rows in a seeded order. */
function balance(
  sources: DataRow[],
  added: DataRow[],
  recipe: AugmentRecipe,
  seed: number,
  make: (source: DataRow, row: DataRow, op: AugmentOp | 'oversample', label: string) => void,
  opsFor: (r: DataRow) => AugmentOp[],
  synonyms: SynonymLookup,
): void {
  const byLabel = new Map<string, DataRow[]>();
  for (const r of sources) {
    if (r.label === undefined) continue;
    const members = byLabel.get(r.label);
    if (members) members.push(r);
    else byLabel.set(r.label, [r]);
  }
  if (byLabel.size < 2) return;
  const counts = new Map([...byLabel].map(([l, rs]) => [l, rs.length]));
  for (const r of added) if (r.label !== undefined && counts.has(r.label)) counts.set(r.label, counts.get(r.label)! + 1);
  const goal = recipe.balance!.target ?? Math.max(...counts.values());
  const rng = rowRng(seed, -1, 1);
  for (const [label, members] of [...byLabel].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const order = shuffleInPlace(members.slice(), rng);
    for (let k = 0; counts.get(label)! + k < goal; k++) {
      const src = order[k % order.length];
      const spot = target(src);
      const got = spot ? variant(spot.text, opsFor(src), recipe, rng, synonyms, new Set([spot.text]), 2) : undefined;
      if (spot && got) make(src, spot.put(got[0]), got[1], label);
      else make(src, src, 'oversample', label);
    }
  }
}
