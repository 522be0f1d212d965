/** Turning progress events into what the charts and the progress bar show. Pure functions. */
import type { ProgressEvent } from '../core/types';
import type { RunRecord } from '../storage/db';

export interface ChartPoint {
  step: number;
  trainLoss: number;
  /** Exponential moving average of the train loss, bias-corrected as TensorBoard does. */
  smoothLoss: number;
  valLoss?: number;
  valAccuracy?: number;
  learningRate: number;
}

/** Debiased EMA: early points are not dragged towards zero by the initial state. */
export function emaSmooth(values: number[], weight = 0.8): number[] {
  const out: number[] = [];
  let acc = 0;
  values.forEach((v, i) => {
    acc = acc * weight + (1 - weight) * v;
    out.push(acc / (1 - weight ** (i + 1)));
  });
  return out;
}

export function chartPoints(events: ProgressEvent[], weight = 0.8): ChartPoint[] {
  const smooth = emaSmooth(events.map((e) => e.trainLoss), weight);
  return events.map((e, i) => ({
    step: e.step,
    trainLoss: e.trainLoss,
    smoothLoss: smooth[i],
    valLoss: e.val?.loss,
    valAccuracy: e.val?.accuracy,
    learningRate: e.learningRate,
  }));
}

export interface ProgressSummary {
  step: number;
  totalSteps: number;
  fraction: number;
  epoch: number;
  tokensPerSec: number;
  /** Estimated milliseconds left, from the average time per step so far. */
  remainingMs: number | null;
}

export function progressSummary(events: ProgressEvent[]): ProgressSummary | null {
  const last = events[events.length - 1];
  if (!last) return null;
  // Mean throughput over the last few steps reads steadier than the latest one.
  const recent = events.slice(-10);
  const tokensPerSec = recent.reduce((s, e) => s + e.tokensPerSec, 0) / recent.length;
  const msPerStep = last.elapsedMs / Math.max(1, last.step);
  const remaining = last.totalSteps - last.step;
  return {
    step: last.step,
    totalSteps: last.totalSteps,
    fraction: last.totalSteps > 0 ? last.step / last.totalSteps : 0,
    epoch: last.epoch,
    tokensPerSec,
    remainingMs: last.step > 0 ? remaining * msPerStep : null,
  };
}

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}


/** How long a run trained: its recorded training time, or (older runs) from its start to its end. */
export function trainingTime(r: Pick<RunRecord, 'final' | 'finishedAt' | 'createdAt'>): number | undefined {
  return r.final?.trainMs ?? (r.finishedAt ? r.finishedAt - r.createdAt : undefined);
}
