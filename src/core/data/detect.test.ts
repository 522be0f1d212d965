import { describe, expect, it } from 'vitest';
import { detectSchema, overrideSchema, schemaFromColumns, toExamples, type Schema } from './detect';
import { DatasetError } from './errors';
import { parseDataset } from './parse';
import { chatTurns, csv, labeledRows } from './test-builders';

/** Rows from column -> values, e.g. table({ text: ['a', 'b'], label: ['x', 'y'] }). */
function table(cols: Record<string, unknown[]>): { columns: string[]; rows: Record<string, unknown>[] } {
  const columns = Object.keys(cols);
  const n = Math.max(...Object.values(cols).map((v) => v.length));
  return { columns, rows: Array.from({ length: n }, (_, i) => Object.fromEntries(columns.map((c) => [c, cols[c][i]]))) };
}

const sentences = (n: number, prefix = 'a fairly long sentence about item') => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);
const cycle = (n: number, values: string[]) => Array.from({ length: n }, (_, i) => values[i % values.length]);
const detect = (cols: Record<string, unknown[]>) => {
  const t = table(cols);
  return detectSchema(t.columns, t.rows, { file: 'd.csv' });
};

function errorOf(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('detectSchema()', () => {
  it.each<[string, Record<string, unknown[]>, Schema]>([
    ['text + label', { text: sentences(4), label: cycle(4, ['a', 'b']) }, { kind: 'labeled', textColumn: 'text', labelColumn: 'label' }],
    ['Review + Sentiment in any case', { ID: ['1', '2'], Review: sentences(2), SENTIMENT: ['pos', 'neg'] }, { kind: 'labeled', textColumn: 'Review', labelColumn: 'SENTIMENT' }],
    ['a name containing the word', { 'Review Text': sentences(2), class_name: ['x', 'y'] }, { kind: 'labeled', textColumn: 'Review Text', labelColumn: 'class_name' }],
    ['email + category', { email: sentences(2), category: ['spam', 'ham'] }, { kind: 'labeled', textColumn: 'email', labelColumn: 'category' }],
    ['prompt + completion', { prompt: sentences(2), completion: sentences(2) }, { kind: 'prompt', promptColumn: 'prompt', completionColumn: 'completion' }],
    ['question + answer', { question: sentences(2), answer: sentences(2) }, { kind: 'prompt', promptColumn: 'question', completionColumn: 'answer' }],
    ['input + output', { input: sentences(2), output: sentences(2) }, { kind: 'prompt', promptColumn: 'input', completionColumn: 'output' }],
    ['instruction + input + output', { instruction: sentences(2), input: ['', 'x'], output: sentences(2) }, { kind: 'alpaca', instructionColumn: 'instruction', inputColumn: 'input', outputColumn: 'output' }],
    ['instruction + output', { Instruction: sentences(2), Output: sentences(2) }, { kind: 'alpaca', instructionColumn: 'Instruction', outputColumn: 'Output' }],
    ['a messages column', { messages: [chatTurns('hi', 'hello')], source: ['web'] }, { kind: 'chat', messagesColumn: 'messages' }],
    ['ShareGPT conversations', { conversations: [[{ from: 'human', value: 'hi' }]] }, { kind: 'chat', messagesColumn: 'conversations' }],
    ['messages as JSON text from a CSV', { messages: [JSON.stringify(chatTurns('hi', 'yo'))] }, { kind: 'chat', messagesColumn: 'messages' }],
    ['any column of role/content lists', { dialog: [chatTurns('a', 'b')] }, { kind: 'chat', messagesColumn: 'dialog' }],
    ['text alone', { text: sentences(3), id: ['1', '2', '3'] }, { kind: 'text', textColumn: 'text' }],
  ])('detects %s', (_name, cols, schema) => {
    expect(detect(cols)).toEqual(schema);
  });

  it('falls back to the longest string column and a low-cardinality label', () => {
    const stars = cycle(20, ['1', '2', '3', '4', '5']);
    expect(detect({ title: sentences(20, 't'), notes: sentences(20, 'a much longer string of words for row'), stars })).toEqual({
      kind: 'labeled',
      textColumn: 'notes',
      labelColumn: 'stars',
    });
  });

  it('does not take a column with mostly distinct values as the label', () => {
    expect(detect({ text: sentences(10), source: cycle(10, ['a', 'b', 'c', 'd', 'e', 'f']) })).toEqual({ kind: 'text', textColumn: 'text' });
  });

  it('does not take a constant column as the label', () => {
    expect(detect({ text: sentences(10), lang: cycle(10, ['en']) })).toEqual({ kind: 'text', textColumn: 'text' });
  });

  it('does not take more than 50 distinct values as labels', () => {
    expect(detect({ text: sentences(200), code: cycle(200, sentences(60, 'c')) })).toEqual({ kind: 'text', textColumn: 'text' });
  });

  it('prefers a non-label-like column as the text', () => {
    expect(detect({ tag: cycle(10, ['a rather long tag value', 'another long tag value']), words: sentences(10, 'w') })).toEqual({
      kind: 'labeled',
      textColumn: 'words',
      labelColumn: 'tag',
    });
  });

  it('does not treat a column named "messages" holding plain strings as chat', () => {
    expect(detect({ messages: sentences(2) })).toEqual({ kind: 'text', textColumn: 'messages' });
  });

  it('explains when no column holds text', () => {
    const err = errorOf(() => detect({ a: [1, 2], b: ['3', '4'] }));
    expect(err.message).toMatch(/^d\.csv: could not find a column of text \(columns: a, b\)/);
  });
});

describe('schemaFromColumns()', () => {
  const columns = ['Review', 'Rating', 'question', 'reply', 'msgs'];

  it('builds each kind from the chosen columns, matching names case-insensitively', () => {
    expect(schemaFromColumns(columns, { text: 'review', label: 'Rating' })).toEqual({ kind: 'labeled', textColumn: 'Review', labelColumn: 'Rating' });
    expect(schemaFromColumns(columns, { text: 'Review' })).toEqual({ kind: 'text', textColumn: 'Review' });
    expect(schemaFromColumns(columns, { prompt: 'question', completion: 'reply' })).toEqual({ kind: 'prompt', promptColumn: 'question', completionColumn: 'reply' });
    expect(schemaFromColumns(columns, { messages: 'msgs' })).toEqual({ kind: 'chat', messagesColumn: 'msgs' });
  });

  it('lists the available columns when a chosen one does not exist', () => {
    const err = errorOf(() => schemaFromColumns(columns, { text: 'body' }, { file: 'r.csv' }));
    expect(err).toMatchObject({ code: 'missing-column', field: 'body' });
    expect(err.message).toBe('r.csv: there is no column "body" for the text; the columns are: Review, Rating, question, reply, msgs');
  });

  it.each([
    ['a label without text', { label: 'Rating' }, /a label column needs a text column too; the columns are: Review/],
    ['a prompt without completion', { prompt: 'question' }, /a prompt column and a completion column are both needed/],
    ['a mix of kinds', { text: 'Review', prompt: 'question' }, /not a mix/],
    ['the same column twice', { text: 'Review', label: 'review' }, /cannot be both the text and the label/],
  ])('rejects %s', (_name, choice, message) => {
    expect(() => schemaFromColumns(columns, choice)).toThrow(message);
  });
});

describe('overrideSchema()', () => {
  const columns = ['text', 'label', 'title', 'topic'];
  const labeled: Schema = { kind: 'labeled', textColumn: 'text', labelColumn: 'label' };

  it('returns the detected schema when nothing is chosen', () => {
    expect(overrideSchema(labeled, columns, { text: undefined })).toBe(labeled);
  });

  it('keeps the detected label when only the text column is chosen', () => {
    expect(overrideSchema(labeled, columns, { text: 'title' })).toEqual({ kind: 'labeled', textColumn: 'title', labelColumn: 'label' });
  });

  it('adds a label to a detected text schema', () => {
    expect(overrideSchema({ kind: 'text', textColumn: 'text' }, columns, { label: 'topic' })).toEqual({ kind: 'labeled', textColumn: 'text', labelColumn: 'topic' });
  });

  it('switches kind when the choice is of another kind', () => {
    expect(overrideSchema(labeled, columns, { messages: 'title' })).toEqual({ kind: 'chat', messagesColumn: 'title' });
  });
});

describe('toExamples()', () => {
  it('maps each schema kind to Examples', () => {
    expect(toExamples([{ t: 'hi' }], { kind: 'text', textColumn: 't' })).toEqual([{ kind: 'text', text: 'hi' }]);
    expect(toExamples([{ t: 'hi', l: ' pos ' }, { t: 'yo', l: 3 }], { kind: 'labeled', textColumn: 't', labelColumn: 'l' })).toEqual([
      { kind: 'labeled', text: 'hi', label: 'pos' },
      { kind: 'labeled', text: 'yo', label: '3' },
    ]);
    expect(toExamples([{ q: 'Q?', a: 'A.' }], { kind: 'prompt', promptColumn: 'q', completionColumn: 'a' })).toEqual([
      { kind: 'prompt', prompt: 'Q?', completion: 'A.' },
    ]);
  });

  it('joins alpaca instruction and input with a blank line, and omits an empty input', () => {
    const schema: Schema = { kind: 'alpaca', instructionColumn: 'instruction', inputColumn: 'input', outputColumn: 'output' };
    const rows = [
      { instruction: 'Translate.', input: 'bonjour', output: 'hello' },
      { instruction: 'Say hi.', input: '', output: 'hi' },
      { instruction: 'Count.', output: '1 2 3' },
    ];
    expect(toExamples(rows, schema).map((e) => (e.kind === 'prompt' ? e.prompt : ''))).toEqual(['Translate.\n\nbonjour', 'Say hi.', 'Count.']);
  });

  it('reads chat messages, including JSON text and ShareGPT turns', () => {
    const schema: Schema = { kind: 'chat', messagesColumn: 'm' };
    const rows = [{ m: chatTurns('hi', 'hello') }, { m: JSON.stringify(chatTurns('a', 'b')) }, { m: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'r' }] }];
    expect(toExamples(rows, schema)).toEqual([
      { kind: 'chat', messages: chatTurns('hi', 'hello') },
      { kind: 'chat', messages: chatTurns('a', 'b') },
      { kind: 'chat', messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'r' }] },
    ]);
  });

  it('names the file, CSV row and column of an empty text', () => {
    const rows = labeledRows(3);
    rows[1][0] = '   ';
    const parsed = parseDataset(csv(['text', 'label'], rows), 'reviews.csv');
    const err = errorOf(() =>
      toExamples(parsed.rows, { kind: 'labeled', textColumn: 'text', labelColumn: 'label' }, { file: 'reviews.csv', rowNumbers: parsed.rowNumbers, rowUnit: parsed.rowUnit }),
    );
    expect(err).toMatchObject({ file: 'reviews.csv', row: 3, field: 'text', code: 'missing-value' });
    expect(err.message).toBe('reviews.csv, row 3: "text" is empty');
  });

  it.each<[string, Record<string, unknown>, Schema, string]>([
    ['a missing text', { other: 'x' }, { kind: 'text', textColumn: 'text' }, 'd.jsonl, line 1: "text" is missing'],
    ['an empty label', { text: 'x', label: '' }, { kind: 'labeled', textColumn: 'text', labelColumn: 'label' }, 'd.jsonl, line 1: "label" is empty'],
    ['an object as text', { text: { a: 1 } }, { kind: 'text', textColumn: 'text' }, 'd.jsonl, line 1: "text" should be text, got an object'],
    ['an empty completion', { p: 'x', c: ' ' }, { kind: 'prompt', promptColumn: 'p', completionColumn: 'c' }, 'd.jsonl, line 1: "c" is empty'],
    ['messages that are not a list', { m: 'hello' }, { kind: 'chat', messagesColumn: 'm' }, 'd.jsonl, line 1: "m" should be a list of {"role", "content"} messages'],
    ['an empty message list', { m: [] }, { kind: 'chat', messagesColumn: 'm' }, 'd.jsonl, line 1: "m" has no messages'],
    ['a message without role', { m: [{ role: 'user', content: 'a' }, { content: 'b' }] }, { kind: 'chat', messagesColumn: 'm' }, 'd.jsonl, line 1: "m"[1] has no "role"'],
    ['a message without content', { m: [{ role: 'user' }] }, { kind: 'chat', messagesColumn: 'm' }, 'd.jsonl, line 1: "m"[0] has no "content" text'],
    ['a message that is not an object', { m: ['hi'] }, { kind: 'chat', messagesColumn: 'm' }, 'd.jsonl, line 1: "m"[0] should be an object like {"role": "user", "content": "..."}'],
  ])('reports %s', (_name, row, schema, message) => {
    expect(() => toExamples([row], schema, { file: 'd.jsonl', rowUnit: 'line' })).toThrow(message);
  });

  it('numbers rows from 1 when no row numbers are given', () => {
    const err = errorOf(() => toExamples([{ text: 'ok' }, { text: '' }], { kind: 'text', textColumn: 'text' }));
    expect(err).toMatchObject({ row: 2, file: 'dataset' });
  });
});
