import { describe, expect, it } from 'vitest';
import { DEFAULT_RATES } from '../core/data/augment';
import { CLEAN_STEPS, DEFAULT_CLEAN_RECIPE, type CleanReport } from '../core/data/clean';
import { trainingExamples, type DataRow } from '../core/data/rows';
import type { VersionRecord } from '../storage/db';
import {
  activeAugmentRecipe,
  activeCleanRecipe,
  AUGMENT_RATES,
  augmentAllowed,
  CLEAN_STEP_INFO,
  describeRecipe,
  EMPTY_FILTER,
  formatMerge,
  parseMerge,
  patchStep,
  setStepEnabled,
  stepCounts,
  toRowFilter,
  UI_AUGMENT_DEFAULT,
  UI_CLEAN_DEFAULT,
  versionTree,
} from './recipes';

function version(id: number, parentId: number | null): VersionRecord {
  return { id, parentId, datasetId: 1, name: `v${id}`, recipe: {}, schema: { kind: 'text', textColumn: 't' }, createdAt: id, rowCount: 0, stats: { rows: 0, augmented: 0, kinds: {}, labels: {}, splits: {}, meanChars: 0 } };
}

describe('cleaning recipe in the panel', () => {
  it('lists every cleaning step once', () => {
    expect(CLEAN_STEP_INFO.map((s) => s.step).sort()).toEqual([...CLEAN_STEPS].sort());
  });

  it('starts as the engine’s default pipeline', () => {
    expect(Object.keys(activeCleanRecipe(UI_CLEAN_DEFAULT)).sort()).toEqual(Object.keys(DEFAULT_CLEAN_RECIPE).sort());
  });

  it('keeps a switched-off step’s parameters and leaves it out of the recipe that runs', () => {
    let r = patchStep(UI_CLEAN_DEFAULT, 'nearDup', { threshold: 0.9 });
    r = setStepEnabled(r, 'nearDup', false);
    expect(r.nearDup).toEqual({ threshold: 0.9, shingle: 'char', enabled: false });
    expect(activeCleanRecipe(r).nearDup).toBeUndefined();
    expect(activeCleanRecipe(setStepEnabled(r, 'nearDup', true)).nearDup).toEqual({ threshold: 0.9, shingle: 'char' });
  });

  it('reads length limits of 0 as none and drops an empty merge map', () => {
    const r = setStepEnabled(setStepEnabled(patchStep(UI_CLEAN_DEFAULT, 'length', { min: 5, max: 0 }), 'length', true), 'labels', true);
    expect(activeCleanRecipe(r).length).toEqual({ unit: 'chars', min: 5 });
    expect(activeCleanRecipe(r).labels).toEqual({ trim: true, case: 'keep' });
  });

  it('parses and formats label merges, naming a bad pair', () => {
    expect(parseMerge(' pos = positive, neg=negative ,')).toEqual({ merge: { pos: 'positive', neg: 'negative' } });
    expect(parseMerge('pos=positive, neg')).toEqual({ error: '"neg" is not a from=to pair' });
    expect(parseMerge('=x')).toEqual({ error: '"=x" is not a from=to pair' });
    expect(formatMerge({ pos: 'positive', neg: 'negative' })).toBe('pos=positive, neg=negative');
  });

  it('counts what a step did, flagged conflicts being those not dropped', () => {
    const report = { steps: ['exactDup', 'conflicts'], removedByStep: { exactDup: 2, conflicts: 1 }, editedByStep: {}, conflicts: { groups: 1, rows: 3, dropped: 1, samples: [] } } as unknown as CleanReport;
    expect(stepCounts(report, 'exactDup')).toEqual({ ran: true, removed: 2, edited: 0, flagged: 0 });
    expect(stepCounts(report, 'conflicts')).toEqual({ ran: true, removed: 1, edited: 0, flagged: 2 });
    expect(stepCounts(report, 'pii').ran).toBe(false);
  });
});

describe('augmentation recipe in the panel', () => {
  it('repeats the engine’s default rates', () => {
    expect(AUGMENT_RATES).toEqual(DEFAULT_RATES);
  });

  it('keeps only the operations that are on', () => {
    expect(activeAugmentRecipe(UI_AUGMENT_DEFAULT)).toEqual({ variantsPerRow: 1, synonyms: { rate: 0.1 }, swap: { rate: 0.1 } });
    expect(augmentAllowed(UI_AUGMENT_DEFAULT)).toBe(true);
    expect(augmentAllowed({ ...UI_AUGMENT_DEFAULT, variantsPerRow: 0 })).toBe(false);
    expect(augmentAllowed({ variantsPerRow: 0, balance: {} })).toBe(true);
  });
});

describe('describeRecipe()', () => {
  it('says in a line what a version did', () => {
    expect(describeRecipe({ clean: { normalize: {}, exactDup: {}, nearDup: { threshold: 0.85 } } })).toBe('Cleaned: normalise text, exact duplicates, near duplicates ≥ 0.85');
    expect(describeRecipe({ split: { validation: 0.2, test: 0.1, seed: 3 } })).toBe('Split 70/20/10, stratified, seed 3');
    expect(describeRecipe({ augment: { recipe: { variantsPerRow: 2, synonyms: {}, typos: {}, balance: {} }, seed: 9 } })).toBe('Augmented ×2: synonyms, typos, balance classes, seed 9');
    expect(describeRecipe({})).toBe('No changes');
  });
});

describe('versionTree()', () => {
  it('puts each version after its parent, with its depth', () => {
    const tree = versionTree([version(1, null), version(2, 1), version(3, null), version(4, 2), version(5, 1)]);
    expect(tree.map((t) => [t.version.id, t.depth])).toEqual([
      [1, 1],
      [2, 2],
      [4, 3],
      [5, 2],
      [3, 1],
    ]);
  });

  it('shows a version whose parent is missing at the top level', () => {
    expect(versionTree([version(7, 99)]).map((t) => t.depth)).toEqual([1]);
  });
});

describe('trainingExamples()', () => {
  const rows: DataRow[] = [
    { id: 1, text: 'a', label: 'x', split: 'train' },
    { id: 2, text: 'b', label: 'y', split: 'validation' },
    { id: 3, text: 'c', label: 'x', split: 'test' },
    { id: 4, text: 'd', label: 'y', split: 'train', augmented: true, sourceId: 1 },
    { id: 5, text: '', label: 'y', split: 'train' },
  ];

  it('trains on train rows, validates on the validation split and holds test rows out', () => {
    const t = trainingExamples(rows);
    expect(t.train).toEqual([
      { kind: 'labeled', text: 'a', label: 'x' },
      { kind: 'labeled', text: 'd', label: 'y' },
    ]);
    expect(t.val).toEqual([{ kind: 'labeled', text: 'b', label: 'y' }]);
    expect(t.counts).toEqual({ train: 3, validation: 1, test: 1, unsplit: 0 });
  });

  it('leaves validation to the trainer when the rows are not split', () => {
    const t = trainingExamples([{ id: 1, prompt: 'p', completion: 'c' }]);
    expect(t).toEqual({ train: [{ kind: 'prompt', prompt: 'p', completion: 'c' }], val: undefined, counts: { train: 0, validation: 0, test: 0, unsplit: 1 } });
  });
});

describe('toRowFilter()', () => {
  it('narrows only by what is set', () => {
    expect(toRowFilter(EMPTY_FILTER)).toEqual({});
    expect(toRowFilter({ ...EMPTY_FILTER, query: ' cat ', label: 'pos', split: 'test', pii: true, duplicate: true, conflict: true, augmented: true })).toEqual({
      query: ' cat ',
      labels: ['pos'],
      split: 'test',
      pii: true,
      nearDuplicate: true,
      conflict: true,
      augmented: true,
    });
  });
});
