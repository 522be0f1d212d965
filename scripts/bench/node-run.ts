/**
 * One measurement in its own Node process (tfjs keeps one global engine per process,
 * and nanogpt bundles its own tfjs copy): `tsx scripts/bench/node-run.ts '<BenchSpec JSON>'`.
 * Prints progress on stderr and one `BENCH_RESULT {json}` line on stdout.
 */
import type { BenchResult, BenchSpec } from './configs';
import { failed, measure, type BenchSession } from './measure';

async function session(spec: BenchSpec): Promise<BenchSession> {
  if (spec.impl === 'nanogpt') {
    const { createNanoGpt } = await import('./nanogpt');
    return createNanoGpt(spec.config, spec.backend);
  }
  const { initBackend } = await import('../../src/core/backend');
  const caps = await initBackend(spec.backend);
  if (spec.impl === 'naive') {
    const { createNaive } = await import('./naive');
    return { ...createNaive(spec.config), threads: caps.threads };
  }
  const { createStudio } = await import('./studio');
  return { ...createStudio(spec.config), threads: caps.threads };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as BenchSpec;
  const log = (l: string) => process.stderr.write(`${l}\n`);
  let result: BenchResult;
  try {
    const s = await session(spec);
    try {
      result = await measure(spec, s, 'node', { log, profileTop: Number(process.env.BENCH_PROFILE ?? 0) });
    } finally {
      s.dispose();
    }
  } catch (e) {
    result = failed(spec, 'node', (e as Error).message ?? String(e));
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

void main();
