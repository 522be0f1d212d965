import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { detectSchema } from './detect';
import { DatasetError } from './errors';
import { parseParquet, readDataset } from './parquet';
import { rowsFromRecords } from './rows';
import { chatTurns, csv, utf8 } from './test-builders';

type Column = Parameters<typeof parquetWriteBuffer>[0]['columnData'][number];

/** A Parquet file as pandas or the Hub would write it, from columns. */
const parquet = (...columnData: Column[]) => new Uint8Array(parquetWriteBuffer({ columnData }));

async function errorOf(p: Promise<unknown>): Promise<DatasetError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DatasetError) return e;
    throw e;
  }
  throw new Error('expected a DatasetError');
}

describe('parseParquet()', () => {
  it('reads columns and rows into the same shape as the text formats', async () => {
    const bytes = parquet(
      { name: 'text', data: ['good film', 'bad film'], type: 'STRING' },
      { name: 'label', data: ['pos', 'neg'], type: 'STRING' },
      { name: 'votes', data: [3n, 12n], type: 'INT64' },
    );
    const parsed = await parseParquet(bytes, 'train.parquet');
    expect(parsed).toEqual({
      format: 'parquet',
      columns: ['text', 'label', 'votes'],
      rows: [
        { text: 'good film', label: 'pos', votes: 3 },
        { text: 'bad film', label: 'neg', votes: 12 },
      ],
      rowNumbers: [1, 2],
      rowUnit: 'row',
    });
    expect(detectSchema(parsed.columns, parsed.rows)).toEqual({ kind: 'labeled', textColumn: 'text', labelColumn: 'label' });
  });

  it('reads nested chat messages as a messages column', async () => {
    const parsed = await parseParquet(parquet({ name: 'messages', data: [chatTurns('hi', 'hello'), chatTurns('q', 'a')] }), 'chat.parquet');
    const schema = detectSchema(parsed.columns, parsed.rows);
    expect(schema).toEqual({ kind: 'chat', messagesColumn: 'messages' });
    expect(rowsFromRecords(parsed.rows, schema)[1].messages).toEqual(chatTurns('q', 'a'));
  });

  it('names the file when it is not Parquet or is cut short', async () => {
    const bytes = parquet({ name: 'text', data: ['a'], type: 'STRING' });
    expect(await errorOf(parseParquet(bytes.subarray(0, bytes.length - 10), 'cut.parquet'))).toMatchObject({ file: 'cut.parquet', code: 'format' });
    expect((await errorOf(parseParquet(utf8('text\nhello\n'), 'x.parquet'))).message).toMatch(/^x\.parquet: not a Parquet file/);
  });

  it('reports a file without rows', async () => {
    expect(await errorOf(parseParquet(parquet({ name: 'text', data: [], type: 'STRING' }), 'e.parquet'))).toMatchObject({ code: 'empty' });
  });
});

describe('readDataset()', () => {
  it('reads Parquet bytes and text formats alike', async () => {
    const fromCsv = await readDataset(utf8(csv(['text'], [['hello']])), 'a.csv');
    const fromParquet = await readDataset(parquet({ name: 'text', data: ['hello'], type: 'STRING' }), 'a.parquet');
    expect(fromParquet.rows).toEqual(fromCsv.rows);
  });
});
