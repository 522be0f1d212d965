/** Bytes of a dataset file -> examples for a task, with the columns detected or chosen. */
import type { Example, Task } from '../types';
import { detectSchema, overrideSchema, toExamples, type ColumnChoice, type Schema } from './detect';
import { DatasetError } from './errors';
import { decodeText, parseDataset } from './parse';

export interface LoadedDataset {
  schema: Schema;
  examples: Example[];
  columns: string[];
}

export function loadDataset(bytes: Uint8Array, fileName: string, task: Task, choice: ColumnChoice = {}): LoadedDataset {
  const parsed = parseDataset(decodeText(bytes, fileName), fileName);
  const schema = overrideSchema(detectSchema(parsed.columns, parsed.rows, { file: fileName }), parsed.columns, choice, { file: fileName });
  if (task === 'classify' && schema.kind !== 'labeled') {
    throw new DatasetError(
      { file: fileName, code: 'missing-column' },
      `classification needs a text column and a label column, but the data looks like "${schema.kind}" data (columns: ${parsed.columns.join(', ')}); choose them with --text-column and --label-column`,
    );
  }
  const examples = toExamples(parsed.rows, schema, { file: fileName, rowNumbers: parsed.rowNumbers, rowUnit: parsed.rowUnit });
  return { schema, examples, columns: parsed.columns };
}
