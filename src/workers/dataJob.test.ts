import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { utf8 } from '../core/data/test-builders';
import { activeCleanRecipe, UI_CLEAN_DEFAULT } from '../state/recipes';
import { openDb, type StudioDb } from '../storage/db';
import { listVersions, loadVersionRows } from '../storage/versions';
import { MESSY_EXPECTED, messyCsv } from '../testutil/messyData';
import type { DataClient } from './dataClient';
import { createInProcessDataClient } from './dataInProcess';
import type { JobProgress } from './dataJob';
import type { Outcome } from './errors';
import { importFile } from './importJob';

let n = 0;
let db: StudioDb | null = null;
afterEach(async () => {
  await db?.delete();
  db = null;
});

async function setup(): Promise<{ client: DataClient; datasetId: number; db: StudioDb }> {
  const d = openDb(`data-job-${++n}`);
  db = d;
  const { dataset } = await importFile(d, new File([utf8(messyCsv())], 'messy.csv'));
  return { client: createInProcessDataClient(() => d), datasetId: dataset.id, db: d };
}

function value<T>(o: Outcome<T>): T {
  if (!o.ok) throw new Error(`${o.error.code}: ${o.error.message}`);
  return o.value;
}

const CLEAN = activeCleanRecipe(UI_CLEAN_DEFAULT);

describe('data job', () => {
  it('opens the imported rows with their flags and charts', async () => {
    const { client, datasetId } = await setup();
    const progress: JobProgress[] = [];
    const opened = value(await client.open(datasetId, null, (p) => progress.push(p)));
    expect(opened).toMatchObject({ datasetId, versionId: null, rowCount: 40, labels: ['negative', 'positive'] });
    expect(opened.counts).toMatchObject({ pii: 3, conflicts: 2, augmented: 0 });
    // Two exact copies and one near copy are later members of a group (the conflict pair too: same text).
    expect(opened.counts.duplicates).toBe(4);
    expect(opened.view.total).toBe(40);
    expect(opened.view.histogram.counts.reduce((a, b) => a + b, 0)).toBe(40);
    expect(progress.at(-1)?.fraction).toBe(1);
    expect(progress.map((p) => p.fraction)).toEqual([...progress.map((p) => p.fraction)].sort((a, b) => a - b));
  });

  it('filters and pages rows, ids being file rows', async () => {
    const { client, datasetId } = await setup();
    value(await client.open(datasetId, null));
    expect(value(await client.query({ pii: true })).total).toBe(3);
    const pii = value(await client.window(0, 10));
    expect(pii.map((r) => r.id)).toEqual([37, 38, 39]);
    expect(pii[0].pii).toEqual(['email']);
    expect(value(await client.query({ query: 'PRINTER jams' })).total).toBe(2);
    const printer = value(await client.window(0, 10));
    expect(printer[1]).toMatchObject({ id: 34, duplicateOf: 25 });
    expect(printer[0]).toMatchObject({ id: 25, hasDuplicates: true });
    const { total, labels } = value(await client.query({ labels: ['negative'] }));
    expect(total).toBe(labels[0].count);
    expect(value(await client.query({})).total).toBe(40);
    expect(value(await client.window(38, 10))).toHaveLength(2);
  });

  it('previews the default cleaning with counts per step and reasons', async () => {
    const { client, datasetId } = await setup();
    value(await client.open(datasetId, null));
    const { report, changes } = value(await client.previewClean(CLEAN));
    expect(report).toMatchObject({ rowsIn: MESSY_EXPECTED.rowsIn, rowsOut: MESSY_EXPECTED.rowsOut, removedByStep: MESSY_EXPECTED.removed, editedByStep: MESSY_EXPECTED.edited });
    expect(report.conflicts.rows).toBe(MESSY_EXPECTED.conflictRows);
    expect(changes.find((c) => c.step === 'exactDup')).toMatchObject({ id: 32, reason: 'exact duplicate of row 2', relatedId: 2 });
    expect(changes.find((c) => c.step === 'nearDup')?.reason).toMatch(/^near duplicate of row 25 \(similarity 0\.9\d\)/);
    const email = changes.find((c) => c.step === 'pii' && c.id === 37)!;
    expect(email.after?.text).toBe('Write to [EMAIL] if the order is late');
    expect(changes.filter((c) => c.step === 'empty').map((c) => c.reason)).toEqual(['text is empty', 'label is missing']);
  });

  it('applies cleaning as a version, builds on it, compares and reproduces both', async () => {
    const { client, datasetId, db: d } = await setup();
    value(await client.open(datasetId, null));
    const v1 = value(await client.apply({ clean: CLEAN }));
    expect(v1).toMatchObject({ name: 'v1', parentId: null, rowCount: MESSY_EXPECTED.rowsOut, recipe: { clean: CLEAN } });
    expect(v1.stats.labels).toEqual({ positive: 17, negative: 18 });

    value(await client.open(datasetId, v1.id));
    const v2 = value(await client.apply({ augment: { recipe: { variantsPerRow: 1, synonyms: {}, swap: {} }, seed: 7 } }));
    expect(v2).toMatchObject({ name: 'v2', parentId: v1.id });
    const rows = await loadVersionRows(d, v2.id);
    const added = rows.filter((r) => r.augmented);
    expect(added.length).toBeGreaterThan(30);
    expect(added.every((r) => r.sourceId !== undefined && r.id > 41)).toBe(true);

    value(await client.open(datasetId, v2.id));
    expect(value(await client.query({ augmented: true })).total).toBe(added.length);
    const v3 = value(await client.apply({ split: { validation: 0.2, test: 0.1, seed: 3 } }));
    const split = await loadVersionRows(d, v3.id);
    // Augmented rows never leave train; a source held out takes its variants out with it.
    expect(split.filter((r) => r.augmented).every((r) => r.split === 'train')).toBe(true);
    const held = new Set(split.filter((r) => r.split !== 'train').map((r) => r.id));
    expect(split.some((r) => r.augmented && held.has(r.sourceId!))).toBe(false);
    expect(v3.stats.splits.validation).toBeGreaterThan(0);

    const diff = value(await client.diff(v1.id));
    expect(diff).toMatchObject({ added: 0, removed: 5, edited: 3 });
    expect(value(await client.diff(v2.id))).toMatchObject({ added: added.length, removed: 0, edited: 0 });
    for (const v of [v1, v2, v3]) expect(value(await client.reproduce(v.id))).toMatchObject({ identical: true, rowCount: v.rowCount });
    expect((await listVersions(d, datasetId)).map((v) => [v.name, v.parentId])).toEqual([
      ['v1', null],
      ['v2', v1.id],
      ['v3', v2.id],
    ]);
  });

  it('reports an apply’s progress in order up to the saved version', async () => {
    const { client, datasetId } = await setup();
    value(await client.open(datasetId, null));
    const progress: JobProgress[] = [];
    value(await client.apply({ clean: CLEAN }, (p) => progress.push(p)));
    const fractions = progress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual({ fraction: 1, label: 'Saving the version' });
    expect(progress.some((p) => p.label === 'Near duplicates: hashing')).toBe(true);
  });

  it('reproduces a child of the imported rows with the mapping it was made with', async () => {
    const { client, datasetId, db: d } = await setup();
    value(await client.open(datasetId, null));
    const v1 = value(await client.apply({ clean: CLEAN }));
    await d.datasets.update(datasetId, { schema: { kind: 'text', textColumn: 'label' } });
    expect(value(await client.reproduce(v1.id)).identical).toBe(true);
  });

  it('stops on cancel, stores nothing, and runs again afterwards', async () => {
    const { client, datasetId, db: d } = await setup();
    value(await client.open(datasetId, null));
    // The engine polls the flag with its progress reports: cancelling from the first report stops it.
    const outcome = await client.apply({ clean: CLEAN }, () => client.cancel());
    expect(outcome).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(await d.versions.count()).toBe(0);
    expect(value(await client.previewClean(CLEAN)).report.rowsOut).toBe(MESSY_EXPECTED.rowsOut);
  });

  it('reports a missing dataset as an error that travels', async () => {
    const { client } = await setup();
    const outcome = await client.open(999, null);
    expect(outcome).toMatchObject({ ok: false, error: { message: 'The dataset no longer exists.' } });
    expect(await client.previewClean(CLEAN)).toMatchObject({ ok: false, error: { message: 'No dataset is open in the data studio.' } });
  });
});
