/** Rows measured in tokens before a run: read from the database as a run reads them, every row once, longest first. */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { csv, jsonl, labeledRows, utf8 } from '../core/data/test-builders';
import { loadTokenizerFromFiles } from '../core/tokenize/tokenizer';
import { openDb, type StudioDb } from '../storage/db';
import { readFolder } from '../testutil/node';
import { FIXTURE_TOKENIZER_DIR } from '../testutil/tinyModel';
import { importFile } from './importJob';
import { measureRows } from './rowLengthsJob';

let db: StudioDb | null = null;
afterEach(async () => {
  await db?.delete();
  db = null;
});

const tokenizer = readFolder(FIXTURE_TOKENIZER_DIR);
const tok = loadTokenizerFromFiles(tokenizer);
const file = (name: string, text: string) => new File([utf8(text)], name);

describe('measureRows()', () => {
  it('measures every labelled row in the model’s tokens, longest first', async () => {
    db = openDb('row-lengths-1');
    const rows = labeledRows(12);
    const { dataset } = await importFile(db, file('reviews.csv', csv(['text', 'label'], rows)));
    const out = await measureRows(db, { datasetId: dataset.id, versionId: null, schema: dataset.schema, task: 'classify', tokenizer, eosTokenId: null });
    expect(out.windowed).toBe(false);
    expect(out.lengths).toEqual(rows.map(([text]) => tok.encode(text).length).sort((a, b) => b - a));
  });

  it('counts a prompt with its completion and end token, and says plain text is read in windows', async () => {
    db = openDb('row-lengths-2');
    const pairs = [{ prompt: 'Capital of Ohio?', completion: ' Columbus.' }];
    const { dataset } = await importFile(db, file('qa.jsonl', jsonl(pairs)));
    const out = await measureRows(db, { datasetId: dataset.id, versionId: null, schema: dataset.schema, task: 'lm', tokenizer, eosTokenId: 264 });
    // Prompt, completion and one end token.
    expect(out.lengths).toEqual([tok.encode(pairs[0].prompt).length + tok.encode(pairs[0].completion, { addSpecialTokens: false }).length + 1]);
    expect(out.windowed).toBe(false);

    const text = await importFile(db, file('notes.txt', 'the other day\n\nthe other day the other day\n'));
    const plain = await measureRows(db, { datasetId: text.dataset.id, versionId: null, schema: text.dataset.schema, task: 'lm', tokenizer, eosTokenId: 264 });
    expect(plain.windowed).toBe(true);
    expect(plain.lengths.length).toBeGreaterThan(0);
  });

  it('measures an evenly spaced sample of a large dataset, and says so', async () => {
    db = openDb('row-lengths-4');
    const { dataset } = await importFile(db, file('reviews.csv', csv(['text', 'label'], labeledRows(40))));
    const out = await measureRows(db, { datasetId: dataset.id, versionId: null, schema: dataset.schema, task: 'classify', tokenizer, eosTokenId: null }, undefined, 10);
    expect(out.lengths).toHaveLength(10);
    expect(out.sampledFrom).toBe(40);
  });

  it('reports its progress after each chunk, and chunks measure what one pass does', async () => {
    db = openDb('row-lengths-5');
    const { dataset } = await importFile(db, file('reviews.csv', csv(['text', 'label'], labeledRows(40))));
    const req = { datasetId: dataset.id, versionId: null, schema: dataset.schema, task: 'classify' as const, tokenizer, eosTokenId: null };
    const heard: number[] = [];
    const chunked = await measureRows(db, req, (done) => heard.push(done), 100, 15);
    expect(heard).toEqual([15 / 40, 30 / 40, 1]);
    const whole = await measureRows(db, req, undefined, 100, 100);
    expect(chunked.lengths).toEqual(whole.lengths);
    expect(chunked.lengths).toHaveLength(40);
  });

  it('says plainly when the dataset is gone', async () => {
    db = openDb('row-lengths-3');
    await expect(measureRows(db, { datasetId: 99, versionId: null, schema: { kind: 'text', textColumn: 'text' }, task: 'lm', tokenizer, eosTokenId: null })).rejects.toThrow(
      'the dataset is no longer in this browser',
    );
  });
});
