/** Builders for dataset files in tests: write the file a person would make, not a copied literal. */

/** A CSV/TSV value, quoted when it contains the delimiter, a quote or a line break. */
export function cell(value: string, delimiter = ','): string {
  return value.includes(delimiter) || /["\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A delimited file with a header row; `eol` defaults to "\n" and a trailing newline is added. */
export function csv(header: string[], rows: string[][], opts: { delimiter?: string; eol?: string } = {}): string {
  const d = opts.delimiter ?? ',';
  const eol = opts.eol ?? '\n';
  return [header, ...rows].map((r) => r.map((v) => cell(v, d)).join(d)).join(eol) + eol;
}

export const tsv = (header: string[], rows: string[][]) => csv(header, rows, { delimiter: '\t' });

export const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** `n` labeled rows: [["review 1", "pos"], ["review 2", "neg"], ...]. */
export function labeledRows(n: number, labels = ['pos', 'neg']): string[][] {
  return Array.from({ length: n }, (_, i) => [`review number ${i + 1} says something`, labels[i % labels.length]]);
}

export const utf8 = (text: string) => new TextEncoder().encode(text);

export const chatTurns = (...contents: string[]) =>
  contents.map((content, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content }));
