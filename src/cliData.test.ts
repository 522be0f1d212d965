import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { csv } from './core/data/test-builders';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, [join(ROOT, 'src/cli.ts'), ...args], { cwd: ROOT, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const readJsonl = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

let dir: string;
let messy: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-data-'));
  messy = join(dir, 'messy.csv');
  // Spreadsheet rows 2..10: a duplicate (3), a whitespace variant of row 2 (4), an empty text (5),
  // personal data (6), a conflicting label (7 vs 8), a near duplicate (10 of 9).
  writeFileSync(
    messy,
    csv(
      ['review', 'sentiment'],
      [
        ['Great movie, loved every minute of it', 'pos'],
        ['Great movie, loved every minute of it', 'pos'],
        ['Great   movie,  loved every minute of it ', 'pos'],
        ['', 'neg'],
        ['Mail jane.doe@example.com or call +1 (555) 123-4567 for tickets', 'neg'],
        ['Terrible film', 'neg'],
        ['Terrible film', 'pos'],
        ['The plot was slow but the acting was wonderful throughout the whole film', 'pos'],
        ['The plot was slow but the acting was wonderful throughout the whole flim', 'pos'],
      ],
    ),
  );
});

describe('cli clean', () => {
  it('cleans a messy CSV with the default recipe and prints the report', async () => {
    const out = join(dir, 'clean.jsonl');
    const r = await cli('clean', '--data', messy, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      kind: 'labeled',
      rowsIn: 9,
      rowsOut: 5,
      removedByStep: { empty: 1, exactDup: 2, nearDup: 1, conflicts: 0 },
      editedByStep: { normalize: 1, pii: 1 },
      piiRedacted: { email: 1, phone: 1, url: 0, ipv4: 0, ipv6: 0 },
      conflicts: { groups: 1, rows: 2, dropped: 0, samples: [{ text: 'Terrible film', labels: { neg: 1, pos: 1 }, ids: [7, 8] }] },
    });
    expect(readJsonl(out)).toEqual([
      { text: 'Great movie, loved every minute of it', label: 'pos' },
      { text: 'Mail [EMAIL] or call [PHONE] for tickets', label: 'neg' },
      { text: 'Terrible film', label: 'neg' },
      { text: 'Terrible film', label: 'pos' },
      { text: 'The plot was slow but the acting was wonderful throughout the whole film', label: 'pos' },
    ]);
  });

  it('follows the flags: keeps PII and near duplicates, drops conflicts, writes CSV and the change list', async () => {
    const out = join(dir, 'clean.csv');
    const changes = join(dir, 'changes.jsonl');
    const r = await cli('clean', '--data', messy, '--out', out, '--no-pii', '--no-near-dedupe', '--drop-conflicts', '--min-chars', '14', '--changes', changes);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.steps).toEqual(['normalize', 'empty', 'length', 'exactDup', 'conflicts']);
    expect(report).toMatchObject({ rowsOut: 4, removedByStep: { empty: 1, length: 2, exactDup: 2, conflicts: 0 } });
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe('text,label');
    expect(text).toContain('jane.doe@example.com');
    expect(readJsonl(changes).find((c) => c.step === 'length')).toMatchObject({ id: 7, action: 'removed', reason: '13 characters, fewer than the minimum 14' });
  });

  it('explains bad options', async () => {
    const r = await cli('clean', '--data', messy, '--out', join(dir, 'x.xlsx'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: --out .*x\.xlsx: the extension must be \.csv, \.tsv, \.jsonl or \.json/);
    const t = await cli('clean', '--data', messy, '--out', join(dir, 'x.csv'), '--near-dup-threshold', '2');
    expect(t.stderr).toMatch(/--near-dup-threshold must be a valid number/);
  });
});

describe('cli augment', () => {
  it('adds seeded EDA variants by default, marked with their source', async () => {
    const out = join(dir, 'aug.jsonl');
    const a = await cli('augment', '--data', messy, '--out', out, '--variants', '2', '--seed', '3');
    expect(a.code).toBe(0);
    const report = JSON.parse(a.stdout);
    expect(report).toMatchObject({ rowsIn: 9, seed: 3 });
    expect(report.added).toBeGreaterThan(0);
    const rows = readJsonl(out);
    expect(rows).toHaveLength(report.rowsOut);
    expect(rows.slice(9).every((r) => r.augmented === true && typeof r.source_id === 'number')).toBe(true);
    const again = await cli('augment', '--data', messy, '--out', join(dir, 'aug2.jsonl'), '--variants', '2', '--seed', '3');
    expect(readFileSync(join(dir, 'aug2.jsonl'), 'utf8')).toBe(readFileSync(out, 'utf8'));
    expect(JSON.parse(again.stdout).byOp).toEqual(report.byOp);
  });

  it('balances classes with --balance', async () => {
    const out = join(dir, 'balanced.csv');
    const r = await cli('augment', '--data', messy, '--out', out, '--balance', '--typos', '--variants', '0');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.labelsBefore).toEqual({ pos: 6, neg: 3 });
    expect(report.labelsAfter).toEqual({ pos: 6, neg: 6 });
    expect(report.balanced).toEqual({ neg: 3 });
  });
});
