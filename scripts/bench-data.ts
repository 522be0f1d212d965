/**
 * Throughput of the data studio's core at growing sizes: prints rows/s for the default cleaning
 * pipeline, for near-duplicate search alone, and for building and querying the explorer's search
 * index, on seeded synthetic rows with exact duplicates, near duplicates, personal data and empty
 * rows mixed in. A program that prints figures, not a test.
 *
 *   npm run bench:data                 # 100k and 1M rows
 *   npm run bench:data -- 20000 200000 # other sizes
 */
import { cleanRows, DEFAULT_CLEAN_RECIPE } from '../src/core/data/clean';
import { buildSearchIndex, filterRows } from '../src/core/data/explore';
import { findNearDuplicates } from '../src/core/data/minhash';
import { mulberry32 } from '../src/core/data/random';
import type { DataRow } from '../src/core/data/rows';

const LABELS = ['positive', 'negative', 'neutral', 'mixed'];

/** n rows: ~84% fresh sentences, 5% exact copies, 7% near copies (one word changed or added), 3% with PII, 1% empty. */
export function syntheticRows(n: number, seed = 7): DataRow[] {
  const rng = mulberry32(seed);
  const int = (k: number) => Math.floor(rng() * k);
  const vocab = Array.from({ length: 5000 }, () => Array.from({ length: 3 + int(7) }, () => String.fromCharCode(97 + int(26))).join(''));
  const sentence = () => Array.from({ length: 8 + int(17) }, () => vocab[int(vocab.length)]).join(' ');
  const rows: DataRow[] = [];
  for (let id = 0; id < n; id++) {
    const roll = rng();
    const label = LABELS[int(LABELS.length)];
    let text: string;
    if (roll < 0.05 && rows.length > 0) {
      const src = rows[int(rows.length)];
      rows.push({ ...src, id });
      continue;
    } else if (roll < 0.12 && rows.length > 0) {
      const words = (rows[int(rows.length)].text ?? sentence()).split(' ');
      if (rng() < 0.5) words[int(words.length)] = vocab[int(vocab.length)];
      else words.splice(int(words.length), 0, vocab[int(vocab.length)]);
      text = words.join(' ');
    } else if (roll < 0.15) {
      text = `${sentence()} write to ${vocab[int(5000)]}.${vocab[int(5000)]}@example.com or call +44 20 7946 ${1000 + int(9000)}`;
    } else if (roll < 0.16) text = '';
    else text = sentence();
    rows.push({ id, text, label });
  }
  return rows;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** Seconds of CPU this process spent: the machine is shared, so wall time alone would measure the neighbours too. */
function time<T>(f: () => T): [T, number, number] {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = f();
  const c = process.cpuUsage(c0);
  return [out, (c.user + c.system) / 1e6, (performance.now() - t0) / 1000];
}

const line = (what: string, cpu: number, wall: number, n: number, extra: string) =>
  console.log(`  ${what.padEnd(24)} ${cpu.toFixed(2).padStart(7)} s CPU ${fmt(n / cpu).padStart(10)} rows/s  (wall ${wall.toFixed(1)} s) ${extra}`);

if (import.meta.url === `file://${process.argv[1]}`) main();

function main(): void {
const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
for (const n of sizes.length ? sizes : [100_000, 1_000_000]) {
  const [rows, genS] = time(() => syntheticRows(n));
  console.log(`\n${fmt(n)} rows (generated in ${genS.toFixed(1)} s)`);

  const [found, nearCpu, nearWall] = time(() => findNearDuplicates(rows.map((r) => r.text ?? '')));
  line('near-duplicate search', nearCpu, nearWall, n, `${fmt(found.duplicates)} duplicates in ${fmt(found.clusters)} clusters, ${fmt(found.candidatesChecked)} pairs verified, ${found.bands}x${found.rowsPerBand} bands`);

  const [res, cleanCpu, cleanWall] = time(() => cleanRows(rows, DEFAULT_CLEAN_RECIPE));
  const steps = Object.entries(res.report.millisByStep).map(([s, ms]) => `${s} ${(ms! / 1000).toFixed(1)}`).join(', ');
  line('full cleaning pipeline', cleanCpu, cleanWall, n, `${fmt(res.report.rowsOut)} rows kept; wall s per step: ${steps}`);
  console.log(`    removed ${JSON.stringify(res.report.removedByStep)}, PII ${JSON.stringify(res.report.piiRedacted)}`);

  const [index, indexCpu, indexWall] = time(() => buildSearchIndex(rows));
  const query = rows.find((r) => r.text)!.text!.split(' ')[0];
  const [hits, searchCpu, searchWall] = time(() => filterRows(index, { query, labels: ['positive', 'neutral'] }));
  line('search index build', indexCpu, indexWall, n, '');
  line('one search + filter', searchCpu, searchWall, n, `${fmt(hits.length)} hits for "${query}"`);
  console.log(`  heap used ${fmt(process.memoryUsage().heapUsed / 2 ** 20)} MB`);
}
}
