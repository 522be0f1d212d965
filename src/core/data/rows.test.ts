import { describe, expect, it } from 'vitest';
import { detectSchema } from './detect';
import { parseDataset } from './parse';
import { contentKey, formatRows, rowsFromRecords, rowsToExamples, type DataRow } from './rows';
import { chatTurns, csv, jsonl } from './test-builders';

const rowsOf = (text: string, file: string) => {
  const parsed = parseDataset(text, file);
  return rowsFromRecords(parsed.rows, detectSchema(parsed.columns, parsed.rows), parsed.rowNumbers);
};

describe('rowsFromRecords()', () => {
  it('maps text+label rows with file row numbers as ids, keeping empty values for cleaning to report', () => {
    expect(rowsOf(csv(['review', 'sentiment'], [['good', 'pos'], ['', 'neg'], ['bad', '']]), 'r.csv')).toEqual([
      { id: 2, text: 'good', label: 'pos' },
      { id: 3, text: '', label: 'neg' },
      { id: 4, text: 'bad', label: undefined },
    ]);
  });

  it('maps Alpaca rows to prompt/completion the way toExamples does', () => {
    const rows = rowsOf(jsonl([{ instruction: 'Translate', input: 'hola', output: 'hello' }, { instruction: 'Greet', input: '', output: 'hi' }]), 'a.jsonl');
    expect(rows).toEqual([
      { id: 1, prompt: 'Translate\n\nhola', completion: 'hello' },
      { id: 2, prompt: 'Greet', completion: 'hi' },
    ]);
  });

  it('maps OpenAI chat (with content parts) and ShareGPT conversations to messages', () => {
    const openai = rowsOf(jsonl([{ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi ' }, { type: 'text', text: 'there' }] }, { role: 'assistant', content: 'yo' }] }]), 'c.jsonl');
    expect(openai[0].messages).toEqual([{ role: 'user', content: 'hi there' }, { role: 'assistant', content: 'yo' }]);
    const sharegpt = rowsOf(jsonl([{ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }] }]), 's.jsonl');
    expect(sharegpt[0].messages).toEqual([{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }]);
  });
});

describe('formatRows()', () => {
  const rows: DataRow[] = [
    { id: 0, text: 'a, "quoted"\nline', label: 'x' },
    { id: 1, text: 'b', label: 'y', augmented: true, sourceId: 0 },
  ];

  it.each(['csv', 'tsv', 'jsonl', 'json'] as const)('writes %s that reads back to the same rows', (format) => {
    const back = rowsOf(formatRows(rows, format), `out.${format}`);
    expect(back.map((r) => [r.text, r.label])).toEqual([['a, "quoted"\nline', 'x'], ['b', 'y']]);
  });

  it('writes chat rows as messages and prompt rows as prompt/completion', () => {
    const out = formatRows([{ id: 0, messages: chatTurns('hi', 'yo') }, { id: 1, prompt: 'p', completion: 'c' }], 'jsonl');
    expect(out.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ messages: chatTurns('hi', 'yo') }, { prompt: 'p', completion: 'c' }]);
  });
});

describe('rowsToExamples()', () => {
  it('makes training examples of each kind and skips rows without content', () => {
    expect(rowsToExamples([{ id: 0, text: 't', label: 'l' }, { id: 1, text: 'u' }, { id: 2, prompt: 'p', completion: 'c' }, { id: 3, text: '' }])).toEqual([
      { kind: 'labeled', text: 't', label: 'l' },
      { kind: 'text', text: 'u' },
      { kind: 'prompt', prompt: 'p', completion: 'c' },
    ]);
  });
});

describe('contentKey()', () => {
  it('keeps fields apart so different splits of the same characters differ', () => {
    expect(contentKey({ id: 0, prompt: 'ab', completion: 'c' })).not.toBe(contentKey({ id: 1, prompt: 'a', completion: 'bc' }));
  });
});
