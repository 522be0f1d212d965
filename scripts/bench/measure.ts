/**
 * One measurement: warm-up steps, timed steps (median reported; the last one also
 * follows the peak of tf.memory().numBytes), optionally one profiled step (per-kernel
 * times), then generation. Works for every impl,
 * nanogpt's bundled tfjs copy included, because it talks to the global tfjs engine
 * (`globalThis._tfengine`), which every copy of tfjs-core shares.
 */
import { median, type BenchResult, type BenchSpec } from './configs';

/** What each implementation provides to the harness. */
export interface BenchSession {
  /** One optimizer step; resolves with the loss once the step has finished on the device. */
  step(): Promise<number>;
  /** Greedy generation of `n` new tokens after a short prompt; resolves when done. */
  generate?(n: number): Promise<void>;
  /** Wasm threads, when relevant. */
  threads?: number;
  note?: string;
  dispose(): void;
}

interface KernelRecord {
  name: string;
  kernelTimeMs: number | { error: string };
  totalBytesSnapshot: number;
}

interface EngineLike {
  state: { numBytes: number };
  trackTensor(t: unknown, backend: unknown): void;
  memory(): { numBytes: number; numBytesInGPU?: number; numBytesAllocatedInGPU?: number };
  profile(q: () => unknown): Promise<{ peakBytes: number; kernels: KernelRecord[] }>;
  startScope(name?: string): void;
  endScope(result?: unknown): void;
}

export function engine(): EngineLike {
  // tfjs-core keeps its engine on `window` when there is one (nanogpt's Node shim makes one).
  const g = globalThis as { _tfengine?: EngineLike; window?: { _tfengine?: EngineLike } };
  const e = g._tfengine ?? g.window?._tfengine;
  if (!e) throw new Error('no tfjs engine in this process');
  return e;
}

const now = () => performance.now();

/**
 * Follow the peak of tf.memory().numBytes until the returned function is called: the
 * engine counts bytes as each tensor is tracked, so wrapping trackTensor sees every
 * high-water mark at no cost (tf.profile does the same per kernel, but on webgpu it also
 * times every kernel, doubling the step).
 */
export function trackPeak(eng: EngineLike): () => number {
  const orig = eng.trackTensor;
  let peak = eng.state.numBytes;
  eng.trackTensor = function (this: EngineLike, t: unknown, backend: unknown) {
    orig.call(this, t, backend);
    if (this.state.numBytes > peak) peak = this.state.numBytes;
  };
  return () => {
    eng.trackTensor = orig;
    return peak;
  };
}

export interface MeasureOptions {
  /** Print the top kernels of the profiled step (by time) to the console. */
  profileTop?: number;
  log?: (line: string) => void;
  /** Called around the timed steps, so a driver outside the page can read CPU time. */
  mark?: (what: 'start' | 'end') => Promise<void>;
}

/** CPU time of this process (all threads), where the platform tells it (Node). */
function cpuMs(): number | null {
  const p = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
  if (!p?.cpuUsage) return null;
  const u = p.cpuUsage();
  return (u.user + u.system) / 1000;
}

export async function measure(spec: BenchSpec, session: BenchSession, where: 'node' | 'chromium', opts: MeasureOptions = {}): Promise<BenchResult> {
  const cfg = spec.config;
  const warmup = spec.warmup ?? cfg.warmup;
  const steps = spec.steps ?? cfg.steps;
  const tokensPerStep = cfg.batch * cfg.ctx;
  const log = opts.log ?? (() => {});
  const base = { config: cfg.name, backend: spec.backend, impl: spec.impl, where, threads: session.threads, note: session.note } as const;
  const losses: number[] = [];
  for (let i = 0; i < warmup; i++) {
    const t0 = now();
    losses.push(await session.step());
    log(`  warm-up step ${i + 1}/${warmup}: ${(now() - t0).toFixed(0)} ms, loss ${losses[losses.length - 1].toFixed(4)}`);
  }
  const stepMs: number[] = [];
  const eng = engine();
  let peakBytes: number | null = null;
  await opts.mark?.('start');
  const cpu0 = cpuMs();
  for (let i = 0; i < steps; i++) {
    const stopPeak = i === steps - 1 ? trackPeak(eng) : null;
    const t0 = now();
    losses.push(await session.step());
    stepMs.push(now() - t0);
    if (stopPeak) peakBytes = stopPeak();
    log(`  step ${i + 1}/${steps}: ${stepMs[i].toFixed(0)} ms, loss ${losses[losses.length - 1].toFixed(4)}`);
  }
  const cpu1 = cpuMs();
  await opts.mark?.('end');
  const ms = median(stepMs);
  if (opts.profileTop) {
    try {
      const prof = await eng.profile(() => session.step());
      printTopKernels(prof.kernels, opts.profileTop, log);
    } catch (e) {
      log(`  profiling failed: ${(e as Error).message}`);
    }
  }
  const mem = eng.memory();
  let genTokensPerSec: number | null = null;
  if (session.generate && cfg.genTokens > 0) {
    await session.generate(2); // compile shaders / warm caches
    const t0 = now();
    await session.generate(cfg.genTokens);
    genTokensPerSec = cfg.genTokens / ((now() - t0) / 1000);
  }
  return {
    ...base,
    tokensPerSec: tokensPerStep / (ms / 1000),
    msPerStep: ms,
    peakBytes,
    gpuBytesInUse: mem.numBytesInGPU,
    gpuBytesAllocated: mem.numBytesAllocatedInGPU,
    genTokensPerSec,
    stepMs: stepMs.map((x) => Math.round(x)),
    cpuMsPerStep: cpu0 !== null && cpu1 !== null ? (cpu1 - cpu0) / steps : undefined,
    firstLoss: losses[0],
    lastLoss: losses[losses.length - 1],
  };
}

function printTopKernels(kernels: KernelRecord[], top: number, log: (l: string) => void): void {
  const by = new Map<string, { ms: number; n: number }>();
  let total = 0;
  for (const k of kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    total += ms;
    const e = by.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += ms;
    e.n++;
    by.set(k.name, e);
  }
  log(`  profile: ${kernels.length} kernels, ${total.toFixed(0)} ms in kernels`);
  for (const [name, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
    log(`    ${name.padEnd(28)} ${e.ms.toFixed(1).padStart(8)} ms  x${e.n}`);
  }
}

/** A failed or impossible measurement, with the reason in the output instead of a figure. */
export function failed(spec: BenchSpec, where: 'node' | 'chromium', error: string): BenchResult {
  return { config: spec.config.name, backend: spec.backend, impl: spec.impl, where, tokensPerSec: null, msPerStep: null, peakBytes: null, error };
}
