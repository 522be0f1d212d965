/**
 * Reading dataset files (CSV, TSV, JSON, JSONL, plain text) into rows of named columns.
 * Shared by the CLI and the app; no DOM or Node APIs.
 *
 * Row numbering convention (used in every error message and in ParsedDataset.rowNumbers):
 *   - CSV/TSV: "row N" counts records the way a spreadsheet shows them. The header is row 1, so the
 *     first data row is row 2. Blank rows still count (a spreadsheet shows them), and a quoted value
 *     spanning several lines is one row.
 *   - JSONL and txt: "line N" is the 1-based line of the file where the record starts.
 *   - JSON: "item N" is the 1-based position in the array.
 */
import Papa from 'papaparse';
import { DatasetError, type RowUnit } from './errors';

export { DatasetError } from './errors';
export type { DatasetErrorCode, RowUnit } from './errors';

/** 'parquet' is binary: read it with readDataset (parquet.ts), not parseDataset. */
export type DatasetFormat = 'csv' | 'tsv' | 'json' | 'jsonl' | 'txt' | 'parquet';

export interface ParsedDataset {
  format: DatasetFormat;
  /** Column names in order of first appearance. */
  columns: string[];
  rows: Record<string, unknown>[];
  /** rowNumbers[i] is where rows[i] is in the file, counted in `rowUnit`s (see the convention above). */
  rowNumbers: number[];
  rowUnit: RowUnit;
}

const EXTENSIONS: Record<string, DatasetFormat> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  json: 'json',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  txt: 'txt',
  text: 'txt',
  md: 'txt',
  parquet: 'parquet',
};

const SNIFF_LENGTH = 4096;

/** The format implied by the file name's extension. */
export function formatFromFileName(fileName: string): DatasetFormat {
  const ext = /\.([^./\\]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
  const format = EXTENSIONS[ext];
  if (format) return format;
  const hint = ext === 'xlsx' || ext === 'xls' || ext === 'ods' ? ' Export the sheet as CSV (UTF-8) first.' : '';
  const shown = ext ? `".${ext}" files are not supported` : 'the file name has no extension';
  throw new DatasetError({ file: fileName, code: 'format' }, `${shown}; use .csv, .tsv, .json, .jsonl, .txt or .parquet.${hint}`);
}

/** Decodes file bytes as UTF-8 (dropping a BOM), rejecting binary files and other encodings. */
export function decodeText(bytes: Uint8Array, fileName: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    throw new DatasetError({ file: fileName, code: 'encoding' }, 'this file is saved as UTF-16; re-save it as UTF-8 text');
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)
    throw new DatasetError({ file: fileName, code: 'binary' }, 'this looks like a binary file, not text (a zip or spreadsheet?); export it as CSV (UTF-8)');
  if (bytes.subarray(0, SNIFF_LENGTH).includes(0)) throw binaryError(fileName);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    const byte = bytes[at]?.toString(16).toUpperCase().padStart(2, '0');
    throw new DatasetError(
      { file: fileName, code: 'encoding', row: line, unit: 'line' },
      `this file is not valid UTF-8 (byte 0x${byte}); re-save it as UTF-8 text (in Excel: "CSV UTF-8")`,
    );
  }
}

/** Offset of the first byte that breaks UTF-8 (bytes.length when valid). */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
    }
    // Overlong / surrogate / out-of-range forms.
    if ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] > 0x9f) || (c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] > 0x8f))
      return i;
    i += n + 1;
  }
  return b.length;
}

function binaryError(file: string): DatasetError {
  return new DatasetError({ file, code: 'binary' }, 'this looks like a binary file, not text');
}

/** NUL characters, or more than 10% control / replacement characters, near the start of the text. */
function looksBinary(text: string): boolean {
  const head = text.slice(0, SNIFF_LENGTH);
  if (head.includes('\0')) return true;
  let odd = 0;
  for (const ch of head) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f || c === 0xfffd) odd++;
  }
  return head.length > 0 && odd / head.length > 0.1;
}

export function parseDataset(text: string, fileName: string, opts?: { format?: DatasetFormat }): ParsedDataset {
  const format = opts?.format ?? formatFromFileName(fileName);
  if (format === 'parquet') throw new DatasetError({ file: fileName, code: 'format' }, 'Parquet is binary; read the bytes with readDataset, not as text');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (looksBinary(text)) throw binaryError(fileName);
  if (text.trim() === '') throw new DatasetError({ file: fileName, code: 'empty' }, 'the file has no rows');
  switch (format) {
    case 'csv':
    case 'tsv':
      return parseDelimited(text, fileName, format);
    case 'json':
      return parseJson(text, fileName);
    case 'jsonl':
      return parseJsonl(text, fileName);
    case 'txt':
      return parseTxt(text);
  }
}

const isBlankRecord = (fields: string[]) => fields.every((f) => f.trim() === '');

function parseDelimited(text: string, file: string, format: 'csv' | 'tsv'): ParsedDataset {
  // Excel in some locales writes ';'-separated "CSV": trust the header line rather than papaparse's guess.
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = format === 'tsv' ? '\t' : !firstLine.includes(',') && firstLine.includes(';') ? ';' : ',';
  // header: false and no skipping, so that record indices stay spreadsheet row numbers; blank rows
  // (every value whitespace, papaparse's skipEmptyLines: 'greedy') are dropped below.
  const result = Papa.parse<string[]>(text, { header: false, delimiter, skipEmptyLines: false, dynamicTyping: false });
  const quoteError = result.errors.filter((e) => e.type === 'Quotes').sort((a, b) => (a.row ?? 0) - (b.row ?? 0))[0];
  if (quoteError) {
    const detail =
      quoteError.code === 'MissingQuotes'
        ? 'unclosed quote (a value starts with " but never ends)'
        : 'a quoted value has text after its closing quote (write "" for a quote inside a quoted value)';
    throw new DatasetError({ file, code: 'syntax', row: (quoteError.row ?? 0) + 1 }, detail);
  }
  const records = result.data;
  const headerIndex = records.findIndex((r) => !isBlankRecord(r));
  if (headerIndex < 0) throw new DatasetError({ file, code: 'empty' }, 'the file has no rows');
  const headerRow = headerIndex + 1;
  const columns = records[headerIndex].map((c) => c.trim());
  while (columns.length > 1 && columns[columns.length - 1] === '') columns.pop(); // trailing delimiter
  const sep = format === 'tsv' ? 'tabs' : `"${delimiter}"`;
  const noHeader = (why: string) =>
    new DatasetError({ file, code: 'no-header', row: headerRow }, `the file has no header row (${why}); the first row must name the columns, separated by ${sep}`);
  const blank = columns.findIndex((c) => c === '');
  if (blank >= 0) throw noHeader(`column ${blank + 1} has no name`);
  if (columns.every((c) => /^[-+]?\d+(\.\d+)?$/.test(c))) throw noHeader('it holds only numbers');
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new DatasetError({ file, code: 'no-header', row: headerRow, field: c }, `the column name "${c}" appears twice in the header`);
    seen.add(c);
  }

  const rows: Record<string, unknown>[] = [];
  const rowNumbers: number[] = [];
  for (let i = headerIndex + 1; i < records.length; i++) {
    const fields = records[i];
    if (isBlankRecord(fields)) continue;
    const row = i + 1;
    const extra = fields.slice(columns.length);
    if (extra.some((f) => f.trim() !== '')) {
      const hint = format === 'csv' ? `; a value containing "${delimiter}" must be wrapped in double quotes` : '';
      throw new DatasetError({ file, code: 'shape', row }, `${fields.length} values but the header has ${columns.length} columns${hint}`);
    }
    if (fields.length < columns.length) {
      throw new DatasetError(
        { file, code: 'shape', row, field: columns[fields.length] },
        `${fields.length} value${fields.length === 1 ? '' : 's'} but the header has ${columns.length} columns ("${columns[fields.length]}" is missing)`,
      );
    }
    rows.push(Object.fromEntries(columns.map((c, k) => [c, fields[k]])));
    rowNumbers.push(row);
  }
  if (rows.length === 0) throw new DatasetError({ file, code: 'empty' }, 'the file has a header row but no data rows');
  return { format, columns, rows, rowNumbers, rowUnit: 'row' };
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function collectColumns(rows: Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function parseJson(text: string, file: string): ParsedDataset {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // A .json file that is really JSON Lines (one object per line) is common; accept it.
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    if (lines.length > 1 && lines[0].trim().startsWith('{') && lines[0].trim().endsWith('}')) {
      try {
        return parseJsonl(text, file);
      } catch {
        /* report the JSON error below */
      }
    }
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    const row = pos ? lineAt(text, Number(pos[1])) : undefined;
    throw new DatasetError({ file, code: 'syntax', row, unit: 'line' }, `not valid JSON (${message})`);
  }
  const items = isPlainObject(value) && Array.isArray(value.data) ? value.data : value;
  if (!Array.isArray(items)) {
    throw new DatasetError(
      { file, code: 'format' },
      `expected a JSON array of objects (or {"data": [...]}), got ${describeValue(items)}`,
    );
  }
  if (items.length === 0) throw new DatasetError({ file, code: 'empty' }, 'the file has no rows');
  items.forEach((item, i) => {
    if (!isPlainObject(item))
      throw new DatasetError({ file, code: 'shape', row: i + 1, unit: 'item' }, `expected an object like {"text": ...}, got ${describeValue(item)}`);
  });
  const rows = items as Record<string, unknown>[];
  return { format: 'json', columns: collectColumns(rows), rows, rowNumbers: rows.map((_, i) => i + 1), rowUnit: 'item' };
}

function parseJsonl(text: string, file: string): ParsedDataset {
  const rows: Record<string, unknown>[] = [];
  const rowNumbers: number[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new DatasetError({ file, code: 'syntax', row: i + 1, unit: 'line' }, `not valid JSON (${(e as Error).message})`);
    }
    if (!isPlainObject(value))
      throw new DatasetError({ file, code: 'shape', row: i + 1, unit: 'line' }, `expected a JSON object like {"text": ...}, got ${describeValue(value)}`);
    rows.push(value);
    rowNumbers.push(i + 1);
  });
  if (rows.length === 0) throw new DatasetError({ file, code: 'empty' }, 'the file has no rows');
  return { format: 'jsonl', columns: collectColumns(rows), rows, rowNumbers, rowUnit: 'line' };
}

/** One row per paragraph (paragraphs are separated by blank lines), in column `text`. */
function parseTxt(text: string): ParsedDataset {
  const lines = text.split(/\r?\n/);
  const rows: Record<string, unknown>[] = [];
  const rowNumbers: number[] = [];
  let start = -1;
  const flush = (end: number) => {
    if (start < 0) return;
    rows.push({ text: lines.slice(start, end).join('\n').trim() });
    rowNumbers.push(start + 1);
    start = -1;
  };
  lines.forEach((line, i) => {
    if (line.trim() === '') flush(i);
    else if (start < 0) start = i;
  });
  flush(lines.length);
  return { format: 'txt', columns: ['text'], rows, rowNumbers, rowUnit: 'line' };
}
