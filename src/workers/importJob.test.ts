import 'fake-indexeddb/auto';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterEach, describe, expect, it } from 'vitest';
import { csv, jsonl, labeledRows, utf8 } from '../core/data/test-builders';
import { DatasetError } from '../core/data/errors';
import { openDb, type StudioDb } from '../storage/db';
import { loadRows } from '../storage/datasets';
import { PREVIEW_ROWS } from '../storage/datasets';
import { importFile, type ImportProgress } from './importJob';

let n = 0;
let db: StudioDb;
afterEach(async () => {
  await db?.delete();
});
function freshDb(): StudioDb {
  db = openDb(`import-${++n}`);
  return db;
}

const file = (name: string, content: string | Uint8Array) => new File([typeof content === 'string' ? utf8(content) : (content as BlobPart)], name);

async function expectRejected(name: string, content: string | Uint8Array): Promise<DatasetError> {
  const d = freshDb();
  const err = await importFile(d, file(name, content)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DatasetError);
  expect(await d.datasets.count()).toBe(0);
  expect(await d.rows.count()).toBe(0);
  return err as DatasetError;
}

describe('importFile()', () => {
  it('stores a CSV with its detected mapping and reports progress up to 1', async () => {
    const d = freshDb();
    const progress: ImportProgress[] = [];
    const { dataset, preview } = await importFile(d, file('reviews.csv', csv(['id', 'review', 'sentiment'], labeledRows(30).map((r, i) => [String(i), ...r]))), (p) =>
      progress.push(p),
    );
    expect(dataset).toMatchObject({ name: 'reviews', format: 'csv', rowCount: 30, schema: { kind: 'labeled', textColumn: 'review', labelColumn: 'sentiment' } });
    expect(preview).toHaveLength(PREVIEW_ROWS);
    expect((await loadRows(d, dataset.id)).rowNumbers.slice(0, 2)).toEqual([2, 3]);
    const fractions = progress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual({ stage: 'done', fraction: 1 });
    expect(new Set(progress.map((p) => p.stage))).toEqual(new Set(['reading', 'decoding', 'parsing', 'checking', 'storing', 'done']));
  });

  it('detects prompt/completion JSONL', async () => {
    const { dataset } = await importFile(freshDb(), file('qa.jsonl', jsonl([{ prompt: 'a?', completion: 'b' }, { prompt: 'c?', completion: 'd' }])));
    expect(dataset.schema).toEqual({ kind: 'prompt', promptColumn: 'prompt', completionColumn: 'completion' });
  });

  it('reports the row of an unclosed quote and stores nothing', async () => {
    const err = await expectRejected('q.csv', 'text,label\nok,pos\n"open,neg\n');
    expect(err.message).toMatch(/^q\.csv, row 3: unclosed quote/);
  });

  it('reports the line of invalid UTF-8 and stores nothing', async () => {
    const err = await expectRejected('l.csv', new Uint8Array([...utf8('text,label\nok,pos\ncaf'), 0xe9, ...utf8(',neg\n')]));
    expect(err.code).toBe('encoding');
    expect(err.row).toBe(3);
  });

  it('refuses binary and empty files', async () => {
    expect((await expectRejected('x.csv', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0]))).code).toBe('binary');
    expect((await expectRejected('e.csv', '')).code).toBe('empty');
  });

  it('stores rows with an empty mapped value and counts them, naming the first row and column', async () => {
    const d = freshDb();
    const { dataset } = await importFile(d, file('m.csv', 'text,label\ngood,pos\nbad,\nfine,pos\n  ,neg\n'));
    expect(dataset.rowCount).toBe(4);
    expect(dataset.issues).toEqual({ rows: 2, first: { row: 3, field: 'label', message: 'm.csv, row 3: "label" is empty' } });
    expect((await importFile(d, file('ok.csv', 'text,label\ngood,pos\n'))).dataset.issues).toBeUndefined();
  });

  it('refuses a file where no row has its mapped values, and a value of the wrong shape', async () => {
    expect(await expectRejected('all-empty.csv', 'text,label\ngood,\nbad,\n')).toMatchObject({ row: 2, field: 'label', code: 'missing-value' });
    const chat = jsonl([{ messages: [{ role: 'user', content: 'hi' }] }, { messages: 'not a list' }]);
    expect(await expectRejected('chat.jsonl', chat)).toMatchObject({ file: 'chat.jsonl', code: 'invalid-value' });
  });

  it('imports Parquet with the same column detection as text formats', async () => {
    const d = freshDb();
    const bytes = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'sentence', data: ['a fine day', 'a grim day', 'so so'], type: 'STRING' },
          { name: 'label', data: [1, 0, 1], type: 'INT32' },
        ],
      }),
    );
    const progress: ImportProgress[] = [];
    const { dataset, preview } = await importFile(d, file('sst.parquet', bytes), (p) => progress.push(p));
    expect(dataset).toMatchObject({ name: 'sst', format: 'parquet', rowCount: 3, rowUnit: 'row', schema: { kind: 'labeled', textColumn: 'sentence', labelColumn: 'label' } });
    expect(preview[1]).toEqual({ sentence: 'a grim day', label: 0 });
    expect((await loadRows(d, dataset.id)).rowNumbers).toEqual([1, 2, 3]);
    expect(progress.at(-1)).toEqual({ stage: 'done', fraction: 1 });
  });

  it('refuses a truncated Parquet file and stores nothing', async () => {
    const bytes = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'text', data: ['a', 'b'], type: 'STRING' }] }));
    expect((await expectRejected('cut.parquet', bytes.slice(0, bytes.length - 9))).message).toMatch(/^cut\.parquet: not a Parquet file/);
  });

  it('refuses an unsupported extension before reading', async () => {
    expect((await expectRejected('sheet.xlsx', 'whatever')).message).toMatch(/Export the sheet as CSV/);
  });
});
