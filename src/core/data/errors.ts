/** Errors about a user's data file, worded for the person who made the file. */

export type DatasetErrorCode =
  | 'encoding' // not UTF-8
  | 'binary' // not a text file at all
  | 'format' // unsupported extension, or the wrong top-level shape
  | 'syntax' // CSV quoting, invalid JSON
  | 'empty' // no rows
  | 'no-header' // CSV/TSV first row does not name the columns
  | 'shape' // a row has the wrong number of values / is not an object
  | 'missing-column' // a named column does not exist
  | 'missing-value' // a required value is absent or empty
  | 'invalid-value'; // a value of the wrong type (e.g. malformed messages)

/** How a row number is counted: CSV rows (header = row 1), text lines, or items of a JSON array. */
export type RowUnit = 'row' | 'line' | 'item';

export interface DatasetErrorInfo {
  file: string;
  code: DatasetErrorCode;
  /** 1-based, as a person counts it in the file (see RowUnit). */
  row?: number;
  unit?: RowUnit;
  /** Column / field name the error is about. */
  field?: string;
}

export class DatasetError extends Error {
  readonly file: string;
  readonly row?: number;
  readonly unit?: RowUnit;
  readonly field?: string;
  readonly code: DatasetErrorCode;
  /** The message without the "file, row N: " prefix. */
  readonly detail: string;

  constructor(info: DatasetErrorInfo, detail: string) {
    const where = info.row === undefined ? info.file : `${info.file}, ${info.unit ?? 'row'} ${info.row}`;
    super(`${where}: ${detail}`);
    this.name = 'DatasetError';
    this.file = info.file;
    this.row = info.row;
    this.unit = info.row === undefined ? undefined : (info.unit ?? 'row');
    this.field = info.field;
    this.code = info.code;
    this.detail = detail;
  }
}
