/**
 * The row shape the data studio works on (clean, augment, split, version, explore).
 *
 * One flat type covers every dataset kind, so steps need no per-kind plumbing:
 *   - text+label rows: `text` (+ `label`)
 *   - prompt/completion rows (Alpaca rows become these): `prompt`, `completion`
 *   - chat rows (OpenAI `messages`, ShareGPT `conversations`): `messages`
 * "Content" is the text a row is about (text; prompt + completion; all message contents): it is what
 * dedupe, length, noise and near-duplicate steps look at. `label` is only touched by label steps.
 *
 * Unlike `toExamples`, mapping records to rows never throws on a bad value: an empty or malformed field
 * becomes `undefined`, so cleaning can show and drop that row instead of refusing the whole file.
 */
import Papa from 'papaparse';
import type { Example } from '../types';
import { contentText, SHAREGPT_ROLES, tryParseJson, type Schema } from './detect';

export interface Message {
  role: string;
  content: string;
}

export type SplitName = 'train' | 'validation' | 'test';

export interface DataRow {
  /** Stable across cleaning and versions; augmented rows get fresh ids above the parent's. */
  id: number;
  text?: string;
  label?: string;
  prompt?: string;
  completion?: string;
  messages?: Message[];
  /** Made by augmentation from row `sourceId`; such rows only ever go to train. */
  augmented?: boolean;
  sourceId?: number;
  /** Set by splitting. */
  split?: SplitName;
}

export type RowKind = 'chat' | 'prompt' | 'text';

export function rowKind(row: DataRow): RowKind {
  if (row.messages !== undefined) return 'chat';
  if (row.prompt !== undefined || row.completion !== undefined) return 'prompt';
  return 'text';
}

/** The row's content as one string (fields joined by newlines): what length, noise and near-duplicate steps read. */
export function contentOf(row: DataRow): string {
  switch (rowKind(row)) {
    case 'chat':
      return row.messages!.map((m) => m.content).join('\n');
    case 'prompt':
      return `${row.prompt ?? ''}\n${row.completion ?? ''}`;
    case 'text':
      return row.text ?? '';
  }
}

/** An exact-match key of the content: fields joined by control characters, so "a"+"bc" and "ab"+"c" differ. */
export function contentKey(row: DataRow): string {
  switch (rowKind(row)) {
    case 'chat':
      return row.messages!.map((m) => `${m.role}\u0000${m.content}`).join('\u0001');
    case 'prompt':
      return `${row.prompt ?? ''}\u0000${row.completion ?? ''}`;
    case 'text':
      return row.text ?? '';
  }
}

/** True when the row has the content its kind needs (text; prompt and completion; a non-empty message). */
export function hasContent(row: DataRow): boolean {
  const filled = (s: string | undefined) => s !== undefined && s.trim() !== '';
  switch (rowKind(row)) {
    case 'chat':
      return row.messages!.length > 0 && row.messages!.some((m) => filled(m.content));
    case 'prompt':
      return filled(row.prompt) && filled(row.completion);
    case 'text':
      return filled(row.text);
  }
}

/**
 * Applies `fn` to every content field; returns the same object when nothing changed (cheap to test
 * with ===) and a copy otherwise.
 */
export function mapContent(row: DataRow, fn: (s: string) => string): DataRow {
  let out: DataRow | undefined;
  const edit = (key: 'text' | 'prompt' | 'completion') => {
    const v = row[key];
    if (v === undefined) return;
    const w = fn(v);
    if (w !== v) (out ??= { ...row })[key] = w;
  };
  edit('text');
  edit('prompt');
  edit('completion');
  if (row.messages) {
    const next = row.messages.map((m) => {
      const c = fn(m.content);
      return c === m.content ? m : { ...m, content: c };
    });
    if (next.some((m, i) => m !== row.messages![i])) (out ??= { ...row }).messages = next;
  }
  return out ?? row;
}

const scalar = (v: unknown): string | undefined =>
  v === undefined || v === null || typeof v === 'object' ? undefined : String(v);

function messagesOf(raw: unknown): Message[] | undefined {
  const value = tryParseJson(raw);
  if (!Array.isArray(value)) return undefined;
  const out: Message[] = [];
  for (const m of value) {
    if (typeof m !== 'object' || m === null) return undefined;
    const o = m as Record<string, unknown>;
    const role = typeof o.role === 'string' ? o.role : typeof o.from === 'string' ? (SHAREGPT_ROLES[o.from] ?? o.from) : undefined;
    const content = contentText('role' in o ? o.content : o.value);
    if (role === undefined || content === undefined) return undefined;
    out.push({ role, content });
  }
  return out;
}

/**
 * Parsed records -> rows under a schema (see detectSchema). Never throws on a bad value. Ids are 0..n-1,
 * or `ids` (pass ParsedDataset.rowNumbers so reasons like "duplicate of row 7" match the file).
 */
export function rowsFromRecords(records: Record<string, unknown>[], schema: Schema, ids?: readonly number[]): DataRow[] {
  return records.map((r, i): DataRow => {
    const id = ids?.[i] ?? i;
    switch (schema.kind) {
      case 'text':
        return { id, text: scalar(r[schema.textColumn]) };
      case 'labeled': {
        const label = scalar(r[schema.labelColumn]);
        return { id, text: scalar(r[schema.textColumn]), label: label === '' ? undefined : label };
      }
      case 'prompt':
        // '' rather than undefined, so the row stays a prompt row and cleaning reports the empty field.
        return { id, prompt: scalar(r[schema.promptColumn]) ?? '', completion: scalar(r[schema.completionColumn]) ?? '' };
      case 'alpaca': {
        // The same joining as toExamples, so cleaned data trains exactly like imported data.
        const instruction = scalar(r[schema.instructionColumn]);
        const input = schema.inputColumn === undefined ? '' : (scalar(r[schema.inputColumn]) ?? '');
        const prompt = instruction === undefined ? '' : input.trim() === '' ? instruction : `${instruction}\n\n${input}`;
        return { id, prompt, completion: scalar(r[schema.outputColumn]) ?? '' };
      }
      case 'chat':
        return { id, messages: messagesOf(r[schema.messagesColumn]) ?? [] };
    }
  });
}

export function rowsFromExamples(examples: Example[]): DataRow[] {
  return examples.map((e, id): DataRow => {
    switch (e.kind) {
      case 'text':
        return { id, text: e.text };
      case 'labeled':
        return { id, text: e.text, label: e.label };
      case 'prompt':
        return { id, prompt: e.prompt, completion: e.completion };
      case 'chat':
        return { id, messages: e.messages.map((m) => ({ ...m })) };
    }
  });
}

/** Rows -> training examples; rows without the content they need are skipped (clean first to see which). */
export function rowsToExamples(rows: DataRow[]): Example[] {
  const out: Example[] = [];
  for (const r of rows) {
    if (!hasContent(r)) continue;
    const kind = rowKind(r);
    if (kind === 'chat') out.push({ kind: 'chat', messages: r.messages!.map((m) => ({ ...m })) });
    else if (kind === 'prompt') out.push({ kind: 'prompt', prompt: r.prompt!, completion: r.completion! });
    else if (r.label !== undefined) out.push({ kind: 'labeled', text: r.text!, label: r.label });
    else out.push({ kind: 'text', text: r.text! });
  }
  return out;
}

/** A row as a file record in the shapes detectSchema recognises; augmentation and split marks only where set. */
export function rowToRecord(row: DataRow): Record<string, unknown> {
  const kind = rowKind(row);
  const rec: Record<string, unknown> =
    kind === 'chat' ? { messages: row.messages } : kind === 'prompt' ? { prompt: row.prompt ?? '', completion: row.completion ?? '' } : { text: row.text ?? '' };
  if (kind === 'text' && row.label !== undefined) rec.label = row.label;
  if (row.split !== undefined) rec.split = row.split;
  if (row.augmented) {
    rec.augmented = true;
    rec.source_id = row.sourceId;
  }
  return rec;
}

export type OutputFormat = 'csv' | 'tsv' | 'jsonl' | 'json';

/** Serialises rows as a file the studio (and pandas / datasets) reads back. */
export function formatRows(rows: DataRow[], format: OutputFormat): string {
  const records = rows.map(rowToRecord);
  if (format === 'jsonl') return records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
  if (format === 'json') return `${JSON.stringify(records, null, 1)}\n`;
  const fields: string[] = [];
  for (const r of records) for (const k of Object.keys(r)) if (!fields.includes(k)) fields.push(k);
  const data = records.map((r) => fields.map((f) => (typeof r[f] === 'object' && r[f] !== null ? JSON.stringify(r[f]) : (r[f] ?? ''))));
  return `${Papa.unparse({ fields, data }, { delimiter: format === 'tsv' ? '\t' : ',', newline: '\n' })}\n`;
}

/** A version's rows as training input: train (and unsplit) rows, and the validation split when there is one. Test rows stay out. */
export function trainingExamples(rows: DataRow[]): { train: Example[]; val?: Example[]; counts: Record<SplitName | 'unsplit', number> } {
  const counts = { train: 0, validation: 0, test: 0, unsplit: 0 };
  const train: DataRow[] = [];
  const val: DataRow[] = [];
  for (const r of rows) {
    counts[r.split ?? 'unsplit']++;
    if (r.split === 'validation') val.push(r);
    else if (r.split !== 'test') train.push(r);
  }
  const valExamples = rowsToExamples(val);
  return { train: rowsToExamples(train), val: valExamples.length ? valExamples : undefined, counts };
}
