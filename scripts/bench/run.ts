/**
 * `npm run bench [-- --config S --json FILE]`: training and generation speed of the
 * studio engine, the naive tfjs baseline and @genai-fi/nanogpt, per backend: cpu and
 * wasm in Node, webgpu / webgl / wasm in headless Chromium (system Chromium, the
 * DESIGN.md WebGPU flags, a Vite server with COOP/COEP so wasm gets its threads), plus
 * the PyTorch reference. Prints a table and writes JSON. Figures only: nothing here
 * passes or fails on time.
 *
 * Options: --config NAME (repeatable; S, M, gpt2-small-lora: every backend and impl
 * of it; without it, S everywhere plus M and gpt2-small on wasm), --json FILE,
 * --backend LIST, --impl LIST (comma-separated filters), --steps N / --warmup N
 * (override), --profile N (print the N slowest kernels of each run), --no-torch,
 * --no-node, --no-browser.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CONFIGS, type BenchBackend, type BenchResult, type BenchSpec, type Impl } from './configs';
import type { Page } from '@playwright/test';
import { startBenchBrowser } from './browser';
import { printReport, type TorchResult } from './report';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const log = (l: string) => process.stderr.write(`${l}\n`);

/** One measurement to make; steps/warmup override the config's for slow combinations. */
interface Plan {
  config: string;
  backend: BenchBackend;
  where: 'node' | 'chromium';
  impl: Impl;
  steps?: number;
  warmup?: number;
}

/**
 * Every backend, impl and config, with step counts sized so a full run stays near 15
 * minutes on a shared 2-core machine: the slow pairs (the cpu backend, naive on webgpu,
 * the bigger configs) take 1 warm-up and 1-2 timed steps. Node runs cpu and wasm;
 * nanogpt ships a browser build, so it runs in Chromium, its home.
 */
function fullPlan(config: string): Plan[] {
  const few = { steps: 2, warmup: 1 };
  const one = { steps: 1, warmup: 1 };
  const plans: Plan[] = [];
  const add = (backend: BenchBackend, where: 'node' | 'chromium', impl: Impl, counts: Partial<Plan> = {}) => plans.push({ config, backend, where, impl, ...counts });
  if (config === 'S') {
    add('cpu', 'node', 'studio', one);
    add('cpu', 'node', 'naive', one);
    add('wasm', 'node', 'studio');
    add('wasm', 'node', 'naive');
    for (const backend of ['webgpu', 'webgl', 'wasm'] as const) {
      add(backend, 'chromium', 'studio');
      add(backend, 'chromium', 'naive', backend === 'webgpu' ? few : {});
      add(backend, 'chromium', 'nanogpt', backend === 'webgpu' ? few : {});
    }
  } else if (config === 'M') {
    add('wasm', 'chromium', 'studio', few);
    add('wasm', 'chromium', 'naive', one);
    add('webgpu', 'chromium', 'studio', one);
    add('webgpu', 'chromium', 'naive', one);
    add('webgpu', 'chromium', 'nanogpt', one);
  } else {
    add('wasm', 'chromium', 'studio', one);
    add('webgpu', 'chromium', 'studio', one);
  }
  return plans;
}

/** `npm run bench` without --config: S everywhere, M and gpt2-small where they fit in the budget. */
function defaultPlan(): Plan[] {
  const m = fullPlan('M').filter((p) => p.backend === 'wasm');
  const g = fullPlan('gpt2-small-lora').filter((p) => p.backend === 'wasm');
  return [...fullPlan('S'), ...m, ...g];
}

// ---------------------------------------------------------------- Node runs

function runNode(spec: BenchSpec, profile: number): Promise<BenchResult> {
  return new Promise((res) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'scripts/bench/node-run.ts'), JSON.stringify(spec)], {
      cwd: root,
      env: { ...process.env, BENCH_PROFILE: String(profile) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      for (const l of String(d).split('\n')) if (l.startsWith('  ')) log(l);
    });
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (line) res(JSON.parse(line.slice('BENCH_RESULT '.length)) as BenchResult);
      else res({ config: spec.config.name, backend: spec.backend, impl: spec.impl, where: 'node', tokensPerSec: null, msPerStep: null, peakBytes: null, error: `node run exited with ${code} and no result` });
    });
  });
}

// ---------------------------------------------------------------- Chromium runs

/** utime + stime (ms) of every descendant process of ours: the Chromium tree. */
function descendantsCpuMs(): number {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(f[1]));
      cpu.set(Number(d), (Number(f[11]) + Number(f[12])) * 10); // clock ticks of 10 ms (CLK_TCK 100)
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  for (const [pid, ms] of cpu) {
    let p = parent.get(pid);
    while (p && p !== process.pid && p !== 1) p = parent.get(p);
    if (p === process.pid) total += ms;
  }
  return total;
}

interface Browser {
  run(spec: BenchSpec, profile: number): Promise<BenchResult>;
  close(): Promise<void>;
}

async function startBrowser(): Promise<Browser> {
  const bb = await startBenchBrowser(log);
  return {
    async run(spec, profile) {
      let page: Page | null = null;
      let cpuStart = 0;
      let cpuMs: number | undefined;
      try {
        page = await bb.open('index.html', `?profile=${profile}`);
        await page.exposeFunction('benchLog', (l: string) => log(l));
        await page.exposeFunction('benchMark', (what: 'start' | 'end') => {
          if (what === 'start') cpuStart = descendantsCpuMs();
          else cpuMs = descendantsCpuMs() - cpuStart;
        });
        const isolated = await page.evaluate(() => crossOriginIsolated);
        if (!isolated) log('  warning: the bench page is not cross-origin isolated; wasm runs single-threaded');
        const result = await page.evaluate((s) => window.runBench(s), spec);
        if (cpuMs !== undefined && result.msPerStep !== null) result.cpuMsPerStep = cpuMs / (spec.steps ?? spec.config.steps);
        return result;
      } catch (e) {
        return { config: spec.config.name, backend: spec.backend, impl: spec.impl, where: 'chromium', tokensPerSec: null, msPerStep: null, peakBytes: null, error: (e as Error).message.split('\n')[0] };
      } finally {
        await page?.close();
      }
    },
    close: () => bb.close(),
  };
}

// ---------------------------------------------------------------- torch

function runTorch(configs: string[]): Promise<TorchResult[]> {
  const wanted = configs.filter((c) => c === 'S' || c === 'M');
  if (wanted.length === 0) return Promise.resolve([]);
  return new Promise((res) => {
    const args = [resolve(root, 'scripts/bench/torch_ref.py'), ...wanted.flatMap((c) => ['--config', c])];
    const child = spawn(process.env.PYTHON ?? '/usr/bin/python3', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => res(wanted.map((config) => ({ config, tokensPerSec: null, msPerStep: null, error: e.message }))));
    child.on('close', (code) => {
      try {
        res((JSON.parse(out.trim().split('\n').pop()!) as { results: TorchResult[] }).results);
      } catch {
        res(wanted.map((config) => ({ config, tokensPerSec: null, msPerStep: null, error: `torch_ref.py exited with ${code}: ${err.trim().split('\n').pop()}` })));
      }
    });
  });
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', multiple: true },
      json: { type: 'string' },
      backend: { type: 'string' },
      impl: { type: 'string' },
      steps: { type: 'string' },
      warmup: { type: 'string' },
      profile: { type: 'string', default: '0' },
      'no-torch': { type: 'boolean', default: false },
      'no-node': { type: 'boolean', default: false },
      'no-browser': { type: 'boolean', default: false },
    },
  });
  for (const c of values.config ?? []) if (!CONFIGS[c]) throw new Error(`unknown config "${c}" (${Object.keys(CONFIGS).join(', ')})`);
  let plan = values.config ? values.config.flatMap(fullPlan) : defaultPlan();
  const backends = values.backend?.split(',');
  const impls = values.impl?.split(',');
  if (backends) plan = plan.filter((p) => backends.includes(p.backend));
  if (impls) plan = plan.filter((p) => impls.includes(p.impl));
  if (values['no-node']) plan = plan.filter((p) => p.where !== 'node');
  if (values['no-browser']) plan = plan.filter((p) => p.where !== 'chromium');
  const profile = Number(values.profile);
  const started = performance.now();

  const configsRun = [...new Set(plan.map((p) => p.config))];
  let torch: TorchResult[] = [];
  if (!values['no-torch']) {
    log(`pytorch reference (${configsRun.filter((c) => c !== 'gpt2-small-lora').join(', ') || 'none'}) ...`);
    torch = await runTorch(configsRun);
  }

  const results: BenchResult[] = [];
  const specOf = (p: Plan): BenchSpec => ({
    impl: p.impl,
    backend: p.backend,
    config: CONFIGS[p.config],
    steps: values.steps ? Number(values.steps) : p.steps,
    warmup: values.warmup ? Number(values.warmup) : p.warmup,
  });
  for (const p of plan.filter((x) => x.where === 'node')) {
    log(`node ${p.backend} ${p.config} ${p.impl} ...`);
    results.push(await runNode(specOf(p), profile));
  }
  const browserPlans = plan.filter((x) => x.where === 'chromium');
  if (browserPlans.length > 0) {
    const browser = await startBrowser();
    try {
      for (const p of browserPlans) {
        log(`chromium ${p.backend} ${p.config} ${p.impl} ...`);
        results.push(await browser.run(specOf(p), profile));
      }
    } finally {
      await browser.close();
    }
  }

  const report = { date: new Date().toISOString(), wallSeconds: Math.round((performance.now() - started) / 1000), results, reference: torch };
  printReport(results, torch);
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify(report, null, 1)}\n`);
    log(`wrote ${values.json}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
