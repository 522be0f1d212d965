/**
 * Which columns of a parsed dataset hold what: detection heuristics, user overrides, and the
 * mapping of rows to training `Example`s with row-level validation.
 */
import type { Example } from '../types';
import { DatasetError, type RowUnit } from './errors';

export type Schema =
  | { kind: 'labeled'; textColumn: string; labelColumn: string }
  | { kind: 'prompt'; promptColumn: string; completionColumn: string }
  | { kind: 'chat'; messagesColumn: string }
  | { kind: 'alpaca'; instructionColumn: string; inputColumn?: string; outputColumn: string }
  | { kind: 'text'; textColumn: string };

const TEXT_NAMES = ['text', 'sentence', 'review', 'content', 'message', 'email', 'body'];
const LABEL_NAMES = ['label', 'labels', 'class', 'category', 'target', 'sentiment'];
const PROMPT_NAMES = ['prompt', 'question', 'input'];
const COMPLETION_NAMES = ['completion', 'response', 'answer', 'output'];
const CHAT_NAMES = ['messages', 'conversations'];

const MAX_LABEL_VALUES = 50;
/** Rows inspected when guessing column contents. */
const SAMPLE = 1000;

interface Where {
  file?: string;
}

const fileOf = (w?: Where) => w?.file ?? 'dataset';

const words = (c: string) => c.trim().toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);

/**
 * First column whose name matches one of `names` (case-insensitive), in the order of `names`:
 * an exact match first, then a name containing the word ("Review Text", "label_id").
 */
function byName(columns: string[], names: string[], ok: (c: string) => boolean = () => true): string | undefined {
  for (const n of names) {
    const hit = columns.find((c) => c.trim().toLowerCase() === n && ok(c));
    if (hit !== undefined) return hit;
  }
  for (const n of names) {
    const hit = columns.find((c) => words(c).includes(n) && ok(c));
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** A JSON array stored as text (a CSV cell holding messages) -> the array; anything else unchanged. */
export function tryParseJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (!s.startsWith('[')) return v;
  try {
    return JSON.parse(s);
  } catch {
    return v;
  }
}

/** {role, content} or ShareGPT's {from, value}. */
function isTurn(t: unknown): boolean {
  if (typeof t !== 'object' || t === null) return false;
  const o = t as Record<string, unknown>;
  return (typeof o.role === 'string' && 'content' in o) || (typeof o.from === 'string' && 'value' in o);
}

function holdsMessages(column: string, rows: Record<string, unknown>[]): boolean {
  const values = rows.slice(0, SAMPLE).map((r) => tryParseJson(r[column])).filter((v) => v !== undefined && v !== null && v !== '');
  return values.length > 0 && values.every((v) => Array.isArray(v) && v.length > 0 && v.every(isTurn));
}

function stringStats(column: string, rows: Record<string, unknown>[]) {
  let strings = 0;
  let numeric = 0;
  let totalLength = 0;
  const distinct = new Set<string>();
  let present = 0;
  for (const r of rows.slice(0, SAMPLE)) {
    const v = r[column];
    if (v === undefined || v === null || v === '') continue;
    present++;
    if (typeof v === 'string') {
      strings++;
      totalLength += v.length;
      if (/^\s*[-+]?\d+(\.\d+)?\s*$/.test(v)) numeric++;
    }
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') distinct.add(String(v).trim());
    else distinct.add(JSON.stringify(v));
  }
  return { present, strings, numeric, meanLength: strings ? totalLength / strings : 0, distinct: distinct.size };
}

/** A column with few distinct values relative to the rows: <= 50 values, fewer than half the rows, at least 2. */
function isLowCardinality(column: string, rows: Record<string, unknown>[]): boolean {
  const s = stringStats(column, rows);
  return s.present > 0 && s.distinct >= 2 && s.distinct <= MAX_LABEL_VALUES && s.distinct < 0.5 * s.present;
}

export function detectSchema(columns: string[], rows: Record<string, unknown>[], opts?: Where): Schema {
  const chatByName = byName(columns, CHAT_NAMES);
  if (chatByName !== undefined && holdsMessages(chatByName, rows)) return { kind: 'chat', messagesColumn: chatByName };
  const chat = columns.find((c) => holdsMessages(c, rows));
  if (chat !== undefined) return { kind: 'chat', messagesColumn: chat };

  const instruction = byName(columns, ['instruction']);
  const output = byName(columns, ['output'], (c) => c !== instruction);
  if (instruction !== undefined && output !== undefined) {
    const input = byName(columns, ['input'], (c) => c !== instruction && c !== output);
    return input === undefined
      ? { kind: 'alpaca', instructionColumn: instruction, outputColumn: output }
      : { kind: 'alpaca', instructionColumn: instruction, inputColumn: input, outputColumn: output };
  }

  const isText = (c: string) => {
    const st = stringStats(c, rows);
    return st.strings > 0 && st.strings >= st.present / 2 && st.numeric < st.strings;
  };
  const prompt = byName(columns, PROMPT_NAMES, isText);
  const completion = byName(columns, COMPLETION_NAMES, (c) => c !== prompt && isText(c));
  if (prompt !== undefined && completion !== undefined) return { kind: 'prompt', promptColumn: prompt, completionColumn: completion };

  let text = byName(columns, TEXT_NAMES, isText);
  let label = byName(columns, LABEL_NAMES, (c) => c !== text);
  if (text === undefined) {
    // The string column with the longest values, preferring columns that do not look like labels.
    const candidates = columns.filter((c) => c !== label && isText(c));
    const pool = candidates.filter((c) => !isLowCardinality(c, rows));
    let best = -1;
    for (const c of pool.length > 0 ? pool : candidates) {
      const mean = stringStats(c, rows).meanLength;
      if (mean > best) {
        best = mean;
        text = c;
      }
    }
  }
  if (text === undefined) {
    throw new DatasetError(
      { file: fileOf(opts), code: 'missing-column' },
      `could not find a column of text (columns: ${columns.join(', ') || 'none'}); name the text column "text" or choose it explicitly`,
    );
  }
  label ??= columns.find((c) => c !== text && isLowCardinality(c, rows));
  return label === undefined ? { kind: 'text', textColumn: text } : { kind: 'labeled', textColumn: text, labelColumn: label };
}

/** Column choices made by the user (e.g. --text-column / --label-column). */
export interface ColumnChoice {
  text?: string;
  label?: string;
  prompt?: string;
  completion?: string;
  messages?: string;
}

function resolveColumn(columns: string[], name: string, role: string, opts?: Where): string {
  if (columns.includes(name)) return name;
  const ci = columns.filter((c) => c.toLowerCase() === name.toLowerCase());
  if (ci.length === 1) return ci[0];
  throw new DatasetError(
    { file: fileOf(opts), code: 'missing-column', field: name },
    `there is no column "${name}" for the ${role}; the columns are: ${columns.join(', ')}`,
  );
}

/** A schema from explicitly named columns, checking that they exist. */
export function schemaFromColumns(columns: string[], choice: ColumnChoice, opts?: Where): Schema {
  const col = (name: string, role: string) => resolveColumn(columns, name, role, opts);
  const bad = (detail: string) => new DatasetError({ file: fileOf(opts), code: 'missing-column' }, detail);
  const { text, label, prompt, completion, messages } = choice;
  const families = [text ?? label, prompt ?? completion, messages].filter((x) => x !== undefined).length;
  if (families === 0) throw bad('no columns were chosen');
  if (families > 1) throw bad('choose either text/label columns, prompt/completion columns, or a messages column, not a mix');
  if (messages !== undefined) return { kind: 'chat', messagesColumn: col(messages, 'messages') };
  if (prompt !== undefined || completion !== undefined) {
    if (prompt === undefined || completion === undefined) throw bad('a prompt column and a completion column are both needed');
    return { kind: 'prompt', promptColumn: col(prompt, 'prompt'), completionColumn: col(completion, 'completion') };
  }
  if (text === undefined) throw bad(`a label column needs a text column too; the columns are: ${columns.join(', ')}`);
  const textColumn = col(text, 'text');
  if (label === undefined) return { kind: 'text', textColumn };
  const labelColumn = col(label, 'label');
  if (labelColumn === textColumn) throw bad(`"${textColumn}" cannot be both the text and the label column`);
  return { kind: 'labeled', textColumn, labelColumn };
}

/** Applies user choices on top of a detected schema: unset parts of the same kind are kept from `detected`. */
export function overrideSchema(detected: Schema, columns: string[], choice: ColumnChoice, opts?: Where): Schema {
  const set = Object.fromEntries(Object.entries(choice).filter(([, v]) => v !== undefined)) as ColumnChoice;
  if (Object.keys(set).length === 0) return detected;
  let base: ColumnChoice = {};
  if ((set.text ?? set.label) !== undefined) {
    if (detected.kind === 'labeled') base = { text: detected.textColumn, label: detected.labelColumn };
    if (detected.kind === 'text') base = { text: detected.textColumn };
  } else if ((set.prompt ?? set.completion) !== undefined && detected.kind === 'prompt') {
    base = { prompt: detected.promptColumn, completion: detected.completionColumn };
  }
  return schemaFromColumns(columns, { ...base, ...set }, opts);
}

export interface ToExamplesOptions {
  file?: string;
  /** Where each row is in the file (ParsedDataset.rowNumbers); defaults to 1-based indices. */
  rowNumbers?: number[];
  rowUnit?: RowUnit;
}

export const SHAREGPT_ROLES: Record<string, string> = { human: 'user', gpt: 'assistant', system: 'system' };

/**
 * A message's text: a string, or OpenAI's list of content parts ([{"type": "text", "text": "..."}]),
 * whose text parts are joined; undefined for anything else.
 */
export function contentText(c: unknown): string | undefined {
  if (typeof c === 'string') return c;
  if (!Array.isArray(c) || c.length === 0) return undefined;
  const parts = c.map((p) => (typeof p === 'string' ? p : typeof p === 'object' && p !== null && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : undefined));
  return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
}

/** Maps rows to Examples, throwing a DatasetError that names the file, row and column of the first bad value. */
export function toExamples(rows: Record<string, unknown>[], schema: Schema, opts?: ToExamplesOptions): Example[] {
  return rows.map((row, i) => {
    const where = { file: fileOf(opts), row: opts?.rowNumbers?.[i] ?? i + 1, unit: opts?.rowUnit ?? 'row' };
    const fail = (field: string, code: 'missing-value' | 'invalid-value', detail: string): never => {
      throw new DatasetError({ ...where, field, code }, detail);
    };
    const str = (field: string, allowEmpty = false): string => {
      const v = row[field];
      if (v === undefined || v === null) return allowEmpty ? '' : fail(field, 'missing-value', `"${field}" is missing`);
      if (typeof v === 'object') return fail(field, 'invalid-value', `"${field}" should be text, got ${Array.isArray(v) ? 'a list' : 'an object'}`);
      const s = String(v);
      if (!allowEmpty && s.trim() === '') fail(field, 'missing-value', `"${field}" is empty`);
      return s;
    };
    switch (schema.kind) {
      case 'text':
        return { kind: 'text', text: str(schema.textColumn) };
      case 'labeled':
        return { kind: 'labeled', text: str(schema.textColumn), label: str(schema.labelColumn).trim() };
      case 'prompt':
        return { kind: 'prompt', prompt: str(schema.promptColumn), completion: str(schema.completionColumn) };
      case 'alpaca': {
        const input = schema.inputColumn === undefined ? '' : str(schema.inputColumn, true);
        const instruction = str(schema.instructionColumn);
        return { kind: 'prompt', prompt: input.trim() === '' ? instruction : `${instruction}\n\n${input}`, completion: str(schema.outputColumn) };
      }
      case 'chat': {
        const field = schema.messagesColumn;
        const raw = row[field];
        if (raw === undefined || raw === null || raw === '') return fail(field, 'missing-value', `"${field}" is missing`);
        const value = tryParseJson(raw);
        if (!Array.isArray(value)) return fail(field, 'invalid-value', `"${field}" should be a list of {"role", "content"} messages`);
        if (value.length === 0) return fail(field, 'missing-value', `"${field}" has no messages`);
        const messages = value.map((m, k) => {
          const at = `"${field}"[${k}]`;
          if (typeof m !== 'object' || m === null || Array.isArray(m)) return fail(field, 'invalid-value', `${at} should be an object like {"role": "user", "content": "..."}`);
          const o = m as Record<string, unknown>;
          const role = typeof o.role === 'string' ? o.role : typeof o.from === 'string' ? (SHAREGPT_ROLES[o.from] ?? o.from) : undefined;
          const content = contentText('role' in o ? o.content : o.value);
          if (role === undefined || role.trim() === '') return fail(field, 'invalid-value', `${at} has no "role"`);
          if (typeof content !== 'string') return fail(field, 'invalid-value', `${at} has no "content" text`);
          return { role, content };
        });
        return { kind: 'chat', messages };
      }
    }
  });
}
