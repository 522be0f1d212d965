import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatasetError, decodeText, formatFromFileName, parseDataset } from './parse';
import { csv, jsonl, labeledRows, tsv, utf8 } from './test-builders';

/** The DatasetError thrown by `fn` (fails the test when nothing is thrown). */
function errorOf(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('formatFromFileName()', () => {
  it.each([
    ['reviews.csv', 'csv'],
    ['REVIEWS.CSV', 'csv'],
    ['data.tsv', 'tsv'],
    ['dir.v2/data.json', 'json'],
    ['chat.jsonl', 'jsonl'],
    ['chat.ndjson', 'jsonl'],
    ['book.txt', 'txt'],
  ])('reads %s as %s', (name, format) => {
    expect(formatFromFileName(name)).toBe(format);
  });

  it('rejects other extensions and suggests exporting spreadsheets as CSV', () => {
    const err = errorOf(() => formatFromFileName('sheet.xlsx'));
    expect(err.code).toBe('format');
    expect(err.message).toMatch(/^sheet\.xlsx: "\.xlsx" files are not supported; use .*Export the sheet as CSV/);
  });
});

describe('parseDataset() with CSV', () => {
  it('reads the header and keeps every value as text', () => {
    const parsed = parseDataset(csv(['text', 'label', 'id'], [['hello', 'pos', '007'], ['bye', 'true', '1e3']]), 'r.csv');
    expect(parsed.format).toBe('csv');
    expect(parsed.columns).toEqual(['text', 'label', 'id']);
    expect(parsed.rows).toEqual([
      { text: 'hello', label: 'pos', id: '007' },
      { text: 'bye', label: 'true', id: '1e3' },
    ]);
  });

  it('handles quoted delimiters, doubled quotes and line breaks inside values', () => {
    const tricky = ['a, b', 'she said "hi"', 'line one\nline two'];
    const parsed = parseDataset(csv(['text'], tricky.map((t) => [t])), 'r.csv');
    expect(parsed.rows.map((r) => r.text)).toEqual(tricky);
  });

  it('numbers rows as a spreadsheet does: header is row 1, blank rows count, multi-line values are one row', () => {
    const text = csv(['text', 'label'], [['a', 'x'], ['', ''], ['multi\nline', 'y'], ['c', 'z']]);
    const parsed = parseDataset(text, 'r.csv');
    expect(parsed.rows.map((r) => r.text)).toEqual(['a', 'multi\nline', 'c']);
    expect(parsed.rowNumbers).toEqual([2, 4, 5]);
    expect(parsed.rowUnit).toBe('row');
  });

  it('accepts CRLF line endings and a UTF-8 BOM', () => {
    const parsed = parseDataset('\uFEFF' + csv(['text', 'label'], labeledRows(2), { eol: '\r\n' }), 'r.csv');
    expect(parsed.columns).toEqual(['text', 'label']);
    expect(parsed.rows[1]).toEqual({ text: 'review number 2 says something', label: 'neg' });
  });

  it('reads semicolon-separated CSV as Excel writes it in some locales', () => {
    const parsed = parseDataset(csv(['text', 'label'], [['un, deux', 'a']], { delimiter: ';' }), 'r.csv');
    expect(parsed.rows).toEqual([{ text: 'un, deux', label: 'a' }]);
  });

  it('reads TSV with commas inside values', () => {
    const parsed = parseDataset(tsv(['text', 'label'], [['a, b, c', 'x']]), 'r.tsv');
    expect(parsed.rows).toEqual([{ text: 'a, b, c', label: 'x' }]);
  });

  it('reports the row of an unclosed quote', () => {
    const text = csv(['text', 'label'], labeledRows(15)) + '"never closed,pos\n' + csv(['more', 'rows'], []);
    const err = errorOf(() => parseDataset(text, 'reviews.csv'));
    expect(err).toMatchObject({ file: 'reviews.csv', row: 17, code: 'syntax' });
    expect(err.message).toMatch(/^reviews\.csv, row 17: unclosed quote/);
  });

  it('reports text after a closing quote', () => {
    const text = csv(['text', 'label'], labeledRows(2)) + '"quoted" tail,pos\n';
    expect(errorOf(() => parseDataset(text, 'r.csv')).message).toMatch(/^r\.csv, row 4: a quoted value has text after its closing quote/);
  });

  it('reports a row with more values than columns and hints at quoting', () => {
    const text = csv(['text', 'label'], labeledRows(3)) + 'I liked it, a lot,pos\n';
    const err = errorOf(() => parseDataset(text, 'r.csv'));
    expect(err).toMatchObject({ row: 5, code: 'shape' });
    expect(err.message).toBe('r.csv, row 5: 3 values but the header has 2 columns; a value containing "," must be wrapped in double quotes');
  });

  it('ignores empty trailing values but reports missing ones', () => {
    expect(parseDataset('text,label\nhi,pos,\n', 'r.csv').rows).toEqual([{ text: 'hi', label: 'pos' }]);
    const err = errorOf(() => parseDataset('text,label\nhi,pos\nno label here\n', 'r.csv'));
    expect(err).toMatchObject({ row: 3, field: 'label', code: 'shape' });
  });

  it.each([
    ['an unnamed column', 'text,,label\na,b,c\n', /column 2 has no name/],
    ['a header of numbers', '1,2\n3,4\n', /it holds only numbers/],
  ])('says there is no header row for %s', (_name, text, why) => {
    const err = errorOf(() => parseDataset(text, 'x.csv'));
    expect(err.code).toBe('no-header');
    expect(err.message).toMatch(/^x\.csv, row 1: the file has no header row/);
    expect(err.message).toMatch(why);
  });

  it('rejects a column name used twice', () => {
    expect(errorOf(() => parseDataset('text,text\na,b\n', 'x.csv')).message).toMatch(/"text" appears twice/);
  });

  it.each([
    ['an empty file', ''],
    ['only whitespace', ' \n\n\t\n'],
  ])('says %s has no rows', (_name, text) => {
    const err = errorOf(() => parseDataset(text, 'empty.csv'));
    expect(err.message).toBe('empty.csv: the file has no rows');
    expect(err.code).toBe('empty');
  });

  it('says a header-only file has no data rows', () => {
    expect(errorOf(() => parseDataset(csv(['text', 'label'], []), 'h.csv')).code).toBe('empty');
  });

  it.each([
    ['NUL bytes', 'text\n\0\0\0abc'],
    ['mostly control characters', 'text\n' + '\x01\x02\x03\x04 ab'.repeat(50)],
  ])('says a file with %s is binary', (_name, text) => {
    const err = errorOf(() => parseDataset(text, 'bin.csv'));
    expect(err.message).toBe('bin.csv: this looks like a binary file, not text');
    expect(err.code).toBe('binary');
  });

  it('reads back any table the CSV builder writes', () => {
    const value = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', ';', '"', '\n', '\t', 'é', '🚀'), maxLength: 12 });
    const table = fc.integer({ min: 1, max: 4 }).chain((width) =>
      fc.array(fc.array(value, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 8 }).map((rows) => ({ width, rows })),
    );
    fc.assert(
      fc.property(table, ({ width, rows }) => {
        const header = Array.from({ length: width }, (_, i) => `col${i}`);
        const kept = rows.filter((r) => r.some((v) => v.trim() !== ''));
        fc.pre(kept.length > 0);
        const parsed = parseDataset(csv(header, rows), 't.csv');
        expect(parsed.rows).toEqual(kept.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))));
      }),
    );
  });
});

describe('parseDataset() with JSON and JSONL', () => {
  it('reads an array of objects and collects every key as a column', () => {
    const parsed = parseDataset(JSON.stringify([{ text: 'a' }, { text: 'b', label: 1 }]), 'd.json');
    expect(parsed.columns).toEqual(['text', 'label']);
    expect(parsed.rows).toEqual([{ text: 'a' }, { text: 'b', label: 1 }]);
    expect(parsed.rowUnit).toBe('item');
  });

  it('reads {"data": [...]}', () => {
    expect(parseDataset(JSON.stringify({ data: [{ text: 'a' }] }), 'd.json').rows).toEqual([{ text: 'a' }]);
  });

  it('reports an item that is not an object by its position', () => {
    const err = errorOf(() => parseDataset(JSON.stringify([{ text: 'a' }, 'b']), 'd.json'));
    expect(err.message).toBe('d.json, item 2: expected an object like {"text": ...}, got a string');
  });

  it('reports a top level that is not an array', () => {
    expect(errorOf(() => parseDataset('{"rows": []}', 'd.json')).message).toMatch(/^d\.json: expected a JSON array of objects/);
  });

  it('reports the line of a JSON syntax error', () => {
    const text = '[\n{"text": "a"},\n{"text": "b",}\n]';
    const err = errorOf(() => parseDataset(text, 'd.json'));
    expect(err).toMatchObject({ code: 'syntax', row: 3, unit: 'line' });
    expect(err.message).toMatch(/^d\.json, line 3: not valid JSON \(/);
  });

  it('accepts JSON Lines saved with a .json name', () => {
    const parsed = parseDataset(jsonl([{ text: 'a' }, { text: 'b' }]), 'd.json');
    expect(parsed.format).toBe('jsonl');
    expect(parsed.rows).toHaveLength(2);
  });

  it('reads one object per line, skipping blank lines but keeping line numbers', () => {
    const parsed = parseDataset('{"text": "a"}\n\n{"text": "b"}\r\n', 'd.jsonl');
    expect(parsed.rows).toEqual([{ text: 'a' }, { text: 'b' }]);
    expect(parsed.rowNumbers).toEqual([1, 3]);
  });

  it('reports the line of invalid JSON', () => {
    const text = jsonl([{ text: 'a' }, { text: 'b' }]) + '{"text": oops}\n';
    const err = errorOf(() => parseDataset(text, 'data.jsonl'));
    expect(err).toMatchObject({ file: 'data.jsonl', row: 3, unit: 'line', code: 'syntax' });
    expect(err.message).toMatch(/^data\.jsonl, line 3: not valid JSON \(Unexpected token/);
  });

  it('reports a line that is not an object', () => {
    expect(errorOf(() => parseDataset('{"a": 1}\n[1, 2]\n', 'd.jsonl')).message).toBe(
      'd.jsonl, line 2: expected a JSON object like {"text": ...}, got an array',
    );
  });

  it('honours an explicit format over the extension', () => {
    expect(parseDataset(jsonl([{ text: 'a' }]), 'upload.bin', { format: 'jsonl' }).rows).toEqual([{ text: 'a' }]);
  });
});

describe('parseDataset() with plain text', () => {
  it('makes one row per paragraph with the line where it starts', () => {
    const text = 'First para\nstill first.\n\n\n  \nSecond para.\r\n\r\nThird.';
    const parsed = parseDataset(text, 'book.txt');
    expect(parsed.columns).toEqual(['text']);
    expect(parsed.rows.map((r) => r.text)).toEqual(['First para\nstill first.', 'Second para.', 'Third.']);
    expect(parsed.rowNumbers).toEqual([1, 6, 8]);
  });
});

describe('decodeText()', () => {
  it('decodes UTF-8 and drops a BOM', () => {
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('café')]), 'a.csv')).toBe('café');
  });

  it('round-trips any text without NULs', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        fc.pre(!text.includes('\0') && !text.startsWith('\uFEFF'));
        expect(decodeText(utf8(text), 'a.txt')).toBe(text);
      }),
    );
  });

  it('asks for UTF-8 when the bytes are Latin-1, naming the line', () => {
    const latin1 = new Uint8Array([...utf8('text\nok\nCaf'), 0xe9, ...utf8('\n')]);
    const err = errorOf(() => decodeText(latin1, 'r.csv'));
    expect(err).toMatchObject({ code: 'encoding', row: 3, unit: 'line' });
    expect(err.message).toMatch(/^r\.csv, line 3: this file is not valid UTF-8 \(byte 0xE9\); re-save it as UTF-8/);
  });

  it('asks for UTF-8 when the file is UTF-16', () => {
    const err = errorOf(() => decodeText(new Uint8Array([0xff, 0xfe, 0x74, 0x00]), 'r.csv'));
    expect(err.code).toBe('encoding');
    expect(err.message).toMatch(/UTF-16; re-save it as UTF-8/);
  });

  it.each([
    ['NUL bytes', new Uint8Array([0x74, 0x00, 0x01, 0x02])],
    ['a zip archive', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14])],
  ])('says a file with %s is binary', (_name, bytes) => {
    const err = errorOf(() => decodeText(bytes, 'bin.csv'));
    expect(err.code).toBe('binary');
    expect(err.message).toMatch(/^bin\.csv: this looks like a binary file, not text/);
  });
});
