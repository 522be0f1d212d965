import { describe, expect, it } from 'vitest';
import { DEFAULT_CLEAN_RECIPE } from './clean';
import { distinctSentences, ids, nearCopy, textRows } from './row-builders';
import { applyRecipe, createVersion, datasetStats, diffVersions, type DataRecipe } from './versions';

const texts = distinctSentences(31, 4, 12);
const fresh = texts.pop()!;
const parentRows = textRows([...texts, texts[0], nearCopy(texts[1]), '', `${fresh} at me@example.com`], ['pos', 'neg']);
const recipe: DataRecipe = {
  clean: DEFAULT_CLEAN_RECIPE,
  split: { validation: 0.2, test: 0.2, seed: 5 },
  augment: { recipe: { typos: {}, variantsPerRow: 1 }, seed: 9 },
};

describe('applyRecipe()', () => {
  it('reproduces a version exactly from its parent and recipe', () => {
    const [a, b] = [applyRecipe(parentRows, recipe), applyRecipe(parentRows, recipe)];
    expect(b.rows).toEqual(a.rows);
    expect(b.changes).toEqual(a.changes);
    expect({ ...b.reports.clean, millisByStep: {} }).toEqual({ ...a.reports.clean, millisByStep: {} }); // only timings differ
  });

  it('cleans, then splits, then augments train rows only', () => {
    const { rows, reports } = applyRecipe(parentRows, recipe);
    expect(reports.clean!.removedByStep).toMatchObject({ empty: 1 });
    const train = rows.filter((r) => r.split === 'train' && !r.augmented);
    const augmented = rows.filter((r) => r.augmented);
    expect(augmented).toHaveLength(train.length);
    expect(augmented.every((r) => r.split === 'train')).toBe(true);
    expect(reports.split!.rows.validation + reports.split!.rows.test).toBeGreaterThan(0);
    expect(reports.augment!.added).toBe(train.length);
  });
});

describe('createVersion()', () => {
  it('records parent, recipe, row count and stats', () => {
    const { version, rows } = createVersion({ id: 'v1' }, parentRows, recipe, { id: 'v2', createdAt: 1700000000000 });
    expect(version).toMatchObject({ id: 'v2', parentId: 'v1', recipe, createdAt: 1700000000000, rowCount: rows.length });
    expect(version.stats).toEqual(datasetStats(rows));
    expect(version.stats.splits.train! + version.stats.splits.validation! + version.stats.splits.test!).toBe(rows.length);
    expect(version.stats.augmented).toBeGreaterThan(0);
  });
});

describe('diffVersions()', () => {
  it('counts rows added, removed, edited and moved, with samples', () => {
    const parent = textRows(['a', 'b', 'c', 'd']);
    const child = [{ ...parent[0], text: 'A' }, parent[1], { ...parent[2], split: 'test' as const }, { id: 9, text: 'new', augmented: true, sourceId: 1 }];
    const diff = diffVersions(parent, child, { samples: 1 });
    expect(diff).toMatchObject({ added: 1, removed: 1, edited: 1, moved: 1, unchanged: 1 });
    expect(diff.samples.removed).toEqual([parent[3]]);
    expect(diff.samples.edited).toEqual([{ before: parent[0], after: child[0] }]);
    expect(ids(diff.samples.added)).toEqual([9]);
  });

  it('sees a cleaning step as removals and edits', () => {
    const { rows } = applyRecipe(parentRows, { clean: DEFAULT_CLEAN_RECIPE });
    const diff = diffVersions(parentRows, rows);
    expect(diff.removed).toBe(parentRows.length - rows.length);
    expect(diff.edited).toBe(1); // the redacted address
    expect(diff.added).toBe(0);
  });
});
