/**
 * Parquet datasets (what the Hugging Face Hub serves) through hyparquet, into the same
 * ParsedDataset shape as the text formats, and `readDataset` for callers holding a file's bytes
 * whatever its format. Rows are numbered 1.. ("row 1" is the first record; Parquet has no header row).
 */
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { DatasetError } from './errors';
import { decodeText, formatFromFileName, parseDataset, type ParsedDataset } from './parse';

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1" at both ends of every Parquet file

const hasMagic = (b: Uint8Array, at: number) => MAGIC.every((m, k) => b[at + k] === m);

/** Values as the rest of the studio expects them: text and numbers, plain arrays and objects. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

export async function parseParquet(bytes: Uint8Array, fileName: string): Promise<ParsedDataset> {
  if (bytes.length < 12 || !hasMagic(bytes, 0) || !hasMagic(bytes, bytes.length - 4)) {
    throw new DatasetError({ file: fileName, code: 'format' }, 'not a Parquet file (it lacks the "PAR1" marks at its start and end); it may be truncated');
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let columns: string[];
  let metadata;
  try {
    metadata = parquetMetadata(buffer);
    columns = parquetSchema(metadata).children.map((c) => c.element.name);
  } catch (e) {
    throw new DatasetError({ file: fileName, code: 'syntax' }, `the Parquet footer cannot be read (${(e as Error).message})`);
  }
  let records: Record<string, unknown>[];
  try {
    records = await parquetReadObjects({ file: buffer, metadata });
  } catch (e) {
    const message = (e as Error).message;
    const codec = /unsupported compression codec: (\w+)/.exec(message)?.[1];
    if (codec) throw new DatasetError({ file: fileName, code: 'format' }, `the file is compressed with ${codec}, which the studio cannot read yet; save it with Snappy or no compression`);
    throw new DatasetError({ file: fileName, code: 'syntax' }, `the Parquet data cannot be read (${message})`);
  }
  if (records.length === 0) throw new DatasetError({ file: fileName, code: 'empty' }, 'the file has no rows');
  const rows = records.map((r) => plain(r) as Record<string, unknown>);
  return { format: 'parquet', columns, rows, rowNumbers: rows.map((_, i) => i + 1), rowUnit: 'row' };
}

/** A dataset file's bytes -> rows, for every supported format (Parquet included). */
export async function readDataset(bytes: Uint8Array, fileName: string): Promise<ParsedDataset> {
  const format = formatFromFileName(fileName);
  if (format === 'parquet') return parseParquet(bytes, fileName);
  return parseDataset(decodeText(bytes, fileName), fileName, { format });
}
