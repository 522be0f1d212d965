/** The printed table and the issue's targets, computed from one run's results. */
import type { BenchResult } from './configs';

export interface TorchResult {
  config: string;
  tokensPerSec: number | null;
  msPerStep: number | null;
  threads?: number;
  error?: string;
}

const fmt = (x: number | null | undefined, digits = 0) => (x === null || x === undefined ? '-' : x.toFixed(digits));
const mb = (x: number | null | undefined) => (x === null || x === undefined ? '-' : (x / 2 ** 20).toFixed(0));

export function printReport(results: BenchResult[], torch: TorchResult[]): void {
  const rows = [['config', 'backend', 'impl', 'where', 'train tok/s', 'ms/step', 'cpu ms/step', 'peak MB', 'gpu MB', 'gen tok/s', 'loss first→last']];
  for (const r of results) {
    rows.push([
      r.config,
      r.backend + (r.threads && r.threads > 1 ? ` x${r.threads}` : ''),
      r.impl,
      r.where,
      fmt(r.tokensPerSec),
      fmt(r.msPerStep),
      fmt(r.cpuMsPerStep),
      mb(r.peakBytes),
      r.gpuBytesAllocated ? `${mb(r.gpuBytesInUse)}/${mb(r.gpuBytesAllocated)}` : '-',
      fmt(r.genTokensPerSec, 1),
      r.firstLoss !== undefined ? `${r.firstLoss.toFixed(2)}→${r.lastLoss!.toFixed(2)}` : '-',
    ]);
  }
  for (const t of torch) rows.push([t.config, `torch-cpu x${t.threads ?? '?'}`, 'pytorch', 'python', fmt(t.tokensPerSec), fmt(t.msPerStep), '-', '-', '-', '-', '-']);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log('');
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
  const notes = results.filter((r) => r.error || r.note);
  if (notes.length) {
    console.log('');
    for (const r of notes) console.log(`${r.config} ${r.backend} ${r.impl}: ${r.error ?? r.note}`);
  }
  for (const t of torch) if (t.error) console.log(`torch ${t.config}: ${t.error}`);
  console.log('');
  console.log('Wall times are medians on a shared 2-core machine; cpu ms/step (the process tree\'s CPU time per step) is steadier.');
  printTargets(results, torch);
}

const get = (rs: BenchResult[], config: string, backend: string, impl: string, where?: string) =>
  rs.find((r) => r.config === config && r.backend === backend && r.impl === impl && (!where || r.where === where) && r.tokensPerSec !== null);

function printTargets(results: BenchResult[], torch: TorchResult[]): void {
  console.log('');
  console.log('Targets (issue 7):');
  const torchS = torch.find((t) => t.config === 'S' && t.tokensPerSec);
  const browserS = results.filter((r) => r.config === 'S' && r.where === 'chromium' && r.impl === 'studio' && r.tokensPerSec !== null);
  if (torchS && browserS.length) {
    const best = browserS.reduce((a, b) => (a.tokensPerSec! > b.tokensPerSec! ? a : b));
    const ratio = best.tokensPerSec! / torchS.tokensPerSec!;
    console.log(`  S: fastest browser backend (${best.backend}) ${fmt(best.tokensPerSec)} tok/s = ${(100 * ratio).toFixed(0)}% of PyTorch's ${fmt(torchS.tokensPerSec)} (target >= 50%): ${ratio >= 0.5 ? 'met' : 'NOT met'}`);
  }
  for (const config of ['S', 'M']) {
    const s = get(results, config, 'webgpu', 'studio');
    const n = get(results, config, 'webgpu', 'naive');
    if (s && n) {
      const x = s.tokensPerSec! / n.tokensPerSec!;
      console.log(`  ${config} webgpu: studio ${fmt(s.tokensPerSec)} vs naive ${fmt(n.tokensPerSec)} tok/s = ${x.toFixed(1)}x (target >= 3x): ${x >= 3 ? 'met' : 'NOT met'}`);
    }
  }
  for (const r of results.filter((x) => x.impl === 'nanogpt')) {
    const s = get(results, r.config, r.backend, 'studio', r.where);
    if (!s) continue;
    if (r.tokensPerSec === null) {
      console.log(`  ${r.config} ${r.backend}: nanogpt did not run (${r.error})`);
      continue;
    }
    const x = s.tokensPerSec! / r.tokensPerSec;
    console.log(`  ${r.config} ${r.backend}: studio ${fmt(s.tokensPerSec)} vs nanogpt ${fmt(r.tokensPerSec)} tok/s = ${x.toFixed(2)}x: ${x > 1 ? 'ahead' : 'NOT ahead'}`);
  }
  for (const r of results.filter((x) => x.config === 'gpt2-small-lora' && x.impl === 'studio')) {
    console.log(`  gpt2-small LoRA r=8 on ${r.backend}: ${r.tokensPerSec !== null ? `trains (${fmt(r.tokensPerSec)} tok/s), peak ${mb(r.peakBytes)} MB${r.gpuBytesAllocated ? `, GPU buffers ${mb(r.gpuBytesAllocated)} MB allocated` : ''}` : `failed: ${r.error}`}`);
  }
}
